//! Matching: trust release policies, booking modes, tiers and their hours, the reads matching
//! runs on (shifts that may match a worker, a shift's candidates and what ranking and the
//! working-time rules need about them), offer rounds and the outbox they write.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use staffbank_domain::booking::BookingMode;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::working_time::Worked;
use staffbank_domain::{BankId, OrgId, ShiftId, ShiftWindow, WardId, WorkerId};
use staffbank_store::raw::grade_rank;
use staffbank_store::{
    AuditRecord, Credential, DueOffers, MatchQuery, MatchableShift, MatchingCounts, MatchingStore,
    MemberHours, OfferRound, OutboxEvent, PoolMember, PoolQuery, Shift, StoreError,
};
use uuid::Uuid;

use super::offers::insert_events;
use super::types::{At, Ids};
use super::{bookable_now, get, instant};
use crate::db::{each_id, in_ids, sum_minutes, Db, DbRow, ThisStore, Tx};
use crate::ledger::insert_audit;
use crate::rows;
use crate::rows::SHIFT_COLUMNS;
use crate::sql::OrStore;

/// A statement of this database with its arguments bound, as `sqlx::query` builds it.
type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

/// Runs `query` in `tx`: `NotFound` unless it changed a row, so a write to a missing row is
/// refused rather than audited.
async fn change_one(tx: &mut Tx, query: Query<'_>) -> Result<(), StoreError> {
    let changed = query.execute(&mut **tx).await.or_store()?.rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Runs `query` and writes `audit` in one transaction, if it changed a row.
async fn update_one(
    store: &ThisStore,
    query: Query<'_>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    change_one(&mut tx, query).await?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

/// A shift row with its site's `site_lat` and `site_lon`: how both the matchable and the offered
/// shifts are read.
fn matchable(row: &DbRow) -> Result<MatchableShift, StoreError> {
    let shift = Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?;
    let site = GeoPoint::new(get(row, "site_lat")?, get(row, "site_lon")?)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("site: {e}")))?;
    Ok(MatchableShift { shift, site })
}

