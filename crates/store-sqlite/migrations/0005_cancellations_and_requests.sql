-- Late cancellations, the payments a trust owes for them, and booking requests awaiting approval.

ALTER TABLE bookings ADD COLUMN late_cancellation INTEGER NOT NULL DEFAULT 0 CHECK (late_cancellation IN (0, 1));

-- What a trust owes a worker for cancelling inside its notice period; paid by the pay run.
CREATE TABLE cancellation_payments (
    booking_id BLOB PRIMARY KEY REFERENCES bookings (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    shift_minutes INTEGER NOT NULL CHECK (shift_minutes > 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX cancellation_payments_by_org ON cancellation_payments (org_id, created_at);

CREATE TABLE booking_requests (
    id BLOB PRIMARY KEY,
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    idempotency_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by BLOB REFERENCES users (id),
    booking_id BLOB REFERENCES bookings (id),
    CONSTRAINT booking_requests_idempotency_key UNIQUE (worker_id, idempotency_key),
    CHECK ((status = 'approved') = (booking_id IS NOT NULL))
);
CREATE UNIQUE INDEX booking_requests_one_pending ON booking_requests (shift_id, worker_id)
    WHERE status = 'pending';
CREATE INDEX booking_requests_by_worker ON booking_requests (worker_id, created_at);
