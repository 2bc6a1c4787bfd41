//! Withdrawals: a worker who was alerted about an offer and whose shift was then filled by
//! someone else or cancelled is told it is no longer available, once, on the same channels.
//!
//! The deliverer sweeps for such offers on each pass rather than the booking or cancelling
//! transaction writing the message, so the booking hot path stays as it is. Each withdrawal's
//! outbox event is written in the same transaction that marks the offer withdrawn, so it is
//! written exactly once however many deliverers run.

use staffbank_domain::shift::ShiftStatus;
use staffbank_store::{GoneOffer, OutboxEvent};
use uuid::Uuid;

use crate::{App, AppError};

/// The topic of a withdrawal's outbox event.
pub const WITHDRAWN_TOPIC: &str = "offer.withdrawn";
/// Offers withdrawn per pass; the rest wait for the next.
const BATCH: u32 = 200;

impl App {
    /// Writes a withdrawal for every alerted offer whose shift has gone to someone else or been
    /// cancelled; how many were written.
    pub(crate) async fn withdraw_gone_offers(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut written = 0;
        for gone in self.store.gone_offers(now, BATCH).await? {
            if self.withdraw_one(gone).await? {
                written += 1;
            }
        }
        Ok(written)
    }

    async fn withdraw_one(&self, gone: GoneOffer) -> Result<bool, AppError> {
        let Some(shift) = self.store.shift(gone.shift_id).await? else {
            return Ok(false);
        };
        let reason = if shift.status == ShiftStatus::Cancelled {
            "cancelled"
        } else {
            "filled"
        };
        let view = self.names.shift_view(self.store.as_ref(), &shift).await?;
        let now = self.now();
        let event = OutboxEvent {
            id: Uuid::new_v4(),
            topic: WITHDRAWN_TOPIC.to_owned(),
            worker_id: Some(gone.worker_id),
            payload: serde_json::json!({
                "worker_id": gone.worker_id.0, "shift": view, "reason": reason,
            })
            .to_string(),
            created_at: now,
        };
        Ok(self.store.withdraw_offer(gone, &event, now).await?)
    }
}
