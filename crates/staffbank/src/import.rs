//! `staffbank import`: a trust's workers from an ESR staff extract, its shifts from an
//! e-rostering export, or the credentials it has checked, at the command line, with a progress bar for large files.

use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use staffbank_app::credential_import::CredentialImporter;
use staffbank_app::worker_import::{ImportError, Importer};
use staffbank_app::App;
use staffbank_domain::OrgId;

use crate::serve;

/// What to import.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Workers from an ESR staff extract: one row per assignment (columns in docs/imports.md).
    Workers(ImportArgs),
    /// Shifts from an e-rostering export: one row per shift, the roster upload's columns (see
    /// docs/imports.md). Rows already posted are left alone.
    Shifts(ShiftArgs),
    /// Credentials the trust has checked: one row per credential (columns in docs/imports.md).
    /// Rows already recorded are left alone.
    Credentials(CredentialArgs),
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

/// A roster file, and the booker it is posted in the name of.
#[derive(Args)]
pub struct ShiftArgs {
    #[command(flatten)]
    common: ImportArgs,
    /// The email of one of the trust's bookers: every shift names who posted it.
    #[arg(long)]
    posted_by: String,
}

/// A credentials file, and the compliance officer it is recorded by.
#[derive(Args)]
pub struct CredentialArgs {
    #[command(flatten)]
    common: ImportArgs,
    /// The email of one of the trust's compliance officers: every credential names who recorded
    /// it.
    #[arg(long)]
    recorded_by: String,
}

/// Runs an import; every problem is printed and the process exits 1 with nothing written.
pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Workers(args) => {
            let (app, org, name, text) = open(&args).await?;
            let bar = bar("workers written")?;
            let outcome = app
                .import_workers(Importer::Operator, org, &text, &shown(&bar))
                .await;
            bar.finish_and_clear();
            report(&name, outcome.map(|o| o.summary()))
        }
        ImportCommand::Shifts(args) => {
            let (app, org, name, text) = open(&args.common).await?;
            let bar = bar("rows done")?;
            let outcome = app
                .import_shifts(org, &args.posted_by, &text, &shown(&bar))
                .await;
            bar.finish_and_clear();
            report(&name, outcome.map(|o| o.summary()))
        }
        ImportCommand::Credentials(args) => {
            let (app, org, name, text) = open(&args.common).await?;
            let Some(recorded_by) = app.compliance_officer_of(org, &args.recorded_by).await? else {
                eprintln!(
                    "nothing imported: {} is not a compliance officer of this trust",
                    args.recorded_by.trim()
                );
                std::process::exit(1);
            };
            let bar = bar("credentials prepared")?;
            let outcome = app
                .import_credentials(
                    CredentialImporter::Operator { recorded_by },
                    org,
                    &text,
                    &shown(&bar),
                )
                .await;
            bar.finish_and_clear();
            report(&name, outcome.map(|o| o.summary()))
        }
    }
}

/// The app over the database, the trust by its ODS code, its name, and the file's text.
async fn open(args: &ImportArgs) -> anyhow::Result<(App, OrgId, String, String)> {
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
    let app = App::new(
        store,
        Arc::new(staffbank_app::SystemClock),
        serve::master_key(&args.master_key)?,
    );
    Ok((app, org.id, org.name.as_str().to_owned(), text))
}

/// A progress bar counting `what`, e.g. "workers written".
fn bar(what: &str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    Ok(bar)
}

/// The progress callback an import is given, moving `bar`.
fn shown(bar: &ProgressBar) -> impl Fn(usize, usize) + Send + Sync {
    let bar = bar.clone();
    move |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

/// Prints what an import did, or every problem and exits 1 (nothing was written).
fn report(trust: &str, outcome: Result<String, ImportError>) -> anyhow::Result<()> {
    match outcome {
        Ok(summary) => {
            println!("{trust}: {summary}");
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
