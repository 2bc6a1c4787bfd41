-- Sign-on at the ward. A challenge (shown as a QR code on the ward's device) names one booking
-- and is good once, for a few minutes. A booking is signed on once, by the wallet key bound to
-- the booked worker's passport or by their smartcard, and signed off once. Whatever needs the
-- ward manager (someone other than the booked worker, a booked worker not signed on, a
-- timesheet waiting too long) is an escalation, raised once per booking and kind, with an
-- outbox event in the same transaction.
CREATE TABLE sign_on_challenges (
    id BLOB PRIMARY KEY,
    booking_id BLOB NOT NULL REFERENCES bookings (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    ward_id BLOB NOT NULL REFERENCES wards (id),
    nonce TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE sign_ons (
    booking_id BLOB PRIMARY KEY REFERENCES bookings (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    ward_id BLOB NOT NULL REFERENCES wards (id),
    method TEXT NOT NULL CHECK (method IN ('wallet', 'smartcard')),
    signed_on_at INTEGER NOT NULL,
    signed_off_at INTEGER
);

CREATE TABLE escalations (
    id BLOB PRIMARY KEY,
    booking_id BLOB NOT NULL REFERENCES bookings (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    ward_id BLOB NOT NULL REFERENCES wards (id),
    kind TEXT NOT NULL CHECK (kind IN ('not_booked_worker', 'no_show', 'timesheet_waiting')),
    detail TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    UNIQUE (booking_id, kind)
);
CREATE INDEX escalations_by_org ON escalations (org_id, raised_at);

CREATE TABLE smartcards (
    worker_id BLOB PRIMARY KEY REFERENCES workers (id),
    card_uuid TEXT NOT NULL UNIQUE,
    recorded_by BLOB NOT NULL REFERENCES users (id),
    recorded_at INTEGER NOT NULL
);

-- The grace-period sweep reads active bookings by start.
CREATE INDEX bookings_active_by_start ON bookings (starts_at) WHERE status = 'active';
CREATE INDEX timesheets_submitted ON timesheets (updated_at) WHERE state = 'submitted';
