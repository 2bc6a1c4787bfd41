-- Sign-on at the ward. A challenge (shown as a QR code on the ward's device) names one booking
-- and is good once, for a few minutes. A booking is signed on once, by the wallet key bound to
-- the booked worker's passport or by their smartcard, and signed off once. Whatever needs the
-- ward manager (someone other than the booked worker, a booked worker not signed on, a
-- timesheet waiting too long) is an escalation, raised once per booking and kind, with an
-- outbox event in the same transaction.
CREATE TABLE sign_on_challenges (
    id uuid PRIMARY KEY,
    booking_id uuid NOT NULL REFERENCES bookings (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    ward_id uuid NOT NULL REFERENCES wards (id),
    nonce text NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE TABLE sign_ons (
    booking_id uuid PRIMARY KEY REFERENCES bookings (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    ward_id uuid NOT NULL REFERENCES wards (id),
    method text NOT NULL CHECK (method IN ('wallet', 'smartcard')),
    signed_on_at timestamptz NOT NULL,
    signed_off_at timestamptz
);

CREATE TABLE escalations (
    id uuid PRIMARY KEY,
    booking_id uuid NOT NULL REFERENCES bookings (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    ward_id uuid NOT NULL REFERENCES wards (id),
    kind text NOT NULL CHECK (kind IN ('not_booked_worker', 'no_show', 'timesheet_waiting')),
    detail text NOT NULL,
    raised_at timestamptz NOT NULL,
    UNIQUE (booking_id, kind)
);
CREATE INDEX escalations_by_org ON escalations (org_id, raised_at);

CREATE TABLE smartcards (
    worker_id uuid PRIMARY KEY REFERENCES workers (id),
    card_uuid text NOT NULL UNIQUE,
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL
);

-- The grace-period sweep reads active bookings by start.
CREATE INDEX bookings_active_by_start ON bookings (starts_at) WHERE status = 'active';
CREATE INDEX timesheets_submitted ON timesheets (updated_at) WHERE state = 'submitted';
