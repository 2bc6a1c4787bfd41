-- Matching: each trust's release policy, credentials, the release schedule stored with each shift,
-- priority tiers and travel preferences. Instants are INTEGER milliseconds; spans are minutes.

CREATE TABLE release_policies (
    org_id BLOB PRIMARY KEY REFERENCES organisations (id),
    horizon_minutes INTEGER NOT NULL,
    collaborative_after_minutes INTEGER NOT NULL,
    collaborative_lead_minutes INTEGER NOT NULL,
    priority_window_minutes INTEGER NOT NULL,
    cancellation_notice_minutes INTEGER NOT NULL
);

ALTER TABLE wards ADD COLUMN instant_booking INTEGER NOT NULL DEFAULT 1 CHECK (instant_booking IN (0, 1));

ALTER TABLE bank_memberships ADD COLUMN tier TEXT CHECK (tier IN ('core', 'silver'));

ALTER TABLE workers ADD COLUMN max_travel_km REAL CHECK (max_travel_km > 0);
ALTER TABLE workers ADD COLUMN shift_times TEXT NOT NULL DEFAULT 'any'
    CHECK (shift_times IN ('any', 'days', 'nights'));

ALTER TABLE shifts ADD COLUMN required_credentials TEXT NOT NULL DEFAULT '[]';
ALTER TABLE shifts ADD COLUMN released_at INTEGER NOT NULL DEFAULT 0;
UPDATE shifts SET released_at = created_at;
ALTER TABLE shifts ADD COLUMN collaborative_bank_id BLOB REFERENCES banks (id);
ALTER TABLE shifts ADD COLUMN collaborative_at INTEGER;
ALTER TABLE shifts ADD COLUMN priority_window_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shifts ADD COLUMN booking_mode TEXT NOT NULL DEFAULT 'instant'
    CHECK (booking_mode IN ('instant', 'request'));
ALTER TABLE shifts ADD COLUMN cancellation_notice_minutes INTEGER NOT NULL DEFAULT 2880;
-- break glass: released to agency, by whom and why
ALTER TABLE shifts ADD COLUMN agency_at INTEGER;
ALTER TABLE shifts ADD COLUMN agency_by BLOB REFERENCES users (id);
ALTER TABLE shifts ADD COLUMN agency_reason TEXT;
-- the furthest stage whose offers have been sent: 0 none, 1 first bank, 2 collaborative
ALTER TABLE shifts ADD COLUMN offered_stage INTEGER NOT NULL DEFAULT 0;
CREATE INDEX shifts_open_by_collaborative ON shifts (collaborative_bank_id, starts_at)
    WHERE status = 'open' AND collaborative_bank_id IS NOT NULL;
CREATE INDEX shifts_offers_due ON shifts (released_at) WHERE status = 'open' AND offered_stage < 2;

CREATE TABLE credentials (
    id BLOB PRIMARY KEY,
    worker_id BLOB NOT NULL REFERENCES workers (id),
    kind TEXT NOT NULL,
    dbs_level TEXT CHECK (dbs_level IN ('basic', 'standard', 'enhanced', 'enhanced_barred')),
    issuer_org_id BLOB NOT NULL REFERENCES organisations (id),
    valid_from INTEGER NOT NULL,
    valid_until INTEGER,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at INTEGER,
    revoked_by BLOB REFERENCES users (id),
    revoke_reason TEXT,
    recorded_by BLOB NOT NULL REFERENCES users (id),
    recorded_at INTEGER NOT NULL,
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CHECK ((kind = 'dbs_check') = (dbs_level IS NOT NULL)),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX credentials_by_worker ON credentials (worker_id);

-- A revoked credential never comes back, and a credential's facts never change.
CREATE TRIGGER credentials_only_revoke BEFORE UPDATE ON credentials
WHEN OLD.status = 'revoked' OR NEW.status <> 'revoked'
    OR NEW.worker_id IS NOT OLD.worker_id OR NEW.kind IS NOT OLD.kind
    OR NEW.dbs_level IS NOT OLD.dbs_level OR NEW.issuer_org_id IS NOT OLD.issuer_org_id
    OR NEW.valid_from IS NOT OLD.valid_from OR NEW.valid_until IS NOT OLD.valid_until
BEGIN
    SELECT RAISE(ABORT, 'credentials_only_revoke');
END;

-- Matching: a ward's past bookings (continuity) and a bank's members (candidates).
CREATE INDEX shifts_by_ward ON shifts (ward_id, starts_at);
CREATE INDEX bank_memberships_by_bank ON bank_memberships (bank_id, worker_id);
