-- Nudges a trust's bank office sends workers whose activity is falling: a guaranteed block of
-- shifts offered, or a message. Kept so the office can see whether each worker booked again.
CREATE TABLE nudges (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    kind text NOT NULL CHECK (kind IN ('shifts', 'message')),
    message text,
    -- the shifts offered, as a JSON array of ids
    shift_ids text NOT NULL,
    sent_by uuid NOT NULL REFERENCES users (id),
    sent_at timestamptz NOT NULL
);
CREATE INDEX nudges_by_org ON nudges (org_id, sent_at);
