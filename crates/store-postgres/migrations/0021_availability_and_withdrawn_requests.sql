-- A worker's availability beside their travel limit and shift times: the days of the week they
-- work (bit 0 Monday) and the dates they cannot (ISO dates, comma separated). Matching and offers
-- leave out shifts that do not suit; a worker with no row is available every day.
CREATE TABLE worker_availability (
    worker_id uuid PRIMARY KEY REFERENCES workers (id),
    weekdays integer NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    unavailable_dates text NOT NULL
);

-- A worker may withdraw a pending request: a fourth status.
ALTER TABLE booking_requests DROP CONSTRAINT booking_requests_status_check;
ALTER TABLE booking_requests ADD CONSTRAINT booking_requests_status_check
    CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn'));
