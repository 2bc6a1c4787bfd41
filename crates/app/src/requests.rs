//! Booking by request, where a ward does not allow instant booking: the worker asks, a booker
//! approves (every rule checked again, and the booking made in the same transaction) or declines.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use staffbank_domain::booking::{BookingMode, BookingStatus};
use staffbank_domain::working_time::WorkingTimeRules;
use staffbank_domain::*;
use staffbank_store::{
    Booking, BookingRequest, Conflict, Decision, RequestStatus, StoreError, WorkingTimeCheck,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::bookings::check_idempotency_key;
use crate::views::ShiftView;
use crate::{App, AppError, Principal};

/// A booking request as both sides see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    /// Identity.
    pub id: Uuid,
    /// `pending`, `approved`, `declined` or `withdrawn`.
    pub status: String,
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub worker_name: String,
    /// When they asked.
    pub created_at: DateTime<Utc>,
    /// When a booker decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The booking an approval made.
    pub booking_id: Option<Uuid>,
    /// The shift.
    pub shift: ShiftView,
}

/// The result of a request.
#[derive(Debug)]
pub struct Requested {
    /// The request.
    pub request: RequestView,
    /// True when the key repeated an earlier request.
    pub replayed: bool,
}

impl App {
    pub(crate) async fn request_view(&self, r: &BookingRequest) -> Result<RequestView, AppError> {
        let shift = self
            .store
            .shift(r.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let worker = self
            .store
            .worker(r.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(RequestView {
            id: r.id.0,
            status: r.status.as_str().to_owned(),
            worker_id: worker.id.0,
            worker_name: worker.display_name.to_string(),
            created_at: r.created_at,
            decided_at: r.decided.map(|d| d.0),
            booking_id: r.booking_id.map(|b| b.0),
            shift: self.names.shift_view(self.store.as_ref(), &shift).await?,
        })
    }

    /// Requests a place on a shift whose ward approves bookings, once per idempotency key. The
    /// worker must be eligible now; a booker checks again when approving.
    #[tracing::instrument(skip_all, fields(shift = %shift_id))]
    pub async fn request_shift(
        &self,
        who: &Principal,
        shift_id: ShiftId,
        key: &str,
    ) -> Result<Requested, AppError> {
        check_idempotency_key(key)?;
        let worker = who.require_worker()?;
        let shift = self.visible_shift(who, shift_id).await?;
        if shift.booking_mode != BookingMode::Request {
            return Err(AppError::Conflict(
                Conflict::BookByRequest,
                "this shift is booked at once: book it instead".into(),
            ));
        }
        let now = self.now();
        let request = BookingRequest {
            id: RequestId(Uuid::now_v7()),
            shift_id,
            worker_id: worker.id,
            status: RequestStatus::Pending,
            idempotency_key: key.to_owned(),
            created_at: now,
            decided: None,
            booking_id: None,
        };
        // A retry is answered before the rules are judged again.
        let mut record = None;
        if self
            .store
            .requests_of_worker(worker.id)
            .await?
            .iter()
            .all(|r| r.idempotency_key != key)
        {
            self.require_eligible(worker, &shift, now).await?;
            let breaches = self.working_time_breaches(worker, &shift).await?;
            if !breaches.is_empty() {
                return Err(AppError::Ineligible(breaches));
            }
            record = Some(
                self.audit_record(Change {
                    action: "booking.requested",
                    actor: Some(who.user.id),
                    tenant: Some(shift.org_id),
                    subject: Some(who.user.id),
                    facts: json!({"request": request.id, "shift": shift.id, "worker": worker.id}),
                    personal: None,
                })
                .await?,
            );
        }
        let outcome = self
            .store
            .request_booking(&request, record.as_slice())
            .await?;
        Ok(Requested {
            request: self.request_view(&outcome.request).await?,
            replayed: outcome.replayed,
        })
    }

    /// The approvals queue: pending requests for shifts not yet started that the booker may
    /// decide, on every ward of the trusts they book for and on the wards they book for alone.
    pub async fn approvals(&self, who: &Principal) -> Result<Vec<RequestView>, AppError> {
        let whole = who.booker_orgs();
        let wards = who.booker_wards();
        if whole.is_empty() && wards.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut orgs = whole.clone();
        for ward in &wards {
            if let Some(ward) = self.store.ward(*ward).await? {
                orgs.push(ward.org_id);
            }
        }
        orgs.sort_by_key(|o| o.0);
        orgs.dedup();
        let now = self.now();
        let mut out = Vec::new();
        for org in orgs {
            for r in self.store.pending_requests(org).await? {
                let view = self.request_view(&r).await?;
                let decides = whole.contains(&OrgId(view.shift.org_id))
                    || wards.contains(&WardId(view.shift.ward_id));
                if decides && view.shift.starts_at > now {
                    out.push(view);
                }
            }
        }
        Ok(out)
    }

    /// The signed-in worker's requests, newest first.
    pub async fn my_requests(&self, who: &Principal) -> Result<Vec<RequestView>, AppError> {
        let worker = who.require_worker()?;
        let mut out = Vec::new();
        for r in self.store.requests_of_worker(worker.id).await? {
            out.push(self.request_view(&r).await?);
        }
        Ok(out)
    }

    /// Approves or declines a pending request (bookers of the shift's ward). Approval re-checks
    /// every rule and books in the same transaction; a full shift or a broken rule leaves the
    /// request pending for the booker to decline.
    #[tracing::instrument(skip_all, fields(request = %id, approve))]
    pub async fn decide_request(
        &self,
        who: &Principal,
        id: RequestId,
        approve: bool,
    ) -> Result<RequestView, AppError> {
        let request = self
            .store
            .booking_request(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let shift = self
            .store
            .shift(request.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &shift).await? {
            return Err(AppError::NotFound);
        }
        if request.status != RequestStatus::Pending {
            return Err(StoreError::Conflict(Conflict::RequestDecided).into());
        }
        let worker = self
            .store
            .worker(request.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let decision = if approve {
            // Judged as the worker: their banks, tiers and credentials as they are now.
            self.require_eligible(&worker, &shift, now).await?;
            Decision::Approve {
                booking: Booking {
                    id: BookingId(Uuid::now_v7()),
                    shift_id: shift.id,
                    worker_id: worker.id,
                    window: shift.window,
                    status: BookingStatus::Active,
                    idempotency_key: format!("request-{}", id.0),
                    created_at: now,
                    cancellation: None,
                },
                by: who.user.id,
                at: now,
            }
        } else {
            Decision::Decline {
                by: who.user.id,
                at: now,
            }
        };
        let (action, booking) = match &decision {
            Decision::Approve { booking, .. } => ("booking.request_approved", Some(booking.id)),
            Decision::Decline { .. } => ("booking.request_declined", None),
            Decision::Withdraw { .. } => ("booking.request_withdrawn", None),
        };
        let record = self
            .audit_record(Change {
                action,
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(worker.user_id),
                facts: json!({"request": id, "shift": shift.id, "worker": worker.id,
                    "booking": booking, "places": shift.places.get(), "booked_before": shift.booked}),
                personal: None,
            })
            .await?;
        let rules = WorkingTimeCheck {
            rules: WorkingTimeRules::default(),
            opted_out: worker.weekly_limit_opt_out,
        };
        let decided = match self
            .store
            .decide_request(id, &decision, &[record], Some(&rules))
            .await
        {
            Err(StoreError::Conflict(Conflict::WorkingTime)) => {
                return Err(self.working_time_refusal(&worker, &shift).await)
            }
            other => other?,
        };
        self.request_view(&decided).await
    }
}
