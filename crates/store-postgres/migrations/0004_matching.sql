-- Matching: each trust's release policy, credentials, the release schedule stored with each shift,
-- priority tiers and travel preferences, booking requests, cancellation payments, offers and the
-- outbox of notifications.

CREATE TABLE release_policies (
    org_id uuid PRIMARY KEY REFERENCES organisations (id),
    horizon_minutes bigint NOT NULL,
    collaborative_after_minutes bigint NOT NULL,
    collaborative_lead_minutes bigint NOT NULL,
    priority_window_minutes bigint NOT NULL,
    cancellation_notice_minutes bigint NOT NULL
);

ALTER TABLE wards ADD COLUMN instant_booking boolean NOT NULL DEFAULT true;

ALTER TABLE bank_memberships ADD COLUMN tier text CHECK (tier IN ('core', 'silver'));

ALTER TABLE workers ADD COLUMN max_travel_km double precision CHECK (max_travel_km > 0);
ALTER TABLE workers ADD COLUMN shift_times text NOT NULL DEFAULT 'any'
    CHECK (shift_times IN ('any', 'days', 'nights'));

ALTER TABLE shifts ADD COLUMN required_credentials text[] NOT NULL DEFAULT '{}';
ALTER TABLE shifts ADD COLUMN released_at timestamptz;
UPDATE shifts SET released_at = created_at;
ALTER TABLE shifts ALTER COLUMN released_at SET NOT NULL;
ALTER TABLE shifts ADD COLUMN collaborative_bank_id uuid REFERENCES banks (id);
ALTER TABLE shifts ADD COLUMN collaborative_at timestamptz;
ALTER TABLE shifts ADD COLUMN priority_window_minutes bigint NOT NULL DEFAULT 0;
ALTER TABLE shifts ADD COLUMN booking_mode text NOT NULL DEFAULT 'instant'
    CHECK (booking_mode IN ('instant', 'request'));
ALTER TABLE shifts ADD COLUMN cancellation_notice_minutes bigint NOT NULL DEFAULT 2880;
-- break glass: released to agency, by whom and why
ALTER TABLE shifts ADD COLUMN agency_at timestamptz;
ALTER TABLE shifts ADD COLUMN agency_by uuid REFERENCES users (id);
ALTER TABLE shifts ADD COLUMN agency_reason text;
-- the furthest stage whose offers have been sent: 0 none, 1 first bank, 2 collaborative
ALTER TABLE shifts ADD COLUMN offered_stage integer NOT NULL DEFAULT 0;
ALTER TABLE shifts ADD CONSTRAINT shifts_cascade_whole
    CHECK ((collaborative_bank_id IS NULL) = (collaborative_at IS NULL));
ALTER TABLE shifts ADD CONSTRAINT shifts_agency_whole
    CHECK ((agency_at IS NULL) = (agency_reason IS NULL));
CREATE INDEX shifts_open_by_collaborative ON shifts (collaborative_bank_id, starts_at)
    WHERE status = 'open' AND collaborative_bank_id IS NOT NULL;
CREATE INDEX shifts_offers_due ON shifts (released_at) WHERE status = 'open' AND offered_stage < 2;

CREATE TABLE credentials (
    id uuid PRIMARY KEY,
    worker_id uuid NOT NULL REFERENCES workers (id),
    kind text NOT NULL,
    dbs_level text CHECK (dbs_level IN ('basic', 'standard', 'enhanced', 'enhanced_barred')),
    issuer_org_id uuid NOT NULL REFERENCES organisations (id),
    valid_from timestamptz NOT NULL,
    valid_until timestamptz,
    status text NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at timestamptz,
    revoked_by uuid REFERENCES users (id),
    revoke_reason text,
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CHECK ((kind = 'dbs_check') = (dbs_level IS NOT NULL)),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX credentials_by_worker ON credentials (worker_id);

-- A revoked credential never comes back, and a credential's facts never change.
CREATE FUNCTION credentials_only_revoke() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'revoked' OR NEW.status <> 'revoked'
       OR (NEW.worker_id, NEW.kind, NEW.dbs_level, NEW.issuer_org_id, NEW.valid_from, NEW.valid_until)
          IS DISTINCT FROM (OLD.worker_id, OLD.kind, OLD.dbs_level, OLD.issuer_org_id, OLD.valid_from, OLD.valid_until)
    THEN
        RAISE EXCEPTION 'credentials_only_revoke' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER credentials_only_revoke BEFORE UPDATE ON credentials
    FOR EACH ROW EXECUTE FUNCTION credentials_only_revoke();

-- Matching: a ward's past bookings (continuity) and a bank's members (candidates).
CREATE INDEX shifts_by_ward ON shifts (ward_id, starts_at);
CREATE INDEX bank_memberships_by_bank ON bank_memberships (bank_id, worker_id);
