//! Notifications delivered from the outbox: the channels, a delivery as a deliverer claims it,
//! and a dead letter as the bank office sees it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::{OutboxEvent, StoreError};

/// How a message reaches a person. Email is delivered today; push is a choice workers can store
/// now, delivered once Web Push is built (a deliverer for it plugs in beside email's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email over SMTP.
    Email,
    /// Web Push to the worker's device.
    Push,
}

impl Channel {
    /// The channel as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Push => "push",
        }
    }

    /// The channel a stored name gives, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "email" => Some(Self::Email),
            "push" => Some(Self::Push),
            _ => None,
        }
    }
}

/// One message for one recipient on one channel, claimed by a deliverer under a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Identity.
    pub id: Uuid,
    /// The outbox event it carries; its id is the message's idempotency key.
    pub event: OutboxEvent,
    /// The channel.
    pub channel: Channel,
    /// Where it goes: an email address for email.
    pub recipient: String,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// A delivery given up on after too many failures, for the bank office to see and try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The delivery.
    pub delivery: Delivery,
    /// The trust whose worker or ward it was for.
    pub org_id: Option<OrgId>,
    /// What went wrong the last time.
    pub last_error: String,
    /// When it was given up on.
    pub failed_at: DateTime<Utc>,
}

/// What the notification deliverer reads and writes.
#[async_trait]
pub trait NotifyStore: Send + Sync + 'static {
    /// Fans outbox events out into deliveries (one per recipient and channel: the worker an event
    /// is for, or a ward's managers for an escalation), then moves the cursor past events older
    /// than `settled` (no transaction can still commit an earlier position). Repeating it adds
    /// nothing. How many deliveries were added.
    async fn fan_out(
        &self,
        now: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> Result<usize, StoreError>;

    /// Claims up to `limit` deliveries due at `now` whose lease (if any) has run out and that no
    /// earlier pending message to the same recipient is waiting ahead of, leasing them until
    /// `lease_until`; oldest first.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Records a delivery sent (the receiving server accepted it). False if it was not pending.
    async fn mark_sent(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Records a failed attempt: tried again at `retry_at`, or dead-lettered when `None`.
    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The dead letters of a trust's workers and wards, newest first.
    async fn dead_letters(&self, org: OrgId, limit: u32) -> Result<Vec<DeadLetter>, StoreError>;

    /// Queues a trust's dead letter again at `now` with its attempts reset. False if there is no
    /// such dead letter of that trust.
    async fn retry_dead_letter(
        &self,
        org: OrgId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Moves a pending delivery's lease to `lease_until` (what a crash leaves behind once it runs
    /// out). For tests and operators; false if it was not pending.
    async fn set_lease(
        &self,
        id: Uuid,
        lease_until: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;

    /// A delivery's status (`pending`, `sent`, `dead`) and attempts, for tests and operators.
    async fn delivery_status(&self, id: Uuid) -> Result<Option<(String, i32)>, StoreError>;

    /// A worker's chosen channels as (email, push); `None` until they choose (email only).
    async fn notification_settings(
        &self,
        worker: staffbank_domain::WorkerId,
    ) -> Result<Option<(bool, bool)>, StoreError>;

    /// Records a worker's chosen channels.
    async fn set_notification_settings(
        &self,
        worker: staffbank_domain::WorkerId,
        email: bool,
        push: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The deliveries of one outbox event.
    async fn deliveries_of(&self, event: Uuid) -> Result<Vec<Delivery>, StoreError>;
}
