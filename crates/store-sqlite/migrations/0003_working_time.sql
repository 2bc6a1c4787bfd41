-- A worker's recorded opt-out of the 48-hour average weekly limit (Working Time Regulations reg. 5).
ALTER TABLE workers ADD COLUMN weekly_limit_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (weekly_limit_opt_out IN (0, 1));
