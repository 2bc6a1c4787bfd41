//! Notifications delivered from the outbox: the channels, a delivery as a deliverer claims it,
//! and a dead letter as the bank office sees it.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::{Grade, OrgId, ShiftId, SiteId, WorkerId};
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

/// A worker's notification settings as stored: the channels that reach them and which offers
/// they want to hear about, so the deliverer can judge each offer at the moment it sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSettings {
    /// Email to their sign-in address.
    pub email: bool,
    /// Web Push to their subscribed browsers.
    pub push: bool,
    /// Alert only for shifts accepting one of these grades; `None` for all.
    pub grades: Option<Vec<Grade>>,
    /// Alert only for shifts at these sites; `None` for all.
    pub sites: Option<Vec<SiteId>>,
    /// Days, nights or either.
    pub shift_times: ShiftTimes,
    /// Quiet hours on the UK wall clock, (from, until); may span midnight.
    pub quiet: Option<(NaiveTime, NaiveTime)>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            email: true,
            push: false,
            grades: None,
            sites: None,
            shift_times: ShiftTimes::Any,
            quiet: None,
        }
    }
}

/// An offer a worker was alerted about whose shift has since been filled or cancelled: they are
/// told it is no longer available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoneOffer {
    /// The worker alerted.
    pub worker_id: WorkerId,
    /// The shift.
    pub shift_id: ShiftId,
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

    /// Moves the fan-out cursor past every outbox event written so far, so none of them is ever
    /// sent (for a freshly seeded demo, whose thousands of made-up offers are history, not news).
    async fn skip_notification_backlog(&self) -> Result<(), StoreError>;

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

    /// Puts a pending delivery off until `until` (quiet hours) and drops its lease, without
    /// counting an attempt. False if it was not pending.
    async fn defer_delivery(&self, id: Uuid, until: DateTime<Utc>) -> Result<bool, StoreError>;

    /// A worker's notification settings; `None` until they choose (email only, every offer).
    async fn notification_settings(
        &self,
        worker: WorkerId,
    ) -> Result<Option<AlertSettings>, StoreError>;

    /// Records a worker's notification settings, whole.
    async fn set_notification_settings(
        &self,
        worker: WorkerId,
        settings: &AlertSettings,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A ward manager's chosen channels for escalations as (email, push); `None` until they
    /// choose (email only).
    async fn escalation_channels(
        &self,
        user: staffbank_domain::UserId,
    ) -> Result<Option<(bool, bool)>, StoreError>;

    /// Records a ward manager's chosen channels for escalations.
    async fn set_escalation_channels(
        &self,
        user: staffbank_domain::UserId,
        email: bool,
        push: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records that a worker was alerted about an offer (a delivery of it was sent), so they are
    /// told if it is withdrawn. Repeating it keeps the first time.
    async fn mark_offer_alerted(
        &self,
        worker: WorkerId,
        shift: ShiftId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Up to `limit` offers whose worker was alerted and not yet told it was withdrawn, whose
    /// shift has since been filled or cancelled, and that the worker did not book themselves.
    /// Offers whose shift started by `now` are first settled without a message.
    async fn gone_offers(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GoneOffer>, StoreError>;

    /// Marks an offer withdrawn and writes `event` (its withdrawal message) in one transaction;
    /// false, writing nothing, if it was already withdrawn.
    async fn withdraw_offer(
        &self,
        offer: GoneOffer,
        event: &OutboxEvent,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The deliveries of one outbox event.
    async fn deliveries_of(&self, event: Uuid) -> Result<Vec<Delivery>, StoreError>;
}
