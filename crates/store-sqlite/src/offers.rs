//! Offers and the outbox: each round of offers is claimed by moving the shift's due time on, so a
//! round is never sent twice.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};
use staffbank_domain::{ShiftId, WorkerId};
use staffbank_store::{DueOffers, MatchableShift, OfferRound, OutboxEvent, Shift, StoreError};
use uuid::Uuid;

use crate::candidates::matchable;
use crate::error::OrStore;
use crate::rows::{self, ms};
use crate::store::SHIFT_COLUMNS;
use crate::SqliteStore;

pub(crate) async fn offers_due(
    store: &SqliteStore,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DueOffers>, StoreError> {
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, offers_due_at FROM shifts WHERE status = 'open' \
         AND offers_due_at IS NOT NULL AND offers_due_at <= ? AND starts_at > ? \
         ORDER BY offers_due_at, id LIMIT ?"
    );
    let rows = sqlx::query(&sql)
        .bind(ms(now))
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    rows.iter()
        .map(|row| {
            Ok(DueOffers {
                shift: Shift::try_from(rows::shift(row)?).map_err(StoreError::Unexpected)?,
                due_at: rows::instant(row, "offers_due_at")?,
            })
        })
        .collect()
}

pub(crate) async fn record_offers(
    store: &SqliteStore,
    round: &OfferRound,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let claimed =
        sqlx::query("UPDATE shifts SET offers_due_at = ? WHERE id = ? AND offers_due_at = ?")
            .bind(round.next_due_at.map(ms))
            .bind(round.shift_id.0)
            .bind(ms(round.due_at))
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
    if claimed == 0 {
        return Ok(false);
    }
    for worker in &round.workers {
        sqlx::query(
            "INSERT INTO offers (worker_id, shift_id, offered_at) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(worker.0)
        .bind(round.shift_id.0)
        .bind(ms(round.at))
        .execute(&mut *tx)
        .await
        .or_store()?;
    }
    insert_events(&mut tx, &round.events).await?;
    tx.commit().await.or_store()?;
    Ok(true)
}

/// Writes outbox events inside the transaction of the change they announce.
pub(crate) async fn insert_events(
    tx: &mut Transaction<'static, Sqlite>,
    events: &[OutboxEvent],
) -> Result<(), StoreError> {
    for e in events {
        sqlx::query(
            "INSERT INTO outbox (id, topic, worker_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(e.id)
        .bind(&e.topic)
        .bind(e.worker_id.map(|w| w.0))
        .bind(&e.payload)
        .bind(ms(e.created_at))
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

/// A place came free at `at`: offers fall due at once (the place is re-released).
pub(crate) async fn due_now(
    tx: &mut Transaction<'static, Sqlite>,
    shift: ShiftId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE shifts SET offers_due_at = ?1 WHERE id = ?2 AND status = 'open' AND starts_at > ?1 \
         AND (offers_due_at IS NULL OR offers_due_at > ?1)",
    )
    .bind(ms(at))
    .bind(shift.0)
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}

pub(crate) async fn offered_workers(
    store: &SqliteStore,
    shift: ShiftId,
) -> Result<Vec<WorkerId>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT worker_id FROM offers WHERE shift_id = ?")
        .bind(shift.0)
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    Ok(ids.into_iter().map(WorkerId).collect())
}

pub(crate) async fn offered_shifts(
    store: &SqliteStore,
    worker: WorkerId,
    now: DateTime<Utc>,
) -> Result<Vec<MatchableShift>, StoreError> {
    let sql = format!(
        "SELECT {SHIFT_COLUMNS}, site_lat, site_lon FROM (SELECT s.*, si.lat AS site_lat, \
         si.lon AS site_lon FROM offers o JOIN shifts s ON s.id = o.shift_id \
         JOIN wards w ON w.id = s.ward_id JOIN sites si ON si.id = w.site_id \
         WHERE o.worker_id = ? AND s.status = 'open' AND s.booked < s.places \
         AND s.starts_at > ? ORDER BY s.starts_at, s.id)"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .bind(ms(now))
        .fetch_all(&store.reader)
        .await
        .or_store()?;
    rows.iter().map(matchable).collect()
}

/// position, id, topic, worker, payload, created
type OutboxRow = (i64, Uuid, String, Option<Uuid>, String, i64);

pub(crate) async fn outbox_after(
    store: &SqliteStore,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT position, id, topic, worker_id, payload, created_at FROM outbox \
         WHERE position > ? ORDER BY position LIMIT ?",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await
    .or_store()?;
    rows.into_iter()
        .map(|(position, id, topic, worker, payload, created)| {
            let created_at = DateTime::from_timestamp_millis(created)
                .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("outbox instant")))?;
            Ok((
                position,
                OutboxEvent {
                    id,
                    topic,
                    worker_id: worker.map(WorkerId),
                    payload,
                    created_at,
                },
            ))
        })
        .collect()
}
