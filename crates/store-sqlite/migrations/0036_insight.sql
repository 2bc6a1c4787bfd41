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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shift_id BLOB NOT NULL
);

CREATE TRIGGER shifts_insight_insert AFTER INSERT ON shifts
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.id);
END;
CREATE TRIGGER shifts_insight_update AFTER UPDATE ON shifts
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.id);
END;
CREATE TRIGGER bookings_insight_insert AFTER INSERT ON bookings
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.shift_id);
END;
CREATE TRIGGER bookings_insight_update AFTER UPDATE ON bookings
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.shift_id);
END;
CREATE TRIGGER pay_lines_insight_insert AFTER INSERT ON pay_lines
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.shift_id);
END;
CREATE TRIGGER pay_lines_insight_update AFTER UPDATE ON pay_lines
BEGIN
    INSERT INTO insight_dirty (shift_id) VALUES (NEW.shift_id);
END;

-- Every shift from before this migration is rebuilt by the first refresh.
INSERT INTO insight_dirty (shift_id) SELECT id FROM shifts;

-- One row, as on PostgreSQL (where a refresh locks it); SQLite has one writer anyway.
CREATE TABLE insight_refresh (id INTEGER PRIMARY KEY CHECK (id = 1));
INSERT INTO insight_refresh (id) VALUES (1);

-- Days whose sums are out of date for a scope: written with the rebuilt shifts, cleared when the
-- day is summed again (one statement per scope and day, however many trusts it touches).
CREATE TABLE insight_stale (
    scope TEXT NOT NULL,
    scope_id BLOB NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (day, scope, scope_id)
);

CREATE TABLE insight_shifts (
    shift_id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL,
    bank_id BLOB NOT NULL,
    day TEXT NOT NULL,
    org_key TEXT NOT NULL,
    ward_key TEXT NOT NULL,
    site_key TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    time_of_day TEXT NOT NULL,
    week_part TEXT NOT NULL,
    shifts INTEGER NOT NULL,
    places INTEGER NOT NULL,
    own_bank INTEGER NOT NULL,
    collaborative INTEGER NOT NULL,
    agency INTEGER NOT NULL,
    unfilled INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    late_worker INTEGER NOT NULL,
    late_trust INTEGER NOT NULL,
    paid_seconds INTEGER NOT NULL,
    pay_pence INTEGER NOT NULL,
    holiday_pence INTEGER NOT NULL,
    pension_pence INTEGER NOT NULL,
    premium_overrides INTEGER NOT NULL,
    fill_0 INTEGER NOT NULL,
    fill_1 INTEGER NOT NULL,
    fill_2 INTEGER NOT NULL,
    fill_3 INTEGER NOT NULL,
    fill_4 INTEGER NOT NULL,
    fill_5 INTEGER NOT NULL,
    fill_6 INTEGER NOT NULL,
    fill_7 INTEGER NOT NULL,
    fill_8 INTEGER NOT NULL,
    fill_9 INTEGER NOT NULL,
    fill_10 INTEGER NOT NULL,
    fill_11 INTEGER NOT NULL,
    fill_12 INTEGER NOT NULL,
    fill_13 INTEGER NOT NULL,
    fill_14 INTEGER NOT NULL,
    fill_15 INTEGER NOT NULL
);
CREATE INDEX insight_shifts_by_org ON insight_shifts (org_id, day);
CREATE INDEX insight_shifts_by_bank ON insight_shifts (bank_id, day);
CREATE INDEX insight_shifts_by_day ON insight_shifts (day);

CREATE TABLE insight_days (
    scope TEXT NOT NULL CHECK (scope IN ('t', 'b', 'p')),
    scope_id BLOB NOT NULL,
    day TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    shifts INTEGER NOT NULL,
    places INTEGER NOT NULL,
    own_bank INTEGER NOT NULL,
    collaborative INTEGER NOT NULL,
    agency INTEGER NOT NULL,
    unfilled INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    late_worker INTEGER NOT NULL,
    late_trust INTEGER NOT NULL,
    paid_seconds INTEGER NOT NULL,
    pay_pence INTEGER NOT NULL,
    holiday_pence INTEGER NOT NULL,
    pension_pence INTEGER NOT NULL,
    premium_overrides INTEGER NOT NULL,
    fill_0 INTEGER NOT NULL,
    fill_1 INTEGER NOT NULL,
    fill_2 INTEGER NOT NULL,
    fill_3 INTEGER NOT NULL,
    fill_4 INTEGER NOT NULL,
    fill_5 INTEGER NOT NULL,
    fill_6 INTEGER NOT NULL,
    fill_7 INTEGER NOT NULL,
    fill_8 INTEGER NOT NULL,
    fill_9 INTEGER NOT NULL,
    fill_10 INTEGER NOT NULL,
    fill_11 INTEGER NOT NULL,
    fill_12 INTEGER NOT NULL,
    fill_13 INTEGER NOT NULL,
    fill_14 INTEGER NOT NULL,
    fill_15 INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, day, dimension, value)
);

CREATE TABLE insight_shift_workers (
    shift_id BLOB NOT NULL,
    pseudonym TEXT NOT NULL,
    org_id BLOB NOT NULL,
    day TEXT NOT NULL,
    booked INTEGER NOT NULL,
    paid_seconds INTEGER NOT NULL,
    pay_pence INTEGER NOT NULL,
    PRIMARY KEY (shift_id, pseudonym)
);
CREATE INDEX insight_shift_workers_by_org ON insight_shift_workers (org_id, day);
