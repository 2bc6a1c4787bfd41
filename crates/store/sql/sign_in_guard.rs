//! Refused sign-ins counted per account and per address, and pruning them with expired sessions.

use chrono::{DateTime, Utc};
use staffbank_store::{Failures, SignInGuardStore, StoreError};
use uuid::Uuid;

use super::types::At;
use crate::db::ThisStore;
use crate::sql::OrStore;

fn failures(row: (i64, Option<At>, Option<At>)) -> Failures {
    Failures {
        count: u32::try_from(row.0).unwrap_or(u32::MAX),
        first: row.1.map(|a| a.0),
        last: row.2.map(|a| a.0),
    }
}

#[async_trait::async_trait]
impl SignInGuardStore for ThisStore {
    async fn record_sign_in_failure(
        &self,
        account_key: &str,
        address: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_in_failures (id, account_key, address, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7())
        .bind(account_key)
        .bind(address)
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()
        .map(drop)
    }

    async fn account_failures(
        &self,
        account_key: &str,
        since: DateTime<Utc>,
    ) -> Result<Failures, StoreError> {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(at), MAX(at) FROM sign_in_failures \
             WHERE account_key = $1 AND at > $2",
        )
        .bind(account_key)
        .bind(At(since))
        .fetch_one(self.writer())
        .await
        .or_store()
        .map(failures)
    }

    async fn address_failures(
        &self,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<Failures, StoreError> {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(at), MAX(at) FROM sign_in_failures \
             WHERE address = $1 AND at > $2",
        )
        .bind(address)
        .bind(At(since))
        .fetch_one(self.writer())
        .await
        .or_store()
        .map(failures)
    }

    async fn clear_sign_in_failures(&self, account_key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE account_key = $1")
            .bind(account_key)
            .execute(self.writer())
            .await
            .or_store()
            .map(drop)
    }

    async fn prune_sign_ins(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(At(before))
            .execute(&mut *tx)
            .await
            .or_store()?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(At(before))
            .execute(&mut *tx)
            .await
            .or_store()?;
        tx.commit().await.or_store()?;
        Ok(failures.rows_affected() + sessions.rows_affected())
    }
}
