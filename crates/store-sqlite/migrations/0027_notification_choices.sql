-- Which offers a worker wants to hear about, kept with their channels: grades and sites (JSON
-- arrays; NULL means all), days or nights, and quiet hours on the UK wall clock ("HH:MM", both or
-- neither). An offer the filters exclude is never sent; one falling in quiet hours waits for the
-- end of them.
ALTER TABLE notification_settings ADD COLUMN grades TEXT;
ALTER TABLE notification_settings ADD COLUMN sites TEXT;
ALTER TABLE notification_settings ADD COLUMN shift_times TEXT NOT NULL DEFAULT 'any'
    CHECK (shift_times IN ('any', 'days', 'nights'));
ALTER TABLE notification_settings ADD COLUMN quiet_from TEXT;
ALTER TABLE notification_settings ADD COLUMN quiet_until TEXT;

-- When a worker was actually alerted about an offer (a delivery of it was sent), and when the
-- offer was settled: withdrawn with a message once its shift was filled or cancelled, or let go
-- without one once its shift started. A withdrawal goes only after an alert, and only once. The
-- partial index keeps the deliverer's sweep to offers still awaiting settlement.
ALTER TABLE offers ADD COLUMN alerted_at INTEGER;
ALTER TABLE offers ADD COLUMN withdrawn_at INTEGER;
CREATE INDEX offers_alerted_unsettled ON offers (shift_id)
    WHERE alerted_at IS NOT NULL AND withdrawn_at IS NULL;

-- Any signed-in user may subscribe a browser (ward managers are alerted of escalations there), so
-- push subscriptions belong to a user; a worker's are their user's. SQLite cannot relax a column,
-- so the table is rebuilt with its rows.
CREATE TABLE push_subscriptions_by_user (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER
);
INSERT INTO push_subscriptions_by_user (id, user_id, endpoint, p256dh, auth, created_at,
    last_success_at, last_failure_at)
SELECT p.id, w.user_id, p.endpoint, p.p256dh, p.auth, p.created_at, p.last_success_at,
    p.last_failure_at
FROM push_subscriptions p JOIN workers w ON w.id = p.worker_id;
DROP TABLE push_subscriptions;
ALTER TABLE push_subscriptions_by_user RENAME TO push_subscriptions;
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

-- The channels a ward manager chose for escalations; one with no row is emailed.
CREATE TABLE escalation_channels (
    user_id BLOB PRIMARY KEY REFERENCES users (id),
    email INTEGER NOT NULL,
    push INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
