-- The "super-bank" tier by hours worked: members of a bank whose lead trust sets this earn the
-- core tier from the hours they worked on the bank's shifts in the last 13 weeks.
ALTER TABLE release_policies ADD COLUMN core_tier_hours INTEGER CHECK (core_tier_hours BETWEEN 1 AND 624);
