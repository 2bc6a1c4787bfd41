-- Pay runs. Closing a run marks the trust's approved, unpaid pay lines and outstanding advances
-- as the run's, and writes the run's export to the outbox (pay_exports) in the same transaction;
-- the exporter delivers each file once, from that row, however often it is interrupted.
CREATE TABLE pay_settings (
    org_id uuid PRIMARY KEY REFERENCES organisations (id),
    body text NOT NULL
);

CREATE TABLE pay_runs (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    first_day date NOT NULL,
    last_day date NOT NULL,
    period_end timestamptz NOT NULL,
    closed_by uuid NOT NULL REFERENCES users (id),
    closed_at timestamptz NOT NULL,
    lines bigint NOT NULL DEFAULT 0,
    total_pence bigint NOT NULL DEFAULT 0,
    UNIQUE (org_id, first_day)
);

CREATE TABLE pay_exports (
    pay_run_id uuid PRIMARY KEY REFERENCES pay_runs (id),
    file_name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    sha256 text,
    bytes bigint
);
CREATE INDEX pay_exports_pending ON pay_exports (created_at) WHERE delivered_at IS NULL;

ALTER TABLE pay_lines ADD COLUMN org_id uuid REFERENCES organisations (id);
UPDATE pay_lines p SET org_id = t.org_id FROM timesheets t WHERE t.id = p.timesheet_id;
ALTER TABLE pay_lines ALTER COLUMN org_id SET NOT NULL;
ALTER TABLE pay_lines ADD COLUMN seconds bigint NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN holiday_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN pay_run_id uuid REFERENCES pay_runs (id);
CREATE INDEX pay_lines_unpaid ON pay_lines (org_id, created_at) WHERE pay_run_id IS NULL;
CREATE INDEX pay_lines_by_run ON pay_lines (pay_run_id, worker_id, id) WHERE pay_run_id IS NOT NULL;

-- Earned-wage access: an advance on approved, unpaid pay, recovered by the next pay run.
CREATE TABLE advances (
    id uuid PRIMARY KEY,
    worker_id uuid NOT NULL REFERENCES workers (id),
    org_id uuid NOT NULL REFERENCES organisations (id),
    amount_pence bigint NOT NULL CHECK (amount_pence > 0),
    drawn_at timestamptz NOT NULL,
    pay_run_id uuid REFERENCES pay_runs (id)
);
CREATE INDEX advances_by_worker ON advances (worker_id, drawn_at);
CREATE INDEX advances_outstanding ON advances (org_id, drawn_at) WHERE pay_run_id IS NULL;
