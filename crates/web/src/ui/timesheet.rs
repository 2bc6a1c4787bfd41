//! The worker's timesheet for a booking: start it once the shift has begun, state the hours
//! actually worked (start, end, breaks, and why it overran), and submit it to the ward.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use maud::html;
use serde::Deserialize;
use staffbank_app::timesheets::{BreakInput, StateHours, TimesheetView};
use staffbank_app::Principal;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::BookingId;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page, text_input, when};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// How a `datetime-local` input shows an instant: UK wall-clock time to the minute.
fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&RULES_ZONE)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A `datetime-local` value read as UK time, as RFC 3339 for the API (an hour the clocks skip
/// is left as written so that the API reports it).
fn instant(raw: &str) -> String {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| RULES_ZONE.from_local_datetime(&t).earliest())
        .map_or_else(|| raw.trim().to_owned(), |t| t.to_rfc3339())
}

async fn timesheet_page(
    state: &AppState,
    who: &Principal,
    booking: Uuid,
    problems: Vec<String>,
) -> Response {
    let timesheet = match state
        .app
        .my_booking_timesheet(who, BookingId(booking))
        .await
    {
        Ok(t) => t,
        Err(e) => return app_error_page(e),
    };
    let action = format!("/bookings/{booking}/timesheet");
    page(
        "My timesheet",
        Some(who),
        html! {
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "My timesheet" }
            @match &timesheet {
                None => {
                    p { "Once the shift has started, start its timesheet: it begins with the booked hours, which you can change to what you actually worked." }
                    form method="post" action=(action) {
                        input type="hidden" name="csrf" value=(who.session.csrf_token);
                        button type="submit" class="nhsuk-button" { "Start timesheet" }
                    }
                }
                Some(t) => { (timesheet_body(who, &action, t)) }
            }
        },
    )
}

/// Where a timesheet stands, in words for the worker rather than its stored code; a query
/// carries the ward manager's question, so the worker sees what to change.
fn state_words(state: &str, note: Option<&str>) -> String {
    match (state, note) {
        ("draft", _) => "Not sent yet".to_owned(),
        ("submitted", _) => "Waiting for the ward manager".to_owned(),
        ("queried", Some(note)) => format!("Queried by the ward manager: {note}"),
        ("queried", None) => "Queried by the ward manager".to_owned(),
        ("approved", _) => "Approved".to_owned(),
        ("rejected", _) => "Rejected by the ward manager: nothing is paid".to_owned(),
        (other, _) => super::layout::capitalise(other),
    }
}

fn timesheet_body(who: &Principal, action: &str, t: &TimesheetView) -> maud::Markup {
    let editable = t.state == "draft" || t.state == "queried";
    let first_break = t.breaks.first();
    html! {
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "State" }
                dd class="nhsuk-summary-list__value" { (state_words(&t.state, t.note.as_deref())) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Worked" }
                dd class="nhsuk-summary-list__value" { (when(t.start, t.end)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Breaks" }
                dd class="nhsuk-summary-list__value" {
                    @if t.breaks.is_empty() { "None" }
                    @for (i, (from, to)) in t.breaks.iter().enumerate() { @if i > 0 { ", " } (when(*from, *to)) }
                }
            }
            @if let Some(reason) = &t.overrun_reason {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Why it overran" }
                    dd class="nhsuk-summary-list__value" { (reason) }
                }
            }
            // A query's note is said with its state.
            @if let Some(note) = t.note.as_ref().filter(|_| t.state != "queried") {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Ward manager's note" }
                    dd class="nhsuk-summary-list__value" { (note) }
                }
            }
        }
        @for w in &t.warnings {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Check" } }
                p { (w) }
            }
        }
        @if editable {
            h2 class="nhsuk-heading-l" { "The hours you worked" }
            form method="post" action=(format!("{action}/hours")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                (text_input("start", "Started (UK time)", "datetime-local", &local(t.start)))
                (text_input("end", "Finished (UK time)", "datetime-local", &local(t.end)))
                (text_input("break_start", "Unpaid break from (optional)", "datetime-local", &first_break.map(|b| local(b.0)).unwrap_or_default()))
                (text_input("break_end", "Unpaid break to", "datetime-local", &first_break.map(|b| local(b.1)).unwrap_or_default()))
                (text_input("overrun_reason", "Why it ran past the booked end (if it did)", "text", t.overrun_reason.as_deref().unwrap_or_default()))
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Save hours" }
            }
            form method="post" action=(format!("{action}/submit")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                button type="submit" class="nhsuk-button" { "Submit to the ward" }
            }
        }
    }
}

