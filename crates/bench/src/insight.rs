//! `staffbank-bench insight`: the operational dashboard over the national data of
//! `bench matching` (a million past bookings), on PostgreSQL.
//!
//! 1. Generates the national data in an empty database (or reuses it), which marks every shift
//!    for the read model through the triggers, as live bookings would.
//! 2. Times the first refresh: every shift rebuilt and every stale day summed.
//! 3. Times the dashboard use case (authorisation, the refresh check, the per-day sums, names
//!    and pseudonymised workers) for trusts, banks and the platform over a year, p50 and p99.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use staffbank_app::insight::InsightOf;
use staffbank_app::{App, Principal, SystemClock};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::{BankId, OrgId, UserId};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::{Session, User};
use uuid::Uuid;

use crate::matching::{master, national, percentile};
use crate::open_store;

/// Options of `staffbank-bench insight`.
#[derive(clap::Args)]
pub struct InsightBenchArgs {
    /// A PostgreSQL database: empty (national data is generated) or with `--reuse`.
    #[arg(long)]
    pub database_url: String,
    /// Trusts (a multiple of five).
    #[arg(long, default_value_t = 210)]
    pub trusts: i64,
    /// Active workers.
    #[arg(long, default_value_t = 300_000)]
    pub workers: i64,
    /// Open shifts over the next four weeks.
    #[arg(long, default_value_t = 50_000)]
    pub open_shifts: i64,
    /// Past bookings.
    #[arg(long, default_value_t = 1_000_000)]
    pub past_bookings: i64,
    /// Dashboards of each kind timed.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Measure on national data generated earlier in this database.
    #[arg(long)]
    pub reuse: bool,
}

/// A principal straight from the store, as a signed-in session would give.
async fn principal(app: &App, user: UserId) -> anyhow::Result<Principal> {
    let user = app
        .store()
        .user(user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user {user:?}"))?;
    Ok(Principal {
        session: Session {
            token_hash: String::new(),
            user_id: user.id,
            csrf_token: "bench".into(),
            expires_at: Utc::now() + Duration::hours(6),
            absolute_expires_at: None,
        },
        user,
        worker: None,
    })
}

/// Times `samples` dashboards, one after another after 10 unmeasured; p50 and p99 ms.
async fn time(
    app: &App,
    asks: &[(Principal, InsightOf)],
    samples: usize,
    period: staffbank_domain::agency::Period,
) -> anyhow::Result<(f64, f64)> {
    let mut ms = Vec::with_capacity(samples);
    for (i, (who, of)) in asks.iter().cycle().take(samples + 10).enumerate() {
        let t = Instant::now();
        let d = app.insight_dashboard(who, *of, period).await?;
        if i >= 10 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        anyhow::ensure!(d.totals.shifts_posted >= 0);
    }
    Ok((percentile(&mut ms, 50.0), percentile(&mut ms, 99.0)))
}

/// Runs the benchmark.
pub async fn run(args: InsightBenchArgs) -> anyhow::Result<()> {
    let store = open_store(&args.database_url).await?;
    let pool = sqlx::PgPool::connect(&args.database_url).await?;
    let scale = national::Scale {
        trusts: args.trusts,
        workers: args.workers,
        open_shifts: args.open_shifts,
        past_bookings: args.past_bookings,
    };
    national::generate_unless_reused(&pool, scale, args.reuse).await?;
    let key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(store.clone(), Arc::new(SystemClock), master(&key)?);

    let started = Instant::now();
    let cleared = app.refresh_insight().await?;
    println!(
        "read model refreshed: {cleared} marks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (shifts, days): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM insight_shifts), (SELECT count(*) FROM insight_days)",
    )
    .fetch_one(&pool)
    .await?;
    println!("insight_shifts: {shifts} rows; insight_days: {days} rows");
    sqlx::query("ANALYZE").execute(&pool).await?;

    let bookers: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT user_id, scope_id FROM user_grants WHERE role = 'booker' \
         AND scope_kind = 'organisation' ORDER BY random() LIMIT 50",
    )
    .fetch_all(&pool)
    .await?;
    let mut trusts = Vec::new();
    let mut banks = Vec::new();
    for (user, org) in &bookers {
        let who = principal(&app, UserId(*user)).await?;
        for (id, _) in app.banks_of_trust(OrgId(*org)).await? {
            banks.push((who.clone(), InsightOf::Bank(BankId(id))));
        }
        trusts.push((who, InsightOf::Trust(OrgId(*org))));
    }
    let admin = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(&format!("admin-{}@insight.bench", Uuid::new_v4().simple()))?,
        display_name: Label::parse("Insight bench admin", 100)?,
        password_hash: None,
        grants: vec![Grant {
            role: Role::PlatformAdmin,
            scope: Scope::Platform,
        }],
        created_at: Utc::now(),
    };
    store.create_user(&admin, &[]).await?;
    let platform = vec![(principal(&app, admin.id).await?, InsightOf::Platform)];

    let today = Utc::now().with_timezone(&RULES_ZONE).date_naive();
    let period = staffbank_domain::agency::Period::new(today - Duration::days(365), today)?;
    println!(
        "== dashboards over {} to {} (a year), one at a time",
        period.from(),
        period.to()
    );
    for (name, asks) in [
        ("trust", &trusts),
        ("bank", &banks),
        ("platform", &platform),
    ] {
        let (p50, p99) = time(&app, asks, args.samples, period).await?;
        println!(
            "{name} dashboard ({} samples): p50 {p50:.1} ms, p99 {p99:.1} ms",
            args.samples
        );
    }
    Ok(())
}
