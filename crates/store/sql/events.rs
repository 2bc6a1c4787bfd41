//! The event feed (the ledger in index order), its readers' cursors and webhook subscribers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::OrgId;
use staffbank_store::{AuditRecord, DeliveryOutcome, EventStore, LedgerEntry, StoreError, Webhook};
use uuid::Uuid;

use super::types::{At, Texts};
use super::{get, instant, opt_instant, OrStore};
use crate::db::{DbRow, ThisStore};
use crate::ledger::insert_audit;

/// A subscriber's columns, as [`webhook`] reads them.
const WEBHOOK_COLUMNS: &str = "id, org_id, url, actions, secret, created_at, next_seq, attempts, \
     retry_at, last_error, dead_at";

/// A position as stored: ledger indexes fit in `i64`; one past that reads as the largest.
fn position(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored position, which the schema keeps non-negative.
fn unsigned(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Unexpected(anyhow::anyhow!("negative position")))
}

/// A row of `webhooks`.
fn webhook(row: &DbRow) -> Result<Webhook, StoreError> {
    let attempts: i32 = get(row, "attempts")?;
    Ok(Webhook {
        id: get(row, "id")?,
        org_id: OrgId(get(row, "org_id")?),
        url: get(row, "url")?,
        actions: get::<Texts>(row, "actions")?.0,
        secret: get(row, "secret")?,
        created_at: instant(row, "created_at")?,
        next_seq: unsigned(get(row, "next_seq")?)?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        retry_at: opt_instant(row, "retry_at")?,
        last_error: get(row, "last_error")?,
        dead_at: opt_instant(row, "dead_at")?,
    })
}

/// A sequenced entry of the feed.
fn fed(row: &DbRow) -> Result<LedgerEntry, StoreError> {
    let tenant: Option<Uuid> = get(row, "tenant")?;
    Ok(LedgerEntry {
        seq: Some(unsigned(get(row, "seq")?)?),
        record: AuditRecord {
            id: get(row, "id")?,
            recorded_at: instant(row, "recorded_at")?,
            action: get(row, "action")?,
            tenant: tenant.map(OrgId),
            subject: get(row, "subject")?,
            body: get(row, "body")?,
            mac: get(row, "mac")?,
        },
    })
}

#[async_trait]
impl EventStore for ThisStore {
    async fn feed(
        &self,
        from: u64,
        until: u64,
        tenant: Option<OrgId>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        sqlx::query(
            "SELECT l.seq, e.id, e.recorded_at, e.action, e.tenant, e.subject, e.body, e.mac \
             FROM ledger_leaves l JOIN ledger_entries e ON e.id = l.entry_id \
             WHERE l.seq >= $1 AND l.seq < $2 AND ($3 IS NULL OR e.tenant = $3) \
             ORDER BY l.seq LIMIT $4",
        )
        .bind(position(from))
        .bind(position(until))
        .bind(tenant.map(|t| t.0))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(fed)
        .collect()
    }

    async fn feed_cursor(&self, name: &str) -> Result<u64, StoreError> {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT next_seq FROM event_cursors WHERE name = $1")
                .bind(name)
                .fetch_optional(self.reader())
                .await
                .or_store()?;
        next.map(unsigned)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    async fn set_feed_cursor(&self, name: &str, next: u64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO event_cursors (name, next_seq) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET next_seq = excluded.next_seq",
        )
        .bind(name)
        .bind(position(next))
        .execute(self.writer())
        .await
        .or_store()
        .map(drop)
    }

    async fn add_webhook(&self, hook: &Webhook, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO webhooks (id, org_id, url, actions, secret, created_at, next_seq, \
             attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(hook.id)
        .bind(hook.org_id.0)
        .bind(&hook.url)
        .bind(Texts::of(&hook.actions))
        .bind(&hook.secret)
        .bind(At(hook.created_at))
        .bind(position(hook.next_seq));
        self.write_audited(query, audit).await
    }

    async fn webhooks(&self, org: OrgId) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 ORDER BY created_at, id"
        );
        self.read_all(&sql, org.0, webhook).await
    }

    async fn webhook(&self, org: OrgId, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
        Ok(self
            .read_one(&sql, id, webhook)
            .await?
            .filter(|hook| hook.org_id == org))
    }

    async fn remove_webhook(
        &self,
        org: OrgId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org.0)
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn due_webhooks(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE dead_at IS NULL \
             AND (retry_at IS NULL OR retry_at <= $1) ORDER BY created_at, id LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(At(now))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(webhook)
            .collect()
    }

    async fn record_delivery(
        &self,
        id: Uuid,
        at_seq: u64,
        outcome: &DeliveryOutcome,
    ) -> Result<bool, StoreError> {
        let query = match outcome {
            DeliveryOutcome::Advanced { next_seq } => sqlx::query(
                "UPDATE webhooks SET next_seq = $3, attempts = 0, retry_at = NULL, \
                 last_error = NULL WHERE id = $1 AND next_seq = $2 AND dead_at IS NULL",
            )
            .bind(id)
            .bind(position(at_seq))
            .bind(position(*next_seq)),
            DeliveryOutcome::Failed {
                attempts,
                retry_at,
                error,
                dead_at,
            } => sqlx::query(
                "UPDATE webhooks SET attempts = $3, retry_at = $4, last_error = $5, dead_at = $6 \
                 WHERE id = $1 AND next_seq = $2 AND dead_at IS NULL",
            )
            .bind(id)
            .bind(position(at_seq))
            .bind(i32::try_from(*attempts).unwrap_or(i32::MAX))
            .bind(At(*retry_at))
            .bind(error.as_str())
            .bind(dead_at.map(At)),
        };
        let changed = query
            .execute(self.writer())
            .await
            .or_store()?
            .rows_affected();
        Ok(changed == 1)
    }

    async fn retry_webhook(
        &self,
        org: OrgId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE webhooks SET attempts = 0, retry_at = NULL, dead_at = NULL \
             WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(org.0)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }
}
