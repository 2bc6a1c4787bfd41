//! The worker's pages: shifts for me, booking, my bookings, cancelling.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::bookings::CancelBooking;
use staffbank_app::matching::ShiftMatch;
use staffbank_app::pay_estimate::PayEstimate;
use staffbank_app::views::ShiftView;
use staffbank_app::Principal;
use staffbank_domain::{BookingId, ShiftId};
use uuid::Uuid;

use super::layout::{app_error_page, messages, page, when};
use super::shift_list::ShiftFilters;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// A shift's facts as an NHS.UK summary list: when, where, grade, places, bank, premium.
pub(crate) fn shift_summary(shift: &ShiftView) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "When" }
                dd class="nhsuk-summary-list__value" { (when(shift.starts_at, shift.ends_at)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Where" }
                dd class="nhsuk-summary-list__value" { (shift.ward_name) ", " (shift.site_name) " (" (shift.org_name) ")" }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Grade" }
                dd class="nhsuk-summary-list__value" { (grade(&shift.grade_min)) " to " (grade(&shift.grade_max)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Places left" }
                dd class="nhsuk-summary-list__value" { (shift.places.saturating_sub(shift.booked)) " of " (shift.places) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Bank" }
                dd class="nhsuk-summary-list__value" { (shift.bank_name) }
            }
            @if shift.premium_percent > 0 {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Premium" }
                    dd class="nhsuk-summary-list__value" { "+" (shift.premium_percent) "% of your base rate for every hour, on top of any unsocial-hours enhancement" }
                }
            }
        }
    }
}

pub(crate) fn grade(raw: &str) -> String {
    staffbank_domain::Grade::parse(raw)
        .map(|g| g.label())
        .unwrap_or_else(|| raw.to_owned())
}

fn why_ranked(rank: &staffbank_app::matching::RankView) -> String {
    let mut parts = Vec::new();
    if let Some(km) = rank.distance_km {
        parts.push(format!("{km:.1} km from home"));
    }
    if rank.worked_ward_before {
        parts.push("you have worked this ward before".to_owned());
    }
    parts.join("; ")
}

/// A bookable shift's card, with its book (or request) button.
pub(crate) fn match_card(
    who: &Principal,
    m: &ShiftMatch,
    offered: bool,
    estimate: Option<&PayEstimate>,
) -> Markup {
    html! {
        div class="nhsuk-card" {
            div class="nhsuk-card__content" {
                h3 class="nhsuk-card__heading nhsuk-heading-m" { (m.shift.role) " – " (m.shift.ward_name) }
                @if offered { p { strong class="nhsuk-tag" { "Offered to you" } } }
                (shift_summary(&m.shift))
                @let why = why_ranked(&m.rank);
                @if !why.is_empty() { p class="nhsuk-body-s" { (why) } }
                p class="nhsuk-body-s" {
                    "If the trust cancels less than " (m.shift.cancellation_notice_hours)
                    " hours before the start, you are paid for the shift. Cancelling yourself inside that time is recorded as late."
                }
                @if let Some(e) = estimate {
                    p class="nhsuk-body" {
                        "Estimated pay: " strong { (e.shown[1]) } " for the whole shift ("
                        (e.shown[0]) " an hour base rate for " (e.grade) ")"
                    }
                }
                p class="nhsuk-body-s" {
                    a class="nhsuk-link" href=(format!("/shifts/{}", m.shift.id)) {
                        "How the pay adds up"
                        span class="nhsuk-u-visually-hidden" { " for " (m.shift.role) " on " (when(m.shift.starts_at, m.shift.ends_at)) }
                    }
                }
                (book_form(who, &m.shift))
            }
        }
    }
}

/// The book (or request) button of a shift.
pub(crate) fn book_form(who: &Principal, shift: &ShiftView) -> Markup {
    html! {
        form method="post" action=(format!("/shifts/{}/book", shift.id)) {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="idempotency_key" value=(Uuid::new_v4());
            button type="submit" class="nhsuk-button nhsuk-u-margin-bottom-0" {
                @if shift.booking_mode == "request" { "Request this shift" } @else { "Book this shift" }
                span class="nhsuk-u-visually-hidden" { " on " (when(shift.starts_at, shift.ends_at)) }
            }
        }
    }
}

/// The booking form.
#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    idempotency_key: String,
}

