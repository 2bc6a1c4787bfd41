//! Counting the queues for the metrics scrape: each a COUNT and a MIN over an indexed column.

use staffbank_store::{PoolUse, QueueDepth, QueueGauges, StoreError};

use super::types::At;
use crate::db::ThisStore;
use crate::sql::OrStore;

/// The notification channels the deliveries table holds.
const CHANNELS: [&str; 2] = ["email", "push"];

impl ThisStore {
    /// See [`staffbank_store::OperationsStore::queue_gauges`].
    pub(crate) async fn count_queues(&self) -> Result<QueueGauges, StoreError> {
        let mut outbox = Vec::new();
        for channel in CHANNELS {
            let (waiting, oldest): (i64, Option<At>) = sqlx::query_as(
                "SELECT COUNT(*), MIN(o.created_at) FROM deliveries d \
                 JOIN outbox o ON o.id = d.event_id \
                 WHERE d.status = 'pending' AND d.channel = $1",
            )
            .bind(channel)
            .fetch_one(self.reader())
            .await
            .or_store()?;
            outbox.push(depth(channel, waiting, oldest));
        }
        let (waiting, oldest): (i64, Option<At>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM pay_exports WHERE delivered_at IS NULL",
        )
        .fetch_one(self.reader())
        .await
        .or_store()?;
        outbox.push(depth("payroll", waiting, oldest));

        let (pending, pending_oldest): (i64, Option<At>) =
            sqlx::query_as("SELECT COUNT(*), MIN(recorded_at) FROM ledger_pending")
                .fetch_one(self.reader())
                .await
                .or_store()?;
        let (unsigned, unsigned_oldest): (i64, Option<At>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(e.recorded_at) FROM ledger_leaves l \
             JOIN ledger_entries e ON e.id = l.entry_id \
             WHERE l.seq >= (SELECT COALESCE(MAX(size), 0) FROM ledger_heads)",
        )
        .fetch_one(self.reader())
        .await
        .or_store()?;
        let oldest = [pending_oldest, unsigned_oldest]
            .into_iter()
            .flatten()
            .map(|at| at.0)
            .min();

        let pool = |name, pool: &sqlx::Pool<crate::db::Db>| PoolUse {
            pool: name,
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        };
        let pools = if std::ptr::eq(self.reader(), self.writer()) {
            vec![pool("main", self.reader())]
        } else {
            vec![pool("reader", self.reader()), pool("writer", self.writer())]
        };
        Ok(QueueGauges {
            outbox,
            ledger_unsigned: count(pending) + count(unsigned),
            ledger_oldest_unsigned: oldest,
            pools,
        })
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn depth(channel: &'static str, waiting: i64, oldest: Option<At>) -> QueueDepth {
    QueueDepth {
        channel,
        waiting: count(waiting),
        oldest: oldest.map(|at| at.0),
    }
}
