//! A PostgreSQL streaming replica for the reads that may lag a moment behind the latest writes:
//! "shifts I can book", ranked candidates and the dashboards. Every write, and every read a write
//! depends on, stays on the primary, so a stale read can show a shift that has just filled but
//! can never book it: the booking is judged on the primary, under its lock.
//!
//! How far behind the replica may be is bounded: once a second a watcher notes where the
//! primary's write-ahead log ends and how far the replica has replayed. The replica is used only
//! while it has replayed everything the primary had written `max_lag` ago; when it falls further
//! behind, or stops answering, those reads go to the primary until it catches up.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// How often the watcher compares the replica with the primary.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The position (in bytes) of the end of the primary's write-ahead log.
const PRIMARY_POSITION: &str = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint";

/// How far the replica has replayed; once promoted (a failover), where its own log ends.
const REPLICA_POSITION: &str = "SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() \
     THEN coalesce(pg_last_wal_replay_lsn(), '0/0') ELSE pg_current_wal_lsn() END, '0/0')::bigint";

/// The replica's pool and whether it is keeping up.
#[derive(Clone)]
pub(crate) struct Replica {
    pool: PgPool,
    keeping_up: Arc<AtomicBool>,
}

impl Replica {
    /// Connects to the replica and starts watching it against `primary` until either pool is
    /// closed. It is not used until the first check finds it keeping up.
    pub(crate) fn watch(pool: PgPool, primary: PgPool, max_lag: Duration) -> Self {
        let keeping_up = Arc::new(AtomicBool::new(false));
        tokio::spawn(watch(
            pool.clone(),
            primary,
            max_lag,
            Arc::clone(&keeping_up),
        ));
        Self { pool, keeping_up }
    }

    /// The replica's pool while it keeps up; `None` when reads must go to the primary.
    pub(crate) fn pool(&self) -> Option<&PgPool> {
        self.keeping_up
            .load(Ordering::Acquire)
            .then_some(&self.pool)
    }

    /// Closes the replica's pool (which ends the watcher).
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// Checks the replica once a second until a pool closes, setting `keeping_up`.
async fn watch(replica: PgPool, primary: PgPool, max_lag: Duration, keeping_up: Arc<AtomicBool>) {
    // Where the primary's log ended at each recent check, oldest first.
    let mut ends: VecDeque<(Instant, i64)> = VecDeque::new();
    loop {
        if replica.is_closed() || primary.is_closed() {
            return;
        }
        let checked = Instant::now();
        let now_ok = match position(&primary, PRIMARY_POSITION).await {
            Some(end) => {
                ends.push_back((checked, end));
                // The newest end at least `max_lag` old is the one the replica must have reached.
                while ends.len() > 1 && checked.duration_since(ends[1].0) >= max_lag {
                    ends.pop_front();
                }
                // Just started, nothing is that old yet: it must reach the first end seen.
                let needed = ends[0].1;
                match position(&replica, REPLICA_POSITION).await {
                    Some(replayed) => replayed >= needed,
                    None => false,
                }
            }
            None => false,
        };
        let was_ok = keeping_up.swap(now_ok, Ordering::AcqRel);
        if was_ok != now_ok {
            if now_ok {
                tracing::info!(
                    "the read replica is keeping up: matching and dashboard reads go to it"
                );
            } else {
                tracing::warn!(
                    max_lag_seconds = max_lag.as_secs_f64(),
                    "the read replica is behind or out of reach: its reads go to the primary"
                );
            }
        }
        tokio::time::sleep(CHECK_EVERY.saturating_sub(checked.elapsed())).await;
    }
}

/// A log position read with `query`, or `None` when the server does not answer.
async fn position(pool: &PgPool, query: &str) -> Option<i64> {
    match sqlx::query_scalar::<_, i64>(query).fetch_one(pool).await {
        Ok(position) => Some(position),
        Err(error) => {
            tracing::debug!(%error, "reading a write-ahead log position");
            None
        }
    }
}
