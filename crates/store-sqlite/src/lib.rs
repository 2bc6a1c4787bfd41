//! Staffbank's embedded default: one SQLite file.
//!
//! SQLite allows one writer at a time, so every write here runs in a `BEGIN IMMEDIATE` transaction
//! on a single writer connection (WAL, `synchronous = FULL`): writes are serialised, which is what
//! makes "check for a free place and an overlap, then insert" safe. Reads use a separate pool and
//! run alongside; an instant booking judges the worker's week on a reader and holds the writer
//! only to insert, guarded by the worker's bookings version (see `booking`), and bookings that queue
//! for the writer together share one transaction and one sync (see `booking_queue`). Triggers in
//! the schema refuse overlapping bookings and over-full shifts even if the code above them were
//! wrong.

mod booking;
mod booking_queue;
mod candidates;
mod db;
mod error;
mod ledger;
mod rows;
mod sessions;
#[path = "../../store/sql/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// A [`staffbank_store::Store`] over one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    /// Instant bookings waiting for the writer, written in batches.
    pub(crate) bookings: booking_queue::BookingQueue,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://` URL and applies migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("Failed to parse SQLite URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Freed content is overwritten with zeros, so an erased person's key and details
            // do not linger in free pages.
            .pragma("secure_delete", "on");
        // Each connection is already checked (a hand-off to its thread) when it goes back to the
        // pool; checking it again on the way out would add one to every query.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .context("Failed to open the SQLite database for writing")?;
        renumber_core_tier_hours(&writer).await?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .context("Failed to migrate the SQLite database")?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .context("Failed to open the SQLite database for reading")?;
        let bookings = booking_queue::BookingQueue::start(writer.clone());
        Ok(Self {
            writer,
            reader,
            bookings,
        })
    }

    /// Closes both pools, flushing the write-ahead log.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Databases made before SQLite's migrations were numbered in step with PostgreSQL's applied
/// "core tier hours" as number 19, which is now 20 (19 being the bookings' ward, which SQLite
/// lacked). Moving the record lets the migrator apply 19 and see 20 as applied, unchanged.
async fn renumber_core_tier_hours(writer: &SqlitePool) -> anyhow::Result<()> {
    let recorded: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(writer)
    .await
    .context("Failed to read the SQLite database's migrations")?;
    if recorded.is_some() {
        sqlx::query(
            "UPDATE _sqlx_migrations SET version = 20 \
             WHERE version = 19 AND description = 'core tier hours'",
        )
        .execute(writer)
        .await
        .context("Failed to renumber an earlier migration")?;
    }
    Ok(())
}
