//! The notification deliverer: carries outbox events to people, at least once and in order for
//! each recipient, surviving crashes.
//!
//! Each pass first fans new outbox events out into deliveries (one per event, channel and
//! recipient; see `NotifyStore::fan_out`), then claims due deliveries under a lease, sends them,
//! and marks each sent only once the receiving server accepted it. A process killed between
//! sending and marking leaves the lease to run out, and the next pass sends the same message
//! again with the same idempotency key (the event's id), so receivers can drop the repeat. A
//! failed attempt is tried again after an exponential backoff, capped; after the last allowed
//! attempt the delivery is dead-lettered for the bank office to see and try again. A recipient's
//! later message waits while an earlier one is still pending, so each person hears things in the
//! order they happened.
//!
//! Before fanning out, a pass writes a withdrawal for each offer a worker was alerted about whose
//! shift has since gone to someone else or been cancelled (`withdrawals`). At sending, a worker's
//! offer filters and quiet hours are applied (`filters`): an offer they did not ask for is done
//! with unsent, and an alert in their quiet hours waits for the end of them.

pub mod email;
pub mod escalation_channels;
pub mod filters;
pub mod settings;
pub mod undelivered;
pub mod withdrawals;
pub mod words;

use std::time::Duration;

use chrono::Duration as Span;
use staffbank_store::{Channel, Delivery};

use crate::{App, AppError};

pub use email::Mailer;

/// How often the deliverer looks for messages when nothing wakes it: short, so a ward manager
/// hears of an escalation well within a minute.
const TICK: Duration = Duration::from_secs(5);
/// Deliveries claimed per round.
const BATCH: u32 = 50;
/// How long after it was written an outbox event is settled: no transaction can still commit an
/// event at an earlier position, so the fan-out cursor may pass it.
const SETTLE: Span = Span::seconds(60);

/// When failed deliveries are tried again and when they are given up on.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; each later failure doubles it.
    pub first_wait: Span,
    /// The longest wait between attempts.
    pub max_wait: Span,
    /// Attempts in all before a delivery is dead-lettered.
    pub attempts: i32,
    /// How long a claimed delivery is held before another pass may send it again (a deliverer
    /// that died holding it).
    pub lease: Span,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_wait: Span::seconds(30),
            max_wait: Span::hours(1),
            attempts: 8,
            lease: Span::minutes(2),
        }
    }
}

impl RetryPolicy {
    /// The wait after `failed` failures: doubling from the first wait, never above the cap.
    pub fn wait_after(&self, failed: i32) -> Span {
        let doublings = u32::try_from(failed.saturating_sub(1)).unwrap_or(0).min(30);
        let wait = self
            .first_wait
            .checked_mul(2_i32.saturating_pow(doublings))
            .unwrap_or(self.max_wait);
        wait.min(self.max_wait)
    }
}

/// Where notifications go and how failures are retried.
pub struct Notifier {
    /// Email.
    pub mailer: Mailer,
    /// Retries and leases.
    pub policy: RetryPolicy,
}

impl App {
    /// One pass of the deliverer: fans out new events and sends every due delivery; how many
    /// were sent. Does nothing without a notifier.
    pub async fn deliver_notifications(&self) -> Result<usize, AppError> {
        let Some(notifier) = self.notifier.clone() else {
            return Ok(0);
        };
        self.withdraw_gone_offers().await?;
        let now = self.now();
        self.store.fan_out(now, now - SETTLE).await?;
        let mut sent = 0;
        loop {
            let now = self.now();
            let claimed = self
                .store
                .claim_deliveries(now, now + notifier.policy.lease, BATCH)
                .await?;
            if claimed.is_empty() {
                return Ok(sent);
            }
            for delivery in &claimed {
                if self.deliver_one(&notifier, delivery).await? {
                    sent += 1;
                }
            }
        }
    }

    /// Whether an offer's shift can no longer be booked by its worker (filled, cancelled or
    /// started since it was offered): such an offer is not sent, so nobody is alerted about a
    /// shift they cannot book.
    async fn offer_gone(&self, delivery: &Delivery) -> Result<bool, AppError> {
        let event = &delivery.event;
        let Some(worker) = event
            .worker_id
            .filter(|_| event.topic == crate::offers::OFFER_TOPIC)
        else {
            return Ok(false);
        };
        let shift = serde_json::from_str::<serde_json::Value>(&event.payload)
            .ok()
            .and_then(|p| p["shift"]["id"].as_str().map(str::to_owned));
        let Some(shift) = shift else {
            return Ok(false);
        };
        let open = self.store.offered_shifts(worker, self.now()).await?;
        Ok(!open.iter().any(|m| m.shift.id.0.to_string() == shift))
    }