/// `POST /shifts/{id}/book`: books, then shows my bookings; on refusal, shows why.
pub async fn book(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    Form(form): Form<BookForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let id = ShiftId(shift_id);
    let booked = match state.app.book(&who, id, &form.idempotency_key).await {
        // The ward approves its bookings: the same button sends a request.
        Err(staffbank_app::AppError::Conflict(staffbank_app::Conflict::BookByRequest, _)) => state
            .app
            .request_shift(&who, id, &form.idempotency_key)
            .await
            .map(|_| "/bookings?requested=1"),
        other => other.map(|_| "/bookings?booked=1"),
    };
    match booked {
        Ok(to) => Redirect::to(to).into_response(),
        Err(e @ (staffbank_app::AppError::Unexpected(_) | staffbank_app::AppError::NotFound)) => {
            app_error_page(e)
        }
        Err(e) => {
            let mut response = super::shift_list::shifts_page(
                &state,
                &who,
                &messages(&e),
                ShiftFilters::default(),
            )
            .await;
            *response.status_mut() = axum::http::StatusCode::CONFLICT;
            response
        }
    }
}

/// `GET /bookings`.
pub async fn my_bookings(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let page_request = staffbank_app::paging::Page {
        limit: 200,
        after: None,
    };
    let bookings = match state.app.my_bookings(&who, page_request).await {
        Ok(b) => b,
        Err(e) => return app_error_page(e),
    };
    let just_booked = query.as_deref() == Some("booked=1");
    let just_requested = query.as_deref() == Some("requested=1");
    let just_cancelled = query.as_deref() == Some("cancelled=1");
    page(
        "My bookings",
        Some(&who),
        html! {
            @if just_booked {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "You are booked. The shift is in your list below." }
                }
            }
            @if just_cancelled {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Your booking is cancelled and the trust has been told." }
                }
            }
            @if just_requested {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p {
                        "Your request has gone to the ward. The shift appears here once a booker approves it. "
                        a class="nhsuk-link" href="/requests" { "See or withdraw your requests" }
                    }
                }
            }
            h1 class="nhsuk-heading-xl" { "My bookings" }
            @if bookings.items.is_empty() { p { "You have no bookings yet." } }
            @for booking in &bookings.items {
                @if let Some(shift) = &booking.shift {
                    div class="nhsuk-card" {
                        div class="nhsuk-card__content" {
                            h2 class="nhsuk-card__heading nhsuk-heading-m" {
                                (shift.role) " – " (shift.ward_name)
                                @if booking.status == "cancelled" { " (cancelled)" }
                            }
                            (shift_summary(shift))
                            @if let Some(c) = &booking.cancellation {
                                p { "Cancelled by the " (c.by) ": " (c.reason) }
                            } @else if shift.starts_at <= state.app.now() {
                                a class="nhsuk-link" href=(format!("/bookings/{}/timesheet", booking.id)) {
                                    "Timesheet" span class="nhsuk-u-visually-hidden" { " for " (when(shift.starts_at, shift.ends_at)) }
                                }
                            } @else {
                                form method="post" action=(format!("/bookings/{}/cancel", booking.id)) {
                                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                                    div class="nhsuk-form-group" {
                                        label class="nhsuk-label" for=(format!("reason-{}", booking.id)) { "Reason for cancelling" }
                                        input class="nhsuk-input" id=(format!("reason-{}", booking.id)) name="reason" type="text";
                                    }
                                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" { "Cancel this booking" }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The cancel form.
#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    /// Set by the confirmation page of a late cancellation the trust pays for.
    #[serde(default)]
    confirmed: Option<String>,
}

/// `POST /bookings/{id}/cancel` (the worker) and `POST /manage/bookings/{id}/cancel` (a booker):
/// each goes back to the page they came from.
pub async fn cancel(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(booking_id): ApiPath<Uuid>,
    Form(form): Form<CancelForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let id = BookingId(booking_id);
    let cost = match state.app.cancellation_cost(&who, id).await {
        Ok(cost) => cost,
        Err(e) => return app_error_page(e),
    };
    if cost.trust_pays && form.confirmed.is_none() && !form.reason.trim().is_empty() {
        return super::cancel::confirm_page(&who, booking_id, form.reason.trim(), &cost);
    }
    let input = CancelBooking {
        reason: form.reason,
    };
    match state.app.cancel_booking(&who, id, input).await {
        Ok(view) if view.cancellation.as_ref().is_some_and(|c| c.by == "worker") => {
            Redirect::to("/bookings?cancelled=1").into_response()
        }
        Ok(view) => {
            let late = if cost.trust_pays { "late" } else { "1" };
            Redirect::to(&format!(
                "/manage/shifts/{}?cancelled={late}",
                view.shift_id
            ))
            .into_response()
        }
        Err(e) => app_error_page(e),
    }
}
