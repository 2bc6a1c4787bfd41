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

-- A shift's candidate pool reads the members of its banks in its staff group, with their tiers,
-- from one index alone; so each membership carries its worker's staff group, kept by triggers.
ALTER TABLE bank_memberships ADD COLUMN staff_group text;
UPDATE bank_memberships m SET staff_group = w.staff_group FROM workers w WHERE w.id = m.worker_id;
ALTER TABLE bank_memberships ALTER COLUMN staff_group SET NOT NULL;
CREATE FUNCTION bank_memberships_staff_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.staff_group := (SELECT staff_group FROM workers WHERE id = NEW.worker_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER bank_memberships_staff_group BEFORE INSERT ON bank_memberships
    FOR EACH ROW EXECUTE FUNCTION bank_memberships_staff_group();
CREATE FUNCTION workers_staff_group_to_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE bank_memberships SET staff_group = NEW.staff_group WHERE worker_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER workers_staff_group_to_memberships AFTER UPDATE OF staff_group ON workers
    FOR EACH ROW EXECUTE FUNCTION workers_staff_group_to_memberships();
DROP INDEX bank_memberships_by_bank;
CREATE INDEX bank_memberships_by_bank ON bank_memberships (bank_id, staff_group, worker_id)
    INCLUDE (tier);

-- A worker's bookings by start, carrying what fairness and the working-time rules read, so both
-- are answered from the index alone.
DROP INDEX bookings_by_worker;
CREATE INDEX bookings_by_worker ON bookings (worker_id, starts_at) INCLUDE (ends_at, status);
