-- Nudges a trust's bank office sends workers whose activity is falling: a guaranteed block of
-- shifts offered, or a message. Kept so the office can see whether each worker booked again.
CREATE TABLE nudges (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    kind TEXT NOT NULL CHECK (kind IN ('shifts', 'message')),
    message TEXT,
    -- the shifts offered, as a JSON array of ids
    shift_ids TEXT NOT NULL,
    sent_by BLOB NOT NULL REFERENCES users (id),
    sent_at INTEGER NOT NULL
);
CREATE INDEX nudges_by_org ON nudges (org_id, sent_at);
