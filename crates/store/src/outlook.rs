//! What a trust's forecasts and retention signals read (its bank's workers, its shifts, the
//! offers and bookings on them), and the nudges its bank office sends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::{OrgId, ShiftId, UserId, WardId, WorkerId};
use uuid::Uuid;

use crate::{AuditRecord, OutboxEvent, Shift, StoreError};

/// A booking on one of the trust's shifts, cancelled ones included.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustBooking {
    /// The shift.
    pub shift_id: ShiftId,
    /// Its ward.
    pub ward_id: WardId,
    /// Who booked.
    pub worker_id: WorkerId,
    /// When they booked.
    pub booked_at: DateTime<Utc>,
    /// Whether it still stands.
    pub active: bool,
}

/// An offer of one of the trust's shifts and whether the worker took it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustOffer {
    /// To whom.
    pub worker_id: WorkerId,
    /// Which shift.
    pub shift_id: ShiftId,
    /// When.
    pub offered_at: DateTime<Utc>,
    /// Whether they booked that shift (even if cancelled since).
    pub booked: bool,
}

/// A nudge the bank office sent a worker whose activity was falling.
#[derive(Debug, Clone, PartialEq)]
pub struct Nudge {
    /// Identity.
    pub id: Uuid,
    /// The trust.
    pub org_id: OrgId,
    /// The worker.
    pub worker_id: WorkerId,
    /// `shifts` (a guaranteed block offered) or `message`.
    pub kind: String,
    /// The message sent, if any.
    pub message: Option<String>,
    /// The shifts offered, if any.
    pub shifts: Vec<ShiftId>,
    /// Who sent it.
    pub sent_by: UserId,
    /// When.
    pub sent_at: DateTime<Utc>,
}

/// Reads for forecasts and retention, and the nudge record.
#[async_trait]
pub trait OutlookStore: Send + Sync + 'static {
    /// Workers who are members of any bank the trust belongs to.
    async fn bank_worker_ids(&self, org: OrgId) -> Result<Vec<WorkerId>, StoreError>;

    /// The trust's shifts starting in `[from, to)`, cancelled ones included, by start.
    async fn trust_shifts_between(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Shift>, StoreError>;

    /// Bookings on the trust's shifts that were made or that start at or after `since`.
    async fn trust_bookings_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TrustBooking>, StoreError>;

    /// Offers of the trust's shifts made at or after `since`.
    async fn trust_offers_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TrustOffer>, StoreError>;

    /// Records a nudge with the outbox event carrying its message, if any, and its audit.
    async fn record_nudge(
        &self,
        nudge: &Nudge,
        event: Option<&OutboxEvent>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// The trust's nudges, newest first.
    async fn nudges(&self, org: OrgId) -> Result<Vec<Nudge>, StoreError>;
}
