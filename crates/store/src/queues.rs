//! What an operator's dashboard counts in the database: work waiting in queues, and the
//! connections serving it. Counts and ages only, never whose work it is.

use chrono::{DateTime, Utc};

/// One queue's backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDepth {
    /// The queue: `email` and `push` notifications, `payroll` files.
    pub channel: &'static str,
    /// How many items wait.
    pub waiting: u64,
    /// When the oldest waiting item was made, if any waits.
    pub oldest: Option<DateTime<Utc>>,
}

/// One connection pool's use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    /// Which pool: `main` on PostgreSQL; `reader` and `writer` on SQLite.
    pub pool: &'static str,
    /// Connections open.
    pub size: u32,
    /// Of those, idle.
    pub idle: u32,
}

/// Everything [`crate::OperationsStore::queue_gauges`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueGauges {
    /// Each outbox channel, always all of them (zero when empty), so a graph never has gaps.
    pub outbox: Vec<QueueDepth>,
    /// Ledger entries no signed tree head covers yet: waiting for the sequencer, or sequenced
    /// but not yet signed.
    pub ledger_unsigned: u64,
    /// When the oldest of those was recorded.
    pub ledger_oldest_unsigned: Option<DateTime<Utc>>,
    /// The connection pools.
    pub pools: Vec<PoolUse>,
}
