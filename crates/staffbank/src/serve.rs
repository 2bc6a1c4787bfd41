//! Configuration, telemetry, choosing the backend from the database URL, and serving.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use staffbank_app::{App, SystemClock};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::Store;
use staffbank_store_postgres::PgStore;
use staffbank_store_sqlite::SqliteStore;
use staffbank_web::WebConfig;

/// Where the server listens and finds the UI's styles (shared by `serve` and `demo`).
#[derive(clap::Args, Clone)]
pub struct HttpArgs {
    /// Address to listen on.
    #[arg(long, env = "STAFFBANK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A folder served at `/assets/nhsuk` instead of the NHS.UK frontend built into the binary
    /// (e.g. a build of it that carries the licensed NHS fonts).
    #[arg(long, env = "STAFFBANK_ASSETS")]
    pub assets: Option<PathBuf>,
    /// The address people and other systems reach this platform at (e.g.
    /// `https://staffbank.example.nhs.uk`); issuer identifiers and key addresses are built on it.
    /// Defaults to the listening address (`https://` when serving TLS itself).
    #[arg(long, env = "STAFFBANK_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl HttpArgs {
    /// The public base URL, configured or derived from the address the server is bound to (so
    /// listening on port 0 gives the port actually chosen, which the sign-on codes lead to).
    pub fn public_url(&self, bound: SocketAddr, scheme: &str) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{bound}"))
    }
}

/// Where closed pay runs' payroll files go (shared by `serve`, `demo` and `export-payroll`).
#[derive(clap::Args, Clone)]
pub struct PayrollArgs {
    /// The directory payroll files are delivered to (created if missing).
    #[arg(long, env = "STAFFBANK_PAYROLL_DIR", default_value = "payroll-exports")]
    pub payroll_dir: PathBuf,
    /// NATS server (e.g. `nats://127.0.0.1:4222`): each delivered file is also announced on
    /// JetStream, and every ledgered change is published there as a CloudEvent. Leave out to
    /// deliver files only.
    #[arg(long, env = "STAFFBANK_NATS_URL")]
    pub nats_url: Option<String>,
}

impl PayrollArgs {
    /// The export target these options name.
    pub async fn target(&self) -> anyhow::Result<staffbank_app::exports::ExportTarget> {
        staffbank_app::exports::ExportTarget::connect(
            self.payroll_dir.clone(),
            self.nats_url.as_deref(),
        )
        .await
        .with_context(|| format!("payroll exports to {}", self.payroll_dir.display()))
    }
}

/// Where notifications are sent (shared by `serve` and `demo`).
#[derive(clap::Args, Clone)]
pub struct NotifyArgs {
    /// SMTP server for email notifications: `smtp://host:25` (plain, e.g. a local relay),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://host:465`. Leave out
    /// to send no email (messages wait in the outbox until a server is configured).
    #[arg(long, env = "STAFFBANK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The address email notifications come from.
    #[arg(
        long,
        env = "STAFFBANK_SMTP_FROM",
        default_value = "Staffbank <no-reply@staffbank.invalid>"
    )]
    pub smtp_from: String,
    /// Instead of an SMTP server, write each email as an `.eml` file in this folder (the demo
    /// uses `staffbank-demo-mail`), to see what the platform sends without a mail server.
    #[arg(long, env = "STAFFBANK_MAIL_FOLDER", conflicts_with = "smtp_url")]
    pub mail_folder: Option<std::path::PathBuf>,
}

impl NotifyArgs {
    /// The notifier these options name, if email is configured.
    pub fn notifier(&self) -> anyhow::Result<Option<staffbank_app::notify::Notifier>> {
        use staffbank_app::notify::Mailer;
        let mailer = match (&self.smtp_url, &self.mail_folder) {
            (Some(url), _) => Mailer::new(url, &self.smtp_from)?,
            (None, Some(folder)) => Mailer::to_folder(folder.clone(), &self.smtp_from)?,
            (None, None) => return Ok(None),
        };
        Ok(Some(staffbank_app::notify::Notifier {
            mailer,
            policy: staffbank_app::notify::RetryPolicy::default(),
        }))
    }
}

/// Running the server as a service: metrics, traces and shutdown (shared by `serve` and `demo`).
#[derive(clap::Args, Clone)]
pub struct OpsArgs {
    /// Serve Prometheus metrics at `/metrics` to scrapers that send this bearer token (at
    /// least 16 characters). Without it there is no `/metrics` and nothing is recorded.
    #[arg(long, env = "STAFFBANK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish, and then how long
    /// the background work may take to finish its current step, before the server exits.
    #[arg(long, env = "STAFFBANK_SHUTDOWN_GRACE_SECONDS", default_value_t = DEFAULT_GRACE_SECONDS)]
    pub shutdown_grace_seconds: u64,
    /// Export traces to this OpenTelemetry collector over OTLP/HTTP (its base URL, e.g.
    /// `http://otel-collector:4318`; spans go to `/v1/traces`). Unset, no traces are made.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
}

