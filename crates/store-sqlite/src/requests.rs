//! Booking requests: made by workers, approved (booking in the same transaction) or declined by
//! bookers.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use staffbank_domain::{OrgId, RequestId, WorkerId};
use staffbank_store::raw::RawRequest;
use staffbank_store::{
    AuditRecord, BookingRequest, Conflict, Decision, RequestOutcome, StoreError, WorkingTimeCheck,
};

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows::ms;
use crate::SqliteStore;

const PLAIN: &str = "id, shift_id, worker_id, status, idempotency_key, created_at, decided_at, \
     decided_by, booking_id";
const COLUMNS: &str =
    "r.id, r.shift_id, r.worker_id, r.status, r.idempotency_key, r.created_at, r.decided_at, \
     r.decided_by, r.booking_id";

fn decode(row: &SqliteRow) -> Result<BookingRequest, StoreError> {
    let get = |e| StoreError::Unexpected(anyhow::Error::new(e));
    let decided_at: Option<i64> = row.try_get("decided_at").map_err(get)?;
    let decided_at = decided_at.and_then(chrono::DateTime::from_timestamp_millis);
    let created_at: i64 = row.try_get("created_at").map_err(get)?;
    let created_at = chrono::DateTime::from_timestamp_millis(created_at)
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored instant")))?;
    let decided_by: Option<uuid::Uuid> = row.try_get("decided_by").map_err(get)?;
    BookingRequest::try_from(RawRequest {
        id: row.try_get("id").map_err(get)?,
        shift_id: row.try_get("shift_id").map_err(get)?,
        worker_id: row.try_get("worker_id").map_err(get)?,
        status: row.try_get("status").map_err(get)?,
        idempotency_key: row.try_get("idempotency_key").map_err(get)?,
        created_at,
        decided: decided_at.zip(decided_by),
        booking_id: row.try_get("booking_id").map_err(get)?,
    })
    .map_err(StoreError::Unexpected)
}

pub(crate) async fn request(
    store: &SqliteStore,
    r: &BookingRequest,
    audit: &[AuditRecord],
) -> Result<RequestOutcome, StoreError> {
    let mut tx = store.begin().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r WHERE r.worker_id = ? AND r.idempotency_key = ?"
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
         VALUES (?, ?, ?, 'pending', ?, ?)",
    )
    .bind(r.id.0)
    .bind(r.shift_id.0)
    .bind(r.worker_id.0)
    .bind(&r.idempotency_key)
    .bind(ms(r.created_at))
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
    pool: &SqlitePool,
    id: RequestId,
) -> Result<Option<BookingRequest>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM booking_requests r WHERE r.id = ?");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(decode).transpose()
}

pub(crate) async fn pending(
    pool: &SqlitePool,
    org: OrgId,
) -> Result<Vec<BookingRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r JOIN shifts s ON s.id = r.shift_id \
         WHERE s.org_id = ? AND r.status = 'pending' ORDER BY r.created_at, r.id"
    );
    let rows = sqlx::query(&sql)
        .bind(org.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn of_worker(
    pool: &SqlitePool,
    worker: WorkerId,
) -> Result<Vec<BookingRequest>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_requests r WHERE r.worker_id = ? \
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
    store: &SqliteStore,
    id: RequestId,
    decision: &Decision,
    audit: &[AuditRecord],
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookingRequest, StoreError> {
    let mut tx = store.begin().await?;
    let sql = format!("SELECT {COLUMNS} FROM booking_requests r WHERE r.id = ?");
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
        "UPDATE booking_requests SET status = ?, decided_by = ?, decided_at = ?, \
         booking_id = ? WHERE id = ? RETURNING {PLAIN}"
    );
    let row = sqlx::query(&sql)
        .bind(status)
        .bind(by.0)
        .bind(ms(*at))
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
