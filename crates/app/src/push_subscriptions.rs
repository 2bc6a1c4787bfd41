//! A user's Web Push subscriptions (a worker's, for offers; a ward manager's, for escalations),
//! and sending an alert to every browser they subscribed.
//!
//! The notification engine calls [`App::send_push`] with a worker (or
//! [`App::send_push_to_user`] with a ward manager) and a message; this module
//! finds their browsers, sends through [`WebPush`], forgets subscriptions the push service says
//! are gone and tells the caller whether to try again later.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::{UserId, WorkerId};
use staffbank_store::PushSubscription;
use uuid::Uuid;

use crate::audit::Change;
use crate::push::{PushError, PushMessage, PushOutcome, PushTarget, Urgency, WebPush};
use crate::{App, AppError, Principal};

/// How long a push service keeps an undelivered alert for an offline device: a day, after
/// which a shift alert is stale.
const ALERT_TTL: Duration = Duration::from_secs(24 * 3600);

/// How this process pushes: who push services may contact, and whether plain-http loopback
/// endpoints are accepted (only for tests, which run their own push endpoint).
#[derive(Debug, Default)]
pub struct PushSettings {
    /// A `mailto:` or https contact for push services (RFC 8292 §2.1); the public URL if unset.
    pub contact: Option<String>,
    /// Accept `http://127.0.0.1` endpoints. Never in production: push needs TLS.
    pub allow_loopback_http: bool,
    sender: OnceLock<Result<WebPush, String>>,
}

impl PushSettings {
    /// Settings with a contact and the loopback allowance.
    pub fn new(contact: Option<String>, allow_loopback_http: bool) -> Self {
        Self {
            contact,
            allow_loopback_http,
            sender: OnceLock::new(),
        }
    }
}

/// What a browser sends after `PushManager.subscribe`: `subscription.toJSON()` flattened.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPushSubscription {
    /// The push service URL (https).
    pub endpoint: String,
    /// The browser's P-256 public key, base64url (`keys.p256dh`).
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url (`keys.auth`).
    pub auth: String,
}

/// A subscription as its owner sees it: no keys, which are the browser's business.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PushSubscriptionView {
    /// Its id, to turn it off with.
    pub id: Uuid,
    /// The push service URL, which the page compares with the browser's own.
    pub endpoint: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When an alert last reached the push service.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When sending last failed.
    pub last_failure_at: Option<DateTime<Utc>>,
}

impl From<PushSubscription> for PushSubscriptionView {
    fn from(s: PushSubscription) -> Self {
        Self {
            id: s.id,
            endpoint: s.endpoint,
            created_at: s.created_at,
            last_success_at: s.last_success_at,
            last_failure_at: s.last_failure_at,
        }
    }
}

/// What happened to one alert sent to one worker, for the notification engine's records.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Browsers whose push service accepted it.
    pub delivered: usize,
    /// Subscriptions found gone and deleted.
    pub gone: usize,
    /// Browsers that failed for good (refused, unusable subscription).
    pub failed: usize,
    /// Set when at least one browser should be tried again, with the longest wait asked for.
    pub retry_after: Option<Duration>,
    /// Whether any browser asked for a retry.
    pub retry: bool,
}

impl App {
    /// Sets how this process pushes (see [`PushSettings`]).
    pub fn with_push_settings(mut self, settings: PushSettings) -> Self {
        self.push = Arc::new(settings);
        self
    }

