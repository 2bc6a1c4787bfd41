-- Web Push subscriptions (RFC 8030): the browsers a worker asked to be alerted on. The endpoint
-- names one browser profile, so it is unique; the keys encrypt messages to it (RFC 8291).
CREATE TABLE push_subscriptions (
    id BLOB PRIMARY KEY,
    worker_id BLOB NOT NULL REFERENCES workers (id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER
);
CREATE INDEX push_subscriptions_by_worker ON push_subscriptions (worker_id, created_at);
