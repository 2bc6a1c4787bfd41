-- A bank's discretionary premium on a hard-to-fill shift, percent of each worker's base rate,
-- as agreed when it was posted or raised. Above the trust's cap it carries the break-glass
-- reason that allowed it.
ALTER TABLE shifts ADD COLUMN premium_percent integer NOT NULL DEFAULT 0 CHECK (premium_percent >= 0);
ALTER TABLE shifts ADD COLUMN premium_override_reason text;
