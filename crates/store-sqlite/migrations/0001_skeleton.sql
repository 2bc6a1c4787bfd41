-- Staffbank on SQLite. Ids are 16-byte UUID blobs; instants are INTEGER milliseconds since the Unix
-- epoch, UTC, so that comparisons are numeric.

CREATE TABLE organisations (
    id BLOB PRIMARY KEY,
    ods_code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('trust', 'issuer'))
);
CREATE UNIQUE INDEX organisations_ods_code_key ON organisations (ods_code);

CREATE TABLE sites (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL
);
CREATE INDEX sites_org ON sites (org_id);

CREATE TABLE wards (
    id BLOB PRIMARY KEY,
    site_id BLOB NOT NULL REFERENCES sites (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL
);
CREATE INDEX wards_org ON wards (org_id);

CREATE TABLE banks (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'collaborative')),
    lead_org_id BLOB NOT NULL REFERENCES organisations (id)
);

CREATE TABLE bank_members (
    bank_id BLOB NOT NULL REFERENCES banks (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (bank_id, org_id)
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE user_grants (
    user_id BLOB NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('platform', 'organisation', 'ward', 'bank')),
    scope_id BLOB
);
CREATE INDEX user_grants_user ON user_grants (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE workers (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    display_name TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    pay_point INTEGER NOT NULL CHECK (pay_point BETWEEN 1 AND 20),
    skills TEXT NOT NULL,
    home_lat REAL,
    home_lon REAL
);
CREATE UNIQUE INDEX workers_user_key ON workers (user_id);

CREATE TABLE bank_memberships (
    worker_id BLOB NOT NULL REFERENCES workers (id),
    bank_id BLOB NOT NULL REFERENCES banks (id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (worker_id, bank_id)
);

CREATE TABLE shifts (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    ward_id BLOB NOT NULL REFERENCES wards (id),
    bank_id BLOB NOT NULL REFERENCES banks (id),
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    grade_min TEXT NOT NULL,
    grade_max TEXT NOT NULL,
    -- grade family and ranks, so that "which shifts accept my grade" is an indexed comparison
    grade_family TEXT NOT NULL CHECK (grade_family IN ('afc', 'medical')),
    grade_min_rank INTEGER NOT NULL,
    grade_max_rank INTEGER NOT NULL,
    required_skills TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    places INTEGER NOT NULL CHECK (places BETWEEN 1 AND 50),
    -- maintained only by the booking triggers below
    booked INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled')),
    posted_by BLOB NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    CONSTRAINT shifts_places_not_exceeded CHECK (booked BETWEEN 0 AND places),
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_open_by_bank ON shifts (bank_id, starts_at) WHERE status = 'open';
CREATE INDEX shifts_by_org ON shifts (org_id, starts_at);

CREATE TABLE bookings (
    id BLOB PRIMARY KEY,
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    idempotency_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    cancelled_by TEXT CHECK (cancelled_by IN ('worker', 'trust')),
    cancelled_by_user BLOB REFERENCES users (id),
    cancel_reason TEXT,
    cancelled_at INTEGER
);
CREATE UNIQUE INDEX bookings_idempotency_key ON bookings (worker_id, idempotency_key);
CREATE INDEX bookings_by_worker ON bookings (worker_id, starts_at);
CREATE INDEX bookings_by_shift ON bookings (shift_id);

-- The database, not only the code, refuses a worker two overlapping active bookings.
CREATE TRIGGER bookings_no_overlap BEFORE INSERT ON bookings
WHEN NEW.status = 'active'
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings
        WHERE worker_id = NEW.worker_id
          AND status = 'active'
          AND starts_at < NEW.ends_at
          AND ends_at > NEW.starts_at
    );
END;

-- A cancelled booking never comes back: a new booking is made instead.
CREATE TRIGGER bookings_never_reactivated BEFORE UPDATE OF status ON bookings
WHEN OLD.status = 'cancelled' AND NEW.status = 'active'
BEGIN
    SELECT RAISE(ABORT, 'bookings_never_reactivated');
END;

-- The place counter follows the bookings; the CHECK on shifts refuses a place that is not there.
CREATE TRIGGER bookings_take_place AFTER INSERT ON bookings
WHEN NEW.status = 'active'
BEGIN
    UPDATE shifts SET booked = booked + 1 WHERE id = NEW.shift_id;
END;

CREATE TRIGGER bookings_release_place AFTER UPDATE OF status ON bookings
WHEN OLD.status = 'active' AND NEW.status = 'cancelled'
BEGIN
    UPDATE shifts SET booked = booked - 1 WHERE id = NEW.shift_id;
END;
