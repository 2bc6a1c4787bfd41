//! Sign-on at the ward and escalations to the ward manager, as the store keeps them.

use chrono::{DateTime, Utc};
use staffbank_domain::{BookingId, OrgId, UserId, WardId, WorkerId};
use uuid::Uuid;

/// A one-time challenge the ward's device shows for one booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOnChallenge {
    /// Identity (in the QR code).
    pub id: Uuid,
    /// The booking whose worker is expected.
    pub booking_id: BookingId,
    /// The trust.
    pub org_id: OrgId,
    /// The ward.
    pub ward_id: WardId,
    /// The random value the wallet signs.
    pub nonce: String,
    /// Who showed it (the ward manager's device).
    pub created_by: UserId,
    /// When it stops being good.
    pub expires_at: DateTime<Utc>,
    /// When it was used, once it has been.
    pub used_at: Option<DateTime<Utc>>,
}

/// A booking signed on (and later off) at the ward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOn {
    /// The booking.
    pub booking_id: BookingId,
    /// The booked worker, proven present.
    pub worker_id: WorkerId,
    /// The trust.
    pub org_id: OrgId,
    /// The ward.
    pub ward_id: WardId,
    /// `wallet` or `smartcard`.
    pub method: String,
    /// When they signed on.
    pub signed_on_at: DateTime<Utc>,
    /// When they signed off, once they have.
    pub signed_off_at: Option<DateTime<Utc>>,
}

/// Something about a booking that needs the ward manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// Identity.
    pub id: Uuid,
    /// The booking.
    pub booking_id: BookingId,
    /// The trust.
    pub org_id: OrgId,
    /// The ward.
    pub ward_id: WardId,
    /// `not_booked_worker` (someone else tried to sign on: the shift is unfulfilled),
    /// `no_show` (not signed on by the grace period) or `timesheet_waiting`.
    pub kind: String,
    /// What happened, for the ward manager.
    pub detail: String,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// How the ward manager closed it, once they have.
    pub resolution: Option<Resolution>,
}

/// How an escalation was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The ward manager.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done.
    pub note: String,
}
