-- Offers: which workers were told of a shift when a stage opened to them, and the transactional
-- outbox that carries each offer to email, SMS or push.

DROP INDEX shifts_offers_due;
ALTER TABLE shifts DROP COLUMN offered_stage;
-- When offers are next due: at each stage's opening and the end of its priority window, and at
-- once when a place comes free. Shifts posted before offers existed never fall due.
ALTER TABLE shifts ADD COLUMN offers_due_at timestamptz;
CREATE INDEX shifts_offers_due ON shifts (offers_due_at)
    WHERE status = 'open' AND offers_due_at IS NOT NULL;

CREATE TABLE offers (
    worker_id uuid NOT NULL REFERENCES workers (id),
    shift_id uuid NOT NULL REFERENCES shifts (id),
    offered_at timestamptz NOT NULL,
    PRIMARY KEY (worker_id, shift_id)
);
CREATE INDEX offers_by_shift ON offers (shift_id);

CREATE TABLE outbox (
    position bigserial PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    topic text NOT NULL,
    worker_id uuid REFERENCES workers (id),
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL
);

-- A shift's candidate pool reads its banks' members, with their tiers, from this index alone.
DROP INDEX bank_memberships_by_bank;
CREATE INDEX bank_memberships_by_bank ON bank_memberships (bank_id, worker_id) INCLUDE (tier);
