//! The working-time rules inside the booking transaction: the worker's bookings everywhere are
//! read under the same lock that serialises their bookings, so two simultaneous bookings can never
//! together break the rules.

use chrono::{DateTime, Utc};
use staffbank_domain::working_time::Worked;
use staffbank_domain::{OrgId, ShiftWindow, WorkerId};
use staffbank_store::{Booking, StoreError, WorkingTimeCheck};
use uuid::Uuid;

use super::types::At;
use crate::db::{overlaps, Db};
use crate::sql::OrStore;

/// The worker's active bookings overlapping `[from, to)`, with each one's trust.
pub(crate) async fn worked<'e, E: sqlx::Executor<'e, Database = Db>>(
    executor: E,
    worker: WorkerId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Worked>, StoreError> {
    let sql = format!(
        "SELECT b.starts_at, b.ends_at, s.org_id FROM bookings b JOIN shifts s ON s.id = b.shift_id \
         WHERE b.worker_id = $1 AND b.status = 'active' AND {} ORDER BY b.starts_at",
        overlaps("$2", "$3")
    );
    let rows: Vec<(At, At, Uuid)> = sqlx::query_as(&sql)
        .bind(worker.0)
        .bind(At(from))
        .bind(At(to))
        .fetch_all(executor)
        .await
        .or_store()?;
    rows.into_iter()
        .map(|(start, end, org)| {
            let window = ShiftWindow::new(start.0, end.0)
                .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored window: {e}")))?;
            Ok(Worked {
                window,
                trust: OrgId(org),
            })
        })
        .collect()
}

/// Refuses the booking if, with the worker's bookings everywhere, it would break the rules.
pub(crate) async fn enforce<'e, E: sqlx::Executor<'e, Database = Db>>(
    executor: E,
    booking: &Booking,
    trust: OrgId,
    rules: &WorkingTimeCheck,
) -> Result<(), StoreError> {
    let (from, to) = rules.span(booking.window);
    let held = worked(executor, booking.worker_id, from, to).await?;
    rules.judge(
        &held,
        Worked {
            window: booking.window,
            trust,
        },
    )
}
