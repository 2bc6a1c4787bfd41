//! `staffbank-bench matching`: matching and booking at national scale, measured on real
//! databases through the HTTP API of a real server process.
//!
//! 1. Generates national-scale data in PostgreSQL (see [`national`]).
//! 2. Starts `staffbank serve` on it and measures, through the API, a worker's "shifts I can book"
//!    and a booker's ranked candidates (p50 and p99); booking decisions and offers against the
//!    rules computed independently ([`oracle`], [`offered`]); then the server's memory.
//! 3. The Monday-morning burst on PostgreSQL (beside the national data) and on SQLite: workers
//!    booking a week of shifts as fast as they can; bookings per second, latency, and then the
//!    invariants checked independently ([`rules`]).
//! 4. `pgbench` running a minimal booking transaction against the same PostgreSQL database, so
//!    the burst reads as a share of what the database alone can do.

pub(crate) mod burst;
mod cpu;
pub(crate) mod national;
mod offered;
mod oracle;
mod rules;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use futures::StreamExt;
use staffbank_app::{App, SystemClock};
use staffbank_domain::UserId;
use staffbank_ledger::keys::MasterKey;
use staffbank_store::Session;
use uuid::Uuid;

pub(crate) use crate::ledger::percentile;
use crate::open_store;

/// Options of `staffbank-bench matching`.
#[derive(clap::Args)]
pub struct MatchingBenchArgs {
    /// An empty PostgreSQL database to fill.
    #[arg(long)]
    pub database_url: String,
    /// A streaming replica of that database, for the server to read matching from (`serve
    /// --replica-url`): the figures then show a replicated deployment (see
    /// scripts/measure-replica).
    #[arg(long)]
    pub replica_url: Option<String>,
    /// A SQLite file to create for the burst on SQLite (must not exist).
    #[arg(long)]
    pub sqlite: PathBuf,
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
    /// Requests of each kind timed.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Workers in the burst.
    #[arg(long, default_value_t = 5000)]
    pub burst_workers: usize,
    /// Shifts in the burst (two places each).
    #[arg(long, default_value_t = 1000)]
    pub burst_shifts: usize,
    /// Requests in flight at once in the burst and in pgbench.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds pgbench runs.
    #[arg(long, default_value_t = 10)]
    pub pgbench_seconds: u32,
    /// The server to start.
    #[command(flatten)]
    pub server: ServerBinary,
    /// Run only the burst (and pgbench), beside whatever the database already holds: for
    /// comparing changes to the booking path quickly.
    #[arg(long)]
    pub burst_only: bool,
    /// Measure on the national data an earlier run generated in this database instead of
    /// generating it again: for comparing changes to the read paths quickly.
    #[arg(long)]
    pub reuse: bool,
}

/// Which `staffbank` binary the benchmarks that measure through the API start as their server.
#[derive(clap::Args)]
pub struct ServerBinary {
    /// The `staffbank` server binary (default: the one beside this benchmark's own binary, as
    /// `cargo build -p staffbank -p staffbank-bench` leaves them).
    #[arg(long = "server", env = "STAFFBANK_SERVER")]
    pub path: Option<PathBuf>,
}

impl ServerBinary {
    /// The binary named, or the one beside this executable; an error that says how to build it
    /// if it is not there.
    pub(crate) fn resolve(&self) -> anyhow::Result<PathBuf> {
        let path = match &self.path {
            Some(path) => path.clone(),
            None => std::env::current_exe()?
                .parent()
                .context("this executable has no directory")?
                .join(format!("staffbank{}", std::env::consts::EXE_SUFFIX)),
        };
        anyhow::ensure!(
            path.is_file(),
            "no server at {}: build it with `cargo build -p staffbank` (with `--release` for \
             release figures), or name it with --server",
            path.display()
        );
        Ok(path)
    }
}

