//! Booking requests: made by workers, approved (booking in the same transaction) or declined by
//! bookers.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use staffbank_domain::{OrgId, RequestId, WorkerId};
use staffbank_store::raw::RawRequest;
use staffbank_store::{
    AuditRecord, BookingRequest, Conflict, Decision, RequestOutcome, StoreError, WorkingTimeCheck,
};

use crate::error::OrStore;
use crate::ledger::insert_audit;

const COLUMNS: &str =
    "r.id, r.shift_id, r.worker_id, r.status, r.idempotency_key, r.created_at, r.decided_at, \
     r.decided_by, r.booking_id";

fn decode(row: &PgRow) -> Result<BookingRequest, StoreError> {
    let get = |e| StoreError::Unexpected(anyhow::Error::new(e));
    let decided_at: Option<chrono::DateTime<chrono::Utc>> =
        row.try_get("decided_at").map_err(get)?;
    let decided_by: Option<uuid::Uuid> = row.try_get("decided_by").map_err(get)?;
    BookingRequest::try_from(RawRequest {
        id: row.try_get("id").map_err(get)?,
        shift_id: row.try_get("shift_id").map_err(get)?,
        worker_id: row.try_get("worker_id").map_err(get)?,
        status: row.try_get("status").map_err(get)?,
        idempotency_key: row.try_get("idempotency_key").map_err(get)?,
        created_at: row.try_get("created_at").map_err(get)?,
        decided: decided_at.zip(decided_by),
        booking_id: row.try_get("booking_id").map_err(get)?,
    })
    .map_err(StoreError::Unexpected)
}

pub(crate) async fn request(
    pool: &PgPool,
    r: &BookingRequest,
    audit: &[AuditRecord],
) -> Result<RequestOutcome, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r WHERE r.worker_id = $1 AND r.idempotency_key = $2"
    );
    let existing = sqlx::query(&sql)
        .bind(r.worker_id.0)
        .bind(&r.idempotency_key)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?;
    if let Some(row) = existing {
        let existing = decode(&row)?;
        if existing.shift_id != r.shift_id {
            return Err(Conflict::IdempotencyKeyReused.into());
        }
        return Ok(RequestOutcome {
            request: existing,
            replayed: true,
        });
    }
    sqlx::query(
        "INSERT INTO booking_requests (id, shift_id, worker_id, status, idempotency_key, created_at) \
         VALUES ($1, $2, $3, 'pending', $4, $5)",
    )
    .bind(r.id.0)
    .bind(r.shift_id.0)
    .bind(r.worker_id.0)
    .bind(&r.idempotency_key)
    .bind(r.created_at)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()?;
    Ok(RequestOutcome {
        request: r.clone(),
        replayed: false,
    })
}

pub(crate) async fn one(
    pool: &PgPool,
    id: RequestId,
) -> Result<Option<BookingRequest>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM booking_requests r WHERE r.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(decode).transpose()
}

pub(crate) async fn pending(pool: &PgPool, org: OrgId) -> Result<Vec<BookingRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r JOIN shifts s ON s.id = r.shift_id \
         WHERE s.org_id = $1 AND r.status = 'pending' ORDER BY r.created_at, r.id"
    );
    let rows = sqlx::query(&sql)
        .bind(org.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn of_worker(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<BookingRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r WHERE r.worker_id = $1 \
         ORDER BY r.created_at DESC, r.id"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn decide(
    pool: &PgPool,
    id: RequestId,
    decision: &Decision,
    audit: &[AuditRecord],
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookingRequest, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let sql = format!("SELECT {COLUMNS} FROM booking_requests r WHERE r.id = $1 FOR UPDATE");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?
        .ok_or(StoreError::NotFound)?;
    let current = decode(&row)?;
    if current.status != staffbank_store::RequestStatus::Pending {
        return Err(Conflict::RequestDecided.into());
    }
    let (status, by, at, booking) = match decision {
        Decision::Approve { booking, by, at } => {
            let outcome = crate::store::book_in(&mut tx, booking, working_time).await?;
            ("approved", by, at, Some(outcome.booking.id.0))
        }
        Decision::Decline { by, at } => ("declined", by, at, None),
    };
    let sql = format!(
        "UPDATE booking_requests r SET status = $1, decided_by = $2, decided_at = $3, \
         booking_id = $4 WHERE r.id = $5 RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(status)
        .bind(by.0)
        .bind(at)
        .bind(booking)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .or_store()?;
    let decided = decode(&row)?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()?;
    Ok(decided)
}
