//! A worker withdrawing a request they no longer want, before a booker decides: it leaves the
//! approvals queue, and the ledger records it like a booker's decision.

use serde_json::json;
use staffbank_domain::RequestId;
use staffbank_store::{Conflict, Decision, RequestStatus, StoreError};

use crate::audit::Change;
use crate::requests::RequestView;
use crate::{App, AppError, Principal};

impl App {
    /// Withdraws one of the signed-in worker's pending requests. Another worker's request is not
    /// found; one already decided or withdrawn is a conflict and nothing changes.
    #[tracing::instrument(skip_all, fields(request = %id))]
    pub async fn withdraw_request(
        &self,
        who: &Principal,
        id: RequestId,
    ) -> Result<RequestView, AppError> {
        let worker = who.require_worker()?;
        let request = self
            .store
            .booking_request(id)
            .await?
            .filter(|r| r.worker_id == worker.id)
            .ok_or(AppError::NotFound)?;
        if request.status != RequestStatus::Pending {
            return Err(StoreError::Conflict(Conflict::RequestDecided).into());
        }
        let shift = self
            .store
            .shift(request.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: "booking.request_withdrawn",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(who.user.id),
                facts: json!({"request": id, "shift": shift.id, "worker": worker.id}),
                personal: None,
            })
            .await?;
        let decision = Decision::Withdraw {
            by: who.user.id,
            at: self.now(),
        };
        let withdrawn = self
            .store
            .decide_request(id, &decision, &[record], None)
            .await?;
        self.request_view(&withdrawn).await
    }
}