/// The default shutdown grace: well inside the 30 s Kubernetes and Docker give before SIGKILL
/// when the two phases are short, and bounded when they are not.
pub const DEFAULT_GRACE_SECONDS: u64 = 30;

impl Default for OpsArgs {
    fn default() -> Self {
        Self {
            metrics_token: None,
            shutdown_grace_seconds: DEFAULT_GRACE_SECONDS,
            otlp_endpoint: None,
        }
    }
}

impl OpsArgs {
    /// The `/metrics` endpoint these options enable, with the recorder installed and kept
    /// tidy; `None` when metrics are off.
    fn metrics(&self) -> anyhow::Result<Option<staffbank_web::metrics::MetricsEndpoint>> {
        let Some(token) = &self.metrics_token else {
            return Ok(None);
        };
        let handle = staffbank_web::metrics::recorder()?;
        let upkeep = handle.clone();
        // Histograms gather samples until drained: drain them even when nobody scrapes.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                upkeep.run_upkeep();
            }
        });
        Ok(Some(staffbank_web::metrics::MetricsEndpoint {
            handle,
            token: token.clone(),
        }))
    }
}

/// Options of `staffbank serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// `sqlite://path` or `postgres://...`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// A PostgreSQL streaming replica of the database (`postgres://...`): "shifts I can book",
    /// ranked candidates and the dashboards are read there while it is no more than
    /// five seconds behind; every write, and every check a booking makes, stays on the primary.
    #[arg(long, env = "STAFFBANK_REPLICA_URL", hide_env_values = true)]
    pub replica_url: Option<String>,
    /// Listening and assets.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Payroll file delivery.
    #[command(flatten)]
    pub payroll: PayrollArgs,
    /// Email notifications.
    #[command(flatten)]
    pub notify: NotifyArgs,
    /// Metrics, traces and shutdown.
    #[command(flatten)]
    pub ops: OpsArgs,
    /// Mark cookies Secure (set when served over HTTPS; implied by --tls-cert).
    #[arg(long, env = "STAFFBANK_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Serve HTTPS itself, with this PEM certificate chain (the server's own certificate first)
    /// and --tls-key, rather than behind a proxy that ends TLS. Cookies are then Secure.
    #[arg(long, env = "STAFFBANK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert's certificate (keep it readable by this user only).
    #[arg(long, env = "STAFFBANK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The address of a reverse proxy in front of the server, trusted to name the client in
    /// `X-Forwarded-For` (repeat, or comma-separate in the variable, for several). Without it
    /// every client behind the proxy would share the proxy's limit on refused sign-ins.
    #[arg(
        long = "trusted-proxy",
        env = "STAFFBANK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The master key: 32 random bytes, base64. It wraps people's data keys and derives the key
    /// that signs ledger tree heads, so keep it secret and never lose it.
    #[arg(long, env = "STAFFBANK_MASTER_KEY", hide_env_values = true)]
    pub master_key: String,
    /// Who push services may contact about this platform's Web Push traffic (RFC 8292): a
    /// `mailto:` address or https URL; the public URL if unset.
    #[arg(long, env = "STAFFBANK_PUSH_CONTACT")]
    pub push_contact: Option<String>,
    /// A file every tree head this server signs is appended to, one JSON line each, for a
    /// witness to copy where the database's administrator cannot rewrite it.
    #[arg(long, env = "STAFFBANK_HEADS_FILE")]
    pub heads_file: Option<std::path::PathBuf>,
}

/// The tree-head verifying key: given in base64, or derived from STAFFBANK_MASTER_KEY.
pub fn verifying_key(public_key: Option<&str>) -> anyhow::Result<ed25519_dalek::VerifyingKey> {
    use base64::Engine;
    match public_key {
        Some(text) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .context("--public-key is not base64")?;
            let bytes: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| anyhow::anyhow!("--public-key must be 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .context("--public-key is not an Ed25519 key")
        }
        None => {
            let text = std::env::var("STAFFBANK_MASTER_KEY")
                .map_err(|_| anyhow::anyhow!("give --public-key or set STAFFBANK_MASTER_KEY"))?;
            Ok(master_key(&text)?.signing_key().verifying_key())
        }
    }
}

/// Parses the master key.
pub fn master_key(text: &str) -> anyhow::Result<MasterKey> {
    MasterKey::from_base64(text).map_err(|e| anyhow::anyhow!("STAFFBANK_MASTER_KEY: {e}"))
}

/// Opens the backend the URL names, migrating it.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
    }
}

/// Opens a PostgreSQL primary, migrating it, with a streaming replica for the reads that may lag.
pub async fn open_with_replica(url: &str, replica: &str) -> anyhow::Result<Arc<dyn Store>> {
    anyhow::ensure!(
        url.starts_with("postgres://") || url.starts_with("postgresql://"),
        "STAFFBANK_REPLICA_URL is for PostgreSQL: DATABASE_URL must be postgres://"
    );
    let store = PgStore::connect(url)
        .await?
        .with_replica(replica, staffbank_store_postgres::REPLICA_MAX_LAG)?;
    Ok(Arc::new(store))
}

