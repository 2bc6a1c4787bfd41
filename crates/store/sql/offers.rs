//! Writes that announce or re-release offers from inside another change's transaction: the
//! outbox, and a freed place falling due at once. Called by the areas that make those changes.

use chrono::{DateTime, Utc};
use staffbank_domain::ShiftId;
use staffbank_store::{OutboxEvent, StoreError};

use super::types::At;
use crate::db::{json_text, Tx};
use crate::sql::OrStore;

/// Writes outbox events inside the transaction of the change they announce.
pub(crate) async fn insert_events(tx: &mut Tx, events: &[OutboxEvent]) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO outbox (id, topic, worker_id, payload, created_at) \
         VALUES ($1, $2, $3, {}, $5)",
        json_text(4)
    );
    for e in events {
        sqlx::query(&sql)
            .bind(e.id)
            .bind(&e.topic)
            .bind(e.worker_id.map(|w| w.0))
            .bind(&e.payload)
            .bind(At(e.created_at))
            .execute(&mut **tx)
            .await
            .or_store()?;
    }
    Ok(())
}

/// A place came free at `at`: offers fall due at once (the place is re-released).
pub(crate) async fn due_now(
    tx: &mut Tx,
    shift: ShiftId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE shifts SET offers_due_at = $1 WHERE id = $2 AND status = 'open' AND starts_at > $1 \
         AND (offers_due_at IS NULL OR offers_due_at > $1)",
    )
    .bind(At(at))
    .bind(shift.0)
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}
