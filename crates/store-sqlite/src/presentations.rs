//! Presentation requests on SQLite.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};
use staffbank_domain::{OrgId, UserId, WorkerId};
use staffbank_store::{AuditRecord, Conflict, PresentationRequest, RequestState, StoreError};
use uuid::Uuid;

use crate::error::OrStore;
use crate::issuers::missing_or;
use crate::ledger::insert_audit;
use crate::rows::{instant, ms, opt_instant};
use crate::SqliteStore;

const COLUMNS: &str = "id, verifier_org, worker_id, vct, claims, purpose, nonce, requested_by, \
     requested_at, expires_at, state, decided_at, result";

fn decode(r: &sqlx::sqlite::SqliteRow) -> Result<PresentationRequest, StoreError> {
    let state: String = r.try_get("state").or_store()?;
    Ok(PresentationRequest {
        id: r.try_get("id").or_store()?,
        verifier_org: OrgId(r.try_get("verifier_org").or_store()?),
        worker_id: WorkerId(r.try_get("worker_id").or_store()?),
        vct: r.try_get("vct").or_store()?,
        claims: r.try_get("claims").or_store()?,
        purpose: r.try_get("purpose").or_store()?,
        nonce: r.try_get("nonce").or_store()?,
        requested_by: UserId(r.try_get("requested_by").or_store()?),
        requested_at: instant(r, "requested_at")?,
        expires_at: instant(r, "expires_at")?,
        state: RequestState::parse(&state)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored request state")))?,
        decided_at: opt_instant(r, "decided_at")?,
        result: r.try_get("result").or_store()?,
    })
}

pub(crate) async fn create(
    store: &SqliteStore,
    p: &PresentationRequest,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO presentation_requests (id, verifier_org, worker_id, vct, claims, purpose, nonce, \
         requested_by, requested_at, expires_at, state) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
    )
    .bind(p.id)
    .bind(p.verifier_org.0)
    .bind(p.worker_id.0)
    .bind(&p.vct)
    .bind(&p.claims)
    .bind(&p.purpose)
    .bind(&p.nonce)
    .bind(p.requested_by.0)
    .bind(ms(p.requested_at))
    .bind(ms(p.expires_at))
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn one(
    pool: &SqlitePool,
    id: Uuid,
) -> Result<Option<PresentationRequest>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM presentation_requests WHERE id = ?");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(decode).transpose()
}

pub(crate) async fn of_worker(
    pool: &SqlitePool,
    worker: WorkerId,
) -> Result<Vec<PresentationRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM presentation_requests WHERE worker_id = ? \
         ORDER BY requested_at DESC, id"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn answer(
    store: &SqliteStore,
    id: Uuid,
    state: RequestState,
    result: Option<&str>,
    at: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let changed = sqlx::query(
        "UPDATE presentation_requests SET state = ?, result = ?, decided_at = ? \
         WHERE id = ? AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(result)
    .bind(ms(at))
    .bind(id)
    .execute(&mut *tx)
    .await
    .or_store()?
    .rows_affected();
    if changed == 0 {
        return Err(missing_or(
            &mut tx,
            "presentation_requests",
            id,
            Conflict::RequestDecided,
        )
        .await);
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}
