//! Staffbank's production store: PostgreSQL.
//!
//! Invariants are the database's job: an exclusion constraint over a `tstzrange` (btree_gist)
//! refuses a worker two overlapping active bookings; a trigger keeps each shift's place counter and
//! a CHECK refuses an over-full shift; booking locks the shift row (`FOR UPDATE`) so racing requests
//! for the same shift queue rather than fail. Several server processes can share one database.

mod booking;
mod booking_context;
mod candidates;
mod db;
mod error;
mod ledger;
mod rows;
mod sessions;
#[path = "../../store/sql/mod.rs"]
mod sql;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

/// A [`staffbank_store::Store`] over PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to a `postgres://` URL and applies migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Fail fast when the database is out of reach: a request waiting longer than this
            // is answered 503 with Retry-After instead of hanging while /health/ready says so.
            .acquire_timeout(Duration::from_secs(3))
            // Each connection is already checked with a round trip when it goes back to the pool;
            // checking it again on the way out would double the round trips of every query. A
            // connection that broke while idle fails its next query, and is then replaced.
            .test_before_acquire(false)
            .connect(url)
            .await
            .with_context(|| "Failed to connect to PostgreSQL".to_string())?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("Failed to migrate the PostgreSQL database")?;
        Ok(Self { pool })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
