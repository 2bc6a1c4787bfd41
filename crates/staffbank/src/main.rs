//! `staffbank`: the server and its command line.

mod backup;
mod config_checks;
mod demo;
mod import;
mod serve;
mod telemetry;
mod tls;

use clap::{Parser, Subcommand};

/// Staffbank: NHS bank shifts, booked safely.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and UI.
    Serve(Box<serve::ServeArgs>),
    /// Apply database migrations and exit.
    Migrate {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// Create a SQLite demo (three Lancashire trusts, a collaborative bank, ~200 workers, ~500
    /// shifts) on first run, print one sign-in per role, and serve it.
    Demo(demo::DemoArgs),
    /// Create a platform administrator (password from STAFFBANK_ADMIN_PASSWORD).
    CreateAdmin {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Name.
        #[arg(long, default_value = "Platform administrator")]
        name: String,
    },
    /// Deliver every queued payroll file, then exit (the server does this itself; this is for
    /// recovery and scheduled jobs).
    ExportPayroll {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Where to deliver.
        #[command(flatten)]
        payroll: serve::PayrollArgs,
        /// The master key (seals the ledger entries written on delivery).
        #[arg(long, env = "STAFFBANK_MASTER_KEY", hide_env_values = true)]
        master_key: String,
    },
    /// Import a trust's records from a CSV file (see docs/imports.md): checked whole, every
    /// problem named by row and column, written all at once or not at all.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Write a consistent backup of a live database to a new file: SQLite with `VACUUM INTO`,
    /// PostgreSQL with `pg_dump --format=custom`. Prints its size and the ledger it holds.
    Backup {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The backup file to write (never overwritten).
        #[arg(long)]
        out: std::path::PathBuf,
        /// The folder holding pg_dump and pg_restore, if not the ones on PATH (e.g.
        /// /usr/lib/postgresql/16/bin).
        #[arg(long)]
        pg_bin: Option<std::path::PathBuf>,
    },
    /// Restore a backup into an empty database (a new SQLite file, or an empty PostgreSQL
    /// database), bring it up to date with the migrations, and check the ledger as
    /// `ledger verify` does. Exits 1 if the ledger check finds a problem.
    Restore {
        /// The file `staffbank backup` wrote.
        #[arg(long)]
        from: std::path::PathBuf,
        /// `sqlite://path` (a file that does not exist yet) or `postgres://...` (an empty database).
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The folder holding pg_restore, if not the one on PATH.
        #[arg(long)]
        pg_bin: Option<std::path::PathBuf>,
        /// The tree-head public key, base64; without it the key is derived from
        /// STAFFBANK_MASTER_KEY.
        #[arg(long)]
        public_key: Option<String>,
        /// A signed head kept outside the database: the restored log must extend it.
        #[arg(long)]
        trusted_head: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Audit ledger tools.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Recompute the tree from the stored entries, check every signed tree head, stored subtree
    /// and entry, and name every problem. Exits 1 if anything is wrong.
    Verify {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The tree-head public key, base64 (from /api/v1/ledger/public-key). Without it the key
        /// is derived from STAFFBANK_MASTER_KEY.
        #[arg(long)]
        public_key: Option<String>,
        /// A signed head kept outside the database (saved from /api/v1/ledger/heads/latest, or a
        /// heads file whose last line is used): the stored log must extend it.
        #[arg(long)]
        trusted_head: Option<std::path::PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let otlp_endpoint = match &cli.command {
        Command::Serve(args) => args.ops.otlp_endpoint.clone(),
        _ => None,
    };
    let telemetry = telemetry::init(otlp_endpoint.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(run(cli));
    // Work the server cut off at shutdown is dropped with the runtime; then the last spans go.
    drop(runtime);
    telemetry.shutdown();
    outcome
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(*args).await,
        Command::Migrate { database_url } => {
            serve::open_store(&database_url).await?;
            println!("migrated");
            Ok(())
        }
        Command::Demo(args) => demo::run(args).await,
        Command::ExportPayroll {
            database_url,
            payroll,
            master_key,
        } => {
            let store = serve::open_store(&database_url).await?;
            let app = staffbank_app::App::new(
                store,
                std::sync::Arc::new(staffbank_app::SystemClock),
                serve::master_key(&master_key)?,
            )
            .with_export_target(payroll.target().await?);
            let delivered = app
                .deliver_exports()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("delivered {delivered}");
            Ok(())
        }
        Command::CreateAdmin {
            database_url,
            email,
            name,
        } => {
            let password = std::env::var("STAFFBANK_ADMIN_PASSWORD")
                .map_err(|_| anyhow::anyhow!("set STAFFBANK_ADMIN_PASSWORD"))?;
            let store = serve::open_store(&database_url).await?;
            demo::create_admin(store.as_ref(), &email, &name, &password).await?;
            println!("created {email}");
            Ok(())
        }
        Command::Ledger {
            command:
                LedgerCommand::Verify {
                    database_url,
                    public_key,
                    trusted_head,
                },
        } => {
            if !check_ledger(
                &database_url,
                public_key.as_deref(),
                trusted_head.as_deref(),
            )
            .await?
            {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Backup {
            database_url,
            out,
            pg_bin,
        } => backup::backup(&database_url, &out, pg_bin.as_deref()).await,
        Command::Restore {
            from,
            database_url,
            pg_bin,
            public_key,
            trusted_head,
        } => {
            backup::restore(
                &from,
                &database_url,
                pg_bin.as_deref(),
                public_key.as_deref(),
                trusted_head.as_deref(),
            )
            .await
        }
        Command::Import { command } => import::run(command).await,
        Command::Openapi => {
            println!("{}", staffbank_web::openapi_json()?);
            Ok(())
        }
    }
}

/// `staffbank ledger verify` (and the end of `restore`): prints every problem; false if there
/// is any. With STAFFBANK_MASTER_KEY set, each entry's MAC is checked as well.
async fn check_ledger(
    database_url: &str,
    public_key: Option<&str>,
    trusted_head: Option<&std::path::Path>,
) -> anyhow::Result<bool> {
    use staffbank_app::ledger::{verify_ledger, VerifyOptions};
    let store = serve::open_store(database_url).await?;
    let key = serve::verifying_key(public_key)?;
    let master = match std::env::var("STAFFBANK_MASTER_KEY") {
        Ok(text) => Some(serve::master_key(&text)?),
        Err(_) => None,
    };
    let trusted_head = match trusted_head {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("--trusted-head {}: {e}", path.display()))?;
            Some(
                staffbank_app::ledger_verify::parse_trusted_head(&text)
                    .map_err(|e| anyhow::anyhow!("--trusted-head {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let options = VerifyOptions {
        trusted_head,
        master: master.as_ref(),
    };
    let started = std::time::Instant::now();
    let report = verify_ledger(store.as_ref(), &key, &options)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if report.problems.is_empty() {
        println!(
            "ledger OK: {} entries, {} signed tree heads, all consistent{}{} ({seconds:.2} s)",
            report.entries,
            report.heads,
            if options.trusted_head.is_some() {
                ", extends the trusted head"
            } else {
                ""
            },
            if report.macs_checked {
                ", every entry's MAC checked"
            } else {
                ""
            },
        );
        return Ok(true);
    }
    println!("ledger FAILED: {} problem(s):", report.problems.len());
    for problem in &report.problems {
        println!("- {problem}");
    }
    Ok(false)
}
