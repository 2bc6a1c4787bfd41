//! Breaking glass to agency in two steps: the booker gives the reason, the agency's rate and
//! name; a confirmation page shows what the release costs and the trust's agency headroom
//! before and after, asking why it must go ahead if it takes the trust over its cap; only then
//! is the shift released.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::agency_spend::AgencyQuote;
use staffbank_app::release::BreakGlass;
use staffbank_app::{AppError, Principal};
use staffbank_domain::pay::Pence;
use staffbank_domain::ShiftId;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page};
use super::pay::pence;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// What the booker typed on the shift page.
#[derive(Deserialize)]
pub struct AgencyAsk {
    #[serde(default)]
    reason: String,
    /// Pounds an hour, as typed.
    #[serde(default)]
    rate: String,
    #[serde(default)]
    agency: String,
}

/// The confirmed release.
#[derive(Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    rate_pence: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    over_cap_reason: String,
}

fn money(pence: Option<i64>) -> String {
    pence.map_or_else(|| "No cap set".to_owned(), |p| Pence(p).to_string())
}

/// `GET /manage/shifts/{id}/agency`: the cost and headroom, to confirm.
pub async fn confirm(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    Query(ask): Query<AgencyAsk>,
) -> Response {
    let Some(rate_pence) = pence(&ask.rate) else {
        return app_error_page(AppError::field(
            "rate",
            "enter the agency's rate in pounds an hour, like 65.00",
        ));
    };
    match state
        .app
        .agency_quote(&who, ShiftId(shift_id), rate_pence)
        .await
    {
        Ok(quote) => confirm_page(&who, shift_id, &ask, &quote, None),
        Err(e) => app_error_page(e),
    }
}

fn confirm_page(
    who: &Principal,
    shift_id: Uuid,
    ask: &AgencyAsk,
    quote: &AgencyQuote,
    error: Option<&AppError>,
) -> Response {
    let hours = format!(
        "{} h {:02} min for each of {} place{}",
        quote.paid_minutes / 60,
        quote.paid_minutes % 60,
        quote.places,
        if quote.places == 1 { "" } else { "s" }
    );
    let cap_period = format!(
        "{} to {}",
        quote.cap.from.format("%-d %b %Y"),
        quote.cap.to.format("%-d %b %Y")
    );
    let mut response = page(
        "Confirm the release to agency",
        Some(who),
        html! {
            @if let Some(e) = error { (error_summary(&messages(e))) }
            h1 class="nhsuk-heading-xl" { "Confirm the release to agency" }
            dl class="nhsuk-summary-list" {
                @for (key, value) in [
                    ("Agency rate", format!("{} an hour", Pence(quote.rate_pence))),
                    ("Paid time", hours),
                    ("Cost of this release", Pence(quote.cost_pence).to_string()),
                    ("Agency cap", format!("{} ({cap_period})", money(quote.cap.cap_pence))),
                    ("Headroom before", money(quote.headroom_before_pence)),
                    ("Headroom after", money(quote.headroom_after_pence)),
                ] {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { (key) }
                        dd class="nhsuk-summary-list__value" { (value) }
                    }
                }
            }
            form method="post" action=(format!("/manage/shifts/{shift_id}/agency")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="reason" value=(ask.reason);
                input type="hidden" name="rate_pence" value=(quote.rate_pence);
                input type="hidden" name="agency" value=(ask.agency);
                @if quote.over_cap {
                    div class="nhsuk-warning-callout" {
                        h2 class="nhsuk-warning-callout__label" {
                            span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Over the agency cap" }
                        }
                        p { "This release takes the trust over its agency spend cap. Say why it must still go ahead: the reason is recorded in the audit ledger." }
                    }
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label" for="over-cap-reason" { "Why this release must go over the cap" }
                        input class="nhsuk-input" id="over-cap-reason" name="over_cap_reason" type="text" required;
                    }
                }
                button type="submit" class="nhsuk-button nhsuk-button--warning" { "Break glass: release to agency" }
            }
            p { a href=(format!("/manage/shifts/{shift_id}")) { "Do not release it" } }
        },
    );
    if error.is_some() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `POST /manage/shifts/{id}/agency`: releases it.
pub async fn release(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    Form(form): Form<AgencyForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let rate_pence = form.rate_pence.trim().parse().unwrap_or(0);
    let input = BreakGlass {
        reason: form.reason.clone(),
        rate_pence,
        agency_name: optional(&form.agency),
        over_cap_reason: optional(&form.over_cap_reason),
    };
    match state
        .app
        .release_to_agency(&who, ShiftId(shift_id), input)
        .await
    {
        Ok(_) => Redirect::to(&format!("/manage/shifts/{shift_id}")).into_response(),
        Err(e @ AppError::Conflict(staffbank_app::Conflict::OverAgencyCap, _)) => {
            // Back to the confirmation, now asking for the reason.
            let ask = AgencyAsk {
                reason: form.reason,
                rate: String::new(),
                agency: form.agency,
            };
            match state
                .app
                .agency_quote(&who, ShiftId(shift_id), rate_pence)
                .await
            {
                Ok(quote) => confirm_page(&who, shift_id, &ask, &quote, Some(&e)),
                Err(e) => app_error_page(e),
            }
        }
        Err(e) => app_error_page(e),
    }
}