#[async_trait]
impl MatchingStore for ThisStore {
    async fn release_policy(&self, org: OrgId) -> Result<Option<ReleasePolicy>, StoreError> {
        let row: Option<(i64, i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT horizon_minutes, collaborative_after_minutes, collaborative_lead_minutes, \
             priority_window_minutes, cancellation_notice_minutes, core_tier_hours \
             FROM release_policies WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(row.map(staffbank_store::raw::release_policy))
    }

    async fn set_release_policy(
        &self,
        org: OrgId,
        p: &ReleasePolicy,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO release_policies (org_id, horizon_minutes, collaborative_after_minutes, \
             collaborative_lead_minutes, priority_window_minutes, cancellation_notice_minutes, \
             core_tier_hours) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE \
             SET horizon_minutes = EXCLUDED.horizon_minutes, \
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
        .bind(p.core_tier_hours);
        self.write_audited(query, audit).await
    }

    async fn agency_fills(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<staffbank_store::AgencyFill>, StoreError> {
        self.read_agency_fills(org, from, to).await
    }

    async fn agency_cap(
        &self,
        org: OrgId,
    ) -> Result<Option<staffbank_store::AgencyCap>, StoreError> {
        self.read_agency_cap(org).await
    }

    async fn set_agency_cap(
        &self,
        org: OrgId,
        cap: &staffbank_store::AgencyCap,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        self.write_agency_cap(org, cap, audit).await
    }

    async fn set_instant_booking(
        &self,
        ward: WardId,
        instant: bool,
        from: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // The ward's row is the one counted (a ward that does not exist has no shifts either).
        let query = sqlx::query("UPDATE wards SET instant_booking = $1 WHERE id = $2")
            .bind(instant)
            .bind(ward.0);
        change_one(&mut tx, query).await?;
        sqlx::query(
            "UPDATE shifts SET booking_mode = $1 WHERE ward_id = $2 AND status = 'open' \
             AND starts_at > $3 AND booking_mode <> $1",
        )
        .bind(BookingMode::for_ward(instant).as_str())
        .bind(ward.0)
        .bind(At(from))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn member_hours(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MemberHours>, StoreError> {
        let sql = format!(
            "SELECT m.worker_id, w.user_id, m.tier, COALESCE((SELECT {} \
             FROM bookings b JOIN shifts s ON s.id = b.shift_id \
             WHERE b.worker_id = m.worker_id AND b.status = 'active' AND b.ends_at >= $2 \
             AND b.ends_at < $3 AND (s.bank_id = $1 OR s.collaborative_bank_id = $1)), 0), \
             m.contract FROM bank_memberships m JOIN workers w ON w.id = m.worker_id WHERE m.bank_id = $1 \
             ORDER BY m.worker_id",
            sum_minutes("b.starts_at", "b.ends_at")
        );
        let rows: Vec<(Uuid, Uuid, Option<String>, i64, Option<String>)> = sqlx::query_as(&sql)
            .bind(bank.0)
            .bind(At(from))
            .bind(At(to))
            .fetch_all(self.reader())
            .await
            .or_store()?;
        rows.into_iter()
            .map(staffbank_store::raw::member_hours)
            .collect()
    }

    async fn set_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        tier: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "UPDATE bank_memberships SET tier = $1 WHERE worker_id = $2 AND bank_id = $3",
        )
        .bind(tier.map(Tier::as_str))
        .bind(worker.0)
        .bind(bank.0);
        update_one(self, query, audit).await
    }

    async fn change_tier(
        &self,
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
        match update_one(self, query, audit).await {
            Err(StoreError::NotFound) => Ok(false),
            other => other.map(|()| true),
        }
    }

    async fn matchable_shifts(&self, q: &MatchQuery) -> Result<Vec<MatchableShift>, StoreError> {
        let (family, rank) = grade_rank(q.grade);
        let sql = format!(
            "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
             si.lon AS site_lon FROM shifts s JOIN wards w ON w.id = s.ward_id \
             JOIN sites si ON si.id = w.site_id \
             WHERE {bookable} AND s.staff_group = $3 AND s.grade_family = $4 AND s.grade_min_rank <= $5 \
             AND s.grade_max_rank >= $5 \
             AND ((s.bank_id {banks} AND s.released_at <= $2) \
                  OR (s.collaborative_bank_id {banks} AND s.collaborative_at <= $2)) \
             ORDER BY s.starts_at, s.id LIMIT $6) x",
            banks = in_ids(1),
            bookable = bookable_now("$2"),
        );
        sqlx::query(&sql)
            .bind(Ids::of(&q.banks, |b| b.0))
            .bind(At(q.now))
            .bind(q.staff_group.as_str())
            .bind(family)
            .bind(i32::try_from(rank).unwrap_or(0))
            .bind(i64::from(q.limit))
            .fetch_all(self.replica())
            .await
            .or_store()?
            .iter()
            .map(matchable)
            .collect()
    }

    async fn wards_worked(
        &self,
        worker: WorkerId,
        before: DateTime<Utc>,
    ) -> Result<Vec<WardId>, StoreError> {
        // From the bookings' copy of their shift's ward (migration 0019): one index range.
        let wards: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT ward_id FROM bookings \
             WHERE worker_id = $1 AND status = 'active' AND ends_at <= $2",
        )
        .bind(worker.0)
        .bind(At(before))
        .fetch_all(self.replica())
        .await
        .or_store()?;
        Ok(wards.into_iter().map(WardId).collect())
    }

    async fn candidate_pool(&self, q: &PoolQuery) -> Result<Vec<PoolMember>, StoreError> {
        crate::candidates::candidate_pool(self.replica(), q).await
    }

