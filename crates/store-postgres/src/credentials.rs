//! Credentials recorded for workers: written once, then only ever revoked.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use staffbank_domain::text::Label;
use staffbank_domain::{CredentialId, UserId, WorkerId};
use staffbank_store::{AuditRecord, Conflict, Credential, StoreError};

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows;

const COLUMNS: &str = "id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, \
     status, revoked_at, recorded_by, recorded_at";

fn decode(row: &sqlx::postgres::PgRow) -> Result<Credential, StoreError> {
    Credential::try_from(rows::credential(row)?).map_err(StoreError::Unexpected)
}

pub(crate) async fn record(
    pool: &PgPool,
    c: &Credential,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    insert(&mut tx, c, None).await?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

/// Inserts a credential record, linked to the passport credential it stands for, if any.
pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    c: &Credential,
    passport: Option<uuid::Uuid>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO credentials (id, worker_id, kind, dbs_level, issuer_org_id, valid_from, \
         valid_until, status, recorded_by, recorded_at, passport_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id.0)
    .bind(c.worker_id.0)
    .bind(c.kind.as_str())
    .bind(c.dbs_level.map(|l| l.as_str()))
    .bind(c.issuer_org_id.0)
    .bind(c.valid_from)
    .bind(c.valid_until)
    .bind(c.status.as_str())
    .bind(c.recorded_by.0)
    .bind(c.recorded_at)
    .bind(passport)
    .execute(&mut **tx)
    .await
    .or_store()
    .map(drop)
}

pub(crate) async fn revoke(
    pool: &PgPool,
    id: CredentialId,
    by: UserId,
    reason: &Label,
    at: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<Credential, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let sql = format!("SELECT {COLUMNS} FROM credentials WHERE id = $1 FOR UPDATE");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?
        .ok_or(StoreError::NotFound)?;
    if decode(&row)?.revoked_at.is_some() {
        return Err(Conflict::AlreadyRevoked.into());
    }
    let sql = format!(
        "UPDATE credentials SET status = 'revoked', revoked_at = $1, revoked_by = $2, \
         revoke_reason = $3 WHERE id = $4 RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(at)
        .bind(by.0)
        .bind(reason.as_str())
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .or_store()?;
    let revoked = decode(&row)?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()?;
    Ok(revoked)
}

pub(crate) async fn one(pool: &PgPool, id: CredentialId) -> Result<Option<Credential>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM credentials WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(decode).transpose()
}

pub(crate) async fn of_worker(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<Credential>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM credentials WHERE worker_id = $1 ORDER BY recorded_at DESC, id"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(decode).collect()
}
