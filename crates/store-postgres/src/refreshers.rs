//! Core Skills Training refresher periods on PostgreSQL.

use sqlx::{PgPool, Row};
use staffbank_domain::credential_claims::{CstfSubject, RefresherPeriods};
use staffbank_store::{AuditRecord, StoreError};

use crate::error::OrStore;
use crate::ledger::insert_audit;

pub(crate) async fn read(pool: &PgPool) -> Result<RefresherPeriods, StoreError> {
    let rows = sqlx::query("SELECT subject, level, months FROM refresher_periods")
        .fetch_all(pool)
        .await
        .or_store()?;
    let mut periods = RefresherPeriods::default();
    for row in rows {
        let subject: String = row.try_get("subject").or_store()?;
        let level: i16 = row.try_get("level").or_store()?;
        let months: i32 = row.try_get("months").or_store()?;
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
    pool: &PgPool,
    periods: &RefresherPeriods,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    sqlx::query("DELETE FROM refresher_periods")
        .execute(&mut *tx)
        .await
        .or_store()?;
    for (subject, level, months) in periods.entries() {
        sqlx::query("INSERT INTO refresher_periods (subject, level, months) VALUES ($1, $2, $3)")
            .bind(subject.as_str())
            .bind(i16::from(level))
            .bind(i32::try_from(months).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await
            .or_store()?;
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}