    async fn credentials_of_workers(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<Credential>, StoreError> {
        let sql = format!(
            "SELECT id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, \
             status, revoked_at, recorded_by, recorded_at FROM credentials WHERE worker_id {}",
            in_ids(1)
        );
        sqlx::query(&sql)
            .bind(Ids::of(workers, |w| w.0))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(|r| Credential::try_from(rows::credential(r)?).map_err(StoreError::Unexpected))
            .collect()
    }

    async fn worked_by_workers(
        &self,
        workers: &[WorkerId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(WorkerId, Worked)>, StoreError> {
        // A booking is at most a day long, so one starting a day before `from` is the earliest
        // that can reach into the span; the bound lets the (worker, start) index do the work.
        let sql = format!(
            "SELECT b.worker_id, b.starts_at, b.ends_at, s.org_id FROM bookings b \
             JOIN shifts s ON s.id = b.shift_id WHERE b.worker_id {} AND b.status = 'active' \
             AND b.starts_at < $3 AND b.starts_at > $4 AND b.ends_at > $2 \
             ORDER BY b.starts_at",
            in_ids(1)
        );
        let rows: Vec<(Uuid, At, At, Uuid)> = sqlx::query_as(&sql)
            .bind(Ids::of(workers, |w| w.0))
            .bind(At(from))
            .bind(At(to))
            .bind(At(from - Duration::days(1)))
            .fetch_all(self.replica())
            .await
            .or_store()?;
        rows.into_iter()
            .map(|(worker, start, end, org)| {
                let window = ShiftWindow::new(start.0, end.0)
                    .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored window: {e}")))?;
                Ok((
                    WorkerId(worker),
                    Worked {
                        window,
                        trust: OrgId(org),
                    },
                ))
            })
            .collect()
    }

    async fn matching_counts(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MatchingCounts, StoreError> {
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
        .bind(At(from))
        .bind(At(to))
        .fetch_one(self.replica())
        .await
        .or_store()?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(MatchingCounts {
            cancelled_by_trust: n(by_trust),
            late_by_trust: n(late_trust),
            cancelled_by_worker: n(by_worker),
            late_by_worker: n(late_worker),
            cancellation_payments: n(payments),
            break_glass: n(glass),
        })
    }

    async fn offers_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOffers>, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS}, offers_due_at FROM shifts WHERE status = 'open' \
             AND offers_due_at IS NOT NULL AND offers_due_at <= $1 AND starts_at > $1 \
             ORDER BY offers_due_at, id LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(At(now))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(|row| {
                Ok(DueOffers {
                    shift: Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?,
                    due_at: instant(row, "offers_due_at")?,
                })
            })
            .collect()
    }

    async fn record_offers(&self, round: &OfferRound) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        // Claimed by moving the due time on: of several servers releasing at once, one sends it.
        let claimed = sqlx::query(
            "UPDATE shifts SET offers_due_at = $1 WHERE id = $2 AND offers_due_at = $3",
        )
        .bind(round.next_due_at.map(At))
        .bind(round.shift_id.0)
        .bind(At(round.due_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        // `WHERE true` keeps SQLite from reading `ON CONFLICT` as a join constraint.
        let sql = format!(
            "INSERT INTO offers (worker_id, shift_id, offered_at) SELECT l.v, $2, $3 FROM {} \
             WHERE true ON CONFLICT DO NOTHING",
            each_id(1)
        );
        sqlx::query(&sql)
            .bind(Ids::of(&round.workers, |w| w.0))
            .bind(round.shift_id.0)
            .bind(At(round.at))
            .execute(&mut *tx)
            .await
            .or_store()?;
        insert_events(&mut tx, &round.events).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn offer_to(
        &self,
        shift: ShiftId,
        worker: WorkerId,
        event: &OutboxEvent,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let made = sqlx::query(
            "INSERT INTO offers (worker_id, shift_id, offered_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(worker.0)
        .bind(shift.0)
        .bind(At(event.created_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if made == 0 {
            return Ok(false);
        }
        insert_events(&mut tx, std::slice::from_ref(event)).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn offered_workers(&self, shift: ShiftId) -> Result<Vec<WorkerId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT worker_id FROM offers WHERE shift_id = $1")
            .bind(shift.0)
            .fetch_all(self.reader())
            .await
            .or_store()?;
        Ok(ids.into_iter().map(WorkerId).collect())
    }

    async fn offered_shifts(
        &self,
        worker: WorkerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchableShift>, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
             si.lon AS site_lon FROM offers o JOIN shifts s ON s.id = o.shift_id \
             JOIN wards w ON w.id = s.ward_id JOIN sites si ON si.id = w.site_id \
             WHERE o.worker_id = $1 AND {} ORDER BY s.starts_at, s.id) x",
            bookable_now("$2")
        );
        sqlx::query(&sql)
            .bind(worker.0)
            .bind(At(now))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(matchable)
            .collect()
    }

    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
        // The payload as the JSON text it was written as (a `jsonb` on PostgreSQL).
        let rows: Vec<(i64, Uuid, String, Option<Uuid>, String, At)> = sqlx::query_as(
            "SELECT position, id, topic, worker_id, CAST(payload AS TEXT), created_at \
             FROM outbox WHERE position > $1 ORDER BY position LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(|(position, id, topic, worker, payload, created_at)| {
                (
                    position,
                    OutboxEvent {
                        id,
                        topic,
                        worker_id: worker.map(WorkerId),
                        payload,
                        created_at: created_at.0,
                    },
                )
            })
            .collect())
    }
}