    /// Records that an offer's worker was alerted, so they hear if it is withdrawn.
    async fn offer_alerted(&self, delivery: &Delivery) -> Result<(), AppError> {
        let event = &delivery.event;
        let Some(worker) = event
            .worker_id
            .filter(|_| event.topic == crate::offers::OFFER_TOPIC)
        else {
            return Ok(());
        };
        let shift = serde_json::from_str::<serde_json::Value>(&event.payload)
            .ok()
            .and_then(|p| {
                p["shift"]["id"]
                    .as_str()
                    .and_then(|s| uuid::Uuid::parse_str(s).ok())
            });
        if let Some(shift) = shift {
            self.store
                .mark_offer_alerted(worker, staffbank_domain::ShiftId(shift), self.now())
                .await?;
        }
        Ok(())
    }

    /// Sends one claimed delivery and records the outcome; whether it was sent.
    async fn deliver_one(
        &self,
        notifier: &Notifier,
        delivery: &Delivery,
    ) -> Result<bool, AppError> {
        if self.offer_gone(delivery).await? {
            // Done with, unsent: the shift went before the worker could be told.
            self.store.mark_sent(delivery.id, self.now()).await?;
            return Ok(false);
        }
        if let Some(worker) = delivery.event.worker_id {
            let settings = self
                .store
                .notification_settings(worker)
                .await?
                .unwrap_or_default();
            if delivery.event.topic == crate::offers::OFFER_TOPIC {
                let payload: serde_json::Value =
                    serde_json::from_str(&delivery.event.payload).unwrap_or_default();
                if !filters::wanted(&settings, &payload["shift"]) {
                    // Done with, unsent: not a shift they asked to hear about.
                    self.store.mark_sent(delivery.id, self.now()).await?;
                    return Ok(false);
                }
            }
            if let Some(end) = filters::quiet_end(settings.quiet, self.now()) {
                // Held back, not failed: it goes once their quiet hours are over.
                self.store.defer_delivery(delivery.id, end).await?;
                return Ok(false);
            }
        }
        let Some(message) = words::message(&delivery.event, self.public_url()) else {
            // Nothing to tell a person: done with.
            self.store.mark_sent(delivery.id, self.now()).await?;
            return Ok(false);
        };
        let outcome = match delivery.channel {
            Channel::Email => {
                notifier
                    .mailer
                    .send(delivery.event.id, &delivery.recipient, &message)
                    .await
            }
            Channel::Push => self.push_one(delivery, &message).await,
        };
        let now = self.now();
        match outcome {
            Ok(()) => {
                self.store.mark_sent(delivery.id, now).await?;
                self.offer_alerted(delivery).await?;
                Ok(true)
            }
            Err(error) => {
                let failed = delivery.attempts + 1;
                let retry_at = (failed < notifier.policy.attempts)
                    .then(|| now + notifier.policy.wait_after(failed));
                tracing::warn!(delivery = %delivery.id, failed, %error, "notification not delivered");
                self.store
                    .mark_failed(delivery.id, &error, retry_at, now)
                    .await?;
                Ok(false)
            }
        }
    }

    /// Alerts every browser the recipient subscribed (a worker, or for an escalation a ward
    /// manager's user): sent once any push service took it; tried again when one asked for that;
    /// done with when they have no browser left.
    async fn push_one(&self, delivery: &Delivery, message: &words::Message) -> Result<(), String> {
        let recipient = uuid::Uuid::parse_str(&delivery.recipient)
            .map_err(|_| "not a worker or user".to_owned())?;
        let escalation = delivery.event.topic.starts_with("escalation.");
        let first_line = message.body.lines().next().unwrap_or_default();
        let alert = crate::push::PushMessage {
            id: delivery.event.id,
            title: message.subject.clone(),
            body: first_line
                .split(" — book it:")
                .next()
                .unwrap_or(first_line)
                .trim()
                .to_owned(),
            url: message.path.clone(),
        };
        let report = if escalation {
            let user = staffbank_domain::UserId(recipient);
            self.send_push_to_user(user, &alert, crate::push::Urgency::High)
                .await
        } else {
            let worker = staffbank_domain::WorkerId(recipient);
            self.send_push(worker, &alert, crate::push::Urgency::Normal)
                .await
        }
        .map_err(|e| e.to_string())?;
        if report.delivered > 0 || (!report.retry && report.failed == 0) {
            Ok(())
        } else if report.retry {
            Err("the push service asked to be tried again later".to_owned())
        } else {
            Err("the push service refused the alert".to_owned())
        }
    }

    /// Delivers notifications until the app stops: whenever an event is written, and every
    /// few seconds. Errors are logged and retried.
    pub async fn run_notifications(self) {
        loop {
            match self.deliver_notifications().await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "notifications delivered"),
                Err(e) => tracing::warn!(error = %e, "delivering notifications failed"),
            }
            if !self.pause(TICK, Some(&self.notify_waiting)).await {
                return;
            }
        }
    }

    /// Wakes the deliverer (after a change that wrote outbox events).
    pub fn wake_notifications(&self) {
        self.notify_waiting.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let p = RetryPolicy {
            first_wait: Span::seconds(10),
            max_wait: Span::seconds(35),
            attempts: 5,
            lease: Span::seconds(60),
        };
        let waits: Vec<i64> = (1..=5).map(|f| p.wait_after(f).num_seconds()).collect();
        assert_eq!(waits, vec![10, 20, 35, 35, 35]);
    }
}
