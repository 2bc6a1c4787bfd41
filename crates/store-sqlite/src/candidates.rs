//! The reads matching runs on: shifts that may match a worker, and a shift's candidate pool with
//! what ranking and the working-time rules need about each candidate.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;
use staffbank_store::raw::grade_rank;
use staffbank_store::{
    Credential, MatchHistory, MatchQuery, MatchableShift, Shift, StoreError, Worker,
};
use uuid::Uuid;

use crate::error::OrStore;
use crate::rows::{self, ms};
use crate::store::SHIFT_COLUMNS;
use crate::SqliteStore;

/// `?, ?, ?` for `n` values (at least one, so an empty list matches nothing).
fn marks(n: usize) -> String {
    if n == 0 {
        "NULL".to_owned()
    } else {
        vec!["?"; n].join(", ")
    }
}

pub(crate) async fn matchable_shifts(
    store: &SqliteStore,
    q: &MatchQuery,
) -> Result<Vec<MatchableShift>, StoreError> {
    let (family, rank) = grade_rank(q.grade);
    let banks = marks(q.banks.len());
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
         si.lon AS site_lon FROM shifts s JOIN wards w ON w.id = s.ward_id \
         JOIN sites si ON si.id = w.site_id \
         WHERE s.status = 'open' AND s.booked < s.places AND s.starts_at > ? \
         AND s.staff_group = ? AND s.grade_family = ? AND s.grade_min_rank <= ? \
         AND s.grade_max_rank >= ? \
         AND ((s.bank_id IN ({banks}) AND s.released_at <= ?) \
              OR (s.collaborative_bank_id IN ({banks}) AND s.collaborative_at <= ?)) \
         ORDER BY s.starts_at, s.id LIMIT ?)"
    );
    let now = ms(q.now);
    let mut query = sqlx::query(&sql)
        .bind(now)
        .bind(q.staff_group.as_str())
        .bind(family)
        .bind(rank)
        .bind(rank);
    for bank in &q.banks {
        query = query.bind(bank.0);
    }
    query = query.bind(now);
    for bank in &q.banks {
        query = query.bind(bank.0);
    }
    let rows = query
        .bind(now)
        .bind(i64::from(q.limit))
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    rows.iter().map(matchable).collect()
}

/// A shift row with its site's `site_lat` and `site_lon`.
pub(crate) fn matchable(row: &SqliteRow) -> Result<MatchableShift, StoreError> {
    let shift = Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?;
    let lat: f64 = sqlx::Row::try_get(row, "site_lat").or_store()?;
    let lon: f64 = sqlx::Row::try_get(row, "site_lon").or_store()?;
    let site = GeoPoint::new(lat, lon)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("site: {e}")))?;
    Ok(MatchableShift { shift, site })
}

pub(crate) async fn wards_worked(
    store: &SqliteStore,
    worker: WorkerId,
    before: DateTime<Utc>,
) -> Result<Vec<WardId>, StoreError> {
    let wards: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT s.ward_id FROM bookings b JOIN shifts s ON s.id = b.shift_id \
         WHERE b.worker_id = ? AND b.status = 'active' AND b.ends_at <= ?",
    )
    .bind(worker.0)
    .bind(ms(before))
    .fetch_all(&store.reader)
    .await
    .or_store()?;
    Ok(wards.into_iter().map(WardId).collect())
}