/// Serves until Ctrl-C or SIGTERM, with the ledger's sequencer, the offers releaser, the
/// payroll exporter, the sign-on and timesheet sweeps, the notification deliverer, webhook
/// deliveries and (with NATS configured) the event publisher running beside the server.
///
/// On the signal it stops accepting connections, lets requests in flight finish (for up to
/// the grace period), then asks the background work to stop after its current step (again
/// bounded by the grace period), and returns so the process exits 0.
pub async fn serve(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    // Read before listening, so a wrong file is named before anyone can connect.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key)?),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let listener = tokio::net::TcpListener::bind(args.http.listen)
        .await
        .with_context(|| format!("Failed to listen on {}", args.http.listen))?;
    let address = listener.local_addr()?;
    let mut app = app
        .with_public_url(&args.http.public_url(address, scheme))
        .with_export_target(args.payroll.target().await?)
        .with_push_settings(staffbank_app::push_subscriptions::PushSettings::new(
            args.push_contact.clone(),
            false,
        ));
    if let Some(notifier) = args.notify.notifier()? {
        app = app.with_notifier(notifier);
    }
    if let Some(path) = &args.heads_file {
        app = app.with_heads_file(path.clone());
    }
    let mut background = tokio::task::JoinSet::new();
    background.spawn(app.clone().run_sequencer());
    background.spawn(app.clone().run_offers());
    background.spawn(app.clone().run_exports());
    background.spawn(app.clone().run_sweeps());
    background.spawn(app.clone().run_notifications());
    background.spawn(app.clone().run_webhooks());
    if let Some(url) = &args.payroll.nats_url {
        use staffbank_app::event_publisher::{EventPublisher, STREAM, SUBJECT_PREFIX};
        let publisher = EventPublisher::connect(url, STREAM, SUBJECT_PREFIX)
            .await
            .with_context(|| format!("publishing events to NATS at {url}"))?;
        background.spawn(app.clone().run_event_publisher(publisher));
    }
    let router = staffbank_web::router(
        app.clone(),
        WebConfig {
            nhsuk_assets: args.http.assets.clone(),
            secure_cookies: args.secure_cookies || tls.is_some(),
            trusted_proxies: args.trusted_proxies.clone(),
            metrics: args.ops.metrics()?,
        },
    );
    let stop = StopSignals::catch()?;
    tracing::info!(%address, "serving");
    println!("Staffbank is running at {scheme}://{address}/");
    let grace = std::time::Duration::from_secs(args.ops.shutdown_grace_seconds);
    let served = match tls {
        Some(config) => {
            let listener = crate::tls::TlsListener::new(listener, config)?;
            serve_until_stopped(listener, router, stop, grace).await
        }
        None => serve_until_stopped(listener, router, stop, grace).await,
    };
    app.stop_background();
    let finished = tokio::time::timeout(grace, async {
        while background.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!("background work still running after the grace period is cut off");
        background.abort_all();
    } else {
        tracing::info!("background work stopped");
    }
    served
}

/// Serves `router` on `listener` until a stop signal, then lets requests in flight finish for up
/// to `grace` before cutting them off.
async fn serve_until_stopped<L>(
    listener: L,
    router: axum::Router,
    stop: StopSignals,
    grace: std::time::Duration,
) -> anyhow::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    use axum::serve::ListenerExt;
    let (signalled, signal) = tokio::sync::oneshot::channel();
    let server = axum::serve(
        // An empty tap: the wrapper through which axum passes any listener's peer addresses to
        // `ConnectInfo` (which the sign-in limits need).
        listener.tap_io(|_| {}),
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.received().await;
        tracing::info!(
            grace_seconds = grace.as_secs(),
            "shutting down: no new connections, finishing requests in flight"
        );
        let _ = signalled.send(());
    });
    let deadline = async move {
        if signal.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server.into_future() => served.context("Server failed"),
        () = deadline => {
            tracing::warn!("requests still in flight after the grace period are cut off");
            Ok(())
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, caught from the moment this is made: made before the server
/// says it is running, so a stop sent as soon as it does is never missed (nor fatal).
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn catch() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("Failed to catch SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("Failed to catch SIGTERM")?,
        })
    }

    /// Resolves when either arrives.
    async fn received(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// `staffbank serve`: refuses unsafe configuration before touching the database.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    crate::config_checks::refuse_unsafe(&args)?;
    let store = match &args.replica_url {
        Some(replica) => open_with_replica(&args.database_url, replica).await?,
        None => open_store(&args.database_url).await?,
    };
    let app = App::new(store, Arc::new(SystemClock), master_key(&args.master_key)?);
    serve(app, &args).await
}
