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
    Credential, MatchQuery, MatchableShift, PoolMember, PoolQuery, Shift, StoreError, Worker,
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

pub(crate) async fn candidate_pool(
    store: &SqliteStore,
    q: &PoolQuery,
) -> Result<Vec<PoolMember>, StoreError> {
    let banks = marks(q.banks.len());
    let sql = format!(
        "SELECT w.*, w.id IN (SELECT b.worker_id FROM shifts s JOIN bookings b ON b.shift_id = s.id \
                  WHERE s.ward_id = ? AND s.starts_at < ? AND b.status = 'active' AND b.ends_at <= ?) \
             AS worked_ward, \
         coalesce((SELECT sum((b.ends_at - b.starts_at) / 60000) FROM bookings b \
                   WHERE b.worker_id = w.id AND b.status = 'active' AND b.starts_at >= ? \
                   AND b.starts_at < ?), 0) AS minutes \
         FROM workers w WHERE w.id IN (SELECT m.worker_id FROM bank_memberships m \
         WHERE m.bank_id IN ({banks})) AND w.staff_group = ? AND w.grade IN ({}) ORDER BY w.id",
        marks(q.grades.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(q.ward.0)
        .bind(ms(q.now))
        .bind(ms(q.now))
        .bind(ms(q.from))
        .bind(ms(q.to));
    for bank in &q.banks {
        query = query.bind(bank.0);
    }
    query = query.bind(q.staff_group.as_str());
    for grade in &q.grades {
        query = query.bind(grade.as_str());
    }
    let rows: Vec<SqliteRow> = query.fetch_all(&store.reader).await.or_store()?;
    let sql = format!(
        "SELECT worker_id, bank_id, tier FROM bank_memberships WHERE bank_id IN ({banks}) \
         ORDER BY bank_id"
    );
    let mut query = sqlx::query_as::<_, (Uuid, Uuid, Option<String>)>(&sql);
    for bank in &q.banks {
        query = query.bind(bank.0);
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
        .map(|row| {
            let id: Uuid = row.try_get("id").or_store()?;
            let (banks, tiered) = memberships.remove(&id).unwrap_or_default();
            Ok(PoolMember {
                worker: Worker::try_from(rows::worker_with(row, banks, tiered)?)
                    .map_err(StoreError::Unexpected)?,
                worked_ward: row.try_get("worked_ward").or_store()?,
                minutes_in_period: row.try_get("minutes").or_store()?,
            })
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
