//! Staffbank's use cases.
//!
//! Each use case reads top to bottom: check who is asking and whether they may (authorisation and
//! tenancy live here and nowhere else), parse the input into domain types, decide with the domain,
//! persist with one atomic store call. Time comes from a [`Clock`] so tests control it.

pub mod admin;
pub mod agency_spend;
pub mod audit;
pub mod auth;
pub mod bank_tiers;
pub mod booker_words;
pub mod bookings;
pub mod cancellation_cost;
pub mod compliance;
pub mod confirmation;
pub mod credential_import;
pub mod credentials;
pub mod demand;
pub mod earnings;
pub mod equality;
mod error;
pub mod event_publisher;
pub mod events;
pub mod exports;
pub mod fairness;
pub mod fairness_banks;
pub mod fairness_weekly;
pub mod fhir;
pub mod forecasts;
pub mod insight;
mod insight_refresh;
mod issuer_views;
pub mod issuers;
pub mod ledger;
pub mod ledger_verify;
mod lookup;
pub mod matching;
pub mod measures;
pub mod notify;
pub mod offers;
pub mod oid4vci;
pub mod oid4vp;
pub mod oidc;
pub mod oidc_sign_in;
pub mod paging;
pub mod paper;
pub mod passport;
pub mod pay_estimate;
pub mod pay_points;
pub mod pay_run_views;
pub mod payroll;
pub mod preferences;
pub mod presentations;
mod principal;
pub mod push;
pub mod push_subscriptions;
pub mod rate_cards;
pub mod refreshers;
pub mod release;
pub mod requests;
pub mod retention;
pub mod roster;
pub mod sequencer;
pub mod shift_import;
pub mod shifts;
pub mod sign_in_guard;
pub mod sign_on;
mod stopping;
mod suitability;
pub mod sweeps;
pub mod timesheet_review;
pub mod timesheets;
pub mod trust_shift_list;
pub mod views;
pub mod wards;
pub mod webhook_delivery;
pub mod webhook_signature;
pub mod webhooks;
pub mod withdraw_request;
pub mod worker_import;
pub mod worker_wards;
pub mod workers;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::Store;

pub use error::{AppError, FieldError};
pub use principal::Principal;
/// The conflicts an app call refuses with, each with its problem type's slug, status and title.
pub use staffbank_store::Conflict;

/// The public base URL until one is configured: the embedded default's own address.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

/// Where use cases get the time; a parameter so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The application: the store and the clock every use case runs against.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    master: Arc<MasterKey>,
    /// This process's identity as a ledger sequencer (see [`sequencer`]).
    sequencer_id: uuid::Uuid,
    /// Wrapped data keys recently used for sealing.
    sealing_keys: Arc<audit::SealingKeys>,
    /// Names for views, shared by every request in the process.
    names: lookup::Names,
    /// Each issuer's last signed status list, reused while its contents are unchanged.
    status_lists: Arc<passport::SignedLists>,
    /// Status lists that passed their checks, for verifying presentations.
    checked_lists: Arc<presentations::CheckedLists>,
    /// Issuers as verifiers see them, kept for a moment (see `issuer_views`).
    issuer_views: Arc<issuer_views::IssuerViews>,
    /// The platform's public base URL, without a trailing slash: issuer identifiers and the
    /// addresses verifiers fetch keys and status lists from are built on it.
    public_url: Arc<str>,
    /// Where closed pay runs' files are delivered; none in processes that do not export.
    export_target: Option<Arc<exports::ExportTarget>>,
    /// Wakes the exporter when a run closes.
    exports_waiting: Arc<tokio::sync::Notify>,
    /// Where notifications are delivered; none in processes that do not deliver them.
    notifier: Option<Arc<notify::Notifier>>,
    /// Wakes the notification deliverer.
    notify_waiting: Arc<tokio::sync::Notify>,
    /// Posts webhook deliveries (one connection pool for the process).
    webhook_client: reqwest::Client,
    /// How Web Push is sent (see [`push_subscriptions`]).
    push: Arc<push_subscriptions::PushSettings>,
    /// What the sequencer found wrong with the stored ledger, and where it publishes heads.
    ledger_watch: Arc<sequencer::LedgerWatch>,
    /// Tells the background loops to stop (see [`stopping`]).
    stop: Arc<stopping::StopSignal>,
}

impl App {
    /// Builds the application over a store. The master key wraps people's data keys and derives
    /// the key that signs tree heads.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, master: MasterKey) -> Self {
        Self {
            store,
            clock,
            master: Arc::new(master),
            sequencer_id: uuid::Uuid::new_v4(),
            sealing_keys: Arc::default(),
            names: lookup::Names::default(),
            status_lists: Arc::default(),
            checked_lists: Arc::default(),
            issuer_views: Arc::default(),
            public_url: Arc::from(DEFAULT_PUBLIC_URL),
            export_target: None,
            exports_waiting: Arc::default(),
            notifier: None,
            notify_waiting: Arc::default(),
            webhook_client: webhook_delivery::client(),
            push: Arc::default(),
            ledger_watch: Arc::default(),
            stop: Arc::default(),
        }
    }

    /// Sets the public base URL (see [`DEFAULT_PUBLIC_URL`]); a trailing slash is dropped.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// Delivers closed pay runs' files to `target` (see [`exports`]).
    pub fn with_export_target(mut self, target: exports::ExportTarget) -> Self {
        self.export_target = Some(Arc::new(target));
        self
    }

    /// Appends every head this process signs to `path`, one JSON line each, so a witness can
    /// copy the heads somewhere the database's administrator cannot rewrite them.
    pub fn with_heads_file(mut self, path: std::path::PathBuf) -> Self {
        self.ledger_watch = Arc::new(sequencer::LedgerWatch::with_file(path));
        self
    }

    /// Delivers notifications from the outbox through `notifier` (see [`notify`]).
    pub fn with_notifier(mut self, notifier: notify::Notifier) -> Self {
        self.notifier = Some(Arc::new(notifier));
        self
    }

    /// The platform's public base URL, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// This process's sequencer identity (the lease holder name).
    pub fn sequencer_id(&self) -> uuid::Uuid {
        self.sequencer_id
    }

    /// The public key tree heads are signed with.
    pub fn ledger_public_key(&self) -> ed25519_dalek::VerifyingKey {
        self.master.signing_key().verifying_key()
    }

    /// The store, for the demo seeder and the benchmarks, which fill databases directly.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Whether the database answers and the sequencer has found nothing wrong with the stored
    /// ledger, for the readiness probe: one cheap read, open to anyone since it tells nothing
    /// about what is stored.
    pub async fn ready(&self) -> Result<(), AppError> {
        self.store.organisations().await?;
        if let Some(alarm) = self.ledger_watch.alarm() {
            return Err(AppError::Unexpected(anyhow::anyhow!("ledger: {alarm}")));
        }
        Ok(())
    }

    /// The current instant by the app's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
