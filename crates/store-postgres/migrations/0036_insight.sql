-- The bank office's dashboard ("insight"): a read model kept apart from the tables it sums.
--
-- insight_dirty: shifts whose figures may have changed. Triggers on shifts, bookings and pay
-- lines add a row in the same transaction as the change; the refresh (run before each dashboard
-- read and by the sweep) rebuilds those shifts and the days they fall on, then deletes exactly
-- the rows it read, so a change committed meanwhile is never lost.
-- insight_stale: the (scope, day)s to sum again once the marked shifts are rebuilt.
-- insight_shifts: each shift's figures and the groups it falls in (UK day, ward, site, staff
-- group, grade, day or night, weekday or weekend), as text keys.
-- insight_days: sums of insight_shifts per scope (t = a trust, b = a bank, p = the platform,
-- whose scope_id is the nil uuid), UK day and one grouping (dimension, value); dimension 'all'
-- is the whole day. A year of a scope is a few thousand of these rows.
-- insight_shift_workers: each worker's part of a shift under a keyed pseudonym (HMAC-SHA256
-- under a key derived from the app's master key, never stored here): no worker ids, names or
-- emails in the analytics tables.
-- Time to fill is a histogram: fill_N counts places filled within bucket N (see
-- staffbank_domain::insight::FILL_BUCKET_EDGES).
CREATE TABLE insight_dirty (
    id bigserial PRIMARY KEY,
    shift_id uuid NOT NULL
);

CREATE FUNCTION insight_mark_shift() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION insight_mark_shift_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.shift_id);
    RETURN NULL;
END $$;

CREATE TRIGGER shifts_insight AFTER INSERT OR UPDATE ON shifts
    FOR EACH ROW EXECUTE FUNCTION insight_mark_shift();
CREATE TRIGGER bookings_insight AFTER INSERT OR UPDATE ON bookings
    FOR EACH ROW EXECUTE FUNCTION insight_mark_shift_of();
CREATE TRIGGER pay_lines_insight AFTER INSERT OR UPDATE ON pay_lines
    FOR EACH ROW EXECUTE FUNCTION insight_mark_shift_of();

-- Every shift from before this migration is rebuilt by the first refresh.
INSERT INTO insight_dirty (shift_id) SELECT id FROM shifts;

-- One row, locked by a refresh so that two never rebuild the same day at once.
CREATE TABLE insight_refresh (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO insight_refresh (id) VALUES (1);

-- Days whose sums are out of date for a scope: written with the rebuilt shifts, cleared when the
-- day is summed again (one statement per scope and day, however many trusts it touches).
CREATE TABLE insight_stale (
    scope text NOT NULL,
    scope_id uuid NOT NULL,
    day text NOT NULL,
    PRIMARY KEY (day, scope, scope_id)
);

CREATE TABLE insight_shifts (
    shift_id uuid PRIMARY KEY,
    org_id uuid NOT NULL,
    bank_id uuid NOT NULL,
    day text NOT NULL,
    org_key text NOT NULL,
    ward_key text NOT NULL,
    site_key text NOT NULL,
    staff_group text NOT NULL,
    grade text NOT NULL,
    time_of_day text NOT NULL,
    week_part text NOT NULL,
    shifts bigint NOT NULL,
    places bigint NOT NULL,
    own_bank bigint NOT NULL,
    collaborative bigint NOT NULL,
    agency bigint NOT NULL,
    unfilled bigint NOT NULL,
    cancelled bigint NOT NULL,
    late_worker bigint NOT NULL,
    late_trust bigint NOT NULL,
    paid_seconds bigint NOT NULL,
    pay_pence bigint NOT NULL,
    holiday_pence bigint NOT NULL,
    pension_pence bigint NOT NULL,
    premium_overrides bigint NOT NULL,
    fill_0 bigint NOT NULL,
    fill_1 bigint NOT NULL,
    fill_2 bigint NOT NULL,
    fill_3 bigint NOT NULL,
    fill_4 bigint NOT NULL,
    fill_5 bigint NOT NULL,
    fill_6 bigint NOT NULL,
    fill_7 bigint NOT NULL,
    fill_8 bigint NOT NULL,
    fill_9 bigint NOT NULL,
    fill_10 bigint NOT NULL,
    fill_11 bigint NOT NULL,
    fill_12 bigint NOT NULL,
    fill_13 bigint NOT NULL,
    fill_14 bigint NOT NULL,
    fill_15 bigint NOT NULL
);
CREATE INDEX insight_shifts_by_org ON insight_shifts (org_id, day);
CREATE INDEX insight_shifts_by_bank ON insight_shifts (bank_id, day);
CREATE INDEX insight_shifts_by_day ON insight_shifts (day);

CREATE TABLE insight_days (
    scope text NOT NULL CHECK (scope IN ('t', 'b', 'p')),
    scope_id uuid NOT NULL,
    day text NOT NULL,
    dimension text NOT NULL,
    value text NOT NULL,
    shifts bigint NOT NULL,
    places bigint NOT NULL,
    own_bank bigint NOT NULL,
    collaborative bigint NOT NULL,
    agency bigint NOT NULL,
    unfilled bigint NOT NULL,
    cancelled bigint NOT NULL,
    late_worker bigint NOT NULL,
    late_trust bigint NOT NULL,
    paid_seconds bigint NOT NULL,
    pay_pence bigint NOT NULL,
    holiday_pence bigint NOT NULL,
    pension_pence bigint NOT NULL,
    premium_overrides bigint NOT NULL,
    fill_0 bigint NOT NULL,
    fill_1 bigint NOT NULL,
    fill_2 bigint NOT NULL,
    fill_3 bigint NOT NULL,
    fill_4 bigint NOT NULL,
    fill_5 bigint NOT NULL,
    fill_6 bigint NOT NULL,
    fill_7 bigint NOT NULL,
    fill_8 bigint NOT NULL,
    fill_9 bigint NOT NULL,
    fill_10 bigint NOT NULL,
    fill_11 bigint NOT NULL,
    fill_12 bigint NOT NULL,
    fill_13 bigint NOT NULL,
    fill_14 bigint NOT NULL,
    fill_15 bigint NOT NULL,
    PRIMARY KEY (scope, scope_id, day, dimension, value)
);

CREATE TABLE insight_shift_workers (
    shift_id uuid NOT NULL,
    pseudonym text NOT NULL,
    org_id uuid NOT NULL,
    day text NOT NULL,
    booked bigint NOT NULL,
    paid_seconds bigint NOT NULL,
    pay_pence bigint NOT NULL,
    PRIMARY KEY (shift_id, pseudonym)
);
CREATE INDEX insight_shift_workers_by_org ON insight_shift_workers (org_id, day);
