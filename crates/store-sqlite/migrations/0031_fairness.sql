-- The fairness auditor. A worker's contract (part-time or full-time) is an employment fact the
-- bank office records; unknown until recorded.
ALTER TABLE workers ADD COLUMN contract TEXT CHECK (contract IN ('part_time', 'full_time'));

-- Voluntary, self-declared protected characteristics, kept apart from the worker so that nothing
-- reading workers for matching or ranking ever sees them. A row exists only while the worker
-- consents; withdrawing deletes it.
CREATE TABLE equality_declarations (
    worker_id BLOB PRIMARY KEY REFERENCES workers (id),
    sex TEXT NOT NULL,
    ethnic_group TEXT NOT NULL,
    disability TEXT NOT NULL,
    age_band TEXT NOT NULL,
    consented_at INTEGER NOT NULL
);

-- Each bank's own definition of a desirable shift; a bank without a row uses the default.
CREATE TABLE fairness_settings (
    bank_id BLOB PRIMARY KEY REFERENCES banks (id),
    day_shifts_only INTEGER NOT NULL,
    exclude_weekends INTEGER NOT NULL,
    -- a JSON array of ward ids; empty means every ward
    low_acuity_wards TEXT NOT NULL
);