/// `GET /bookings/{id}/timesheet`.
pub async fn timesheet(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(booking): ApiPath<Uuid>,
) -> Response {
    timesheet_page(&state, &who, booking, vec![]).await
}

/// A form with only the CSRF token.
#[derive(Deserialize)]
pub struct PlainForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /bookings/{id}/timesheet`: starts it with the booked hours.
pub async fn start(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(booking): ApiPath<Uuid>,
    Form(form): Form<PlainForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.start_timesheet(&who, BookingId(booking)).await {
        Ok(_) => Redirect::to(&format!("/bookings/{booking}/timesheet")).into_response(),
        Err(e) => timesheet_page(&state, &who, booking, messages(&e)).await,
    }
}

/// The hours form.
#[derive(Deserialize)]
pub struct HoursForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    break_start: String,
    #[serde(default)]
    break_end: String,
    #[serde(default)]
    overrun_reason: String,
}

/// `POST /bookings/{id}/timesheet/hours`.
pub async fn hours(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(booking): ApiPath<Uuid>,
    Form(form): Form<HoursForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let id = match state
        .app
        .my_booking_timesheet(&who, BookingId(booking))
        .await
    {
        Ok(Some(t)) => t.id,
        Ok(None) => return Redirect::to(&format!("/bookings/{booking}/timesheet")).into_response(),
        Err(e) => return app_error_page(e),
    };
    let no_break = form.break_start.trim().is_empty() && form.break_end.trim().is_empty();
    let input = StateHours {
        start: instant(&form.start),
        end: instant(&form.end),
        breaks: if no_break {
            vec![]
        } else {
            vec![BreakInput {
                start: instant(&form.break_start),
                end: instant(&form.break_end),
            }]
        },
        overrun_reason: Some(form.overrun_reason.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
    };
    match state.app.state_hours(&who, id, input).await {
        Ok(_) => Redirect::to(&format!("/bookings/{booking}/timesheet")).into_response(),
        Err(e) => timesheet_page(&state, &who, booking, messages(&e)).await,
    }
}

/// `POST /bookings/{id}/timesheet/submit`.
pub async fn submit(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(booking): ApiPath<Uuid>,
    Form(form): Form<PlainForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let submitted = match state
        .app
        .my_booking_timesheet(&who, BookingId(booking))
        .await
    {
        Ok(Some(t)) => state.app.submit_timesheet(&who, t.id).await,
        Ok(None) => return Redirect::to(&format!("/bookings/{booking}/timesheet")).into_response(),
        Err(e) => return app_error_page(e),
    };
    match submitted {
        Ok(_) => Redirect::to(&format!("/bookings/{booking}/timesheet")).into_response(),
        Err(e) => timesheet_page(&state, &who, booking, messages(&e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::state_words;

    #[test]
    fn each_state_is_said_in_words() {
        assert_eq!(state_words("draft", None), "Not sent yet");
        assert_eq!(
            state_words("submitted", None),
            "Waiting for the ward manager"
        );
        assert_eq!(
            state_words("queried", Some("Was there a break?")),
            "Queried by the ward manager: Was there a break?"
        );
        assert_eq!(state_words("approved", None), "Approved");
        assert!(state_words("rejected", Some("Not worked")).starts_with("Rejected"));
    }
}
