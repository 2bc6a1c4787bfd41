//! `staffbank import`: a trust's workers from an ESR staff extract, at the command line, with a
//! progress bar for large files.

use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use staffbank_app::worker_import::{ImportError, Importer};

use crate::serve;

/// What to import.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Workers from an ESR staff extract: one row per assignment (columns in docs/imports.md).
    Workers(ImportArgs),
}

/// Where from and into.
#[derive(Args)]
pub struct ImportArgs {
    /// The CSV file.
    file: std::path::PathBuf,
    /// `sqlite://path` or `postgres://...`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// The importing trust's ODS code, e.g. RXN.
    #[arg(long)]
    trust: String,
    /// The master key (the ledger entries of the import are written under it).
    #[arg(long, env = "STAFFBANK_MASTER_KEY", hide_env_values = true)]
    master_key: String,
}

/// Runs an import; every problem is printed and the process exits 1 with nothing written.
pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Workers(args) = command;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let store = serve::open_store(&args.database_url).await?;
    let wanted = args.trust.trim().to_uppercase();
    let Some(org) = store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.ods_code.as_str().eq_ignore_ascii_case(&wanted))
    else {
        anyhow::bail!("no trust has the ODS code {wanted}");
    };
    let app = staffbank_app::App::new(
        store,
        Arc::new(staffbank_app::SystemClock),
        serve::master_key(&args.master_key)?,
    );
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} workers written ({per_sec}, {eta} left)",
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let shown = bar.clone();
    let progress = move |done: usize, total: usize| {
        shown.set_length(total as u64);
        shown.set_position(done as u64);
    };
    let outcome = app
        .import_workers(Importer::Operator, org.id, &text, &progress)
        .await;
    bar.finish_and_clear();
    match outcome {
        Ok(outcome) => {
            println!("{}: {}", org.name.as_str(), outcome.summary());
            Ok(())
        }
        Err(ImportError::Rows(problems)) => {
            for p in &problems {
                eprintln!("row {}, {}: {}", p.row, p.column, p.message);
            }
            eprintln!(
                "nothing imported: {} problem(s); correct the file and import it again",
                problems.len()
            );
            std::process::exit(1);
        }
        Err(ImportError::File(message)) => {
            eprintln!("nothing imported: {message}");
            std::process::exit(1);
        }
        Err(ImportError::App(e)) => Err(anyhow::anyhow!("{e}")),
    }
}
