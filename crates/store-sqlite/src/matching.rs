//! Trust policies, worker preferences and tiers, and break-glass release to agency.

use sqlx::SqliteConnection;
use staffbank_domain::pay::Premium;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::text::Label;
use staffbank_domain::{OrgId, ShiftId, WorkerId};
use staffbank_store::{AgencyRelease, AuditRecord, Conflict, StoreError};

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows::ms;
use crate::SqliteStore;

async fn update_one<'q>(
    store: &SqliteStore,
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    change_one(&mut tx, query).await?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

/// Runs `query` on `connection`: `NotFound` unless it changed a row.
async fn change_one<'q>(
    connection: &mut SqliteConnection,
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
) -> Result<(), StoreError> {
    let changed = query.execute(connection).await.or_store()?.rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn set_preferences(
    store: &SqliteStore,
    worker: WorkerId,
    max_travel_km: Option<f64>,
    shift_times: ShiftTimes,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let query = sqlx::query("UPDATE workers SET max_travel_km = ?, shift_times = ? WHERE id = ?")
        .bind(max_travel_km)
        .bind(shift_times.as_str())
        .bind(worker.0);
    update_one(store, query, audit).await
}

pub(crate) async fn release_to_agency(
    store: &SqliteStore,
    shift: ShiftId,
    release: &AgencyRelease,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    // Judged inside the write transaction: a place taken since the caller read it is seen here.
    let row: Option<(Option<i64>, String, i64, i64)> =
        sqlx::query_as("SELECT agency_at, status, booked, places FROM shifts WHERE id = ?")
            .bind(shift.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
    match row {
        None => return Err(StoreError::NotFound),
        Some((Some(_), ..)) => return Err(Conflict::AlreadyAtAgency.into()),
        Some((None, status, ..)) if status != "open" => return Err(Conflict::ShiftNotOpen.into()),
        Some((None, _, booked, places)) if booked >= places => {
            return Err(Conflict::ShiftFull.into())
        }
        Some(_) => {}
    }
    sqlx::query("UPDATE shifts SET agency_at = ?, agency_by = ?, agency_reason = ? WHERE id = ?")
        .bind(ms(release.at))
        .bind(release.by.0)
        .bind(release.reason.as_str())
        .bind(shift.0)
        .execute(&mut *tx)
        .await
        .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn raise_premium(
    store: &SqliteStore,
    shift: ShiftId,
    premium: &Premium,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    // The comparison is in the update itself, so two raises at once can never lower it.
    let changed = sqlx::query(
        "UPDATE shifts SET premium_percent = ?1, premium_override_reason = ?2 \
         WHERE id = ?3 AND premium_percent < ?1",
    )
    .bind(i64::from(premium.percent))
    .bind(premium.override_reason.as_ref().map(Label::as_str))
    .bind(shift.0)
    .execute(&mut *tx)
    .await
    .or_store()?
    .rows_affected();
    if changed == 0 {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM shifts WHERE id = ?")
            .bind(shift.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        return Err(match exists {
            Some(_) => Conflict::PremiumNotRaised.into(),
            None => StoreError::NotFound,
        });
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn insert_payment(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    p: &staffbank_store::CancellationPayment,
    pay_line: Option<&staffbank_store::PayLineRecord>,
) -> Result<(), StoreError> {
    if let Some(line) = pay_line {
        crate::payroll::insert_line(tx, line).await?;
    }
    sqlx::query(
        "INSERT INTO cancellation_payments (booking_id, org_id, worker_id, shift_minutes, created_at, \
         pay_line_id) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(p.booking_id.0)
    .bind(p.org_id.0)
    .bind(p.worker_id.0)
    .bind(p.shift_minutes)
    .bind(ms(p.created_at))
    .bind(p.pay_line_id)
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}

pub(crate) async fn cancellation_payments(
    store: &SqliteStore,
    org: OrgId,
) -> Result<Vec<staffbank_store::CancellationPayment>, StoreError> {
    let rows: Vec<(uuid::Uuid, uuid::Uuid, i64, i64, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT booking_id, worker_id, shift_minutes, created_at, pay_line_id \
         FROM cancellation_payments \
         WHERE org_id = ? ORDER BY created_at, booking_id",
    )
    .bind(org.0)
    .fetch_all(&store.reader)
    .await
    .or_store()?;
    rows.into_iter()
        .map(|(booking, worker, minutes, at, line)| {
            Ok(staffbank_store::CancellationPayment {
                booking_id: staffbank_domain::BookingId(booking),
                org_id: org,
                worker_id: WorkerId(worker),
                shift_minutes: minutes,
                pay_line_id: line,
                created_at: chrono::DateTime::from_timestamp_millis(at).ok_or_else(|| {
                    StoreError::Unexpected(anyhow::anyhow!("stored instant out of range"))
                })?,
            })
        })
        .collect()
}
