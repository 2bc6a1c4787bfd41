//! The candidate pool, which PostgreSQL reads its own way (the rest of matching is shared, in
//! `crate::sql`): this schema copies a worker's staff group onto each membership (migration 0006),
//! so the pool is an index range, fetched by id on two connections at once; it is the largest
//! read matching makes at national scale.

use std::collections::HashMap;

use sqlx::PgPool;
use staffbank_domain::*;
use staffbank_store::{PoolMember, PoolQuery, StoreError, Worker};
use uuid::Uuid;

use crate::rows;
use crate::sql::OrStore;

fn ids<T: Copy>(items: &[T], uuid: impl Fn(T) -> Uuid) -> Vec<Uuid> {
    items.iter().map(|i| uuid(*i)).collect()
}

/// A shift's candidates with continuity and the period's minutes, and their memberships of the
/// shift's banks.
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
