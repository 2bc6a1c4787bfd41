//! Notifications from the outbox: fanning events out into deliveries, claiming them under a lease,
//! recording each attempt, and the bank office's dead letters.

use chrono::{DateTime, Utc};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::{Grade, OrgId, ShiftId, SiteId, UserId, WorkerId};
use staffbank_store::{
    AlertSettings, Channel, DeadLetter, Delivery, GoneOffer, NotifyStore, OutboxEvent, StoreError,
};
use uuid::Uuid;

use super::types::At;
use crate::db::{ThisStore, Tx, FOR_UPDATE};
use crate::sql::OrStore;

/// Outbox events read per page while fanning out.
const PAGE: i64 = 200;

/// The columns of a delivery with its event, read by [`delivery`].
const DELIVERY_COLUMNS: &str = "d.id, d.channel, d.recipient, d.attempts, o.id, o.topic, \
     o.worker_id, CAST(o.payload AS TEXT), o.created_at";

type DeliveryRow = (
    Uuid,
    String,
    String,
    i32,
    Uuid,
    String,
    Option<Uuid>,
    String,
    At,
);

fn delivery(row: DeliveryRow) -> Delivery {
    let (id, channel, recipient, attempts, event_id, topic, worker, payload, created_at) = row;
    Delivery {
        id,
        event: OutboxEvent {
            id: event_id,
            topic,
            worker_id: worker.map(WorkerId),
            payload,
            created_at: created_at.0,
        },
        channel: Channel::parse(&channel).unwrap_or(Channel::Email),
        recipient,
        attempts,
    }
}

