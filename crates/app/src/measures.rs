//! What the use cases count for the operator's metrics, through the `metrics` facade: a call
//! here costs nothing unless the binary installed a recorder (`staffbank serve` with metrics
//! enabled). Labels are fixed, small sets (outcomes, problem slugs, channel names): never an id
//! or anything that names a trust or a person.

use chrono::{DateTime, Utc};

use crate::{App, AppError};

/// Bookings made (`staffbank_bookings_made_total`).
pub const BOOKINGS_MADE: &str = "staffbank_bookings_made_total";
/// Bookings refused, by reason (`staffbank_bookings_refused_total{reason}`).
pub const BOOKINGS_REFUSED: &str = "staffbank_bookings_refused_total";
/// Offers sent to workers.
pub const OFFERS_SENT: &str = "staffbank_offers_sent_total";
/// Pay runs closed (their files then wait in the `payroll` outbox channel).
pub const PAY_RUNS_FINISHED: &str = "staffbank_pay_runs_finished_total";
/// Payroll files delivered.
pub const PAYROLL_FILES_DELIVERED: &str = "staffbank_payroll_files_delivered_total";
/// Items waiting in each outbox channel.
pub const OUTBOX_DEPTH: &str = "staffbank_outbox_depth";
/// Age of the oldest waiting item in each outbox channel, in seconds (0 when empty).
pub const OUTBOX_OLDEST_AGE: &str = "staffbank_outbox_oldest_age_seconds";
/// Ledger entries no signed tree head covers yet.
pub const LEDGER_UNSIGNED: &str = "staffbank_ledger_unsigned_entries";
/// Age of the oldest of those, in seconds (0 when none).
pub const LEDGER_OLDEST_UNSIGNED_AGE: &str = "staffbank_ledger_oldest_unsigned_age_seconds";
/// Database connections open, per pool.
pub const DB_POOL_SIZE: &str = "staffbank_db_pool_connections";
/// Idle database connections, per pool.
pub const DB_POOL_IDLE: &str = "staffbank_db_pool_idle_connections";

/// Why a booking was refused, as a label: the problem slug for conflicts, else the kind of
/// refusal. A fixed set, so the series stay few.
pub fn refusal_reason(error: &AppError) -> &'static str {
    match error {
        AppError::Conflict(conflict, _) => conflict.slug(),
        AppError::Ineligible(_) => "not-eligible",
        AppError::NotFound => "not-found",
        AppError::Unauthenticated => "unauthenticated",
        AppError::Forbidden => "forbidden",
        AppError::Validation(_) => "validation-error",
        AppError::Wallet(..) => "wallet-request-refused",
        AppError::TooManyAttempts(_) => "too-many-requests",
        AppError::Unavailable(_) => "database-unavailable",
        AppError::Unexpected(_) => "internal-error",
    }
}

/// Counts a booking attempt's outcome (a replay of a booking already made counts as neither).
pub(crate) fn count_booking<T>(outcome: &Result<T, AppError>, replayed: impl Fn(&T) -> bool) {
    match outcome {
        Ok(made) if !replayed(made) => metrics::counter!(BOOKINGS_MADE).increment(1),
        Ok(_) => {}
        Err(e) => {
            metrics::counter!(BOOKINGS_REFUSED, "reason" => refusal_reason(e)).increment(1);
        }
    }
}

fn age_seconds(now: DateTime<Utc>, oldest: Option<DateTime<Utc>>) -> f64 {
    oldest.map_or(0.0, |at| {
        (now - at).num_milliseconds().max(0) as f64 / 1000.0
    })
}

impl App {
    /// Reads the queue gauges from the database and sets them, for a metrics scrape: outbox
    /// depth and oldest age per channel, the sequencer's lag, the connection pools.
    pub async fn record_queue_gauges(&self) -> Result<(), AppError> {
        let gauges = self.store.queue_gauges().await?;
        let now = self.now();
        for queue in &gauges.outbox {
            metrics::gauge!(OUTBOX_DEPTH, "channel" => queue.channel).set(queue.waiting as f64);
            metrics::gauge!(OUTBOX_OLDEST_AGE, "channel" => queue.channel)
                .set(age_seconds(now, queue.oldest));
        }
        metrics::gauge!(LEDGER_UNSIGNED).set(gauges.ledger_unsigned as f64);
        metrics::gauge!(LEDGER_OLDEST_UNSIGNED_AGE)
            .set(age_seconds(now, gauges.ledger_oldest_unsigned));
        for pool in &gauges.pools {
            metrics::gauge!(DB_POOL_SIZE, "pool" => pool.pool).set(f64::from(pool.size));
            metrics::gauge!(DB_POOL_IDLE, "pool" => pool.pool).set(f64::from(pool.idle));
        }
        Ok(())
    }
}
