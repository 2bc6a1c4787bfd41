//! Core Skills Training refresher periods on SQLite.

use sqlx::{Row, SqlitePool};
use staffbank_domain::credential_claims::{CstfSubject, RefresherPeriods};
use staffbank_store::{AuditRecord, StoreError};

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::SqliteStore;

pub(crate) async fn read(pool: &SqlitePool) -> Result<RefresherPeriods, StoreError> {
    let rows = sqlx::query("SELECT subject, level, months FROM refresher_periods")
        .fetch_all(pool)
        .await
        .or_store()?;
    let mut periods = RefresherPeriods::default();
    for row in rows {
        let subject: String = row.try_get("subject").or_store()?;
        let level: i64 = row.try_get("level").or_store()?;
        let months: i64 = row.try_get("months").or_store()?;
        let subject = CstfSubject::parse(&subject)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored subject {subject}")))?;
        periods.set(
            subject,
            u8::try_from(level).unwrap_or(0),
            u32::try_from(months).unwrap_or(0),
        );
    }
    Ok(periods)
}

pub(crate) async fn replace(
    store: &SqliteStore,
    periods: &RefresherPeriods,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM refresher_periods")
        .execute(&mut *tx)
        .await
        .or_store()?;
    for (subject, level, months) in periods.entries() {
        sqlx::query("INSERT INTO refresher_periods (subject, level, months) VALUES (?, ?, ?)")
            .bind(subject.as_str())
            .bind(i64::from(level))
            .bind(i64::from(months))
            .execute(&mut *tx)
            .await
            .or_store()?;
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}
