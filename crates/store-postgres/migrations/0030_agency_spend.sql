-- Agency spend: a break-glass release carries the agreed agency rate (pence an hour) and the
-- agency's name; the places it covered and what it costs (rate x paid hours x places, integer
-- pence) are fixed when it is recorded. Releases from before this have no rate and cost nothing.
ALTER TABLE shifts ADD COLUMN agency_rate_pence bigint CHECK (agency_rate_pence > 0);
ALTER TABLE shifts ADD COLUMN agency_name text;
ALTER TABLE shifts ADD COLUMN agency_places bigint;
ALTER TABLE shifts ADD COLUMN agency_spend_pence bigint CHECK (agency_spend_pence >= 0);
CREATE INDEX shifts_agency_spend ON shifts (org_id, starts_at) WHERE agency_at IS NOT NULL;

-- A trust's agency spend cap for a period of UK days ("YYYY-MM-DD", both included): a figure it
-- set, or (cap_pence NULL) 85% of a baseline period's spend, the period it names or else the
-- same-length period before. One per trust: setting another replaces it.
CREATE TABLE agency_caps (
    org_id uuid PRIMARY KEY REFERENCES organisations (id),
    period_from text NOT NULL,
    period_to text NOT NULL,
    cap_pence bigint CHECK (cap_pence >= 0),
    baseline_from text,
    baseline_to text,
    set_by uuid NOT NULL REFERENCES users (id),
    set_at timestamptz NOT NULL,
    CHECK ((baseline_from IS NULL) = (baseline_to IS NULL))
);
