//! Instant bookings wait here for the writer and are written in batches.
//!
//! SQLite has one writer and, with `synchronous = FULL`, every commit waits for the log to reach
//! the disk. Written one at a time, a rush of bookings queues behind one sync each. Here one task
//! owns the writing of bookings: it takes every booking that queued while the last batch was being
//! written (up to [`BATCH`]) into one transaction, so one commit and one sync serve them all.
//!
//! Each booking in a batch is written as it would be alone, in arrival order, so a later one sees
//! the places and versions the earlier ones left. A booking that is simply refused (full, closed,
//! version moved) changes nothing and leaves the rest alone. If any statement fails, the whole
//! transaction is rolled back and each booking of the batch is written again in a transaction of
//! its own, so only the one that failed is refused and nothing of it is kept.

use sqlx::SqlitePool;
use staffbank_store::{AuditRecord, Booking, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::booking::{insert_if_unchanged, Answer};
use crate::db::begin_write;
use crate::ledger::insert_audit;
use crate::sql::OrStore;

/// Most bookings written in one transaction: enough to share a sync widely, few enough that the
/// first in a batch does not wait long for the last.
const BATCH: usize = 64;

/// A booking waiting for the writer.
struct Queued {
    booking: Booking,
    audit: Vec<AuditRecord>,
    version: i64,
    reply: oneshot::Sender<Answer>,
}

/// The way in to the task that writes bookings; cloned with the store.
#[derive(Clone)]
pub(crate) struct BookingQueue(mpsc::Sender<Queued>);

impl BookingQueue {
    /// Starts the writing task on the current runtime; it ends when the last queue is dropped.
    pub(crate) fn start(writer: SqlitePool) -> Self {
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(drain(writer, receiver));
        Self(sender)
    }

    /// Writes `booking` and its ledger entries if the shift has a free place and the worker's
    /// bookings version is still `version`.
    pub(crate) async fn write(
        &self,
        booking: &Booking,
        audit: &[AuditRecord],
        version: i64,
    ) -> Answer {
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            booking: booking.clone(),
            audit: audit.to_vec(),
            version,
            reply,
        };
        self.0.send(queued).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("the booking writer has stopped"))
}

/// Takes what has queued, writes it, answers each booking, and waits for more.
async fn drain(writer: SqlitePool, mut queue: mpsc::Receiver<Queued>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let answers = match write_batch(&writer, &batch).await {
            Ok(answers) => answers,
            Err(failed) if batch.len() == 1 => vec![Err(failed)],
            Err(_) => {
                let mut answers = Vec::with_capacity(batch.len());
                for queued in &batch {
                    answers.push(
                        match write_batch(&writer, std::slice::from_ref(queued)).await {
                            Ok(mut one) => one.pop().unwrap_or_else(|| Err(stopped())),
                            Err(failed) => Err(failed),
                        },
                    );
                }
                answers
            }
        };
        for (queued, answer) in batch.into_iter().zip(answers) {
            // A caller that gave up waiting is answered by its retry, from the idempotency key.
            let _ = queued.reply.send(answer);
        }
    }
}

/// Writes `batch` in one transaction: each booking's answer, or the error that rolled it all back.
async fn write_batch(writer: &SqlitePool, batch: &[Queued]) -> Result<Vec<Answer>, StoreError> {
    let mut tx = begin_write(writer).await?;
    let mut answers = Vec::with_capacity(batch.len());
    for queued in batch {
        let answer = insert_if_unchanged(&mut tx, &queued.booking, queued.version).await?;
        if matches!(answer, Ok(Some(_))) {
            insert_audit(&mut tx, &queued.audit).await?;
        }
        answers.push(answer);
    }
    tx.commit().await.or_store()?;
    Ok(answers)
}
