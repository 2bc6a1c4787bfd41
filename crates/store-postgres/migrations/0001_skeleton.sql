-- Staffbank on PostgreSQL: native uuids, timestamptz, text arrays, and an exclusion constraint so
-- the database itself refuses a worker two overlapping bookings anywhere on the platform.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    ods_code text NOT NULL CONSTRAINT organisations_ods_code_key UNIQUE,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('trust', 'issuer'))
);

CREATE TABLE sites (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    name text NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL
);
CREATE INDEX sites_org ON sites (org_id);

CREATE TABLE wards (
    id uuid PRIMARY KEY,
    site_id uuid NOT NULL REFERENCES sites (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    name text NOT NULL
);
CREATE INDEX wards_org ON wards (org_id);

CREATE TABLE banks (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('own', 'collaborative')),
    lead_org_id uuid NOT NULL REFERENCES organisations (id)
);

CREATE TABLE bank_members (
    bank_id uuid NOT NULL REFERENCES banks (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (bank_id, org_id)
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL CONSTRAINT users_email_key UNIQUE,
    display_name text NOT NULL,
    password_hash text,
    created_at timestamptz NOT NULL
);

CREATE TABLE user_grants (
    user_id uuid NOT NULL REFERENCES users (id),
    role text NOT NULL,
    scope_kind text NOT NULL CHECK (scope_kind IN ('platform', 'organisation', 'ward', 'bank')),
    scope_id uuid
);
CREATE INDEX user_grants_user ON user_grants (user_id);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE workers (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL CONSTRAINT workers_user_key UNIQUE REFERENCES users (id),
    display_name text NOT NULL,
    staff_group text NOT NULL,
    grade text NOT NULL,
    pay_point integer NOT NULL CHECK (pay_point BETWEEN 1 AND 20),
    skills text[] NOT NULL,
    home_lat double precision,
    home_lon double precision
);

CREATE TABLE bank_memberships (
    worker_id uuid NOT NULL REFERENCES workers (id),
    bank_id uuid NOT NULL REFERENCES banks (id),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (worker_id, bank_id)
);

CREATE TABLE shifts (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    ward_id uuid NOT NULL REFERENCES wards (id),
    bank_id uuid NOT NULL REFERENCES banks (id),
    role text NOT NULL,
    staff_group text NOT NULL,
    grade_min text NOT NULL,
    grade_max text NOT NULL,
    -- grade family and ranks, so that "which shifts accept my grade" is an indexed comparison
    grade_family text NOT NULL CHECK (grade_family IN ('afc', 'medical')),
    grade_min_rank integer NOT NULL,
    grade_max_rank integer NOT NULL,
    required_skills text[] NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    places integer NOT NULL CHECK (places BETWEEN 1 AND 50),
    -- maintained only by the booking trigger below
    booked integer NOT NULL DEFAULT 0,
    status text NOT NULL CHECK (status IN ('open', 'cancelled')),
    posted_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    CONSTRAINT shifts_places_not_exceeded CHECK (booked BETWEEN 0 AND places),
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_open_by_bank ON shifts (bank_id, starts_at) WHERE status = 'open';
CREATE INDEX shifts_by_org ON shifts (org_id, starts_at);

CREATE TABLE bookings (
    id uuid PRIMARY KEY,
    shift_id uuid NOT NULL REFERENCES shifts (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    during tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
    status text NOT NULL CHECK (status IN ('active', 'cancelled')),
    idempotency_key text NOT NULL,
    created_at timestamptz NOT NULL,
    cancelled_by text CHECK (cancelled_by IN ('worker', 'trust')),
    cancelled_by_user uuid REFERENCES users (id),
    cancel_reason text,
    cancelled_at timestamptz,
    CONSTRAINT bookings_idempotency_key UNIQUE (worker_id, idempotency_key),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (worker_id WITH =, during WITH &&)
        WHERE (status = 'active')
);
CREATE INDEX bookings_by_worker ON bookings (worker_id, starts_at);
CREATE INDEX bookings_by_shift ON bookings (shift_id);

-- The place counter follows the bookings; the CHECK on shifts refuses a place that is not there.
-- A cancelled booking never comes back: a new booking is made instead.
CREATE FUNCTION bookings_count_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status = 'active' THEN
            UPDATE shifts SET booked = booked + 1 WHERE id = NEW.shift_id;
        END IF;
    ELSIF OLD.status = 'active' AND NEW.status = 'cancelled' THEN
        UPDATE shifts SET booked = booked - 1 WHERE id = NEW.shift_id;
    ELSIF OLD.status = 'cancelled' AND NEW.status = 'active' THEN
        RAISE EXCEPTION 'bookings_never_reactivated' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER bookings_count_places AFTER INSERT OR UPDATE OF status ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_count_places();
