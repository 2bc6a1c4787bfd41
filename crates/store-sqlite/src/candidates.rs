//! The candidate pool, which SQLite reads its own way (the rest of matching is shared, in
//! `crate::sql`): this schema keeps a membership's staff group only on its worker, so the pool is
//! read through that join, in one statement on the local file.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use staffbank_store::{PoolMember, PoolQuery, StoreError, Worker};
use uuid::Uuid;

use crate::rows::{self, ms};
use crate::sql::OrStore;

/// `?, ?, ?` for `n` values (at least one, so an empty list matches nothing).
fn marks(n: usize) -> String {
    if n == 0 {
        "NULL".to_owned()
    } else {
        vec!["?"; n].join(", ")
    }
}

/// A shift's candidates with continuity and the period's minutes, and their memberships of the
/// shift's banks.
pub(crate) async fn candidate_pool(
    pool: &SqlitePool,
    q: &PoolQuery,
) -> Result<Vec<PoolMember>, StoreError> {
    let banks = marks(q.banks.len());
    let sql = format!(
        "SELECT w.*, w.id IN (SELECT b.worker_id FROM bookings b \
                  WHERE b.ward_id = ? AND b.status = 'active' AND b.ends_at <= ?) AS worked_ward, \
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
        .bind(ms(q.from))
        .bind(ms(q.to));
    for bank in &q.banks {
        query = query.bind(bank.0);
    }
    query = query.bind(q.staff_group.as_str());
    for grade in &q.grades {
        query = query.bind(grade.as_str());
    }
    let rows: Vec<SqliteRow> = query.fetch_all(pool).await.or_store()?;
    let sql = format!(
        "SELECT worker_id, bank_id, tier FROM bank_memberships WHERE bank_id IN ({banks}) \
         ORDER BY bank_id"
    );
    let mut query = sqlx::query_as::<_, (Uuid, Uuid, Option<String>)>(&sql);
    for bank in &q.banks {
        query = query.bind(bank.0);
    }
    let mut memberships: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)> = HashMap::new();
    for (worker, bank, tier) in query.fetch_all(pool).await.or_store()? {
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