pub(crate) async fn bank_members(
    store: &SqliteStore,
    banks: &[BankId],
    group: StaffGroup,
) -> Result<Vec<Worker>, StoreError> {
    let sql = format!(
        "SELECT w.* FROM workers w WHERE w.id IN (SELECT m.worker_id FROM bank_memberships m \
         WHERE m.bank_id IN ({})) AND w.staff_group = ? ORDER BY w.id",
        marks(banks.len())
    );
    let mut query = sqlx::query(&sql);
    for bank in banks {
        query = query.bind(bank.0);
    }
    let rows: Vec<SqliteRow> = query
        .bind(group.as_str())
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.try_get("id").or_store())
        .collect::<Result<_, _>>()?;
    let sql = format!(
        "SELECT worker_id, bank_id, tier FROM bank_memberships WHERE worker_id IN ({}) \
         ORDER BY joined_at, bank_id",
        marks(ids.len())
    );
    let mut query = sqlx::query_as::<_, (Uuid, Uuid, Option<String>)>(&sql);
    for id in &ids {
        query = query.bind(id);
    }
    let mut memberships: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)> = HashMap::new();
    for (worker, bank, tier) in query.fetch_all(&store.reader).await.or_store()? {
        let entry = memberships.entry(worker).or_default();
        entry.0.push(bank);
        if tier.is_some() {
            entry.1.push(bank);
        }
    }
    rows.iter()
        .zip(ids)
        .map(|(row, id)| {
            let (banks, mut tiered) = memberships.remove(&id).unwrap_or_default();
            tiered.sort();
            Worker::try_from(rows::worker(row, banks, tiered)?).map_err(StoreError::Unexpected)
        })
        .collect()
}

pub(crate) async fn credentials_of_workers(
    store: &SqliteStore,
    workers: &[WorkerId],
) -> Result<Vec<Credential>, StoreError> {
    let sql = format!(
        "SELECT id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, status, \
         revoked_at, recorded_by, recorded_at FROM credentials WHERE worker_id IN ({})",
        marks(workers.len())
    );
    let mut query = sqlx::query(&sql);
    for worker in workers {
        query = query.bind(worker.0);
    }
    let rows = query.fetch_all(&store.reader).await.or_store()?;
    rows.iter()
        .map(|r| Credential::try_from(rows::credential(r)?).map_err(StoreError::Unexpected))
        .collect()
}

pub(crate) async fn match_history(
    store: &SqliteStore,
    workers: &[WorkerId],
    ward: WardId,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MatchHistory>, StoreError> {
    let list = marks(workers.len());
    let sql = format!(
        "SELECT b.worker_id, \
         max(CASE WHEN s.ward_id = ? AND b.ends_at <= ? THEN 1 ELSE 0 END) AS worked_ward, \
         sum(CASE WHEN b.starts_at >= ? AND b.starts_at < ? \
             THEN (b.ends_at - b.starts_at) / 60000 ELSE 0 END) AS minutes \
         FROM bookings b JOIN shifts s ON s.id = b.shift_id \
         WHERE b.status = 'active' AND b.worker_id IN ({list}) GROUP BY b.worker_id"
    );
    let mut query = sqlx::query_as::<_, (Uuid, bool, i64)>(&sql)
        .bind(ward.0)
        .bind(ms(now))
        .bind(ms(from))
        .bind(ms(to));
    for worker in workers {
        query = query.bind(worker.0);
    }
    let rows = query.fetch_all(&store.reader).await.or_store()?;
    Ok(rows
        .into_iter()
        .filter(|(_, worked, minutes)| *worked || *minutes > 0)
        .map(|(worker, worked_ward, minutes)| MatchHistory {
            worker_id: WorkerId(worker),
            worked_ward,
            minutes_in_period: minutes,
        })
        .collect())
}

pub(crate) async fn worked_by_workers(
    store: &SqliteStore,
    workers: &[WorkerId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(WorkerId, Worked)>, StoreError> {
    // A booking is at most a day long, which bounds the index range scanned.
    let sql = format!(
        "SELECT b.worker_id, b.starts_at, b.ends_at, s.org_id FROM bookings b \
         JOIN shifts s ON s.id = b.shift_id WHERE b.status = 'active' AND b.worker_id IN ({}) \
         AND b.starts_at < ? AND b.starts_at > ? AND b.ends_at > ? ORDER BY b.starts_at",
        marks(workers.len())
    );
    let mut query = sqlx::query_as::<_, (Uuid, i64, i64, Uuid)>(&sql);
    for worker in workers {
        query = query.bind(worker.0);
    }
    let rows = query
        .bind(ms(to))
        .bind(ms(from - Duration::days(1)))
        .bind(ms(from))
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    rows.into_iter()
        .map(|(worker, start, end, org)| {
            let instant = |v: i64| {
                DateTime::from_timestamp_millis(v)
                    .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored instant")))
            };
            let window = ShiftWindow::new(instant(start)?, instant(end)?)
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
