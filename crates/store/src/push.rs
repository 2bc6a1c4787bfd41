//! Web Push subscriptions: the browsers a user (a worker, a ward manager) asked to be alerted on.

use chrono::{DateTime, Utc};
use staffbank_domain::UserId;
use uuid::Uuid;

/// One browser's push subscription, as `PushManager.subscribe` gave it, with how sending to it
/// has gone lately so that an operator can see dead ones.
#[derive(Debug, Clone, PartialEq)]
pub struct PushSubscription {
    /// Ours, for its owner to name it when turning it off.
    pub id: Uuid,
    /// Whose browser it is: the signed-in user who turned alerts on in it.
    pub user: UserId,
    /// The push service URL; unique, since it names one browser profile.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's authentication secret, base64url.
    pub auth: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When a message last reached the push service.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When sending last failed.
    pub last_failure_at: Option<DateTime<Utc>>,
}
