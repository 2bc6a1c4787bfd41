//! Trust policies, worker preferences and tiers, and break-glass release to agency.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use staffbank_domain::booking::BookingMode;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::{BankId, OrgId, WardId, WorkerId};
use staffbank_store::{AuditRecord, MemberHours, StoreError};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;

pub(crate) async fn release_policy(
    pool: &PgPool,
    org: OrgId,
) -> Result<Option<ReleasePolicy>, StoreError> {
    let row: Option<(i64, i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT horizon_minutes, collaborative_after_minutes, collaborative_lead_minutes, \
         priority_window_minutes, cancellation_notice_minutes, core_tier_hours FROM release_policies WHERE org_id = $1",
    )
    .bind(org.0)
    .fetch_optional(pool)
    .await
    .or_store()?;
    Ok(row.map(staffbank_store::raw::release_policy))
}

pub(crate) async fn set_release_policy(
    pool: &PgPool,
    org: OrgId,
    p: &ReleasePolicy,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    sqlx::query(
        "INSERT INTO release_policies (org_id, horizon_minutes, collaborative_after_minutes, \
         collaborative_lead_minutes, priority_window_minutes, cancellation_notice_minutes, \
         core_tier_hours) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET \
         horizon_minutes = EXCLUDED.horizon_minutes, \
         collaborative_after_minutes = EXCLUDED.collaborative_after_minutes, \
         collaborative_lead_minutes = EXCLUDED.collaborative_lead_minutes, \
         priority_window_minutes = EXCLUDED.priority_window_minutes, \
         cancellation_notice_minutes = EXCLUDED.cancellation_notice_minutes, \
         core_tier_hours = EXCLUDED.core_tier_hours",
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

async fn update_one(
    pool: &PgPool,
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let changed = query.execute(&mut *tx).await.or_store()?.rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn set_instant_booking(
    pool: &PgPool,
    ward: WardId,
    instant: bool,
    from: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    // One statement: the ward's row is the one counted, its shifts change beside it (a ward that
    // does not exist has none).
    let query = sqlx::query(
        "WITH s AS (UPDATE shifts SET booking_mode = $3 WHERE ward_id = $2 AND status = 'open' \
         AND starts_at > $4 AND booking_mode <> $3) \
         UPDATE wards SET instant_booking = $1 WHERE id = $2",
    )
    .bind(instant)
    .bind(ward.0)
    .bind(BookingMode::for_ward(instant).as_str())
    .bind(from);
    update_one(pool, query, audit).await
}

pub(crate) async fn set_tier(
    pool: &PgPool,
    worker: WorkerId,
    bank: BankId,
    tier: Option<Tier>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let query =
        sqlx::query("UPDATE bank_memberships SET tier = $1 WHERE worker_id = $2 AND bank_id = $3")
            .bind(tier.map(Tier::as_str))
            .bind(worker.0)
            .bind(bank.0);
    update_one(pool, query, audit).await
}

pub(crate) async fn change_tier(
    pool: &PgPool,
    worker: WorkerId,
    bank: BankId,
    from: Option<Tier>,
    to: Option<Tier>,
    audit: &[AuditRecord],
) -> Result<bool, StoreError> {
    let query = sqlx::query(
        "UPDATE bank_memberships SET tier = $1 WHERE worker_id = $2 AND bank_id = $3 \
         AND tier IS NOT DISTINCT FROM $4",
    )
    .bind(to.map(Tier::as_str))
    .bind(worker.0)
    .bind(bank.0)
    .bind(from.map(Tier::as_str));
    match update_one(pool, query, audit).await {
        Err(StoreError::NotFound) => Ok(false),
        other => other.map(|()| true),
    }
}

pub(crate) async fn member_hours(
    pool: &PgPool,
    bank: BankId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MemberHours>, StoreError> {
    let rows: Vec<(Uuid, Uuid, Option<String>, i64)> = sqlx::query_as(
        "SELECT m.worker_id, w.user_id, m.tier, COALESCE((SELECT (sum(EXTRACT(EPOCH FROM \
         b.ends_at - b.starts_at)) / 60)::bigint FROM bookings b JOIN shifts s ON s.id = b.shift_id \
         WHERE b.worker_id = m.worker_id AND b.status = 'active' AND b.ends_at >= $2 \
         AND b.ends_at < $3 AND (s.bank_id = $1 OR s.collaborative_bank_id = $1)), 0) \
         FROM bank_memberships m JOIN workers w ON w.id = m.worker_id WHERE m.bank_id = $1 \
         ORDER BY m.worker_id",
    )
    .bind(bank.0)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.into_iter()
        .map(staffbank_store::raw::member_hours)
        .collect()
}

pub(crate) async fn counts(
    pool: &PgPool,
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
             (SELECT count(*) FROM shifts g WHERE g.org_id = $1 AND g.starts_at >= $2 \
              AND g.starts_at < $3 AND g.agency_at IS NOT NULL) \
             FROM shifts s JOIN bookings b ON b.shift_id = s.id \
             LEFT JOIN cancellation_payments p ON p.booking_id = b.id \
             WHERE s.org_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3",
    )
    .bind(org.0)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
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
