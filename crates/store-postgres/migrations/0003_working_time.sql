-- A worker's recorded opt-out of the 48-hour average weekly limit (Working Time Regulations reg. 5).
ALTER TABLE workers ADD COLUMN weekly_limit_opt_out boolean NOT NULL DEFAULT false;
