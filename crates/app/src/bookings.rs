//! Booking a place, cancelling it, and listing bookings.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use staffbank_domain::booking::{
    check_cancellable, BookingMode, BookingStatus, CancelError, CancelledBy,
};
use staffbank_domain::eligibility::{self, Ineligibility};
use staffbank_domain::pay;
use staffbank_domain::release::is_late;
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::text::Label;
use staffbank_domain::working_time::WorkingTimeRules;
use staffbank_domain::*;
use staffbank_store::{
    Booking, BookingContext, CancellationPayment, CancellationRecord, Conflict, Credential, Cursor,
    Page, PayLineKind, PayLineRecord, Shift, SignedInToBook, StoreError, Worker, WorkingTimeCheck,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::presented_token_hash;

use crate::paging::{next_cursor, Paged};
use crate::shifts::{shift_facts, worker_facts};
use crate::views::BookingView;
use crate::{App, AppError, Principal};

/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 128;

/// Cancel a booking.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBooking {
    /// Why, in words both sides will see.
    pub reason: String,
}

/// Checks an `Idempotency-Key`: 1 to 128 visible ASCII characters.
pub fn check_idempotency_key(key: &str) -> Result<(), AppError> {
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(AppError::field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
        ));
    }
    Ok(())
}

/// Refuses unless `worker`, holding `credentials`, may book `shift` at `now`: the rules that
/// depend only on them and the shift. A full or withdrawn shift is a conflict with the shift's
/// state, the same answer the database gives a request that loses the race for the last place.
fn eligible(
    worker: &Worker,
    credentials: &[Credential],
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reasons = eligibility::check(&worker_facts(worker, credentials), &shift_facts(shift), now);
    for reason in &reasons {
        if let Ineligibility::ShiftNotOpen { status } = reason {
            let conflict = match status {
                ShiftStatus::Filled => StoreError::Conflict(Conflict::ShiftFull),
                _ => StoreError::Conflict(Conflict::ShiftNotOpen),
            };
            return Err(conflict.into());
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(AppError::Ineligible(reasons))
    }
}

/// The result of a booking request.
#[derive(Debug)]
pub struct Booked {
    /// The booking.
    pub booking: BookingView,
    /// True when the request repeated an earlier one with the same key.
    pub replayed: bool,
}

impl App {
    /// Books the signed-in worker onto a shift, exactly once per idempotency key.
    #[tracing::instrument(skip_all, fields(shift = %shift_id))]
    pub async fn book(
        &self,
        who: &Principal,
        shift_id: ShiftId,
        key: &str,
    ) -> Result<Booked, AppError> {
        check_idempotency_key(key)?;
        let worker = who.require_worker()?;
        let context = self.store.booking_context(shift_id, worker.id, key).await?;
        let outcome = self.book_in_context(who, shift_id, key, context).await;
        crate::measures::count_booking(&outcome, |b| b.replayed);
        outcome
    }

    /// [`App::book`] for the holder of a bearer `token`, not yet authenticated: the session is
    /// read together with what the booking is judged on, so that each request of a release's
    /// rush costs the database one read before its write.
    #[tracing::instrument(skip_all, fields(shift = %shift_id))]
    pub async fn book_with_token(
        &self,
        token: &str,
        shift_id: ShiftId,
        key: &str,
    ) -> Result<Booked, AppError> {
        let SignedInToBook {
            signed_in,
            context,
            wrapped_key,
        } = self
            .store
            .signed_in_to_book(&presented_token_hash(token)?, self.now(), shift_id, key)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        match wrapped_key {
            Some(wrapped) => self.sealing_keys.put(signed_in.user.id.0, wrapped),
            // Beside a context the key is missing only once it has been erased (or before it was
            // first made): a copy this process still holds must seal nothing more.
            None if context.is_some() => self.sealing_keys.forget(signed_in.user.id.0),
            None => {}
        }
        let who = Principal::from(signed_in);
        check_idempotency_key(key)?;
        let outcome = self.book_in_context(&who, shift_id, key, context).await;
        crate::measures::count_booking(&outcome, |b| b.replayed);
        outcome
    }

    /// Books `who`, who must be a worker, onto `shift_id` as judged on `context` (`None`: no such
    /// shift).
    async fn book_in_context(
        &self,
        who: &Principal,
        shift_id: ShiftId,
        key: &str,
        context: Option<BookingContext>,
    ) -> Result<Booked, AppError> {
        let worker = who.require_worker()?;
        let BookingContext {
            mut shift,
            credentials,
            key_booking,
        } = context.ok_or(AppError::NotFound)?;
        self.require_visible(who, &shift).await?;
        let now = self.now();
        // A retry of a booking that was made is answered with it, whatever has changed since:
        // read in full only when the booking would be refused (the store replays it otherwise).
        if let Err(refusal) = Self::bookable(worker, &credentials, &shift, now) {
            let existing = match key_booking {
                Some(id) => self.store.booking(id).await?,
                None => None,
            };
            let Some(existing) = existing else {
                return Err(refusal);
            };
            if existing.shift_id != shift_id {
                return Err(AppError::Conflict(
                    Conflict::IdempotencyKeyReused,
                    "this Idempotency-Key was already used for a different shift".into(),
                ));
            }
            return self.booked(worker, &existing, shift, true).await;
        }
        let request = Booking {
            id: BookingId(Uuid::now_v7()),
            shift_id,
            worker_id: worker.id,
            window: shift.window,
            status: BookingStatus::Active,
            idempotency_key: key.to_owned(),
            created_at: now,
            cancellation: None,
        };
        let record = self
            .audit_record(Change {
                action: "booking.made",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(who.user.id),
                facts: json!({"booking": request.id, "shift": shift.id, "worker": worker.id,
                    "starts_at": shift.window.start(), "ends_at": shift.window.end(),
                    "places": shift.places.get(), "booked_before": shift.booked,
                    "idempotency_key": key}),
                personal: Some(json!({"worker_name": worker.display_name.as_str()})),
            })
            .await?;
        let rules = WorkingTimeCheck {
            rules: WorkingTimeRules::default(),
            opted_out: worker.weekly_limit_opt_out,
        };
        let outcome = match self.store.book(&request, &[record], Some(&rules)).await {
            Err(StoreError::Conflict(conflict)) => {
                // A retry racing its original (e.g. sent again to another server) loses to it
                // on places or overlap; once the original has committed it is the answer.
                if let Some(first) = self.booking_under_key(shift_id, worker.id, key).await? {
                    return self.booked(worker, &first, shift, true).await;
                }
                return Err(match conflict {
                    Conflict::WorkingTime => self.working_time_refusal(worker, &shift).await,
                    other => StoreError::Conflict(other).into(),
                });
            }
            other => other?,
        };
        if !outcome.replayed {
            tracing::info!(booking = %outcome.booking.id, worker = %worker.id, "booked");
        }
        shift.booked = outcome.shift_booked;
        shift.status = ShiftStatus::from_counts(shift.booked, shift.places);
        self.booked(worker, &outcome.booking, shift, outcome.replayed)
            .await
    }

    /// The booking `worker` made on `shift_id` under idempotency key `key`, if they made one.
    async fn booking_under_key(
        &self,
        shift_id: ShiftId,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<Booking>, AppError> {
        let Some(id) = self
            .store
            .booking_context(shift_id, worker, key)
            .await?
            .and_then(|c| c.key_booking)
        else {
            return Ok(None);
        };
        Ok(self
            .store
            .booking(id)
            .await?
            .filter(|b| b.shift_id == shift_id))
    }

    /// Refuses a booking that cannot go ahead as things stand: a ward that approves its
    /// bookings, a shift that cannot be booked as read (full, cancelled or started: the store
    /// still decides the race for the last place), or a rule the worker does not meet.
    fn bookable(
        worker: &Worker,
        credentials: &[Credential],
        shift: &Shift,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if shift.booking_mode == BookingMode::Request {
            return Err(AppError::Conflict(
                Conflict::BookByRequest,
                "this ward approves its bookings: request the shift instead".into(),
            ));
        }
        eligible(worker, credentials, shift, now)
    }

    /// Refuses unless `worker` may book `shift` at `now` by every rule that depends on them and
    /// the shift (the store then enforces places, overlaps and working time in its transaction).
    pub(crate) async fn require_eligible(
        &self,
        worker: &Worker,
        shift: &Shift,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        eligible(
            worker,
            &self.store.credentials_of(worker.id).await?,
            shift,
            now,
        )
    }

    /// The answer to a booking the store refused on working time: what it would break (or that
    /// it overlaps one they hold).
    pub(crate) async fn working_time_refusal(
        &self,
        worker: &staffbank_store::Worker,
        shift: &staffbank_store::Shift,
    ) -> AppError {
        match self.working_time_breaches(worker, shift).await {
            Ok(reasons) if reasons.is_empty() => StoreError::Conflict(Conflict::WorkingTime).into(),
            Ok(reasons) => AppError::Ineligible(reasons),
            Err(e) => e,
        }
    }

    /// The answer to a booking request, with the shift as the booking left it.
    async fn booked(
        &self,
        worker: &staffbank_store::Worker,
        booking: &Booking,
        shift: staffbank_store::Shift,
        replayed: bool,
    ) -> Result<Booked, AppError> {
        let view = self.names.shift_view(self.store.as_ref(), &shift).await?;
        Ok(Booked {
            booking: BookingView::new(booking, worker, Some(view)),
            replayed,
        })
    }

    /// Cancels a booking: the booked worker, or a booker of the shift's ward. The place is
    /// released at once.
    #[tracing::instrument(skip_all, fields(booking = %id))]
    pub async fn cancel_booking(
        &self,
        who: &Principal,
        id: BookingId,
        input: CancelBooking,
    ) -> Result<BookingView, AppError> {
        let (booking, shift, by) = self.cancellable_by(who, id).await?;
        let reason = Label::parse(&input.reason, 500).map_err(|e| AppError::field("reason", e))?;
        let now = self.now();
        check_cancellable(booking.status, shift.window, now).map_err(|e| match e {
            CancelError::AlreadyCancelled => {
                AppError::Conflict(Conflict::AlreadyCancelled, e.to_string())
            }
            CancelError::ShiftStarted => AppError::Conflict(Conflict::ShiftStarted, e.to_string()),
        })?;
        let worker = self
            .store
            .worker(booking.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Late inside the notice period the shift was posted with; a late cancellation by the
        // trust is owed for.
        let late = is_late(shift.cancellation_notice, shift.window.start(), now);
        let owed = late && by == CancelledBy::Trust;
        let pay_line = if owed {
            self.cancellation_pay_line(&shift, &worker, now).await?
        } else {
            None
        };
        let payment = owed.then(|| CancellationPayment {
            booking_id: id,
            org_id: shift.org_id,
            worker_id: worker.id,
            shift_minutes: shift.window.length().num_minutes(),
            created_at: now,
            pay_line_id: pay_line.as_ref().map(|l| l.id),
        });
        let record = self
            .audit_record(Change {
                action: "booking.cancelled",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(worker.user_id),
                facts: json!({"booking": id, "shift": shift.id, "worker": worker.id, "by": by.as_str(),
                    "status_before": booking.status.as_str(), "status_after": "cancelled",
                    "minutes_before_start": (shift.window.start() - now).num_minutes(),
                    "late": late, "cancellation_payment_minutes": payment.as_ref().map(|p| p.shift_minutes),
                    "cancellation_pay_line": pay_line.as_ref().map(|l| l.id),
                    "cancellation_pay_pence": pay_line.as_ref().map(|l| l.amount),
                    "cancellation_pay_explanation": pay_line.as_ref().map(|l| &l.explanation)}),
                personal: Some(json!({"reason": reason.as_str()})),
            })
            .await?;
        let cancellation = CancellationRecord {
            by,
            by_user: who.user.id,
            reason,
            at: now,
            late,
        };
        let cancelled = self
            .store
            .cancel_booking(
                id,
                &cancellation,
                payment.as_ref(),
                pay_line.as_ref(),
                &[record],
            )
            .await?;
        tracing::info!(by = by.as_str(), late, "booking cancelled");
        let view = self.names.shift_view(self.store.as_ref(), &shift).await?;
        Ok(BookingView::new(&cancelled, &worker, Some(view)))
    }

    /// The booking, its shift, and which side `who` cancels it for: the booked worker, or a
    /// booker of the shift's ward; anyone else is told it does not exist.
    pub(crate) async fn cancellable_by(
        &self,
        who: &Principal,
        id: BookingId,
    ) -> Result<(Booking, Shift, CancelledBy), AppError> {
        let booking = self.store.booking(id).await?.ok_or(AppError::NotFound)?;
        let shift = self
            .store
            .shift(booking.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let by = if who
            .worker
            .as_ref()
            .is_some_and(|w| w.id == booking.worker_id)
        {
            CancelledBy::Worker
        } else if self.manages_shift(who, &shift).await? {
            CancelledBy::Trust
        } else {
            return Err(AppError::NotFound);
        };
        Ok((booking, shift, by))
    }

    /// The pay line a trust's late cancellation owes: the shift as booked, its whole length with
    /// its enhancements and premium (nothing was worked, so no break comes off), by the trust's
    /// rules. None, with a warning, where the rate card has no rate for the worker's grade: the
    /// cancellation payment is still recorded and reported for the bank office to pay by hand.
    pub(crate) async fn cancellation_pay_line(
        &self,
        shift: &Shift,
        worker: &Worker,
        now: DateTime<Utc>,
    ) -> Result<Option<PayLineRecord>, AppError> {
        let (start, end) = (shift.window.start(), shift.window.end());
        let line = match self.price(shift, worker, start, end, Vec::new()).await? {
            Ok(line) => line,
            Err(e) => {
                tracing::warn!(error = %e, "a late cancellation could not be priced");
                return Ok(None);
            }
        };
        let mut explanation = vec![format!(
            "Cancelled by the trust {} before the start, inside its {}-hour notice: paid as booked",
            pay::hours((start - now).num_seconds().max(0)),
            shift.cancellation_notice.num_hours()
        )];
        explanation.extend(line.explain());
        Ok(Some(PayLineRecord {
            id: Uuid::now_v7(),
            timesheet_id: None,
            shift_id: shift.id,
            worker_id: worker.id,
            org_id: shift.org_id,
            work_date: start.with_timezone(&RULES_ZONE).date_naive(),
            kind: PayLineKind::Cancellation,
            seconds: line.seconds,
            base_pay: line.itemised.base.0,
            enhancements: line.itemised.enhancements.0,
            premium: line.itemised.premium.0,
            holiday_pay: line.holiday_pay.0,
            amount: line.total.0,
            explanation: serde_json::to_string(&explanation)
                .map_err(|e| AppError::Unexpected(e.into()))?,
            created_at: now,
            pay_run_id: None,
        }))
    }

    /// The signed-in worker's bookings, by shift start.
    pub async fn my_bookings(
        &self,
        who: &Principal,
        page: Page,
    ) -> Result<Paged<BookingView>, AppError> {
        let worker = who.require_worker()?;
        let bookings = self.store.bookings_of_worker(worker.id, page).await?;
        let full = bookings.len() == page.limit as usize;
        let last = bookings.last().map(|b| Cursor {
            start: b.window.start(),
            id: b.id.0,
        });
        let names = &self.names;
        let mut items = Vec::with_capacity(bookings.len());
        for booking in &bookings {
            let shift = self
                .store
                .shift(booking.shift_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let view = names.shift_view(self.store.as_ref(), &shift).await?;
            items.push(BookingView::new(booking, worker, Some(view)));
        }
        Ok(Paged {
            items,
            next_cursor: next_cursor(full, last),
        })
    }

    /// Who booked a shift (a booker of its ward).
    pub async fn shift_bookings(
        &self,
        who: &Principal,
        shift_id: ShiftId,
    ) -> Result<Vec<BookingView>, AppError> {
        let shift = self
            .store
            .shift(shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &shift).await? {
            return Err(AppError::NotFound);
        }
        let bookings = self.store.bookings_of_shift(shift_id).await?;
        let mut items = Vec::with_capacity(bookings.len());
        for booking in &bookings {
            let worker = self
                .store
                .worker(booking.worker_id)
                .await?
                .ok_or(AppError::NotFound)?;
            items.push(BookingView::new(booking, &worker, None));
        }
        Ok(items)
    }
}
