//! `staffbank-bench payroll`: closing a weekly pay run of many approved timesheets on
//! PostgreSQL, export file included.
//!
//! One trust's last week is generated in an empty database: workers, a shift each day or two
//! for each (days, long days and nights), their bookings, approved timesheets and the pay lines
//! the pay engine works out for them. Then, timed: the payroll officer closes the week (one
//! transaction takes every line and queues the file), and the exporter builds the CSV, writes it
//! whole, and records it delivered. The file is checked against the database: every line once,
//! and the trailer's total equal to the lines' sum.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use staffbank_app::payroll::ClosePayRun;
use staffbank_app::{App, SystemClock};
use staffbank_domain::pay::{pay, PayPeriod, Worked};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{Grade, OrgId, UserId};
use staffbank_ledger::keys::MasterKey;
use uuid::Uuid;

use crate::matching::sign_in;
use crate::open_store;

/// Options of `staffbank-bench payroll`.
#[derive(clap::Args)]
pub struct PayrollBenchArgs {
    /// An empty PostgreSQL database (migrated by the benchmark).
    #[arg(long)]
    pub database_url: String,
    /// Approved timesheets in the week.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Where the payroll file goes.
    #[arg(long, default_value = "target/bench-payroll")]
    pub dir: std::path::PathBuf,
}

/// Rows inserted per statement.
const CHUNK: usize = 5_000;

struct Fixture {
    org: Uuid,
    officer: Uuid,
    week: PayPeriod,
}

async fn structure(pool: &PgPool, workers: usize, now: DateTime<Utc>) -> anyhow::Result<Fixture> {
    let (org, site, ward, bank, officer) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let mut tx = pool.begin().await?;
    for (sql, ids) in [
        ("INSERT INTO organisations (id, ods_code, name, kind) VALUES ($1, 'PAY01', 'Payroll Bench Trust', 'trust')", vec![org]),
        ("INSERT INTO sites (id, org_id, name, lat, lon) VALUES ($1, $2, 'Main site', 53.8, -3.0)", vec![site, org]),
        ("INSERT INTO wards (id, site_id, org_id, name, instant_booking) VALUES ($1, $2, $3, 'Ward 1', true)", vec![ward, site, org]),
        ("INSERT INTO banks (id, name, kind, lead_org_id) VALUES ($1, 'Bench bank', 'own', $2)", vec![bank, org]),
        ("INSERT INTO bank_members (bank_id, org_id) VALUES ($1, $2)", vec![bank, org]),
        ("INSERT INTO user_grants (user_id, role, scope_kind, scope_id) VALUES ($1, 'payroll_officer', 'organisation', $2)", vec![officer, org]),
    ] {
        if sql.contains("user_grants") {
            sqlx::query("INSERT INTO users (id, email, display_name, created_at) VALUES ($1, 'payroll@bench.test', 'Payroll', $2)")
                .bind(officer)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let mut q = sqlx::query(sql);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO users (id, email, display_name, created_at) \
         SELECT md5('pbu'||w)::uuid, 'w'||w||'@bench.test', 'Worker '||w, $1 \
         FROM generate_series(0, $2 - 1) w",
    )
    .bind(now)
    .bind(i64::try_from(workers)?)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO workers (id, user_id, display_name, staff_group, grade, pay_point, skills) \
         SELECT md5('pbw'||w)::uuid, md5('pbu'||w)::uuid, 'Worker '||w, 'nursing_and_midwifery', \
         (ARRAY['band_5', 'band_6'])[1 + w % 2], 1 + w % 3, '{}' FROM generate_series(0, $1 - 1) w",
    )
    .bind(i64::try_from(workers)?)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) \
         SELECT md5('pbw'||w)::uuid, $1, $2 FROM generate_series(0, $3 - 1) w",
    )
    .bind(bank)
    .bind(now)
    .bind(i64::try_from(workers)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Fixture {
        org,
        officer,
        week: PayPeriod::containing(now - Duration::days(7), 1),
    })
}

/// One generated, worked shift.
struct Row {
    shift: Uuid,
    worker: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    date: NaiveDate,
    seconds: i64,
    holiday: i64,
    amount: i64,
    explanation: String,
}

