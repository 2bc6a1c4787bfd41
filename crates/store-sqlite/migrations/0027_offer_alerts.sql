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
