//! National-scale data, generated inside PostgreSQL with `generate_series` so that 300,000
//! workers, 50,000 open shifts and 1,000,000 past bookings load in minutes rather than hours.
//!
//! The shape follows the NHS in England: trusts in groups of five forming an integrated care
//! system with a collaborative bank; two sites per trust, ten wards per site; every worker in their
//! trust's own bank, half of them in their system's collaborative bank too; every worker holding
//! the standard checks for their staff group, one in twenty with a check lapsing within the four
//! weeks. Generated history is not written to the audit ledger: it stands for bookings made before
//! the measurements, not for actions being measured. Ids are `md5(...)::uuid`, so every row can
//! be found again from its number.

use std::time::Instant;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Trusts (a multiple of five: five to a collaborative bank).
    pub trusts: i64,
    /// Active workers.
    pub workers: i64,
    /// Open shifts over the next four weeks.
    pub open_shifts: i64,
    /// Past bookings over the last seventeen weeks.
    pub past_bookings: i64,
}

/// Staff groups and the grades workers hold and shifts ask for, one row for each of twenty
/// buckets (n % 20): roughly the bank workforce's mix. Kept as a table in the bench database.
const MIX_SQL: &str = "CREATE TABLE bench_mix AS SELECT r, g.* FROM generate_series(0, 19) r \
    JOIN (VALUES \
    (0, 'nursing_and_midwifery', 'band_5', 'band_6', 3, 4, 'band_5', 3), \
    (10, 'healthcare_support', 'band_2', 'band_3', 0, 1, 'band_3', 1), \
    (15, 'allied_health', 'band_5', 'band_7', 3, 5, 'band_6', 4), \
    (17, 'medical', 'fy2', 'specialty_registrar', 1, 3, 'core_trainee', 2), \
    (19, 'admin', 'band_2', 'band_4', 0, 2, 'band_3', 1)) \
    AS g(bucket, staff_group, grade_min, grade_max, min_rank, max_rank, worker_grade, worker_rank) \
    ON g.bucket = CASE WHEN r < 10 THEN 0 WHEN r < 15 THEN 10 WHEN r < 17 THEN 15 WHEN r < 19 THEN 17 ELSE 19 END";

/// The requirements a shift of each group states (as `domain::credential::default_requirements`
/// gives them).
const REQUIREMENTS_SQL: &str = "CASE g.staff_group \
    WHEN 'admin' THEN ARRAY['core_skills_training','dbs_check:basic','identity','occupational_health','right_to_work'] \
    WHEN 'healthcare_support' THEN ARRAY['core_skills_training','dbs_check:enhanced_barred','identity','occupational_health','right_to_work'] \
    ELSE ARRAY['core_skills_training','dbs_check:enhanced_barred','identity','occupational_health','professional_registration','right_to_work'] END";

