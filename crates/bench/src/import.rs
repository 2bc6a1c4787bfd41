//! `staffbank-bench import`: importing a large ESR staff extract of workers on PostgreSQL.
//!
//! A fresh database is created beside the one named, with one trust and its bank; a workers file
//! of `count` rows is generated; then, timed, the file is read, checked and imported as
//! `staffbank import workers` does (one transaction, batched inserts, a ledger entry per worker).
//! The database is checked afterwards: every worker, assignment, membership and ledger entry
//! there once. A second import of the same file is timed too, and must add nothing.

use std::sync::Arc;
use std::time::Instant;

use sqlx::{Connection, PgConnection, PgPool};
use staffbank_app::worker_import::{Importer, WorkerColumn};
use staffbank_app::{App, SystemClock};
use staffbank_domain::OrgId;
use staffbank_ledger::keys::MasterKey;
use uuid::Uuid;

use crate::open_store;

/// Options of `staffbank-bench import`.
#[derive(clap::Args)]
pub struct ImportBenchArgs {
    /// A PostgreSQL database on the server to use; the benchmark creates a fresh database
    /// beside it, and drops it afterwards.
    #[arg(long)]
    pub database_url: String,
    /// Workers in the file.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
}

/// The generated extract: `count` band 5 to 7 nurses and support workers joining one bank.
fn extract(count: usize) -> String {
    let mut text = WorkerColumn::ALL
        .iter()
        .map(|c| c.header())
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for i in 0..count {
        let (group, grade, register) = match i % 3 {
            0 => (
                "Nursing and midwifery",
                "Band 5",
                format!("NMC,{:02}A{i:07}E", i % 100),
            ),
            1 => (
                "Nursing and midwifery",
                "Band 6",
                format!("NMC,{:02}B{i:07}F", i % 100),
            ),
            _ => ("Healthcare support", "Band 3", ",".to_owned()),
        };
        text.push_str(&format!(
            "{:08},Worker {i},worker{i}@bench.nhs.uk,{group},{grade},{register},Bank,Bench bank\n",
            30_000_000 + i
        ));
    }
    text
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: ImportBenchArgs) -> anyhow::Result<()> {
    let name = format!("staffbank_import_{}", Uuid::new_v4().simple());
    let (server, _) = args
        .database_url
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("the database URL names no database"))?;
    let fresh = format!("{server}/{name}");
    let mut admin = PgConnection::connect(&args.database_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let outcome = measure(&fresh, args.count).await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    outcome
}

async fn measure(url: &str, count: usize) -> anyhow::Result<()> {
    let store = open_store(url).await?;
    let pool = PgPool::connect(url).await?;
    let (org, bank) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query(
        "INSERT INTO organisations (id, ods_code, name, kind) \
         VALUES ($1, 'IMP01', 'Import Bench Trust', 'trust')",
    )
    .bind(org)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO banks (id, name, kind, lead_org_id) VALUES ($1, 'Bench bank', 'own', $2)",
    )
    .bind(bank)
    .bind(org)
    .execute(&pool)
    .await?;
    sqlx::query("INSERT INTO bank_members (bank_id, org_id) VALUES ($1, $2)")
        .bind(bank)
        .bind(org)
        .execute(&pool)
        .await?;
    let master = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(
        store,
        Arc::new(SystemClock),
        MasterKey::from_base64(&master).map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let text = extract(count);
    println!(
        "import: {count} workers, a {:.1} MB file, into a fresh PostgreSQL database",
        text.len() as f64 / 1e6
    );

    let started = Instant::now();
    let first = app
        .import_workers(Importer::Operator, OrgId(org), &text, &|_, _| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "first import: {} in {seconds:.1} s ({:.0} rows/s)",
        first.summary(),
        count as f64 / seconds
    );
    anyhow::ensure!(first.added == count, "expected {count} added");

    for (what, sql) in [
        ("workers", "SELECT count(*) FROM workers"),
        (
            "assignments",
            "SELECT count(*) FROM worker_assignments WHERE org_id = $1",
        ),
        (
            "memberships",
            "SELECT count(*) FROM bank_memberships m JOIN banks b ON b.id = m.bank_id \
             WHERE b.lead_org_id = $1",
        ),
        (
            "ledger entries",
            "SELECT count(*) FROM ledger_entries WHERE action = 'worker.imported' AND tenant = $1",
        ),
    ] {
        let mut query = sqlx::query_scalar::<_, i64>(sql);
        if sql.contains("$1") {
            query = query.bind(org);
        }
        let found = query.fetch_one(&pool).await?;
        anyhow::ensure!(
            usize::try_from(found)? == count,
            "{what}: {found}, expected {count}"
        );
    }
    println!("checked: every worker, assignment, membership and ledger entry there once");

    let started = Instant::now();
    let second = app
        .import_workers(Importer::Operator, OrgId(org), &text, &|_, _| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "second import of the same file: {} in {seconds:.1} s",
        second.summary()
    );
    anyhow::ensure!(second.added == 0 && second.present == count);
    pool.close().await;
    Ok(())
}
