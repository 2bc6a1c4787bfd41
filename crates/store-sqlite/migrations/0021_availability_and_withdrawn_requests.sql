-- A worker's availability beside their travel limit and shift times: the days of the week they
-- work (bit 0 Monday) and the dates they cannot (ISO dates, comma separated). Matching and offers
-- leave out shifts that do not suit; a worker with no row is available every day.
CREATE TABLE worker_availability (
    worker_id BLOB PRIMARY KEY REFERENCES workers (id),
    weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    unavailable_dates TEXT NOT NULL
);

-- A worker may withdraw a pending request: a fourth status. SQLite cannot change a CHECK, so the
-- table is rebuilt with its rows, constraints and indexes as they were.
CREATE TABLE booking_requests_next (
    id BLOB PRIMARY KEY,
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn')),
    idempotency_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by BLOB REFERENCES users (id),
    booking_id BLOB REFERENCES bookings (id),
    CONSTRAINT booking_requests_idempotency_key UNIQUE (worker_id, idempotency_key),
    CHECK ((status = 'approved') = (booking_id IS NOT NULL))
);
INSERT INTO booking_requests_next (id, shift_id, worker_id, status, idempotency_key, created_at,
    decided_at, decided_by, booking_id)
    SELECT id, shift_id, worker_id, status, idempotency_key, created_at, decided_at, decided_by,
        booking_id FROM booking_requests;
DROP TABLE booking_requests;
ALTER TABLE booking_requests_next RENAME TO booking_requests;
CREATE UNIQUE INDEX booking_requests_one_pending ON booking_requests (shift_id, worker_id)
    WHERE status = 'pending';
CREATE INDEX booking_requests_by_worker ON booking_requests (worker_id, created_at);
