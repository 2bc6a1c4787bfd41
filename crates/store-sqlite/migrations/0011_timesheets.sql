-- Timesheets (one per booking) and pay lines. A shift is paid once per worker and date: the
-- unique index refuses a second pay line whatever the application does; corrections are new
-- adjustment lines.
CREATE TABLE timesheets (
    id BLOB PRIMARY KEY,
    booking_id BLOB NOT NULL UNIQUE REFERENCES bookings (id),
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    ward_id BLOB NOT NULL REFERENCES wards (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'queried', 'approved', 'rejected')),
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX timesheets_by_org_state ON timesheets (org_id, state, updated_at);

CREATE TABLE pay_lines (
    id BLOB PRIMARY KEY,
    timesheet_id BLOB NOT NULL REFERENCES timesheets (id),
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    work_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pay', 'adjustment')),
    amount_pence INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX pay_lines_once ON pay_lines (shift_id, worker_id, work_date) WHERE kind = 'pay';
CREATE INDEX pay_lines_by_worker ON pay_lines (worker_id, created_at);
