//! The booker's view of who could work a shift, and breaking glass to agency.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::shifts::RaisePremium;
use staffbank_app::views::ShiftView;
use staffbank_app::Principal;
use staffbank_domain::ShiftId;
use uuid::Uuid;

use super::layout::{app_error_page, when};
use super::worker::grade;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// Ranked candidates, near-misses and those the shift does not suit, and the break-glass form while it has places.
pub(crate) async fn section(state: &AppState, who: &Principal, shift: &ShiftView) -> Markup {
    let candidates = match state.app.candidates(who, ShiftId(shift.id), Some(20)).await {
        Ok(c) => c,
        Err(_) => return html! { p { "Candidates could not be loaded." } },
    };
    html! {
        h2 class="nhsuk-heading-l" { "Candidates" }
        @let closed = shift.status != "open" || shift.starts_at <= state.app.now();
        @if closed {
            div class="nhsuk-inset-text" {
                span class="nhsuk-u-visually-hidden" { "Information: " }
                p {
                    @if shift.status == "filled" { "This shift is filled: every place is booked. The workers below could take a place if one is freed." }
                    @else if shift.starts_at <= state.app.now() { "This shift has started, so nobody else can book it." }
                    @else { "This shift is not open for booking." }
                }
            }
        }
        @if candidates.eligible.is_empty() && !closed { p { "Nobody eligible can book this shift at the moment." } }
        @else {
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption" { "Eligible workers, best match first" }
                thead class="nhsuk-table__head" { tr {
                    th scope="col" { "Name" } th scope="col" { "Grade" } th scope="col" { "Distance" }
                    th scope="col" { "Worked here" } th scope="col" { "Hours this period" }
                    th scope="col" { "Offer" }
                } }
                tbody class="nhsuk-table__body" {
                    @for c in &candidates.eligible {
                        tr class="nhsuk-table__row" {
                            td { (c.name) } td { (grade(&c.grade)) }
                            td { @if let Some(km) = c.rank.distance_km { (format!("{km:.1} km")) } @else { "unknown" } }
                            td { @if c.rank.worked_ward_before { "Yes" } @else { "No" } }
                            td { (c.rank.hours_this_period) }
                            td {
                                form method="post" action=(format!("/manage/shifts/{}/offers", shift.id)) {
                                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                                    input type="hidden" name="worker_id" value=(c.worker_id);
                                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" {
                                        "Offer this shift" span class="nhsuk-u-visually-hidden" { " to " (c.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !candidates.near_misses.is_empty() {
            h3 class="nhsuk-heading-m" { "Near misses" }
            @for n in &candidates.near_misses {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h4 class="nhsuk-card__heading nhsuk-heading-s" { (n.name) " (" (grade(&n.grade)) ")" }
                    @if n.explanations.is_empty() { p { "Nothing else stands in the way." } }
                    @else { ul class="nhsuk-list nhsuk-list--bullet" { @for e in &n.explanations { li { (super::layout::capitalise(e)) } } } }
                } }
            }
        }
        @if !candidates.not_available.is_empty() {
            h3 class="nhsuk-heading-m" { "Not available" }
            p { "These workers could book this shift, but they have said it does not suit them, so it cannot be offered to them." }
            @for n in &candidates.not_available {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h4 class="nhsuk-card__heading nhsuk-heading-s" { (n.name) " (" (grade(&n.grade)) ")" }
                    ul class="nhsuk-list nhsuk-list--bullet" { @for e in &n.explanations { li { (super::layout::capitalise(e)) } } }
                } }
            }
        }
        @if shift.status == "open" && shift.starts_at > state.app.now() {
            h2 class="nhsuk-heading-l" { "Premium" }
            p { "This shift offers " (shift.premium_percent) "% on each worker's base rate. A premium can only be raised; above the trust's cap it needs a reason, recorded in the audit ledger." }
            form method="post" action=(format!("/manage/shifts/{}/premium", shift.id)) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="premium" { "New premium, percent" }
                    input class="nhsuk-input nhsuk-input--width-4" id="premium" name="premium" type="number" min="0" max="200";
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="premium-reason" { "Reason, if above the trust's cap (break glass)" }
                    input class="nhsuk-input" id="premium-reason" name="reason" type="text";
                }
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Raise the premium" }
            }
        }
        @if let Some(at) = shift.agency_at {
            p { "Released to agency " (when(at, at)) "." }
        } @else if shift.status == "open" && shift.starts_at > state.app.now() {
            h2 class="nhsuk-heading-l" { "Release to agency" }
            form method="get" action=(format!("/manage/shifts/{}/agency", shift.id)) {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="agency-reason" { "Why the bank cannot fill this shift" }
                    div class="nhsuk-hint" id="agency-reason-hint" { "Breaking glass is recorded in the audit ledger and reported." }
                    input class="nhsuk-input" id="agency-reason" name="reason" type="text" aria-describedby="agency-reason-hint";
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="agency-rate" { "Agreed agency rate, pounds an hour" }
                    div class="nhsuk-hint" id="agency-rate-hint" { "For example, 65.00. You will see the cost and the trust's agency headroom before you confirm." }
                    input class="nhsuk-input nhsuk-input--width-5" id="agency-rate" name="rate" type="text" inputmode="decimal" aria-describedby="agency-rate-hint";
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="agency-name" { "Agency name or reference (optional)" }
                    input class="nhsuk-input" id="agency-name" name="agency" type="text";
                }
                button type="submit" class="nhsuk-button nhsuk-button--warning" { "Check the cost of releasing to agency" }
            }
        }
    }
}

/// The form raising a shift's premium.
#[derive(Deserialize)]
pub struct PremiumForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    premium: String,
    #[serde(default)]
    reason: String,
}

/// `POST /manage/shifts/{id}/premium`.
pub async fn raise_premium(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    Form(form): Form<PremiumForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = RaisePremium {
        // Not a number is refused like any other out-of-range premium.
        premium_percent: form.premium.trim().parse().unwrap_or(-1),
        premium_override_reason: Some(form.reason.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
    };
    match state
        .app
        .raise_premium(&who, ShiftId(shift_id), input)
        .await
    {
        Ok(_) => Redirect::to(&format!("/manage/shifts/{shift_id}")).into_response(),
        Err(e) => app_error_page(e),
    }
}

/// The offer form.
#[derive(Deserialize)]
pub struct OfferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker_id: String,
}

/// `POST /manage/shifts/{id}/offers`: offers the shift to one candidate.
pub async fn offer(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    Form(form): Form<OfferForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = staffbank_app::offers::OfferTo {
        worker_id: Uuid::parse_str(form.worker_id.trim()).unwrap_or_default(),
    };
    match state.app.offer_shift(&who, ShiftId(shift_id), input).await {
        Ok(made) => {
            let outcome = if made.new {
                "offered=1"
            } else {
                "offered=again"
            };
            Redirect::to(&format!("/manage/shifts/{shift_id}?{outcome}")).into_response()
        }
        Err(e) => app_error_page(e),
    }
}
