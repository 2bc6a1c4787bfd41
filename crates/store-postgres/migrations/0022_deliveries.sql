-- Notifications delivered from the outbox: one row per (event, channel, recipient), fanned out by
-- a cursor that only passes events old enough that no earlier position can still commit; claimed
-- under a lease that expires, marked sent only after the receiving server accepted the message,
-- retried with backoff and dead-lettered after too many failures.
CREATE TABLE notify_cursor (
    id integer PRIMARY KEY CHECK (id = 1),
    position bigint NOT NULL
);
INSERT INTO notify_cursor (id, position) VALUES (1, 0);

CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    event_id uuid NOT NULL REFERENCES outbox (id),
    position bigint NOT NULL,
    channel text NOT NULL CHECK (channel IN ('email', 'push')),
    recipient text NOT NULL,
    org_id uuid REFERENCES organisations (id),
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_until timestamptz,
    last_error text,
    updated_at timestamptz NOT NULL,
    UNIQUE (event_id, channel, recipient)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_recipient ON deliveries (channel, recipient, position);
CREATE INDEX deliveries_dead_by_org ON deliveries (org_id, status);

-- Each worker's choice of channels; a worker with no row gets email only.
CREATE TABLE notification_settings (
    worker_id uuid PRIMARY KEY REFERENCES workers (id),
    email boolean NOT NULL,
    push boolean NOT NULL,
    updated_at timestamptz NOT NULL
);
