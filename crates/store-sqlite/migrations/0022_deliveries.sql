-- Notifications delivered from the outbox: one row per (event, channel, recipient), fanned out by
-- a cursor that only passes events old enough that no earlier position can still commit; claimed
-- under a lease that expires, marked sent only after the receiving server accepted the message,
-- retried with backoff and dead-lettered after too many failures.
CREATE TABLE notify_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
);
INSERT INTO notify_cursor (id, position) VALUES (1, 0);

CREATE TABLE deliveries (
    id BLOB PRIMARY KEY,
    event_id BLOB NOT NULL REFERENCES outbox (id),
    position INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'push')),
    recipient TEXT NOT NULL,
    org_id BLOB REFERENCES organisations (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, channel, recipient)
) WITHOUT ROWID;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_recipient ON deliveries (channel, recipient, position);
CREATE INDEX deliveries_dead_by_org ON deliveries (org_id, status);

-- Each worker's choice of channels; a worker with no row gets email only.
CREATE TABLE notification_settings (
    worker_id BLOB PRIMARY KEY REFERENCES workers (id),
    email INTEGER NOT NULL,
    push INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