/// A `staffbank serve` child process on a free port.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) async fn start(
        binary: &ServerBinary,
        database_url: &str,
        replica_url: Option<&str>,
        master_key: &str,
    ) -> anyhow::Result<Self> {
        let program = binary.resolve()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut command = Command::new(&program);
        command
            .args(["serve", "--database-url", database_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"));
        if let Some(replica) = replica_url {
            command.args(["--replica-url", replica]);
        }
        let child = command
            .env("STAFFBANK_MASTER_KEY", master_key)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting the server {}", program.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if client
                .get(format!("{base}/api/v1/openapi.json"))
                .send()
                .await
                .is_ok()
            {
                return Ok(Self { child, base });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the server did not start")
    }

    /// Resident and peak resident memory, MB, from /proc.
    fn memory_mb(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .ok_or_else(|| anyhow::anyhow!("{name} missing"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server and the benchmark share one master key, so data keys sealed by either open in both.
pub(crate) fn master(key: &str) -> anyhow::Result<MasterKey> {
    MasterKey::from_base64(key).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Signs a user in straight in the store; returns their bearer token.
pub(crate) async fn sign_in(app: &App, user: UserId) -> anyhow::Result<String> {
    let token = Uuid::new_v4().simple().to_string();
    app.store()
        .create_session(&Session {
            token_hash: staffbank_app::auth::token_hash(&token),
            user_id: user,
            csrf_token: "bench".into(),
            expires_at: Utc::now() + chrono::Duration::hours(6),
            absolute_expires_at: None,
        })
        .await?;
    Ok(token)
}

/// Signs in each user; returns their bearer tokens.
async fn sessions(app: &App, users: &[Uuid]) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::with_capacity(users.len());
    for user in users {
        tokens.push(sign_in(app, UserId(*user)).await?);
    }
    Ok(tokens)
}

/// Times each GET (path, token), one after another after a warm-up of 50; p50 and p99 ms.
async fn latency(base: &str, requests: Vec<(String, String)>) -> anyhow::Result<(f64, f64)> {
    let client = reqwest::Client::new();
    let time = |(path, token): (String, String)| {
        let client = client.clone();
        async move {
            let t = Instant::now();
            let reply = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await?;
            anyhow::ensure!(reply.status().is_success(), "{path}: {}", reply.status());
            reply.bytes().await?;
            Ok::<f64, anyhow::Error>(t.elapsed().as_secs_f64() * 1000.0)
        }
    };
    let warm: Vec<_> = requests.iter().take(50).cloned().collect();
    for r in warm {
        time(r).await?;
    }
    let mut samples: Vec<f64> = futures::stream::iter(requests)
        .map(time)
        .buffered(1)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok((
        percentile(&mut samples.clone(), 50.0),
        percentile(&mut samples, 99.0),
    ))
}

/// Runs the burst against a server on `url` and prints its figures and invariants.
async fn burst_on(
    name: &str,
    url: &str,
    args: &MatchingBenchArgs,
    tag: &str,
) -> anyhow::Result<f64> {
    let store = open_store(url).await?;
    let master_key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(store.clone(), Arc::new(SystemClock), master(&master_key)?);
    let started = Instant::now();
    let size = burst::BurstSize {
        workers: args.burst_workers,
        shifts: args.burst_shifts,
        concurrency: args.concurrency,
    };
    let fx = burst::fixture(&app, size, tag).await?;
    println!(
        "{name}: {} workers and {} shifts ({} places) set up in {:.0} s",
        fx.workers.len(),
        fx.shifts.len(),
        fx.shifts.len() * 2,
        started.elapsed().as_secs_f64()
    );
    let replica = args
        .replica_url
        .as_deref()
        .filter(|_| url.starts_with("postgres"));
    let server = Server::start(&args.server, url, replica, &master_key).await?;
    // The releaser offers each new shift to its best candidates before the rush starts.
    let started = Instant::now();
    while !store.offers_due(Utc::now(), 1).await?.is_empty() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "{name}: offers for {} shifts sent in {:.1} s",
        fx.shifts.len(),
        started.elapsed().as_secs_f64()
    );
    if url.starts_with("postgres") {
        // The set-up and the offers wrote tens of thousands of rows: settle them first, so that
        // autovacuum does not start on them in the middle of the rush and the figure is steady.
        let pool = sqlx::PgPool::connect(url).await?;
        sqlx::query("VACUUM (ANALYZE)").execute(&pool).await?;
        pool.close().await;
    }
    let before = cpu::CpuSnapshot::take(server.child.id());
    let result = burst::run(&server.base, &fx, size.concurrency).await?;
    let used = before.until(&cpu::CpuSnapshot::take(server.child.id()));
    let mut statuses: Vec<_> = result.statuses.iter().collect();
    statuses.sort();
    println!(
        "{name} burst: {} bookings from {} requests ({} in flight): {:.0} bookings/s, \
         p50 {:.1} ms, p99 {:.1} ms; answers {statuses:?}",
        result.booked,
        result.requests,
        size.concurrency,
        result.per_second,
        result.p50_ms,
        result.p99_ms
    );
    let per_booking = |seconds: f64| 1000.0 * seconds / result.booked.max(1) as f64;
    println!(
        "{name} burst CPU per booking made: server {:.2} ms, database {:.2} ms, \
         load generator {:.2} ms",
        per_booking(used.server),
        per_booking(used.database),
        per_booking(used.generator)
    );
    drop(server);
    let (active, over_booked, overlapping, breaking) =
        burst::invariants(store.as_ref(), &fx).await?;
    println!(
        "{name} invariants: {active} active bookings; over-booked shifts {over_booked}, \
         workers with overlaps {overlapping}, workers breaking working-time rules {breaking}"
    );
    anyhow::ensure!(
        active == result.booked,
        "{name}: {active} stored bookings, {} answered 201",
        result.booked
    );
    anyhow::ensure!(
        over_booked == 0 && overlapping == 0 && breaking == 0,
        "{name}: an invariant broke"
    );
    anyhow::ensure!(
        result.statuses.keys().all(|s| *s < 500),
        "{name}: server errors"
    );
    Ok(result.per_second)
}

/// Books through the API, for `workers` sampled at random, shifts from their banks (and after
/// each booking one starting soon after it ends, and one from anywhere), deciding each first
/// with [`oracle::allowed`]; fails on any disagreement. Returns (attempts, accepted).
async fn decisions(
    base: &str,
    app: &App,
    pool: &sqlx::PgPool,
    workers: usize,
    anywhere: &[Uuid],
) -> anyhow::Result<(usize, usize, Vec<(&'static str, usize)>)> {
    let store = app.store().as_ref();
    let sample: Vec<(Uuid, Uuid)> =
        sqlx::query_as("SELECT id, user_id FROM workers ORDER BY random() LIMIT $1")
            .bind(i64::try_from(workers)?)
            .fetch_all(pool)
            .await?;
    let tokens = sessions(app, &sample.iter().map(|(_, u)| *u).collect::<Vec<_>>()).await?;
    let client = reqwest::Client::new();
    let (mut attempts, mut accepted) = (0, 0);
    let mut refused: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for (n, ((worker_id, _), token)) in sample.iter().zip(tokens).enumerate() {
        let worker = store
            .worker(staffbank_domain::WorkerId(*worker_id))
            .await?
            .context("worker")?;
        let banks: Vec<Uuid> = worker.banks.iter().map(|b| b.0).collect();
        let mut queue: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM shifts WHERE status = 'open' AND starts_at > now() \
             AND (bank_id = ANY($1) OR collaborative_bank_id = ANY($1)) ORDER BY random() LIMIT 3",
        )
        .bind(&banks)
        .fetch_all(pool)
        .await?;
        queue.push(anywhere[n % anywhere.len()]);
        while let Some(shift_id) = queue.pop() {
            let shift = store
                .shift(staffbank_domain::ShiftId(shift_id))
                .await?
                .context("shift")?;
            let credentials = store.credentials_of(worker.id).await?;
            let held = oracle::bookings_of(store, &worker).await?;
            let verdict = oracle::allowed(&worker, &credentials, &held, &shift, Utc::now());
            let reply = client
                .post(format!("{base}/api/v1/shifts/{shift_id}/bookings"))
                .bearer_auth(&token)
                .header("idempotency-key", Uuid::new_v4().to_string())
                .send()
                .await?;
            let status = reply.status().as_u16();
            let body = reply.text().await?;
            attempts += 1;
            match (verdict, status) {
                (Ok(()), 201) => {
                    accepted += 1;
                    // Next, a shift starting soon after this one ends: rest and overlap rules.
                    let next: Option<Uuid> = sqlx::query_scalar(
                        "SELECT id FROM shifts WHERE status = 'open' \
                         AND (bank_id = ANY($1) OR collaborative_bank_id = ANY($1)) \
                         AND starts_at BETWEEN $2 - interval '4 hours' AND $2 + interval '14 hours' \
                         AND id <> $3 ORDER BY random() LIMIT 1",
                    )
                    .bind(&banks)
                    .bind(shift.window.end())
                    .bind(shift_id)
                    .fetch_optional(pool)
                    .await?;
                    queue.extend(next);
                }
                (Err(why), 404 | 409 | 422) => *refused.entry(why).or_default() += 1,
                (verdict, status) => anyhow::bail!(
                    "worker {worker_id}, shift {shift_id}: the rules say {verdict:?}, the API answered {status} {body}"
                ),
            }
        }
    }
    Ok((attempts, accepted, refused.into_iter().collect()))
}

/// A minimal booking transaction (lock a shift, insert a booking, count it) under `pgbench`.
fn pgbench(url: &str, clients: usize, seconds: u32) -> anyhow::Result<f64> {
    let setup = "DROP TABLE IF EXISTS pgb_bookings, pgb_shifts; \
        CREATE TABLE pgb_shifts (id int PRIMARY KEY, places int NOT NULL, booked int NOT NULL); \
        CREATE TABLE pgb_bookings (id bigserial PRIMARY KEY, shift_id int NOT NULL REFERENCES pgb_shifts, \
        worker int NOT NULL, created_at timestamptz NOT NULL DEFAULT now()); \
        INSERT INTO pgb_shifts SELECT i, 1000000000, 0 FROM generate_series(1, 1000) i;";
    let status = Command::new("psql")
        .args([url, "-qc", setup])
        .status()
        .context("psql")?;
    anyhow::ensure!(status.success(), "pgbench setup failed");
    let script = std::env::temp_dir().join(format!("staffbank-pgbench-{}.sql", Uuid::new_v4()));
    std::fs::write(
        &script,
        "\\set s random(1, 1000)\nBEGIN;\n\
         SELECT booked, places FROM pgb_shifts WHERE id = :s FOR UPDATE;\n\
         INSERT INTO pgb_bookings (shift_id, worker) VALUES (:s, :client_id);\n\
         UPDATE pgb_shifts SET booked = booked + 1 WHERE id = :s;\nCOMMIT;\n",
    )?;
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-j",
            "2",
            "-c",
            &clients.to_string(),
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .context("pgbench (Debian package postgresql-client)")?;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("pgbench printed no tps: {text}"))
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: MatchingBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        !args.sqlite.exists(),
        "{} exists: give a new file",
        args.sqlite.display()
    );
    // Before any data is generated: a missing server would otherwise fail only at the end.
    args.server.resolve()?;
    let store = open_store(&args.database_url).await?;
    let pool = sqlx::PgPool::connect(&args.database_url).await?;
    // The transport changes every figure on one machine: TCP over loopback costs the database a
    // network stack's work per round trip that a Unix socket does not.
    let server: Option<String> = sqlx::query_scalar("SELECT host(inet_server_addr())")
        .fetch_one(&pool)
        .await?;
    match server {
        Some(address) => println!("PostgreSQL over TCP to {address}"),
        None => println!("PostgreSQL over its local Unix socket"),
    }
    if args.replica_url.is_some() {
        println!("the server reads matching from a streaming replica (--replica-url)");
    }
    if !args.burst_only {
        national_figures(&args, &store, &pool).await?;
    }
    println!("== Monday-morning burst");
    let pg = burst_on("PostgreSQL", &args.database_url, &args, &burst_tag()).await?;
    let sqlite_url = format!("sqlite://{}", args.sqlite.display());
    burst_on("SQLite", &sqlite_url, &args, &burst_tag()).await?;

    println!("== pgbench: a minimal booking transaction on the same PostgreSQL database");
    let tps = pgbench(&args.database_url, args.concurrency, args.pgbench_seconds)?;
    println!(
        "pgbench: {tps:.0} transactions/s ({} clients); the PostgreSQL burst is {:.1}% of it",
        args.concurrency,
        100.0 * pg / tps
    );
    Ok(())
}

/// A fresh prefix for the burst's trusts' ODS codes, so bursts can run again on one database.
fn burst_tag() -> String {
    // An ODS code is at most six characters: this and the trust's digit.
    let n = Uuid::new_v4().as_u128() % 10_000;
    format!("B{n:04}")
}

/// The national-scale figures: data generated in an empty database, then "shifts I can book",
/// ranked candidates, booking decisions checked independently, and the server's memory.
async fn national_figures(
    args: &MatchingBenchArgs,
    store: &Arc<dyn staffbank_store::Store>,
    pool: &sqlx::PgPool,
) -> anyhow::Result<()> {
    let scale = national::Scale {
        trusts: args.trusts,
        workers: args.workers,
        open_shifts: args.open_shifts,
        past_bookings: args.past_bookings,
    };
    national::generate_unless_reused(pool, scale, args.reuse).await?;

    let master_key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(store.clone(), Arc::new(SystemClock), master(&master_key)?);
    let n = i64::try_from(args.samples + 50)?;
    let workers: Vec<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM workers ORDER BY random() LIMIT $1")
            .bind(n)
            .fetch_all(pool)
            .await?;
    let shifts: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT s.id, g.user_id FROM shifts s JOIN user_grants g ON g.scope_id = s.org_id \
         AND g.role = 'booker' WHERE s.status = 'open' AND s.starts_at > now() \
         ORDER BY random() LIMIT $1",
    )
    .bind(n)
    .fetch_all(pool)
    .await?;
    let worker_tokens = sessions(&app, &workers).await?;
    let booker_tokens = sessions(&app, &shifts.iter().map(|(_, b)| *b).collect::<Vec<_>>()).await?;
    let server = Server::start(
        &args.server,
        &args.database_url,
        args.replica_url.as_deref(),
        &master_key,
    )
    .await?;
    let (p50, p99) = latency(
        &server.base,
        worker_tokens
            .into_iter()
            .map(|t| ("/api/v1/me/shift-matches".to_owned(), t))
            .collect(),
    )
    .await?;
    println!(
        "shifts I can book, through the API ({} workers, one at a time): p50 {p50:.1} ms, p99 {p99:.1} ms",
        args.samples
    );
    let (p50, p99) = latency(
        &server.base,
        shifts
            .iter()
            .zip(booker_tokens)
            .map(|((shift, _), t)| (format!("/api/v1/shifts/{shift}/candidates"), t))
            .collect(),
    )
    .await?;
    println!(
        "ranked candidates, through the API ({} shifts, one at a time): p50 {p50:.1} ms, p99 {p99:.1} ms",
        args.samples
    );
    if args.reuse {
        // Each run seals the workers' data keys under a master key of its own.
        println!("booking decisions: not checked on reused data (an earlier run's keys sealed it)");
    } else {
        let anywhere: Vec<Uuid> = shifts.iter().map(|(s, _)| *s).collect();
        let (attempts, accepted, refused) =
            decisions(&server.base, &app, pool, args.samples / 5, &anywhere).await?;
        println!(
            "booking decisions against the rules computed independently: {attempts} attempts, \
             {accepted} accepted, refused {refused:?}; 0 disagreements"
        );
    }
    let (released, offers) =
        offered::check(store.as_ref(), pool, (args.samples / 10).max(10)).await?;
    println!(
        "offers against the rules computed independently: {offers} offers on {released} shifts \
         released now, every one bookable by the worker offered it"
    );
    let (rss, peak) = server.memory_mb()?;
    println!("server memory at national scale: {rss:.0} MB resident, {peak:.0} MB peak");
    drop(server);
    Ok(())
}
