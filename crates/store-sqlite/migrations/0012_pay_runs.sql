-- Pay runs. Closing a run marks the trust's approved, unpaid pay lines and outstanding advances
-- as the run's, and writes the run's export to the outbox (pay_exports) in the same transaction;
-- the exporter delivers each file once, from that row, however often it is interrupted.
CREATE TABLE pay_settings (
    org_id BLOB PRIMARY KEY REFERENCES organisations (id),
    body TEXT NOT NULL
);

CREATE TABLE pay_runs (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    period_end INTEGER NOT NULL,
    closed_by BLOB NOT NULL REFERENCES users (id),
    closed_at INTEGER NOT NULL,
    lines INTEGER NOT NULL DEFAULT 0,
    total_pence INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, first_day)
);

CREATE TABLE pay_exports (
    pay_run_id BLOB PRIMARY KEY REFERENCES pay_runs (id),
    file_name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    sha256 TEXT,
    bytes INTEGER
);
CREATE INDEX pay_exports_pending ON pay_exports (created_at) WHERE delivered_at IS NULL;

ALTER TABLE pay_lines ADD COLUMN org_id BLOB REFERENCES organisations (id);
UPDATE pay_lines SET org_id = (SELECT t.org_id FROM timesheets t WHERE t.id = pay_lines.timesheet_id);
ALTER TABLE pay_lines ADD COLUMN seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN holiday_pence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN pay_run_id BLOB REFERENCES pay_runs (id);
CREATE INDEX pay_lines_unpaid ON pay_lines (org_id, created_at) WHERE pay_run_id IS NULL;
CREATE INDEX pay_lines_by_run ON pay_lines (pay_run_id, worker_id, id) WHERE pay_run_id IS NOT NULL;

-- Earned-wage access: an advance on approved, unpaid pay, recovered by the next pay run.
CREATE TABLE advances (
    id BLOB PRIMARY KEY,
    worker_id BLOB NOT NULL REFERENCES workers (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    drawn_at INTEGER NOT NULL,
    pay_run_id BLOB REFERENCES pay_runs (id)
);
CREATE INDEX advances_by_worker ON advances (worker_id, drawn_at);
CREATE INDEX advances_outstanding ON advances (org_id, drawn_at) WHERE pay_run_id IS NULL;
