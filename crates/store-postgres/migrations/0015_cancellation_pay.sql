-- A trust's late cancellation is paid like worked time: a pay line of kind 'cancellation', with
-- no timesheet, written with the cancellation and taken by the next pay run. One per shift,
-- worker and date, like pay for worked time.
ALTER TABLE pay_lines ALTER COLUMN timesheet_id DROP NOT NULL;
ALTER TABLE pay_lines DROP CONSTRAINT pay_lines_kind_check;
ALTER TABLE pay_lines ADD CONSTRAINT pay_lines_kind_check
    CHECK (kind IN ('pay', 'adjustment', 'cancellation'));
ALTER TABLE pay_lines ADD CONSTRAINT pay_lines_timesheet_unless_cancellation
    CHECK ((kind = 'cancellation') = (timesheet_id IS NULL));
CREATE UNIQUE INDEX pay_lines_cancellation_once ON pay_lines (shift_id, worker_id, work_date)
    WHERE kind = 'cancellation';
ALTER TABLE cancellation_payments ADD COLUMN pay_line_id uuid REFERENCES pay_lines (id);
