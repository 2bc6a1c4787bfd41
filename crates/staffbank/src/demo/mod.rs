//! `staffbank demo`: a realistic demo on an embedded SQLite file.
//!
//! Three trusts of the Lancashire and South Cumbria ICS (real ODS codes), their hospitals and
//! wards, their own banks and a collaborative bank, about 200 workers across staff groups and
//! bands, and about 500 shifts over the next four weeks, some already booked; a long day the
//! demo worker worked two days ago, its timesheet still to fill in; and their pay history, one
//! closed pay run and approved pay waiting for the next. Random choices come from a fixed
//! seed, so every demo looks alike.
//!
//! Each part of the world has its module: the trusts, their sites, wards and banks
//! ([`organisations`]); one sign-in per staff role ([`staff`]); the bank workers and their checks
//! ([`workers`]); the shifts, some booked, and one already worked ([`shifts`]); and the passport
//! credentials offered through the product itself ([`passport`]), with the training refresher
//! periods that let more be offered ([`refreshers`]); and the history the bank office's
//! forecasts and retention pages read ([`outlook`]).

mod organisations;
mod outlook;
mod passport;
mod pay_history;
mod refreshers;
mod shifts;
mod staff;
mod workers;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::SeedableRng;
use staffbank_app::audit::Change;
use staffbank_app::{App, SystemClock};
use staffbank_domain::text::{Email, Label};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::Store;
use uuid::Uuid;

use crate::serve::{
    master_key, open_store, serve, HttpArgs, NotifyArgs, OpsArgs, PayrollArgs, ServeArgs,
};

pub use staff::create_admin;

/// The password of every demo sign-in.
pub const DEMO_PASSWORD: &str = "staffbank-demo";

/// The demo worker's sign-in: the first worker seeded, whose pay and passport the demo shows.
const WORKER_EMAIL: &str = "worker@demo.staffbank.test";

/// Options of `staffbank demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// The SQLite file to create (kept between runs).
    #[arg(long, default_value = "staffbank-demo.sqlite")]
    pub file: PathBuf,
    /// Seed and serve this database instead of the SQLite file (e.g. an empty PostgreSQL
    /// database, to measure operations at the demo's size); the key stays beside `--file`.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Listening and assets.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Payroll file delivery.
    #[command(flatten)]
    pub payroll: PayrollArgs,
    /// Email notifications.
    #[command(flatten)]
    pub notify: NotifyArgs,
}

/// The folder, beside the demo's database, that its email is written to when no SMTP server is
/// given: one `.eml` file per message, for a newcomer to open.
pub const MAIL_FOLDER: &str = "staffbank-demo-mail";

/// The demo's master key: kept in a file beside the database, made on first run. (A real
/// deployment takes it from STAFFBANK_MASTER_KEY and keeps it in a secret store.)
fn demo_master_key(file: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = file.with_extension("key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        // Earlier demos wrote the key readable by everyone on the machine; only its owner may.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("Failed to restrict {}", path.display()))?;
        return Ok(text.trim().to_owned());
    }
    let key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| f.write_all(key.as_bytes()))
        .with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(key)
}

/// Seeds (on first run) and serves the demo.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", args.file.display()));
    let key_text = demo_master_key(&args.file)?;
    let store = open_store(&url).await?;
    let app = App::new(store.clone(), Arc::new(SystemClock), master_key(&key_text)?);
    if store.organisations().await?.is_empty() {
        match &args.database_url {
            Some(_) => println!("Seeding the demo into --database-url ..."),
            None => println!("Seeding the demo into {} ...", args.file.display()),
        }
        let counts = seed(&app, store.as_ref()).await?;
        let record = app
            .audit_record(Change {
                action: "demo.seeded",
                actor: None,
                tenant: None,
                subject: None,
                facts: counts,
                personal: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.append_audit(&[record]).await?;
        passport::seed_passport(&app).await?;
        // The seed's offers are history: only what happens from now on is emailed.
        store.skip_notification_backlog().await?;
    }
    print_sign_ins();
    let mut notify = args.notify;
    if notify.smtp_url.is_none() && notify.mail_folder.is_none() {
        // With no mail server named, the demo's email goes to a folder beside its database.
        let folder = args
            .file
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(MAIL_FOLDER);
        println!("Email the demo sends is written to {}/", folder.display());
        notify.mail_folder = Some(folder);
    }
    let serve_args = ServeArgs {
        database_url: url,
        replica_url: None,
        http: args.http,
        payroll: args.payroll,
        notify,
        ops: OpsArgs::default(),
        secure_cookies: false,
        tls_cert: None,
        tls_key: None,
        trusted_proxies: Vec::new(),
        master_key: key_text,
        push_contact: None,
        // Signed heads also go to a file beside the database, as a witness would keep them.
        heads_file: Some(args.file.with_extension("heads.jsonl")),
    };
    serve(app, &serve_args).await
}

/// Seeds everything; returns the counts, recorded in the ledger as one `demo.seeded` entry.
async fn seed(app: &App, store: &dyn Store) -> anyhow::Result<serde_json::Value> {
    let mut rng = StdRng::seed_from_u64(2026);
    let world = organisations::seed_organisations(store).await?;
    staff::seed_staff(store, &world).await?;
    let workers = workers::seed_workers(store, &world, &mut rng).await?;
    let (shifts, bookings) = shifts::seed_shifts(store, &world, &workers, &mut rng).await?;
    let history = outlook::seed_outlook(store, &world, &workers).await?;
    if let Some(demo_worker) = workers.first() {
        shifts::seed_worked_shift(store, &world, demo_worker).await?;
        pay_history::seed_pay_history(app, &world, demo_worker).await?;
    }
    Ok(
        serde_json::json!({"organisations": world.orgs.len(), "workers": workers.len(),
        "shifts": shifts, "bookings": bookings, "past_shifts": history}),
    )
}

fn print_sign_ins() {
    println!("\nDemo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (email, scope, role) in staff::STAFF {
        let role = match scope {
            "ward" => format!("{role} (one ward)"),
            _ => role.to_owned(),
        };
        println!("  {role:<20} {email}");
    }
    println!("  {:<20} {WORKER_EMAIL}", "bank worker");
    println!();
}

fn label(s: &str) -> anyhow::Result<Label> {
    Label::parse(s, 200).map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

fn email(s: &str) -> anyhow::Result<Email> {
    Email::parse(s).map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

fn id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_demo_key_is_readable_by_its_owner_alone() {
        let dir = std::env::temp_dir().join(format!("staffbank-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.sqlite");
        let key = super::demo_master_key(&db).unwrap();
        let path = db.with_extension("key");
        assert_eq!(mode(&path), 0o600);
        // A key an earlier version left readable by all is kept, and closed up.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(super::demo_master_key(&db).unwrap(), key);
        assert_eq!(mode(&path), 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