/// A stored settings row: email, push, grades and sites (JSON), shift times, quiet hours.
type SettingsRow = (
    bool,
    bool,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// Settings as stored, read back; anything unreadable counts as "all" (never as "none").
fn alert_settings(row: SettingsRow) -> AlertSettings {
    let (email, push, grades, sites, times, from, until) = row;
    let list = |raw: Option<String>| {
        raw.and_then(|r| serde_json::from_str::<Vec<String>>(&r).ok())
            .filter(|l| !l.is_empty())
    };
    let time =
        |raw: Option<String>| raw.and_then(|r| chrono::NaiveTime::parse_from_str(&r, "%H:%M").ok());
    AlertSettings {
        email,
        push,
        grades: list(grades).map(|l| l.iter().filter_map(|g| Grade::parse(g)).collect()),
        sites: list(sites).map(|l| {
            l.iter()
                .filter_map(|s| Uuid::parse_str(s).ok().map(SiteId))
                .collect()
        }),
        shift_times: ShiftTimes::parse(&times).unwrap_or_default(),
        quiet: time(from).zip(time(until)),
    }
}

/// Who an event goes to, by email, and the trust it belongs to: the worker it is for, or the
/// managers of the ward an escalation is about.
async fn recipients(
    tx: &mut Tx,
    worker: Option<Uuid>,
    topic: &str,
    payload: &serde_json::Value,
) -> Result<(Vec<(&'static str, String)>, Option<Uuid>), StoreError> {
    let id_at = |path: &[&str]| {
        let mut v = payload;
        for key in path {
            v = v.get(key)?;
        }
        v.as_str().and_then(|s| Uuid::parse_str(s).ok())
    };
    if let Some(worker) = worker {
        // A worker who turned email off gets none.
        let emails: Vec<(String,)> = sqlx::query_as(
            "SELECT u.email FROM workers w JOIN users u ON u.id = w.user_id \
             LEFT JOIN notification_settings s ON s.worker_id = w.id \
             WHERE w.id = $1 AND (s.email IS NULL OR s.email = $2)",
        )
        .bind(worker)
        .bind(true)
        .fetch_all(&mut **tx)
        .await
        .or_store()?;
        // A worker who turned push on, with a browser subscribed, is also alerted there; the
        // recipient is the worker, whose every subscribed browser gets the alert.
        let pushed: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT s.worker_id FROM notification_settings s \
             JOIN workers w ON w.id = s.worker_id WHERE s.worker_id = $1 \
             AND s.push = $2 AND EXISTS (SELECT 1 FROM push_subscriptions p \
             WHERE p.user_id = w.user_id)",
        )
        .bind(worker)
        .bind(true)
        .fetch_all(&mut **tx)
        .await
        .or_store()?;
        let org = id_at(&["shift", "org_id"]).or_else(|| id_at(&["org"]));
        let mut to: Vec<(&'static str, String)> =
            emails.into_iter().map(|(e,)| ("email", e)).collect();
        to.extend(pushed.into_iter().map(|(w,)| ("push", w.to_string())));
        return Ok((to, org));
    }
    if topic.starts_with("escalation.") {
        if let Some(ward) = id_at(&["ward"]) {
            // The managers of the ward, whether their grant names the ward or its whole trust.
            let org = id_at(&["org"]);
            // Each by the channels they chose (email when they have not), push only to a
            // manager with a browser subscribed; the push recipient is the manager's user.
            let managers: Vec<(Uuid, String, bool, bool)> = sqlx::query_as(
                "SELECT DISTINCT u.id, u.email, COALESCE(c.email, $3), \
                 COALESCE(c.push, $4) AND EXISTS (SELECT 1 FROM push_subscriptions p \
                     WHERE p.user_id = u.id) \
                 FROM user_grants g JOIN users u ON u.id = g.user_id \
                 LEFT JOIN escalation_channels c ON c.user_id = u.id \
                 WHERE g.role = 'ward_manager' AND ((g.scope_kind = 'ward' AND g.scope_id = $1) \
                 OR (g.scope_kind = 'organisation' AND g.scope_id = $2)) ORDER BY u.email",
            )
            .bind(ward)
            .bind(org)
            .bind(true)
            .bind(false)
            .fetch_all(&mut **tx)
            .await
            .or_store()?;
            let mut to = Vec::new();
            for (user, email, by_email, by_push) in managers {
                if by_email {
                    to.push(("email", email));
                }
                if by_push {
                    to.push(("push", user.to_string()));
                }
            }
            return Ok((to, org));
        }
    }
    Ok((Vec::new(), None))
}

#[async_trait::async_trait]
impl NotifyStore for ThisStore {
    async fn fan_out(
        &self,
        now: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let (cursor,): (i64,) = sqlx::query_as(&format!(
            "SELECT position FROM notify_cursor WHERE id = 1 {FOR_UPDATE}"
        ))
        .fetch_one(&mut *tx)
        .await
        .or_store()?;
        let mut after = cursor;
        let mut new_cursor = cursor;
        let mut settled_so_far = true;
        let mut added = 0;
        loop {
            let rows: Vec<(i64, Uuid, String, Option<Uuid>, String, At)> = sqlx::query_as(
                "SELECT position, id, topic, worker_id, CAST(payload AS TEXT), created_at \
                 FROM outbox WHERE position > $1 ORDER BY position LIMIT $2",
            )
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await
            .or_store()?;
            for (position, id, topic, worker, payload, created_at) in &rows {
                let payload: serde_json::Value =
                    serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
                let (to, org) = recipients(&mut tx, *worker, topic, &payload).await?;
                for (channel, recipient) in to {
                    let done = sqlx::query(
                        "INSERT INTO deliveries (id, event_id, position, channel, recipient, \
                         org_id, status, attempts, next_attempt_at, updated_at) \
                         VALUES ($1, $2, $3, $7, $4, $5, 'pending', 0, $6, $6) \
                         ON CONFLICT (event_id, channel, recipient) DO NOTHING",
                    )
                    .bind(Uuid::now_v7())
                    .bind(id)
                    .bind(position)
                    .bind(&recipient)
                    .bind(org)
                    .bind(At(now))
                    .bind(channel)
                    .execute(&mut *tx)
                    .await
                    .or_store()?;
                    added += usize::try_from(done.rows_affected()).unwrap_or(0);
                }
                settled_so_far = settled_so_far && created_at.0 < settled;
                if settled_so_far {
                    new_cursor = *position;
                }
            }
            match rows.last() {
                Some((position, ..)) if rows.len() as i64 == PAGE => after = *position,
                _ => break,
            }
        }
        if new_cursor != cursor {
            sqlx::query("UPDATE notify_cursor SET position = $1 WHERE id = 1")
                .bind(new_cursor)
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        tx.commit().await.or_store()?;
        Ok(added)
    }

    async fn skip_notification_backlog(&self) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notify_cursor SET position = \
             (SELECT COALESCE(MAX(position), 0) FROM outbox) WHERE id = 1",
        )
        .execute(self.writer())
        .await
        .or_store()
        .map(drop)
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.begin().await?;
        let due: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT d.id FROM deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
             AND (d.lease_until IS NULL OR d.lease_until <= $1) \
             AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.channel = d.channel \
                 AND e.recipient = d.recipient AND e.status = 'pending' \
                 AND e.position < d.position) \
             ORDER BY d.position LIMIT $2",
        )
        .bind(At(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .or_store()?;
        let mut claimed = Vec::with_capacity(due.len());
        for (id,) in due {
            // The lease is the claim: another process that read the same row claims nothing.
            let taken = sqlx::query(
                "UPDATE deliveries SET lease_until = $1 WHERE id = $2 AND status = 'pending' \
                 AND (lease_until IS NULL OR lease_until <= $3)",
            )
            .bind(At(lease_until))
            .bind(id)
            .bind(At(now))
            .execute(&mut *tx)
            .await
            .or_store()?;
            if taken.rows_affected() == 1 {
                claimed.push(id);
            }
        }
        let mut deliveries = Vec::with_capacity(claimed.len());
        for id in claimed {
            let row: DeliveryRow = sqlx::query_as(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN outbox o ON o.id = d.event_id \
                 WHERE d.id = $1"
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
            deliveries.push(delivery(row));
        }
        tx.commit().await.or_store()?;
        Ok(deliveries)
    }

    async fn mark_sent(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET status = 'sent', lease_until = NULL, updated_at = $2 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (status, next) = match retry_at {
            Some(when) => ("pending", when),
            None => ("dead", at),
        };
        let done = sqlx::query(
            "UPDATE deliveries SET status = $2, attempts = attempts + 1, last_error = $3, \
             next_attempt_at = $4, lease_until = NULL, updated_at = $5 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(At(next))
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn dead_letters(&self, org: OrgId, limit: u32) -> Result<Vec<DeadLetter>, StoreError> {
        let rows: Vec<(
            Uuid,
            String,
            String,
            i32,
            Uuid,
            String,
            Option<Uuid>,
            String,
            At,
            Option<String>,
            At,
        )> = sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS}, d.last_error, d.updated_at \
                 FROM deliveries d JOIN outbox o ON o.id = d.event_id \
                 WHERE d.org_id = $1 AND d.status = 'dead' ORDER BY d.updated_at DESC LIMIT $2"
        ))
        .bind(org.0)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(|(a, b, c, d, e, f, g, h, i, error, failed_at)| DeadLetter {
                delivery: delivery((a, b, c, d, e, f, g, h, i)),
                org_id: Some(org),
                last_error: error.unwrap_or_default(),
                failed_at: failed_at.0,
            })
            .collect())
    }

    async fn retry_dead_letter(
        &self,
        org: OrgId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, \
             lease_until = NULL, updated_at = $3 \
             WHERE id = $1 AND org_id = $2 AND status = 'dead'",
        )
        .bind(id)
        .bind(org.0)
        .bind(At(now))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_lease(
        &self,
        id: Uuid,
        lease_until: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET lease_until = $2 WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(lease_until.map(At))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn delivery_status(&self, id: Uuid) -> Result<Option<(String, i32)>, StoreError> {
        sqlx::query_as("SELECT status, attempts FROM deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .or_store()
    }

    async fn defer_delivery(&self, id: Uuid, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $2, lease_until = NULL \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(At(until))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn notification_settings(
        &self,
        worker: WorkerId,
    ) -> Result<Option<AlertSettings>, StoreError> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT email, push, grades, sites, shift_times, quiet_from, quiet_until \
             FROM notification_settings WHERE worker_id = $1",
        )
        .bind(worker.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(row.map(alert_settings))
    }

    async fn set_notification_settings(
        &self,
        worker: WorkerId,
        settings: &AlertSettings,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let grades = settings.grades.as_ref().map(|g| {
            serde_json::Value::from(g.iter().map(|g| g.as_str()).collect::<Vec<_>>()).to_string()
        });
        let sites = settings.sites.as_ref().map(|s| {
            serde_json::Value::from(s.iter().map(|s| s.0.to_string()).collect::<Vec<_>>())
                .to_string()
        });
        let (quiet_from, quiet_until) = match settings.quiet {
            Some((from, until)) => (
                Some(from.format("%H:%M").to_string()),
                Some(until.format("%H:%M").to_string()),
            ),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO notification_settings (worker_id, email, push, updated_at, grades, \
             sites, shift_times, quiet_from, quiet_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (worker_id) DO UPDATE \
             SET email = excluded.email, push = excluded.push, updated_at = excluded.updated_at, \
             grades = excluded.grades, sites = excluded.sites, \
             shift_times = excluded.shift_times, quiet_from = excluded.quiet_from, \
             quiet_until = excluded.quiet_until",
        )
        .bind(worker.0)
        .bind(settings.email)
        .bind(settings.push)
        .bind(At(at))
        .bind(grades)
        .bind(sites)
        .bind(settings.shift_times.as_str())
        .bind(quiet_from)
        .bind(quiet_until)
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(())
    }

    async fn escalation_channels(&self, user: UserId) -> Result<Option<(bool, bool)>, StoreError> {
        sqlx::query_as("SELECT email, push FROM escalation_channels WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(self.reader())
            .await
            .or_store()
    }

    async fn set_escalation_channels(
        &self,
        user: UserId,
        email: bool,
        push: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO escalation_channels (user_id, email, push, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE \
             SET email = excluded.email, push = excluded.push, updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(email)
        .bind(push)
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(())
    }

    async fn mark_offer_alerted(
        &self,
        worker: WorkerId,
        shift: ShiftId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE offers SET alerted_at = $3 \
             WHERE worker_id = $1 AND shift_id = $2 AND alerted_at IS NULL",
        )
        .bind(worker.0)
        .bind(shift.0)
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(())
    }

    async fn gone_offers(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GoneOffer>, StoreError> {
        // A shift that started unfilled can no longer be withdrawn: its offers are settled, so
        // the sweep stays small.
        sqlx::query(
            "UPDATE offers SET withdrawn_at = $1 \
             WHERE alerted_at IS NOT NULL AND withdrawn_at IS NULL \
             AND shift_id IN (SELECT id FROM shifts WHERE starts_at <= $1)",
        )
        .bind(At(now))
        .execute(self.writer())
        .await
        .or_store()?;
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT o.worker_id, o.shift_id FROM offers o JOIN shifts s ON s.id = o.shift_id \
             WHERE o.alerted_at IS NOT NULL AND o.withdrawn_at IS NULL \
             AND (s.status = 'cancelled' OR s.booked >= s.places) \
             AND NOT EXISTS (SELECT 1 FROM bookings b \
                 WHERE b.shift_id = o.shift_id AND b.worker_id = o.worker_id) \
             ORDER BY o.alerted_at LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.writer())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(|(worker, shift)| GoneOffer {
                worker_id: WorkerId(worker),
                shift_id: ShiftId(shift),
            })
            .collect())
    }

    async fn withdraw_offer(
        &self,
        offer: GoneOffer,
        event: &OutboxEvent,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE offers SET withdrawn_at = $3 WHERE worker_id = $1 AND shift_id = $2 \
             AND alerted_at IS NOT NULL AND withdrawn_at IS NULL",
        )
        .bind(offer.worker_id.0)
        .bind(offer.shift_id.0)
        .bind(At(at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        super::offers::insert_events(&mut tx, std::slice::from_ref(event)).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn deliveries_of(&self, event: Uuid) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN outbox o ON o.id = d.event_id \
             WHERE d.event_id = $1 ORDER BY d.recipient"
        ))
        .bind(event)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows.into_iter().map(delivery).collect())
    }
}
