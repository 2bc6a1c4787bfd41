//! What the store keeps for other systems that follow the ledger: where each reader of the event
//! feed has got to, and the webhook subscribers a trust registers with their delivery state.
//!
//! The feed is the ledger itself, in index order: nothing is copied, so an event exists exactly
//! when its entry has been sequenced.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::{AuditRecord, LedgerEntry, StoreError};

/// A trust's webhook subscriber and how far its deliveries have got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Identity.
    pub id: Uuid,
    /// The trust whose events it receives, and only those.
    pub org_id: OrgId,
    /// Where events are posted (`https://` or `http://`).
    pub url: String,
    /// The ledger actions it wants (e.g. `booking.made`).
    pub actions: Vec<String>,
    /// The shared secret its deliveries are signed with.
    pub secret: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// The ledger index of the next event to consider: everything before it has been delivered
    /// or was not wanted.
    pub next_seq: u64,
    /// Failed attempts at the event at `next_seq`.
    pub attempts: u32,
    /// When the next attempt is due; `None` means now.
    pub retry_at: Option<DateTime<Utc>>,
    /// What went wrong with the last attempt.
    pub last_error: Option<String>,
    /// When delivery gave up on the event at `next_seq` (dead-lettered) until someone tries again.
    pub dead_at: Option<DateTime<Utc>>,
}

/// What changes after one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Delivered (or not wanted) up to here: the next index to consider.
    Advanced {
        /// The next ledger index.
        next_seq: u64,
    },
    /// The attempt failed.
    Failed {
        /// Failed attempts so far at this event.
        attempts: u32,
        /// When to try again.
        retry_at: DateTime<Utc>,
        /// What went wrong.
        error: String,
        /// Set when delivery gives up.
        dead_at: Option<DateTime<Utc>>,
    },
}

/// The event feed's cursors and webhook subscribers.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Sequenced entries with indexes from `from` up to (not including) `until`, in ledger order;
    /// only `tenant`'s when given. Reading up to a size read beforehand lets a reader that finds
    /// fewer than `limit` move its cursor to `until`.
    async fn feed(
        &self,
        from: u64,
        until: u64,
        tenant: Option<OrgId>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError>;

    /// The next index a named reader of the feed has to publish (0 if it has never started).
    async fn feed_cursor(&self, name: &str) -> Result<u64, StoreError>;

    /// Moves a named reader's cursor (written only after what came before it was acknowledged).
    async fn set_feed_cursor(&self, name: &str, next: u64) -> Result<(), StoreError>;

    /// Registers a subscriber, with its audit entries.
    async fn add_webhook(&self, hook: &Webhook, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// A trust's subscribers, oldest first.
    async fn webhooks(&self, org: OrgId) -> Result<Vec<Webhook>, StoreError>;

    /// One of a trust's subscribers; `None` for another trust's.
    async fn webhook(&self, org: OrgId, id: Uuid) -> Result<Option<Webhook>, StoreError>;

    /// Removes one of a trust's subscribers, with its audit entries; `NotFound` for another
    /// trust's.
    async fn remove_webhook(
        &self,
        org: OrgId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Subscribers with an attempt due at `now` and not dead-lettered.
    async fn due_webhooks(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError>;

    /// Records an attempt's outcome, if the subscriber is still at `at_seq` (so a slower process
    /// never moves it back); whether it was recorded.
    async fn record_delivery(
        &self,
        id: Uuid,
        at_seq: u64,
        outcome: &DeliveryOutcome,
    ) -> Result<bool, StoreError>;

    /// Brings a dead-lettered subscriber of the trust back to try again at once, with its audit
    /// entries; `NotFound` for another trust's.
    async fn retry_webhook(
        &self,
        org: OrgId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;
}
