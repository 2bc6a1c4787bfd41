//! Offers on the national data against the rules computed independently: a sample of open shifts
//! has a stage of its release open now, the server's releaser sends their offers, and every
//! worker offered a shift must be one [`oracle::allowed`] lets book it.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use staffbank_domain::{ShiftId, WorkerId};
use staffbank_store::Store;
use uuid::Uuid;

use super::oracle;

/// Makes offers due now on `shifts` open shifts chosen at random, waits for a running server to
/// send them, then judges every offer made. Returns (shifts, offers); fails on any offer the rules
/// say the worker cannot book.
pub async fn check(
    store: &dyn Store,
    pool: &sqlx::PgPool,
    shifts: usize,
) -> anyhow::Result<(usize, usize)> {
    let started = Utc::now();
    let sample: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE shifts SET offers_due_at = now() WHERE id IN (SELECT id FROM shifts \
         WHERE status = 'open' AND starts_at > now() + interval '1 day' AND booked < places \
         ORDER BY random() LIMIT $1) RETURNING id",
    )
    .bind(i64::try_from(shifts)?)
    .fetch_all(pool)
    .await?;
    // The releaser looks for due offers as the server starts and then every few seconds.
    for _ in 0..600 {
        if store.offers_due(Utc::now(), 1).await?.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::ensure!(
        store.offers_due(Utc::now(), 1).await?.is_empty(),
        "the server sent no offers within two minutes"
    );
    let offers: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT worker_id, shift_id FROM offers WHERE shift_id = ANY($1) AND offered_at >= $2",
    )
    .bind(&sample)
    .bind(started)
    .fetch_all(pool)
    .await?;
    // A sample no one was offered proves nothing.
    anyhow::ensure!(
        !offers.is_empty(),
        "no offers were made on {} shifts",
        sample.len()
    );
    for (worker_id, shift_id) in &offers {
        let worker = store
            .worker(WorkerId(*worker_id))
            .await?
            .context("offered worker")?;
        let shift = store.shift(ShiftId(*shift_id)).await?.context("shift")?;
        let credentials = store.credentials_of(worker.id).await?;
        let held = oracle::bookings_of(store, &worker).await?;
        if let Err(why) = oracle::allowed(&worker, &credentials, &held, &shift, Utc::now()) {
            anyhow::bail!(
                "worker {worker_id} was offered shift {shift_id}, but the rules say: {why}"
            );
        }
    }
    Ok((sample.len(), offers.len()))
}
