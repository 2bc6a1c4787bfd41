-- The fairness auditor. A worker's contract (part-time or full-time) is an employment fact the
-- bank office records; unknown until recorded.
ALTER TABLE workers ADD COLUMN contract text CHECK (contract IN ('part_time', 'full_time'));

-- Voluntary, self-declared protected characteristics, kept apart from the worker so that nothing
-- reading workers for matching or ranking ever sees them. A row exists only while the worker
-- consents; withdrawing deletes it.
CREATE TABLE equality_declarations (
    worker_id uuid PRIMARY KEY REFERENCES workers (id),
    sex text NOT NULL,
    ethnic_group text NOT NULL,
    disability text NOT NULL,
    age_band text NOT NULL,
    consented_at timestamptz NOT NULL
);

-- Each bank's own definition of a desirable shift; a bank without a row uses the default.
CREATE TABLE fairness_settings (
    bank_id uuid PRIMARY KEY REFERENCES banks (id),
    day_shifts_only boolean NOT NULL,
    exclude_weekends boolean NOT NULL,
    -- a JSON array of ward ids; empty means every ward
    low_acuity_wards text NOT NULL
);