fn rows(fx: &Fixture, count: usize, staff: &[(Uuid, String, i32)]) -> anyhow::Result<Vec<Row>> {
    let workers = staff.len();
    let rules =
        staffbank_app::timesheets::default_pay_rules().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rng = StdRng::seed_from_u64(7);
    let patterns = [
        (7 * 60, 8 * 60),
        (7 * 60 + 30, 12 * 60 + 30),
        (19 * 60 + 30, 12 * 60 + 30),
        (14 * 60, 8 * 60),
    ];
    let mut out = Vec::with_capacity(count);
    for s in 0..count {
        let w = s % workers;
        // Each worker works every other day, so nights never meet the next shift.
        let day = fx.week.first_day + Duration::days(i64::try_from(2 * (s / workers))?);
        let (from, length) = patterns[rng.gen_range(0..patterns.len())];
        let start = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(RULES_ZONE).earliest())
            .ok_or_else(|| anyhow::anyhow!("midnight"))?
            .with_timezone(&Utc)
            + Duration::minutes(from);
        let end = start + Duration::minutes(length);
        let (worker, grade, pay_point) = &staff[w];
        let grade = Grade::parse(grade).ok_or_else(|| anyhow::anyhow!("grade {grade}"))?;
        let line = pay(
            &Worked {
                grade,
                pay_point: u8::try_from(*pay_point)?,
                start,
                end,
                breaks: vec![],
                premium: staffbank_domain::pay::Premium::none(),
            },
            rules,
        )?;
        out.push(Row {
            shift: Uuid::new_v4(),
            worker: *worker,
            start,
            end,
            date: day,
            seconds: line.seconds,
            holiday: line.holiday_pay.0,
            amount: line.total.0,
            explanation: serde_json::to_string(&line.explain())?,
        });
    }
    Ok(out)
}

async fn insert(pool: &PgPool, fx: &Fixture, rows: &[Row]) -> anyhow::Result<()> {
    let ward: Uuid = sqlx::query_scalar("SELECT id FROM wards WHERE org_id = $1")
        .bind(fx.org)
        .fetch_one(pool)
        .await?;
    let bank: Uuid = sqlx::query_scalar("SELECT id FROM banks WHERE lead_org_id = $1")
        .bind(fx.org)
        .fetch_one(pool)
        .await?;
    for chunk in rows.chunks(CHUNK) {
        let shifts: Vec<Uuid> = chunk.iter().map(|r| r.shift).collect();
        let workers: Vec<Uuid> = chunk.iter().map(|r| r.worker).collect();
        let starts: Vec<DateTime<Utc>> = chunk.iter().map(|r| r.start).collect();
        let ends: Vec<DateTime<Utc>> = chunk.iter().map(|r| r.end).collect();
        let dates: Vec<NaiveDate> = chunk.iter().map(|r| r.date).collect();
        let seconds: Vec<i64> = chunk.iter().map(|r| r.seconds).collect();
        let holiday: Vec<i64> = chunk.iter().map(|r| r.holiday).collect();
        let amounts: Vec<i64> = chunk.iter().map(|r| r.amount).collect();
        let explanations: Vec<String> = chunk.iter().map(|r| r.explanation.clone()).collect();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO shifts (id, org_id, ward_id, bank_id, role, staff_group, grade_min, grade_max, \
             grade_family, grade_min_rank, grade_max_rank, required_skills, starts_at, ends_at, places, \
             booked, status, posted_by, created_at, required_credentials, released_at, \
             priority_window_minutes, booking_mode, cancellation_notice_minutes) \
             SELECT s, $1, $2, $3, 'Bank shift', 'nursing_and_midwifery', 'band_5', 'band_6', 'afc', 3, 4, \
             '{}', st, en, 1, 0, 'open', $4, st - interval '10 days', '{}', st - interval '10 days', 0, \
             'instant', 2880 FROM unnest($5::uuid[], $6::timestamptz[], $7::timestamptz[]) AS u(s, st, en)",
        )
        .bind(fx.org).bind(ward).bind(bank).bind(fx.officer)
        .bind(&shifts).bind(&starts).bind(&ends)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, created_at, \
             ward_id) SELECT md5('pbb'||s)::uuid, s, w, st, en, 'active', 'bench-'||s, st - interval '9 days', $5 \
             FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS u(s, w, st, en)",
        )
        .bind(&shifts).bind(&workers).bind(&starts).bind(&ends).bind(ward)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO timesheets (id, booking_id, shift_id, worker_id, org_id, ward_id, state, body, updated_at) \
             SELECT md5('pbt'||s)::uuid, md5('pbb'||s)::uuid, s, w, $1, $2, 'approved', \
             json_build_object('hours', json_build_object('start', st, 'end', en, 'breaks', '[]'::json, \
             'overrun_reason', NULL), 'warnings', '[]'::json, 'submitted_at', en, \
             'decision', json_build_array($3::uuid, en + interval '2 hours', ''))::text, en + interval '2 hours' \
             FROM unnest($4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[]) AS u(s, w, st, en)",
        )
        .bind(fx.org).bind(ward).bind(fx.officer)
        .bind(&shifts).bind(&workers).bind(&starts).bind(&ends)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO pay_lines (id, timesheet_id, shift_id, worker_id, org_id, work_date, kind, seconds, \
             holiday_pence, amount_pence, explanation, created_at) \
             SELECT md5('pbl'||s)::uuid, md5('pbt'||s)::uuid, s, w, $1, d, 'pay', sec, hol, amt, ex, \
             en + interval '2 hours' FROM unnest($2::uuid[], $3::uuid[], $4::date[], $5::bigint[], \
             $6::bigint[], $7::bigint[], $8::text[], $9::timestamptz[]) AS u(s, w, d, sec, hol, amt, ex, en)",
        )
        .bind(fx.org)
        .bind(&shifts).bind(&workers).bind(&dates).bind(&seconds).bind(&holiday)
        .bind(&amounts).bind(&explanations).bind(&ends)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    Ok(())
}

