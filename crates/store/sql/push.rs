//! Web Push subscriptions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::UserId;
use staffbank_store::{AuditRecord, PushStore, PushSubscription, StoreError};
use uuid::Uuid;

use super::types::At;
use crate::db::{DbRow, ThisStore};
use crate::ledger::insert_audit;
use crate::sql::OrStore;

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, created_at, last_success_at, \
                       last_failure_at";

/// A subscription row.
fn subscription(row: &DbRow) -> Result<PushSubscription, StoreError> {
    Ok(PushSubscription {
        id: super::get(row, "id")?,
        user: UserId(super::get(row, "user_id")?),
        endpoint: super::get(row, "endpoint")?,
        p256dh: super::get(row, "p256dh")?,
        auth: super::get(row, "auth")?,
        created_at: super::instant(row, "created_at")?,
        last_success_at: super::opt_instant(row, "last_success_at")?,
        last_failure_at: super::opt_instant(row, "last_failure_at")?,
    })
}

#[async_trait]
impl PushStore for ThisStore {
    async fn save_push_subscription(
        &self,
        s: &PushSubscription,
        audit: &[AuditRecord],
    ) -> Result<PushSubscription, StoreError> {
        let mut tx = self.begin().await?;
        // The endpoint names one browser profile: subscribing it again replaces the old row,
        // keys, owner and history alike.
        sqlx::query(
            "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (endpoint) DO UPDATE \
             SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, \
                 created_at = excluded.created_at, last_success_at = NULL, last_failure_at = NULL",
        )
        .bind(s.id)
        .bind(s.user.0)
        .bind(&s.endpoint)
        .bind(&s.p256dh)
        .bind(&s.auth)
        .bind(At(s.created_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE endpoint = $1"
        ))
        .bind(&s.endpoint)
        .fetch_one(&mut *tx)
        .await
        .or_store()?;
        let stored = subscription(&row)?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(stored)
    }

    async fn push_subscriptions(&self, user: UserId) -> Result<Vec<PushSubscription>, StoreError> {
        self.read_all(
            &format!(
                "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = $1 \
                 ORDER BY created_at, id"
            ),
            user.0,
            subscription,
        )
        .await
    }

    async fn delete_push_subscription(
        &self,
        user: UserId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let gone = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
        if gone == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn record_push_attempt(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        delivered: bool,
    ) -> Result<(), StoreError> {
        let sql = if delivered {
            "UPDATE push_subscriptions SET last_success_at = $1 WHERE id = $2"
        } else {
            "UPDATE push_subscriptions SET last_failure_at = $1 WHERE id = $2"
        };
        sqlx::query(sql)
            .bind(At(at))
            .bind(id)
            .execute(self.writer())
            .await
            .or_store()?;
        Ok(())
    }
}
