//! Offers and the outbox: each round of offers is claimed by moving the shift's due time on, so
//! several servers releasing at once never send a round twice.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use staffbank_domain::{ShiftId, WorkerId};
use staffbank_store::{DueOffers, MatchableShift, OfferRound, OutboxEvent, Shift, StoreError};
use uuid::Uuid;

use crate::candidates::matchable;
use crate::error::OrStore;
use crate::rows;
use crate::store::SHIFT_COLUMNS;

pub(crate) async fn offers_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DueOffers>, StoreError> {
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, offers_due_at FROM shifts WHERE status = 'open' \
         AND offers_due_at IS NOT NULL AND offers_due_at <= $1 AND starts_at > $1 \
         ORDER BY offers_due_at, id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter()
        .map(|row| {
            Ok(DueOffers {
                shift: Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?,
                due_at: sqlx::Row::try_get(row, "offers_due_at").or_store()?,
            })
        })
        .collect()
}

pub(crate) async fn record_offers(pool: &PgPool, round: &OfferRound) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let claimed =
        sqlx::query("UPDATE shifts SET offers_due_at = $1 WHERE id = $2 AND offers_due_at = $3")
            .bind(round.next_due_at)
            .bind(round.shift_id.0)
            .bind(round.due_at)
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
    if claimed == 0 {
        return Ok(false);
    }
    let workers: Vec<Uuid> = round.workers.iter().map(|w| w.0).collect();
    sqlx::query(
        "INSERT INTO offers (worker_id, shift_id, offered_at) SELECT w, $2, $3 FROM unnest($1::uuid[]) w \
         ON CONFLICT DO NOTHING",
    )
    .bind(&workers)
    .bind(round.shift_id.0)
    .bind(round.at)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_events(&mut tx, &round.events).await?;
    tx.commit().await.or_store()?;
    Ok(true)
}

/// Writes outbox events inside the transaction of the change they announce.
pub(crate) async fn insert_events(
    tx: &mut Transaction<'static, Postgres>,
    events: &[OutboxEvent],
) -> Result<(), StoreError> {
    for e in events {
        sqlx::query(
            "INSERT INTO outbox (id, topic, worker_id, payload, created_at) \
             VALUES ($1, $2, $3, $4::jsonb, $5)",
        )
        .bind(e.id)
        .bind(&e.topic)
        .bind(e.worker_id.map(|w| w.0))
        .bind(&e.payload)
        .bind(e.created_at)
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

/// A place came free at `at`: offers fall due at once (the place is re-released).
pub(crate) async fn due_now(
    tx: &mut Transaction<'static, Postgres>,
    shift: ShiftId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE shifts SET offers_due_at = $1 WHERE id = $2 AND status = 'open' AND starts_at > $1 \
         AND (offers_due_at IS NULL OR offers_due_at > $1)",
    )
    .bind(at)
    .bind(shift.0)
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}

pub(crate) async fn offered_workers(
    pool: &PgPool,
    shift: ShiftId,
) -> Result<Vec<WorkerId>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT worker_id FROM offers WHERE shift_id = $1")
        .bind(shift.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    Ok(ids.into_iter().map(WorkerId).collect())
}

pub(crate) async fn offered_shifts(
    pool: &PgPool,
    worker: WorkerId,
    now: DateTime<Utc>,
) -> Result<Vec<MatchableShift>, StoreError> {
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
         si.lon AS site_lon FROM offers o JOIN shifts s ON s.id = o.shift_id \
         JOIN wards w ON w.id = s.ward_id JOIN sites si ON si.id = w.site_id \
         WHERE o.worker_id = $1 AND s.status = 'open' AND s.booked < s.places \
         AND s.starts_at > $2 ORDER BY s.starts_at, s.id) x"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .bind(now)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(matchable).collect()
}

/// position, id, topic, worker, payload, created
type OutboxRow = (i64, Uuid, String, Option<Uuid>, String, DateTime<Utc>);

pub(crate) async fn outbox_after(
    pool: &PgPool,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT position, id, topic, worker_id, payload::text, created_at FROM outbox \
         WHERE position > $1 ORDER BY position LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
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
                    created_at,
                },
            )
        })
        .collect())
}
