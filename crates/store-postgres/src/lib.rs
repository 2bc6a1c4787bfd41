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
mod replica;
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
    /// A streaming replica for reads that may lag a moment (see [`PgStore::with_replica`]).
    replica: Option<replica::Replica>,
}

/// How far behind the primary a read replica may fall before its reads go to the primary: a
/// list a worker or a bank office reads may be this old, never a booking's checks.
pub const REPLICA_MAX_LAG: Duration = Duration::from_secs(5);

impl PgStore {
    /// Connects to a `postgres://` URL and applies migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = pool_options()
            .connect(url)
            .await
            .with_context(|| "Failed to connect to PostgreSQL".to_string())?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("Failed to migrate the PostgreSQL database")?;
        Ok(Self {
            pool,
            replica: None,
        })
    }

    /// Sends "shifts I can book", ranked candidates and the dashboards to a streaming replica of
    /// this store's database (a `postgres://` URL) while it has replayed everything the primary
    /// wrote `max_lag` ago; everything else, and every write, stays on the primary. Nothing is
    /// read from the replica until it is seen to keep up, so a replica out of reach at start
    /// is not an error: its reads go to the primary until it answers.
    pub fn with_replica(mut self, url: &str, max_lag: Duration) -> anyhow::Result<Self> {
        let pool = pool_options()
            .connect_lazy(url)
            .context("The read replica's URL is not a PostgreSQL URL")?;
        self.replica = Some(replica::Replica::watch(pool, self.pool.clone(), max_lag));
        Ok(self)
    }

    /// Closes the pools.
    pub async fn close(&self) {
        if let Some(replica) = &self.replica {
            replica.close().await;
        }
        self.pool.close().await;
    }
}

/// How each pool is kept.
fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        // Fail fast when the database is out of reach: a request waiting longer than this
        // is answered 503 with Retry-After instead of hanging while /health/ready says so.
        .acquire_timeout(Duration::from_secs(3))
        // Each connection is already checked with a round trip when it goes back to the pool;
        // checking it again on the way out would double the round trips of every query. A
        // connection that broke while idle fails its next query, and is then replaced.
        .test_before_acquire(false)
}
