-- Which offers a worker wants to hear about, kept with their channels: grades and sites (JSON
-- arrays; NULL means all), days or nights, and quiet hours on the UK wall clock ("HH:MM", both or
-- neither). An offer the filters exclude is never sent; one falling in quiet hours waits for the
-- end of them.
ALTER TABLE notification_settings ADD COLUMN grades text;
ALTER TABLE notification_settings ADD COLUMN sites text;
ALTER TABLE notification_settings ADD COLUMN shift_times text NOT NULL DEFAULT 'any'
    CHECK (shift_times IN ('any', 'days', 'nights'));
ALTER TABLE notification_settings ADD COLUMN quiet_from text;
ALTER TABLE notification_settings ADD COLUMN quiet_until text;

-- When a worker was actually alerted about an offer (a delivery of it was sent), and when the
-- offer was settled: withdrawn with a message once its shift was filled or cancelled, or let go
-- without one once its shift started. A withdrawal goes only after an alert, and only once. The
-- partial index keeps the deliverer's sweep to offers still awaiting settlement.
ALTER TABLE offers ADD COLUMN alerted_at timestamptz;
ALTER TABLE offers ADD COLUMN withdrawn_at timestamptz;
CREATE INDEX offers_alerted_unsettled ON offers (shift_id)
    WHERE alerted_at IS NOT NULL AND withdrawn_at IS NULL;

-- Any signed-in user may subscribe a browser (ward managers are alerted of escalations there), so
-- push subscriptions belong to a user; a worker's are their user's.
ALTER TABLE push_subscriptions ADD COLUMN user_id uuid REFERENCES users (id);
UPDATE push_subscriptions p SET user_id = w.user_id FROM workers w WHERE w.id = p.worker_id;
ALTER TABLE push_subscriptions ALTER COLUMN user_id SET NOT NULL;
DROP INDEX push_subscriptions_by_worker;
ALTER TABLE push_subscriptions DROP COLUMN worker_id;
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

-- The channels a ward manager chose for escalations; one with no row is emailed.
CREATE TABLE escalation_channels (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    email boolean NOT NULL,
    push boolean NOT NULL,
    updated_at timestamptz NOT NULL
);
