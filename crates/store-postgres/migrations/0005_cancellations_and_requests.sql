-- Late cancellations, the payments a trust owes for them, and booking requests awaiting approval.

ALTER TABLE bookings ADD COLUMN late_cancellation boolean NOT NULL DEFAULT false;

-- What a trust owes a worker for cancelling inside its notice period; paid by the pay run.
CREATE TABLE cancellation_payments (
    booking_id uuid PRIMARY KEY REFERENCES bookings (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    shift_minutes bigint NOT NULL CHECK (shift_minutes > 0),
    created_at timestamptz NOT NULL
);
CREATE INDEX cancellation_payments_by_org ON cancellation_payments (org_id, created_at);

CREATE TABLE booking_requests (
    id uuid PRIMARY KEY,
    shift_id uuid NOT NULL REFERENCES shifts (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    idempotency_key text NOT NULL,
    created_at timestamptz NOT NULL,
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id),
    booking_id uuid REFERENCES bookings (id),
    CONSTRAINT booking_requests_idempotency_key UNIQUE (worker_id, idempotency_key),
    CHECK ((status = 'approved') = (booking_id IS NOT NULL))
);
CREATE UNIQUE INDEX booking_requests_one_pending ON booking_requests (shift_id, worker_id)
    WHERE status = 'pending';
CREATE INDEX booking_requests_by_worker ON booking_requests (worker_id, created_at);
