//! `staffbank-bench`: the performance figures of README's Measuring section, measured on real
//! databases and, where the figure is one a client sees, through a real `staffbank serve`.
//!
//! Kept apart from the server so that the binary deployed carries no benchmark code, and the
//! benchmarks may reach past the app into the store to build their fixtures quickly.

mod fairness;
mod forecast;
mod import;
mod insight;
mod ledger;
mod matching;
mod passport;
mod pay;
mod payroll;

use std::sync::Arc;

use clap::{Parser, Subcommand};
use staffbank_store::Store;
use staffbank_store_postgres::PgStore;
use staffbank_store_sqlite::SqliteStore;

/// Staffbank's benchmarks: each prints its figures, and fails if a check on the data does.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The ranking's fairness term on national data: each group's share of booked and desirable
    /// shifts against its share of members, allocated with the term and without it.
    Fairness(fairness::FairnessBenchArgs),
    /// The demand forecast of unfilled shifts on synthetic seasonal ward histories: its error
    /// (MAE and sMAPE) on held-out weeks beside the naive last-week forecast.
    Forecast(forecast::ForecastBenchArgs),
    /// Importing an ESR staff extract of many workers into a fresh PostgreSQL database: rows per
    /// second and total seconds, checked against the database, and a repeat that adds nothing.
    Import(import::ImportBenchArgs),
    /// Booking throughput with and without the ledger, sequencer lag, proof latency through the
    /// API and verification time at a large ledger size.
    Ledger(ledger::BenchArgs),
    /// Matching and booking at national scale: "shifts I can book" and ranked candidates
    /// through the API, server memory, and the Monday-morning burst on PostgreSQL and SQLite
    /// with its invariants, beside pgbench.
    Matching(matching::MatchingBenchArgs),
    /// The operational dashboard over the national data: the read model's first refresh, then
    /// p50 and p99 of trust, bank and platform dashboards over a year, on PostgreSQL.
    Insight(insight::InsightBenchArgs),
    /// Issuing an SD-JWT VC and verifying a presentation with every check on, in process on one
    /// core: the floor under the passport's figures through the API.
    Passport(passport::PassportBenchArgs),
    /// The pure pay engine's timesheets per second on one core, across bands, nights,
    /// weekends, bank holidays and clock changes.
    Pay(pay::PayBenchArgs),
    /// Closing a weekly pay run of many approved timesheets on PostgreSQL, payroll file
    /// included, checked against the database.
    Payroll(payroll::PayrollBenchArgs),
}

/// Opens the backend the URL names, migrating it, as the server does.
pub(crate) async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        anyhow::bail!("the database URL must start with sqlite:// or postgres://")
    }
}

/// Logs to standard error, filtered by `RUST_LOG` as the server's are, so the figures on
/// standard output stay clean.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    match Cli::parse().command {
        Command::Fairness(args) => fairness::run(args).await,
        Command::Forecast(args) => forecast::run(&args),
        Command::Import(args) => import::run(args).await,
        Command::Ledger(args) => ledger::run(args).await,
        Command::Matching(args) => matching::run(args).await,
        Command::Insight(args) => insight::run(args).await,
        Command::Passport(args) => passport::run(&args).await,
        Command::Pay(args) => pay::run(&args),
        Command::Payroll(args) => payroll::run(args).await,
    }
}
