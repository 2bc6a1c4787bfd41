-- Pay lines say where their money goes: the base rate for the hours, enhancements, a premium and
-- (already) holiday pay, in whole pence that add up to the line's amount. Lines written before
-- this have none of the first three, and reports show their pay as not itemised; adjustments
-- are money alone and stay so. The dashboard's read model sums the same three.
ALTER TABLE pay_lines ADD COLUMN base_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN enhancement_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE pay_lines ADD COLUMN premium_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_shifts ADD COLUMN base_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_shifts ADD COLUMN enhancement_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_shifts ADD COLUMN premium_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_days ADD COLUMN base_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_days ADD COLUMN enhancement_pence bigint NOT NULL DEFAULT 0;
ALTER TABLE insight_days ADD COLUMN premium_pence bigint NOT NULL DEFAULT 0;