/// The national data every national benchmark runs on: generated into an empty database, or,
/// with `reuse`, the data an earlier run generated there (a full generation takes minutes).
pub async fn generate_unless_reused(
    pool: &PgPool,
    scale: Scale,
    reuse: bool,
) -> anyhow::Result<()> {
    if reuse {
        println!("== national scale: as generated earlier in this database");
        return Ok(());
    }
    let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(
        taken == 0,
        "use an empty database, or --reuse the data in it"
    );
    println!(
        "== national scale: {} trusts, {} workers, {} open shifts, {} past bookings",
        scale.trusts, scale.workers, scale.open_shifts, scale.past_bookings
    );
    let started = std::time::Instant::now();
    generate(pool, scale, Utc::now()).await?;
    println!("generated in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Generates everything into an empty, migrated database; returns after `VACUUM ANALYZE` and a
/// checkpoint.
pub async fn generate(pool: &PgPool, scale: Scale, now: DateTime<Utc>) -> anyhow::Result<()> {
    anyhow::ensure!(
        scale.trusts % 5 == 0 && scale.trusts > 0,
        "trusts must be a multiple of 5"
    );
    let t = scale.trusts;
    let w = scale.workers;
    let steps: Vec<(&str, String)> = vec![
        ("staff mix", MIX_SQL.to_owned()),
        ("trusts", format!(
            "INSERT INTO organisations (id, ods_code, name, kind) SELECT md5('org'||i)::uuid, \
             'N'||lpad(i::text, 4, '0'), 'National Trust '||i, 'trust' FROM generate_series(0, {t}-1) i")),
        ("sites", format!(
            "INSERT INTO sites (id, org_id, name, lat, lon) SELECT md5('site'||i||'-'||k)::uuid, \
             md5('org'||i)::uuid, 'Site '||k, 50.7 + ((i/5) % 7) * 0.55 + (i % 5) * 0.06 + k * 0.03, \
             -3.4 + ((i/5) / 7) * 0.55 + (i % 5) * 0.05 FROM generate_series(0, {t}-1) i, generate_series(0, 1) k")),
        ("wards", format!(
            "INSERT INTO wards (id, site_id, org_id, name, instant_booking) \
             SELECT md5('ward'||i||'-'||k||'-'||j)::uuid, md5('site'||i||'-'||k)::uuid, md5('org'||i)::uuid, \
             'Ward '||(k*10+j+1), true FROM generate_series(0, {t}-1) i, generate_series(0, 1) k, generate_series(0, 9) j")),
        ("banks", format!(
            "INSERT INTO banks (id, name, kind, lead_org_id) \
             SELECT md5('bank'||i)::uuid, 'Trust '||i||' bank', 'own', md5('org'||i)::uuid FROM generate_series(0, {t}-1) i \
             UNION ALL SELECT md5('ics'||c)::uuid, 'System '||c||' collaborative bank', 'collaborative', md5('org'||(c*5))::uuid \
             FROM generate_series(0, {t}/5-1) c")),
        ("bank members", format!(
            "INSERT INTO bank_members (bank_id, org_id) SELECT md5('bank'||i)::uuid, md5('org'||i)::uuid \
             FROM generate_series(0, {t}-1) i UNION ALL SELECT md5('ics'||(i/5))::uuid, md5('org'||i)::uuid \
             FROM generate_series(0, {t}-1) i")),
        ("bookers", format!(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) \
             SELECT md5('booker'||i)::uuid, 'booker'||i||'@national.bench', 'Booker '||i, NULL, $1 \
             FROM generate_series(0, {t}-1) i")),
        ("booker grants", format!(
            "INSERT INTO user_grants (user_id, role, scope_kind, scope_id) \
             SELECT md5('booker'||i)::uuid, r, 'organisation', md5('org'||i)::uuid \
             FROM generate_series(0, {t}-1) i, unnest(ARRAY['booker', 'compliance_officer']) r")),
        ("users", format!(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) \
             SELECT md5('user'||w)::uuid, 'w'||w||'@national.bench', 'Worker '||w, NULL, $1 \
             FROM generate_series(0, {w}-1) w")),
        ("workers", format!(
            "INSERT INTO workers (id, user_id, display_name, staff_group, grade, pay_point, skills, \
             home_lat, home_lon, weekly_limit_opt_out, max_travel_km, shift_times) \
             SELECT md5('worker'||w)::uuid, md5('user'||w)::uuid, 'Worker '||w, g.staff_group, \
             g.worker_grade, 1, '{{}}', si.lat + ((w::bigint * 7919) % 101 - 50) / 400.0, \
             si.lon + ((w::bigint * 104729) % 101 - 50) / 300.0, false, \
             CASE WHEN w % 4 = 0 THEN 25.0 END, (ARRAY['any', 'any', 'days', 'nights'])[1 + w % 4] \
             FROM generate_series(0, {w}-1) w JOIN bench_mix g ON g.r = w % 20 \
             JOIN sites si ON si.id = md5('site'||(w % {t})||'-0')::uuid")),
        ("bank memberships", format!(
            "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) \
             SELECT md5('worker'||w)::uuid, md5('bank'||(w % {t}))::uuid, $1 FROM generate_series(0, {w}-1) w \
             UNION ALL SELECT md5('worker'||w)::uuid, md5('ics'||((w % {t}) / 5))::uuid, $1 \
             FROM generate_series(0, {w}-1) w WHERE w % 2 = 0")),
        ("credentials", format!(
            "INSERT INTO credentials (id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, \
             status, recorded_by, recorded_at) \
             SELECT md5('cred'||w||k)::uuid, md5('worker'||w)::uuid, k, \
             CASE WHEN k = 'dbs_check' THEN CASE WHEN g.staff_group = 'admin' THEN 'basic' ELSE 'enhanced_barred' END END, \
             md5('org'||(w % {t}))::uuid, $1 - interval '400 days', \
             CASE WHEN k = 'core_skills_training' AND w % 20 = 7 THEN $1 + ((w % 28) || ' days')::interval END, \
             'active', md5('booker'||(w % {t}))::uuid, $1 - interval '400 days' \
             FROM generate_series(0, {w}-1) w JOIN bench_mix g ON g.r = w % 20 \
             CROSS JOIN
             unnest(ARRAY['identity', 'right_to_work', 'dbs_check', 'professional_registration', \
             'core_skills_training', 'occupational_health']) k")),
        ("open shifts", format!(
            "INSERT INTO shifts (id, org_id, ward_id, bank_id, role, staff_group, grade_min, grade_max, \
             grade_family, grade_min_rank, grade_max_rank, required_skills, starts_at, ends_at, places, \
             booked, status, posted_by, created_at, required_credentials, released_at, collaborative_bank_id, \
             collaborative_at, priority_window_minutes, booking_mode, cancellation_notice_minutes) \
             SELECT md5('shift'||s)::uuid, md5('org'||(s % {t}))::uuid, \
             md5('ward'||(s % {t})||'-'||((s / {t}) % 2)||'-'||((s / {t} / 2) % 10))::uuid, \
             md5('bank'||(s % {t}))::uuid, 'Bank shift', g.staff_group, g.grade_min, g.grade_max, \
             CASE WHEN g.staff_group = 'medical' THEN 'medical' ELSE 'afc' END, g.min_rank, g.max_rank, \
             '{{}}', st, st + p.len, 1 + (s % 3 = 0)::int, 0, 'open', md5('booker'||(s % {t}))::uuid, \
             $1 - interval '2 days', {REQUIREMENTS_SQL}, $1 - interval '2 days', md5('ics'||((s % {t}) / 5))::uuid, \
             greatest($1 - interval '2 days', least($1 - interval '1 day', st - interval '72 hours')), \
             0, 'instant', 2880 \
             FROM generate_series(0, {}-1) s JOIN bench_mix g ON g.r = s % 20 \
             CROSS JOIN LATERAL (SELECT (ARRAY[interval '7 hours', interval '14 hours', interval '7 hours 30 minutes', \
                 interval '19 hours 30 minutes'])[1 + s % 4] AS start, \
                 (ARRAY[interval '8 hours', interval '8 hours', interval '12 hours 30 minutes', \
                 interval '12 hours 30 minutes'])[1 + s % 4] AS len) p \
             CROSS JOIN LATERAL (SELECT date_trunc('day', $1) + (1 + (s / 4) % 28) * interval '1 day' + p.start AS st) d",
            scale.open_shifts)),
        ("past shifts", format!(
            "INSERT INTO shifts (id, org_id, ward_id, bank_id, role, staff_group, grade_min, grade_max, \
             grade_family, grade_min_rank, grade_max_rank, required_skills, starts_at, ends_at, places, \
             booked, status, posted_by, created_at, required_credentials, released_at, \
             priority_window_minutes, booking_mode, cancellation_notice_minutes) \
             SELECT md5('past'||b)::uuid, md5('org'||(b % {w} % {t}))::uuid, \
             md5('ward'||(b % {w} % {t})||'-0-'||(b % {w} % 10))::uuid, md5('bank'||(b % {w} % {t}))::uuid, \
             'Bank shift', g.staff_group, g.worker_grade, g.worker_grade, \
             CASE WHEN g.staff_group = 'medical' THEN 'medical' ELSE 'afc' END, g.worker_rank, g.worker_rank, \
             '{{}}', st, st + interval '12 hours 30 minutes', 1, 0, 'open', md5('booker'||(b % {w} % {t}))::uuid, \
             st - interval '10 days', '{{}}', st - interval '10 days', 0, 'instant', 2880 \
             FROM generate_series(0, {}-1) b JOIN bench_mix g ON g.r = (b % {w}) % 20 \
             CROSS JOIN LATERAL (SELECT date_trunc('day', $1) - (1 + (b % {w}) % 20 + 28 * (b / {w})) * interval '1 day' \
                 + interval '7 hours 30 minutes' AS st) d",
            scale.past_bookings)),
        ("past bookings", format!(
            "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, created_at, \
             ward_id) SELECT md5('booking'||b)::uuid, md5('past'||b)::uuid, md5('worker'||(b % {w}))::uuid, s.starts_at, \
             s.ends_at, 'active', 'past-'||b, s.created_at, s.ward_id FROM generate_series(0, {}-1) b \
             JOIN shifts s ON s.id = md5('past'||b)::uuid",
            scale.past_bookings)),
    ];
    for (name, sql) in steps {
        let started = Instant::now();
        let mut query = sqlx::query(&sql);
        if sql.contains("$1") {
            query = query.bind(now);
        }
        let rows = query
            .execute(pool)
            .await
            .map_err(|e| anyhow::anyhow!("generating {name}: {e}"))?
            .rows_affected();
        eprintln!(
            "  {name}: {rows} rows in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    // As autovacuum would in time: statistics, and the visibility map index-only scans need; then
    // a checkpoint, so the bulk load's writes are not flushed while latency is being measured.
    sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    Ok(())
}
