//! Trust policies, worker preferences and tiers, and break-glass release to agency.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use staffbank_domain::booking::BookingMode;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::{BankId, OrgId, WardId, WorkerId};
use staffbank_store::{AuditRecord, MemberHours, StoreError};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows::ms;
use crate::SqliteStore;

pub(crate) async fn release_policy(
    store: &SqliteStore,
    org: OrgId,
) -> Result<Option<ReleasePolicy>, StoreError> {
    let row: Option<(i64, i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT horizon_minutes, collaborative_after_minutes, collaborative_lead_minutes, \
         priority_window_minutes, cancellation_notice_minutes, core_tier_hours FROM release_policies WHERE org_id = ?",
    )
    .bind(org.0)
    .fetch_optional(&store.reader)
    .await
    .or_store()?;
    Ok(row.map(staffbank_store::raw::release_policy))
}

pub(crate) async fn set_release_policy(
    store: &SqliteStore,
    org: OrgId,
    p: &ReleasePolicy,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO release_policies (org_id, horizon_minutes, collaborative_after_minutes, \
         collaborative_lead_minutes, priority_window_minutes, cancellation_notice_minutes, \
         core_tier_hours) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET \
         horizon_minutes = excluded.horizon_minutes, \
         collaborative_after_minutes = excluded.collaborative_after_minutes, \
         collaborative_lead_minutes = excluded.collaborative_lead_minutes, \
         priority_window_minutes = excluded.priority_window_minutes, \
         cancellation_notice_minutes = excluded.cancellation_notice_minutes, \
         core_tier_hours = excluded.core_tier_hours",
    )
    .bind(org.0)
    .bind(p.horizon.num_minutes())
    .bind(p.collaborative_after.num_minutes())
    .bind(p.collaborative_lead.num_minutes())
    .bind(p.priority_window.num_minutes())
    .bind(p.cancellation_notice.num_minutes())
    .bind(p.core_tier_hours)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

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

pub(crate) async fn set_instant_booking(
    store: &SqliteStore,
    ward: WardId,
    instant: bool,
    from: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let query = sqlx::query("UPDATE wards SET instant_booking = ? WHERE id = ?")
        .bind(instant)
        .bind(ward.0);
    change_one(&mut tx, query).await?;
    sqlx::query(
        "UPDATE shifts SET booking_mode = ?1 WHERE ward_id = ?2 AND status = 'open' \
         AND starts_at > ?3 AND booking_mode <> ?1",
    )
    .bind(BookingMode::for_ward(instant).as_str())
    .bind(ward.0)
    .bind(ms(from))
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn set_tier(
    store: &SqliteStore,
    worker: WorkerId,
    bank: BankId,
    tier: Option<Tier>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let query =
        sqlx::query("UPDATE bank_memberships SET tier = ? WHERE worker_id = ? AND bank_id = ?")
            .bind(tier.map(Tier::as_str))
            .bind(worker.0)
            .bind(bank.0);
    update_one(store, query, audit).await
}

pub(crate) async fn change_tier(
    store: &SqliteStore,
    worker: WorkerId,
    bank: BankId,
    from: Option<Tier>,
    to: Option<Tier>,
    audit: &[AuditRecord],
) -> Result<bool, StoreError> {
    let query = sqlx::query(
        "UPDATE bank_memberships SET tier = ? WHERE worker_id = ? AND bank_id = ? AND tier IS ?",
    )
    .bind(to.map(Tier::as_str))
    .bind(worker.0)
    .bind(bank.0)
    .bind(from.map(Tier::as_str));
    match update_one(store, query, audit).await {
        Err(StoreError::NotFound) => Ok(false),
        other => other.map(|()| true),
    }
}

pub(crate) async fn member_hours(
    store: &SqliteStore,
    bank: BankId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MemberHours>, StoreError> {
    let rows: Vec<(Uuid, Uuid, Option<String>, i64)> = sqlx::query_as(
        "SELECT m.worker_id, w.user_id, m.tier, COALESCE((SELECT sum(b.ends_at - b.starts_at) / 60000 \
         FROM bookings b JOIN shifts s ON s.id = b.shift_id \
         WHERE b.worker_id = m.worker_id AND b.status = 'active' AND b.ends_at >= ?2 \
         AND b.ends_at < ?3 AND (s.bank_id = ?1 OR s.collaborative_bank_id = ?1)), 0) \
         FROM bank_memberships m JOIN workers w ON w.id = m.worker_id WHERE m.bank_id = ?1 \
         ORDER BY m.worker_id",
    )
    .bind(bank.0)
    .bind(ms(from))
    .bind(ms(to))
    .fetch_all(&store.reader)
    .await
    .or_store()?;
    rows.into_iter()
        .map(staffbank_store::raw::member_hours)
        .collect()
}

pub(crate) async fn counts(
    store: &SqliteStore,
    org: OrgId,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<staffbank_store::MatchingCounts, StoreError> {
    let (by_trust, late_trust, by_worker, late_worker, payments, glass): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT \
             count(*) FILTER (WHERE b.cancelled_by = 'trust'), \
             count(*) FILTER (WHERE b.cancelled_by = 'trust' AND b.late_cancellation), \
             count(*) FILTER (WHERE b.cancelled_by = 'worker'), \
             count(*) FILTER (WHERE b.cancelled_by = 'worker' AND b.late_cancellation), \
             count(p.booking_id), \
             (SELECT count(*) FROM shifts g WHERE g.org_id = ?1 AND g.starts_at >= ?2 \
              AND g.starts_at < ?3 AND g.agency_at IS NOT NULL) \
             FROM shifts s JOIN bookings b ON b.shift_id = s.id \
             LEFT JOIN cancellation_payments p ON p.booking_id = b.id \
             WHERE s.org_id = ?1 AND s.starts_at >= ?2 AND s.starts_at < ?3",
    )
    .bind(org.0)
    .bind(ms(from))
    .bind(ms(to))
    .fetch_one(&store.reader)
    .await
    .or_store()?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(staffbank_store::MatchingCounts {
        cancelled_by_trust: n(by_trust),
        late_by_trust: n(late_trust),
        cancelled_by_worker: n(by_worker),
        late_by_worker: n(late_worker),
        cancellation_payments: n(payments),
        break_glass: n(glass),
    })
}
