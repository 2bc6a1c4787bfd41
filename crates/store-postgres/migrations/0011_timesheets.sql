-- Timesheets (one per booking) and pay lines. A shift is paid once per worker and date: the
-- unique index refuses a second pay line whatever the application does; corrections are new
-- adjustment lines.
CREATE TABLE timesheets (
    id uuid PRIMARY KEY,
    booking_id uuid NOT NULL UNIQUE REFERENCES bookings (id),
    shift_id uuid NOT NULL REFERENCES shifts (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    ward_id uuid NOT NULL REFERENCES wards (id),
    state text NOT NULL CHECK (state IN ('draft', 'submitted', 'queried', 'approved', 'rejected')),
    body text NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX timesheets_by_org_state ON timesheets (org_id, state, updated_at);

CREATE TABLE pay_lines (
    id uuid PRIMARY KEY,
    timesheet_id uuid NOT NULL REFERENCES timesheets (id),
    shift_id uuid NOT NULL REFERENCES shifts (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    work_date date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('pay', 'adjustment')),
    amount_pence bigint NOT NULL,
    explanation text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX pay_lines_once ON pay_lines (shift_id, worker_id, work_date) WHERE kind = 'pay';
CREATE INDEX pay_lines_by_worker ON pay_lines (worker_id, created_at);
