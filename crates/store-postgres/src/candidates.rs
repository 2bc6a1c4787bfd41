//! The reads matching runs on: shifts that may match a worker, and a shift's candidate pool with
//! what ranking and the working-time rules need about each candidate.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::PgPool;
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;
use staffbank_store::raw::grade_rank;
use staffbank_store::{
    Credential, MatchQuery, MatchableShift, PoolMember, PoolQuery, Shift, StoreError, Worker,
};
use uuid::Uuid;

use crate::error::OrStore;
use crate::rows;
use crate::store::SHIFT_COLUMNS;

fn ids<T: Copy>(items: &[T], uuid: impl Fn(T) -> Uuid) -> Vec<Uuid> {
    items.iter().map(|i| uuid(*i)).collect()
}

pub(crate) async fn matchable_shifts(
    pool: &PgPool,
    q: &MatchQuery,
) -> Result<Vec<MatchableShift>, StoreError> {
    let (family, rank) = grade_rank(q.grade);
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
         si.lon AS site_lon FROM shifts s JOIN wards w ON w.id = s.ward_id \
         JOIN sites si ON si.id = w.site_id \
         WHERE s.status = 'open' AND s.booked < s.places AND s.starts_at > $2 \
         AND s.staff_group = $3 AND s.grade_family = $4 AND s.grade_min_rank <= $5 \
         AND s.grade_max_rank >= $5 \
         AND ((s.bank_id = ANY($1) AND s.released_at <= $2) \
              OR (s.collaborative_bank_id = ANY($1) AND s.collaborative_at <= $2)) \
         ORDER BY s.starts_at, s.id LIMIT $6) x"
    );
    let rows = sqlx::query(&sql)
        .bind(ids(&q.banks, |b: BankId| b.0))
        .bind(q.now)
        .bind(q.staff_group.as_str())
        .bind(family)
        .bind(i32::try_from(rank).unwrap_or(0))
        .bind(i64::from(q.limit))
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(matchable).collect()
}

/// A shift row with its site's `site_lat` and `site_lon`.
pub(crate) fn matchable(row: &PgRow) -> Result<MatchableShift, StoreError> {
    let shift = Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?;
    let lat: f64 = sqlx::Row::try_get(row, "site_lat").or_store()?;
    let lon: f64 = sqlx::Row::try_get(row, "site_lon").or_store()?;
    let site = GeoPoint::new(lat, lon)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("site: {e}")))?;
    Ok(MatchableShift { shift, site })
}

pub(crate) async fn wards_worked(
    pool: &PgPool,
    worker: WorkerId,
    before: DateTime<Utc>,
) -> Result<Vec<WardId>, StoreError> {
    let wards: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT ward_id FROM bookings \
         WHERE worker_id = $1 AND status = 'active' AND ends_at <= $2",
    )
    .bind(worker.0)
    .bind(before)
    .fetch_all(pool)
    .await
    .or_store()?;
    Ok(wards.into_iter().map(WardId).collect())
}

pub(crate) async fn candidate_pool(
    pool: &PgPool,
    q: &PoolQuery,
) -> Result<Vec<PoolMember>, StoreError> {
    // The members in the group (memberships carry it, see migration 0006), fetched by id (the
    // ARRAY keeps the planner from scanning every worker), with
    // continuity from one range of the ward's bookings and fairness from an index range each;
    // then their memberships of these banks from the covering (bank, worker) index, joined here
    // (joined in SQL, a misestimate can turn it into a nested loop over every member).
    let members = sqlx::query(
        "SELECT w.*, '{}'::uuid[] AS banks, '{}'::uuid[] AS tiered, \
         w.id IN (SELECT b.worker_id FROM bookings b \
                  WHERE b.ward_id = $4 AND b.status = 'active' AND b.ends_at <= $5) AS worked_ward, \
         coalesce((SELECT (sum(extract(epoch FROM b.ends_at - b.starts_at)) / 60)::bigint \
                   FROM bookings b WHERE b.worker_id = w.id AND b.status = 'active' \
                   AND b.starts_at >= $6 AND b.starts_at < $7), 0) AS minutes \
         FROM workers w WHERE w.id = ANY(ARRAY(SELECT m.worker_id FROM bank_memberships m \
         WHERE m.bank_id = ANY($1) AND m.staff_group = $2)) AND w.staff_group = $2 \
         AND w.grade = ANY($3) ORDER BY w.id",
    )
    .bind(ids(&q.banks, |b: BankId| b.0))
    .bind(q.staff_group.as_str())
    .bind(q.grades.iter().map(|g| g.as_str()).collect::<Vec<_>>())
    .bind(q.ward.0)
    .bind(q.now)
    .bind(q.from)
    .bind(q.to)
    // Planned afresh for each shift's banks and ward: a cached generic plan scans every worker.
    .persistent(false)
    .fetch_all(pool);
    let banks_of = sqlx::query_as::<_, (Uuid, Uuid, bool)>(
        "SELECT worker_id, bank_id, tier IS NOT NULL FROM bank_memberships WHERE bank_id = ANY($1) \
         AND staff_group = $2 ORDER BY bank_id",
    )
    .bind(ids(&q.banks, |b: BankId| b.0))
    .bind(q.staff_group.as_str())
    .fetch_all(pool);
    // Side by side, on two connections: the members are the long read.
    let (rows, memberships) = tokio::try_join!(members, banks_of).or_store()?;
    let mut banks: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)> = HashMap::new();
    for (worker, bank, tiered) in memberships {
        let entry = banks.entry(worker).or_default();
        entry.0.push(bank);
        if tiered {
            entry.1.push(bank);
        }
    }
    rows.iter()
        .map(|r| {
            let id: Uuid = sqlx::Row::try_get(r, "id").or_store()?;
            let (member_of, tiered) = banks.remove(&id).unwrap_or_default();
            let mut raw = rows::worker(r)?;
            raw.banks = member_of;
            raw.tiered = tiered;
            Ok(PoolMember {
                worker: Worker::try_from(raw).map_err(StoreError::Unexpected)?,
                worked_ward: sqlx::Row::try_get(r, "worked_ward").or_store()?,
                minutes_in_period: sqlx::Row::try_get(r, "minutes").or_store()?,
            })
        })
        .collect()
}

pub(crate) async fn credentials_of_workers(
    pool: &PgPool,
    workers: &[WorkerId],
) -> Result<Vec<Credential>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, status, \
         revoked_at, recorded_by, recorded_at FROM credentials WHERE worker_id = ANY($1)",
    )
    .bind(ids(workers, |w: WorkerId| w.0))
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.iter()
        .map(|r| Credential::try_from(rows::credential(r)?).map_err(StoreError::Unexpected))
        .collect()
}

pub(crate) async fn worked_by_workers(
    pool: &PgPool,
    workers: &[WorkerId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(WorkerId, Worked)>, StoreError> {
    // A booking is at most a day long, so one starting a day before `from` is the earliest that
    // can reach into the span; the bound lets the (worker, start) index do the work.
    let rows: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>, Uuid)> = sqlx::query_as(
        "SELECT b.worker_id, b.starts_at, b.ends_at, s.org_id FROM bookings b \
         JOIN shifts s ON s.id = b.shift_id WHERE b.worker_id = ANY($1) AND b.status = 'active' \
         AND b.starts_at < $3 AND b.starts_at > $2 - interval '1 day' AND b.ends_at > $2 \
         ORDER BY b.starts_at",
    )
    .bind(ids(workers, |w: WorkerId| w.0))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.into_iter()
        .map(|(worker, start, end, org)| {
            let window = ShiftWindow::new(start, end)
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
