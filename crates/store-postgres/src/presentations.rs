//! Presentation requests on PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use staffbank_domain::{OrgId, UserId, WorkerId};
use staffbank_store::{AuditRecord, Conflict, PresentationRequest, RequestState, StoreError};
use uuid::Uuid;

use crate::error::OrStore;
use crate::issuers::missing_or;
use crate::ledger::insert_audit;

const COLUMNS: &str = "id, verifier_org, worker_id, vct, claims, purpose, nonce, requested_by, \
     requested_at, expires_at, state, decided_at, result";

fn decode(r: &sqlx::postgres::PgRow) -> Result<PresentationRequest, StoreError> {
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
        requested_at: r.try_get("requested_at").or_store()?,
        expires_at: r.try_get("expires_at").or_store()?,
        state: RequestState::parse(&state)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored request state")))?,
        decided_at: r.try_get("decided_at").or_store()?,
        result: r.try_get("result").or_store()?,
    })
}

pub(crate) async fn create(
    pool: &PgPool,
    p: &PresentationRequest,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    sqlx::query(
        "INSERT INTO presentation_requests (id, verifier_org, worker_id, vct, claims, purpose, nonce, \
         requested_by, requested_at, expires_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')",
    )
    .bind(p.id)
    .bind(p.verifier_org.0)
    .bind(p.worker_id.0)
    .bind(&p.vct)
    .bind(&p.claims)
    .bind(&p.purpose)
    .bind(&p.nonce)
    .bind(p.requested_by.0)
    .bind(p.requested_at)
    .bind(p.expires_at)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn one(
    pool: &PgPool,
    id: Uuid,
) -> Result<Option<PresentationRequest>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM presentation_requests WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(decode).transpose()
}

pub(crate) async fn of_worker(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<PresentationRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM presentation_requests WHERE worker_id = $1 \
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
    pool: &PgPool,
    id: Uuid,
    state: RequestState,
    result: Option<&str>,
    at: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    if let [record] = audit {
        // The usual case, one round trip: the answer and its ledger entry in one statement,
        // which is atomic on its own; the entry is written only if the answer was.
        let changed = sqlx::query(
            "WITH answered AS (UPDATE presentation_requests SET state = $2, result = $3, \
             decided_at = $4 WHERE id = $1 AND state = 'pending' RETURNING id), \
             e AS (INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body) \
             SELECT $5, $6, $7, $8, $9, $10 FROM answered RETURNING id, recorded_at) \
             INSERT INTO ledger_pending (entry_id, recorded_at) SELECT id, recorded_at FROM e",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(result)
        .bind(at)
        .bind(record.id)
        .bind(record.recorded_at)
        .bind(&record.action)
        .bind(record.tenant.map(|t| t.0))
        .bind(record.subject)
        .bind(&record.body)
        .execute(pool)
        .await
        .or_store()?
        .rows_affected();
        if changed == 1 {
            return Ok(());
        }
        let mut tx = pool.begin().await.or_store()?;
        return Err(missing_or(
            &mut tx,
            "presentation_requests",
            id,
            Conflict::RequestDecided,
        )
        .await);
    }
    let mut tx = pool.begin().await.or_store()?;
    let changed = sqlx::query(
        "UPDATE presentation_requests SET state = $2, result = $3, decided_at = $4 \
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(result)
    .bind(at)
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
