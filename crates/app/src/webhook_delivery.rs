//! Delivers each trust's events to its webhook subscribers: in ledger order per subscriber, at
//! least once, and safe across crashes.
//!
//! A subscriber's position (the next ledger index) moves only after its receiver answers 2xx,
//! so a crash sends the same event again; receivers drop repeats by the event id. A failed
//! attempt waits (5 s, doubling, at most an hour) and, after [`MOST_ATTEMPTS`], the subscriber
//! is dead-lettered: nothing more is sent, so order is kept, until its trust chooses "Try again".
//! Each event is posted in the CloudEvents HTTP binding's structured mode, signed as
//! [`crate::webhook_signature`] says.

use std::time::Duration;

use chrono::Duration as Span;
use staffbank_store::{DeliveryOutcome, LedgerEntry, Webhook};

use crate::webhook_signature::{sign, EVENT_ID_HEADER, SIGNATURE_HEADER};
use crate::webhooks::wants;
use crate::{App, AppError};

/// Attempts at one event before the subscriber is dead-lettered.
pub const MOST_ATTEMPTS: u32 = 8;
/// The wait after the first failure; it doubles with each one after.
pub const FIRST_RETRY: Span = Span::seconds(5);
/// The longest wait between attempts.
pub const LONGEST_RETRY: Span = Span::hours(1);
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Subscribers served per pass, and events read per step.
const BATCH: u32 = 100;
/// How often the deliverer looks for events and due retries.
const TICK: Duration = Duration::from_secs(1);
/// Longest error text kept.
const LONGEST_ERROR: usize = 300;

/// The wait before attempt `failures + 1`, after `failures` failures (at least one).
pub fn backoff(failures: u32) -> Span {
    let doublings = failures.saturating_sub(1).min(20);
    (FIRST_RETRY * (1 << doublings)).min(LONGEST_RETRY)
}

/// The HTTP client deliveries use: no redirects (a receiver's address is the one registered).
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Staffbank-Webhooks/1")
        .build()
        .unwrap_or_default()
}

impl App {
    /// One pass over every subscriber with something due: delivers what each is waiting for;
    /// how many events were delivered.
    pub async fn deliver_webhooks(&self) -> Result<usize, AppError> {
        let due = self.store.due_webhooks(self.now(), BATCH).await?;
        let mut tasks = tokio::task::JoinSet::new();
        for hook in due {
            let app = self.clone();
            tasks.spawn(async move { app.deliver_to(hook).await });
        }
        let mut delivered = 0;
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(n)) => delivered += n,
                Ok(Err(e)) => tracing::warn!(error = %e, "webhook delivery failed"),
                Err(e) => tracing::warn!(error = %e, "webhook delivery task failed"),
            }
        }
        Ok(delivered)
    }

    /// Delivers a subscriber's waiting events in order until it is up to date or one fails.
    async fn deliver_to(&self, hook: Webhook) -> Result<usize, AppError> {
        let until = self.store.ledger_size().await?;
        let mut at = hook.next_seq;
        let mut delivered = 0;
        let mut attempts = hook.attempts;
        while at < until {
            let entries = self.store.feed(at, until, Some(hook.org_id), BATCH).await?;
            let full = entries.len() == BATCH as usize;
            for entry in &entries {
                let Some(seq) = entry.seq else { continue };
                if !wants(&hook.actions, &entry.record.action) {
                    continue;
                }
                if seq > at && !self.move_on(&hook, at, seq).await? {
                    return Ok(delivered);
                }
                at = seq;
                match self.post_event(&hook, entry).await {
                    Ok(()) => {
                        if !self.move_on(&hook, at, seq + 1).await? {
                            return Ok(delivered);
                        }
                        at = seq + 1;
                        attempts = 0;
                        delivered += 1;
                    }
                    Err(error) => {
                        let failures = attempts + 1;
                        let now = self.now();
                        let outcome = DeliveryOutcome::Failed {
                            attempts: failures,
                            retry_at: now + backoff(failures),
                            error: error.chars().take(LONGEST_ERROR).collect(),
                            dead_at: (failures >= MOST_ATTEMPTS).then_some(now),
                        };
                        self.store.record_delivery(hook.id, at, &outcome).await?;
                        tracing::info!(webhook = %hook.id, failures, %error, "webhook refused");
                        return Ok(delivered);
                    }
                }
            }
            // Everything read up to `until` (or to the last event read) was delivered or not
            // wanted.
            let next = match entries.last().and_then(|e| e.seq) {
                Some(last) if full => last + 1,
                _ => until,
            };
            if next > at {
                if !self.move_on(&hook, at, next).await? {
                    return Ok(delivered);
                }
                at = next;
            }
        }
        Ok(delivered)
    }

    /// Moves a subscriber from `from` to `to`; false if another process moved it first.
    async fn move_on(&self, hook: &Webhook, from: u64, to: u64) -> Result<bool, AppError> {
        let outcome = DeliveryOutcome::Advanced { next_seq: to };
        Ok(self.store.record_delivery(hook.id, from, &outcome).await?)
    }

    /// Posts one event, signed; the error, for the subscriber's page, unless answered 2xx.
    async fn post_event(&self, hook: &Webhook, entry: &LedgerEntry) -> Result<(), String> {
        let event = self.cloud_event(entry).map_err(|e| e.to_string())?;
        let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
        let timestamp = self.now().timestamp();
        let reply = self
            .webhook_client
            .post(&hook.url)
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .header(SIGNATURE_HEADER, sign(&hook.secret, timestamp, &body))
            .header(EVENT_ID_HEADER, event.id.to_string())
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    format!("no answer within {} seconds", TIMEOUT.as_secs())
                } else if e.is_connect() {
                    "could not connect to the address".to_owned()
                } else {
                    format!("could not send: {e}")
                }
            })?;
        let status = reply.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("answered HTTP {}", status.as_u16()))
        }
    }

    /// Delivers webhooks until the app stops. Errors are logged and retried.
    pub async fn run_webhooks(self) {
        loop {
            match self.deliver_webhooks().await {
                Ok(0) => {}
                Ok(delivered) => tracing::debug!(delivered, "webhook events delivered"),
                Err(e) => tracing::warn!(error = %e, "webhook deliveries failed"),
            }
            if !self.pause(TICK, None).await {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff(1), Span::seconds(5));
        assert_eq!(backoff(2), Span::seconds(10));
        assert_eq!(backoff(4), Span::seconds(40));
        assert_eq!(backoff(MOST_ATTEMPTS), Span::seconds(640));
        assert_eq!(backoff(40), LONGEST_RETRY);
    }
}
