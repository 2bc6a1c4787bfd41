-- The bank's premium cap when a shift's premium was agreed: the pay engine pays the premium only
-- within it or with a break-glass override, so a cap lowered since never cuts a promise and a
-- premium raised any other way is refused. None for premiums agreed before this was kept.
ALTER TABLE shifts ADD COLUMN premium_cap_percent integer;