/// Generates the week, closes it and delivers its file; prints the times.
pub async fn run(args: PayrollBenchArgs) -> anyhow::Result<()> {
    let store = open_store(&args.database_url).await?;
    let pool = PgPool::connect(&args.database_url).await?;
    let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(taken == 0, "use an empty database");
    let now = Utc::now();
    let workers = args.count.div_ceil(3).max(1);
    let started = Instant::now();
    let fx = structure(&pool, workers, now).await?;
    let staff: Vec<(Uuid, String, i32)> =
        sqlx::query_as("SELECT id, grade, pay_point FROM workers ORDER BY id")
            .fetch_all(&pool)
            .await?;
    let rows = rows(&fx, args.count, &staff)?;
    let expected: i64 = rows.iter().map(|r| r.amount).sum();
    insert(&pool, &fx, &rows).await?;
    drop(rows);
    println!(
        "== payroll: {} approved timesheets for {workers} workers in the week of {}, generated in {:.0} s",
        args.count,
        fx.week.first_day,
        started.elapsed().as_secs_f64()
    );

    if args.dir.exists() {
        std::fs::remove_dir_all(&args.dir)?;
    }
    let master = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(
        store,
        Arc::new(SystemClock),
        MasterKey::from_base64(&master).map_err(|e| anyhow::anyhow!("{e}"))?,
    )
    .with_export_target(
        staffbank_app::exports::ExportTarget::connect(args.dir.clone(), None).await?,
    );
    let token = sign_in(&app, UserId(fx.officer)).await?;
    let officer = app
        .authenticate(&token)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let started = Instant::now();
    let run = app
        .close_pay_run(
            &officer,
            OrgId(fx.org),
            ClosePayRun {
                first_day: Some(fx.week.first_day),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let closed = started.elapsed();
    let delivered = app
        .deliver_exports()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let total = started.elapsed();
    anyhow::ensure!(delivered == 1, "delivered {delivered} files");

    let file = std::fs::read_to_string(args.dir.join(&run.file_name))?;
    let details = file.lines().filter(|l| l.starts_with("D,")).count();
    let trailer = file.lines().last().unwrap_or_default().to_owned();
    let trailer_total: i64 = trailer.split(',').nth(12).unwrap_or_default().parse()?;
    anyhow::ensure!(
        details == args.count,
        "{details} detail records for {} lines",
        args.count
    );
    anyhow::ensure!(
        run.lines == i64::try_from(args.count)?,
        "the run took {} lines",
        run.lines
    );
    anyhow::ensure!(
        trailer_total == expected && run.total_pence == expected,
        "totals: file {trailer_total}, run {}, generated {expected}",
        run.total_pence
    );
    println!(
        "closing the run: {:.2} s; building, writing and recording the file: {:.2} s; \
         together {:.2} s (target under 30 s)",
        closed.as_secs_f64(),
        (total - closed).as_secs_f64(),
        total.as_secs_f64()
    );
    println!(
        "file {}: {} bytes, {} records, total {} (checked against the database)",
        run.file_name,
        file.len(),
        details,
        staffbank_domain::pay::Pence(expected)
    );
    Ok(())
}
