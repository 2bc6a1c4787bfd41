-- A trust's late cancellation is paid like worked time: a pay line of kind 'cancellation', with
-- no timesheet, written with the cancellation and taken by the next pay run. One per shift,
-- worker and date, like pay for worked time. SQLite cannot change a column's constraints, so the
-- table is rebuilt (nothing refers to it yet).
CREATE TABLE pay_lines_rebuilt (
    id BLOB PRIMARY KEY,
    timesheet_id BLOB REFERENCES timesheets (id),
    shift_id BLOB NOT NULL REFERENCES shifts (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    work_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pay', 'adjustment', 'cancellation')),
    amount_pence INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    org_id BLOB REFERENCES organisations (id),
    seconds INTEGER NOT NULL DEFAULT 0,
    holiday_pence INTEGER NOT NULL DEFAULT 0,
    pay_run_id BLOB REFERENCES pay_runs (id),
    CHECK ((kind = 'cancellation') = (timesheet_id IS NULL))
);
INSERT INTO pay_lines_rebuilt (id, timesheet_id, shift_id, worker_id, work_date, kind, amount_pence,
    explanation, created_at, org_id, seconds, holiday_pence, pay_run_id)
SELECT id, timesheet_id, shift_id, worker_id, work_date, kind, amount_pence, explanation,
    created_at, org_id, seconds, holiday_pence, pay_run_id FROM pay_lines;
DROP TABLE pay_lines;
ALTER TABLE pay_lines_rebuilt RENAME TO pay_lines;
CREATE UNIQUE INDEX pay_lines_once ON pay_lines (shift_id, worker_id, work_date) WHERE kind = 'pay';
CREATE UNIQUE INDEX pay_lines_cancellation_once ON pay_lines (shift_id, worker_id, work_date)
    WHERE kind = 'cancellation';
CREATE INDEX pay_lines_by_worker ON pay_lines (worker_id, created_at);
CREATE INDEX pay_lines_unpaid ON pay_lines (org_id, created_at) WHERE pay_run_id IS NULL;
CREATE INDEX pay_lines_by_run ON pay_lines (pay_run_id, worker_id, id) WHERE pay_run_id IS NOT NULL;
ALTER TABLE cancellation_payments ADD COLUMN pay_line_id BLOB REFERENCES pay_lines (id);