    /// The Web Push sender, built once from the master key.
    pub fn web_push(&self) -> Result<&WebPush, AppError> {
        let contact = self
            .push
            .contact
            .clone()
            .unwrap_or_else(|| self.public_url().to_owned());
        self.push
            .sender
            .get_or_init(|| WebPush::new(&self.master, &contact).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("web push key: {e}")))
    }

    /// The public VAPID key browsers subscribe with; public by design.
    pub fn push_public_key(&self) -> Result<String, AppError> {
        Ok(self.web_push()?.public_key().to_owned())
    }

    /// The signed-in user's subscribed browsers.
    pub async fn my_push_subscriptions(
        &self,
        who: &Principal,
    ) -> Result<Vec<PushSubscriptionView>, AppError> {
        Ok(self
            .store
            .push_subscriptions(who.user.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Subscribes a browser of the signed-in user (any user: workers are alerted of offers,
    /// ward managers of escalations); the same browser subscribing again replaces its old
    /// subscription.
    pub async fn add_push_subscription(
        &self,
        who: &Principal,
        input: NewPushSubscription,
    ) -> Result<PushSubscriptionView, AppError> {
        let worker = who.worker.as_ref().map(|w| w.id);
        let target = PushTarget::parse(
            &input.endpoint,
            &input.p256dh,
            &input.auth,
            self.push.allow_loopback_http,
        )
        .map_err(|e| AppError::field(e.field(), e))?;
        let record = self
            .audit_record(Change {
                action: "worker.push_subscribed",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(who.user.id),
                facts: json!({"worker": worker, "user": who.user.id}),
                personal: None,
            })
            .await?;
        let stored = self
            .store
            .save_push_subscription(
                &PushSubscription {
                    id: Uuid::now_v7(),
                    user: who.user.id,
                    endpoint: target.endpoint,
                    p256dh: target.p256dh,
                    auth: target.auth,
                    created_at: self.now(),
                    last_success_at: None,
                    last_failure_at: None,
                },
                &[record],
            )
            .await?;
        Ok(stored.into())
    }

    /// Turns off one of the signed-in user's browsers; anyone else's id is not found.
    pub async fn remove_push_subscription(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<(), AppError> {
        let worker = who.worker.as_ref().map(|w| w.id);
        let record = self
            .audit_record(Change {
                action: "worker.push_unsubscribed",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(who.user.id),
                facts: json!({"worker": worker, "user": who.user.id, "subscription": id}),
                personal: None,
            })
            .await?;
        if self
            .store
            .delete_push_subscription(who.user.id, id, &[record])
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Sends `message` to every browser `worker` subscribed. Gone subscriptions are deleted;
    /// the report says whether to try again later. Resending the same message (same id) is
    /// harmless: the device shows one alert per id.
    pub async fn send_push(
        &self,
        worker: WorkerId,
        message: &PushMessage,
        urgency: Urgency,
    ) -> Result<PushReport, AppError> {
        let Some(worker) = self.store.worker(worker).await? else {
            return Ok(PushReport::default());
        };
        self.send_push_to_user(worker.user_id, message, urgency)
            .await
    }

    /// Sends `message` to every browser `user` subscribed (a ward manager's escalation), as
    /// [`App::send_push`] does for a worker.
    pub async fn send_push_to_user(
        &self,
        user: UserId,
        message: &PushMessage,
        urgency: Urgency,
    ) -> Result<PushReport, AppError> {
        let sender = self.web_push()?;
        let mut report = PushReport::default();
        for subscription in self.store.push_subscriptions(user).await? {
            let target = PushTarget {
                endpoint: subscription.endpoint.clone(),
                p256dh: subscription.p256dh.clone(),
                auth: subscription.auth.clone(),
            };
            let outcome = sender.send(&target, message, urgency, ALERT_TTL).await;
            let delivered = matches!(outcome, Ok(PushOutcome::Delivered));
            match outcome {
                Ok(PushOutcome::Delivered) => report.delivered += 1,
                Ok(PushOutcome::Gone) => {
                    self.store
                        .delete_push_subscription(user, subscription.id, &[])
                        .await?;
                    report.gone += 1;
                    continue;
                }
                Ok(PushOutcome::RetryLater { after }) => {
                    report.retry = true;
                    report.retry_after = report.retry_after.max(after);
                }
                Err(PushError::Unreachable(_)) => report.retry = true,
                Ok(PushOutcome::Refused { .. }) | Err(_) => report.failed += 1,
            }
            self.store
                .record_push_attempt(subscription.id, self.now(), delivered)
                .await?;
        }
        Ok(report)
    }
}
