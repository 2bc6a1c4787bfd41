-- Web Push subscriptions (RFC 8030): the browsers a worker asked to be alerted on. The endpoint
-- names one browser profile, so it is unique; the keys encrypt messages to it (RFC 8291).
CREATE TABLE push_subscriptions (
    id uuid PRIMARY KEY,
    worker_id uuid NOT NULL REFERENCES workers (id),
    endpoint text NOT NULL UNIQUE,
    p256dh text NOT NULL,
    auth text NOT NULL,
    created_at timestamptz NOT NULL,
    last_success_at timestamptz,
    last_failure_at timestamptz
);
CREATE INDEX push_subscriptions_by_worker ON push_subscriptions (worker_id, created_at);
