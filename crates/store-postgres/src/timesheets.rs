//! Timesheets and pay lines on PostgreSQL.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row, Transaction};
use staffbank_domain::timesheet::TimesheetState;
use staffbank_domain::{BookingId, OrgId, ShiftId, WardId, WorkerId};
use staffbank_store::{AuditRecord, Conflict, PayLineRecord, StoreError, Timesheet, TimesheetBody};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::sql::missing_or;

const COLUMNS: &str =
    "id, booking_id, shift_id, worker_id, org_id, ward_id, state, body, updated_at";

fn decode(r: &PgRow) -> Result<Timesheet, StoreError> {
    let state: String = r.try_get("state").or_store()?;
    let body: String = r.try_get("body").or_store()?;
    Ok(Timesheet {
        id: r.try_get("id").or_store()?,
        booking_id: BookingId(r.try_get("booking_id").or_store()?),
        shift_id: ShiftId(r.try_get("shift_id").or_store()?),
        worker_id: WorkerId(r.try_get("worker_id").or_store()?),
        org_id: OrgId(r.try_get("org_id").or_store()?),
        ward_id: WardId(r.try_get("ward_id").or_store()?),
        state: TimesheetState::parse(&state)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored timesheet state")))?,
        body: TimesheetBody::decode(&body)?,
        updated_at: r.try_get("updated_at").or_store()?,
    })
}

pub(crate) async fn create(
    pool: &PgPool,
    t: &Timesheet,
    audit: &[AuditRecord],
) -> Result<Timesheet, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let inserted = sqlx::query(
        "INSERT INTO timesheets (id, booking_id, shift_id, worker_id, org_id, ward_id, state, body, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (booking_id) DO NOTHING",
    )
    .bind(t.id)
    .bind(t.booking_id.0)
    .bind(t.shift_id.0)
    .bind(t.worker_id.0)
    .bind(t.org_id.0)
    .bind(t.ward_id.0)
    .bind(t.state.as_str())
    .bind(t.body.encode()?)
    .bind(t.updated_at)
    .execute(&mut *tx)
    .await
    .or_store()?
    .rows_affected();
    if inserted == 1 {
        insert_audit(&mut tx, audit).await?;
    }
    tx.commit().await.or_store()?;
    for_booking(pool, t.booking_id)
        .await?
        .ok_or(StoreError::NotFound)
}

pub(crate) async fn one(pool: &PgPool, id: Uuid) -> Result<Option<Timesheet>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM timesheets WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .or_store()?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn for_booking(
    pool: &PgPool,
    booking: BookingId,
) -> Result<Option<Timesheet>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM timesheets WHERE booking_id = $1"
    ))
    .bind(booking.0)
    .fetch_optional(pool)
    .await
    .or_store()?
    .as_ref()
    .map(decode)
    .transpose()
}

async fn guarded_update(
    tx: &mut Transaction<'static, Postgres>,
    t: &Timesheet,
    from: &[TimesheetState],
) -> Result<(), StoreError> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let changed = sqlx::query(
        "UPDATE timesheets SET state = $2, body = $3, updated_at = $4 \
         WHERE id = $1 AND state = ANY($5)",
    )
    .bind(t.id)
    .bind(t.state.as_str())
    .bind(t.body.encode()?)
    .bind(t.updated_at)
    .bind(&from)
    .execute(&mut **tx)
    .await
    .or_store()?
    .rows_affected();
    if changed == 0 {
        return Err(missing_or(tx, "timesheets", t.id, Conflict::RequestDecided).await);
    }
    Ok(())
}

pub(crate) async fn update(
    pool: &PgPool,
    t: &Timesheet,
    from: &[TimesheetState],
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    guarded_update(&mut tx, t, from).await?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn approve(
    pool: &PgPool,
    t: &Timesheet,
    pay: &PayLineRecord,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    guarded_update(&mut tx, t, &[TimesheetState::Submitted]).await?;
    let inserted = crate::payroll::insert_line(&mut tx, pay).await?;
    if !inserted {
        return Err(Conflict::AlreadyPaid.into());
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn of_org(
    pool: &PgPool,
    org: OrgId,
    state: TimesheetState,
) -> Result<Vec<Timesheet>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM timesheets WHERE org_id = $1 AND state = $2 ORDER BY updated_at, id"
    ))
    .bind(org.0)
    .bind(state.as_str())
    .fetch_all(pool)
    .await
    .or_store()?
    .iter()
    .map(decode)
    .collect()
}
