//! The booker's pages: posting a shift, who booked it (the list is in `booker_list`).

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::shifts::{NewShift, PostShifts};
use staffbank_app::{AppError, Principal};
use staffbank_domain::grade::{AFC_BANDS, MEDICAL_GRADES};
use staffbank_domain::{ShiftId, ShiftWindow, StaffGroup};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page, text_input, when};
use super::worker::grade;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The post-a-shift form, as submitted (all text, parsed by the app).
#[derive(Deserialize, Default)]
pub struct ShiftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ward_id: String,
    #[serde(default)]
    bank_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    staff_group: String,
    #[serde(default)]
    grade_min: String,
    #[serde(default)]
    grade_max: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    premium: String,
    #[serde(default)]
    premium_reason: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    skills: String,
}

pub(super) fn select(id: &str, label: &str, options: &[(String, String)], chosen: &str) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            label class="nhsuk-label" for=(id) { (label) }
            select class="nhsuk-select" id=(id) name=(id) {
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

async fn form_page(
    state: &AppState,
    who: &Principal,
    form: &ShiftForm,
    errors: &[String],
) -> Response {
    let options = match state.app.posting_options(who).await {
        Ok(o) => o,
        Err(e) => return app_error_page(e),
    };
    let wards: Vec<(String, String)> = options
        .wards
        .iter()
        .map(|w| (w.id.to_string(), format!("{}, {}", w.name, w.site_name)))
        .collect();
    let banks: Vec<(String, String)> = options
        .banks
        .iter()
        .map(|b| (b.id.to_string(), b.name.clone()))
        .collect();
    let groups: Vec<(String, String)> = StaffGroup::ALL
        .iter()
        .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
        .collect();
    let grades: Vec<(String, String)> = AFC_BANDS
        .iter()
        .chain(MEDICAL_GRADES.iter())
        .map(|g| ((*g).to_owned(), grade(g)))
        .collect();
    let places = if form.places.is_empty() {
        "1"
    } else {
        &form.places
    };
    page(
        "Post a shift",
        Some(who),
        html! {
            (error_summary(errors))
            h1 class="nhsuk-heading-xl" { "Post a shift" }
            form method="post" action="/manage/shifts" novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                (select("ward_id", "Ward", &wards, &form.ward_id))
                (select("bank_id", "Post to bank", &banks, &form.bank_id))
                (text_input("role", "Role title", "text", &form.role))
                (select("staff_group", "Staff group", &groups, &form.staff_group))
                (select("grade_min", "Lowest grade", &grades, &form.grade_min))
                (select("grade_max", "Highest grade", &grades, &form.grade_max))
                (text_input("date", "Date (UK time)", "date", &form.date))
                (text_input("start", "Start time", "time", &form.start))
                (text_input("end", "End time (earlier than the start means the next day)", "time", &form.end))
                (text_input("places", "Places", "number", places))
                (text_input("skills", "Required skills, separated by commas (optional)", "text", &form.skills))
                (text_input("premium", "Premium on the base rate, percent (optional, for a hard-to-fill shift)", "number", &form.premium))
                (text_input("premium_reason", "Reason, if the premium is above the trust's cap (break glass, recorded)", "text", &form.premium_reason))
                button type="submit" class="nhsuk-button" { "Post shift" }
            }
        },
    )
}

/// `GET /manage/shifts/new`.
pub async fn new_shift(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    form_page(&state, &who, &ShiftForm::default(), &[]).await
}

fn to_request(form: &ShiftForm) -> Result<NewShift, String> {
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter the date".to_string())?;
    let start = NaiveTime::parse_from_str(form.start.trim(), "%H:%M")
        .map_err(|_| "Enter the start time".to_string())?;
    let end = NaiveTime::parse_from_str(form.end.trim(), "%H:%M")
        .map_err(|_| "Enter the end time".to_string())?;
    let window = ShiftWindow::from_london(date, start, end).map_err(|e| e.to_string())?;
    Ok(NewShift {
        ward_id: Uuid::parse_str(&form.ward_id).map_err(|_| "Choose a ward".to_string())?,
        bank_id: Uuid::parse_str(&form.bank_id).map_err(|_| "Choose a bank".to_string())?,
        role: form.role.clone(),
        staff_group: form.staff_group.clone(),
        grade_min: form.grade_min.clone(),
        grade_max: form.grade_max.clone(),
        required_skills: form
            .skills
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        starts_at: window.start().to_rfc3339(),
        ends_at: window.end().to_rfc3339(),
        places: form
            .places
            .trim()
            .parse()
            .map_err(|_| "Enter the number of places".to_string())?,
        required_credentials: None,
        collaborative_bank_id: None,
        premium_percent: match form.premium.trim() {
            "" => 0,
            raw => raw
                .parse()
                .map_err(|_| "Enter the premium as a whole percentage".to_string())?,
        },
        premium_override_reason: Some(form.premium_reason.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
    })
}

/// `POST /manage/shifts`.
pub async fn post_shift(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<ShiftForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let request = match to_request(&form) {
        Ok(r) => r,
        Err(message) => return form_page(&state, &who, &form, &[message]).await,
    };
    match state
        .app
        .post_shifts(
            &who,
            PostShifts {
                shifts: vec![request],
            },
        )
        .await
    {
        Ok(posted) => match posted.first() {
            Some(shift) => Redirect::to(&format!("/manage/shifts/{}", shift.id)).into_response(),
            None => Redirect::to("/manage/shifts").into_response(),
        },
        Err(e @ AppError::Validation(_)) => {
            let msgs: Vec<String> = messages(&e)
                .into_iter()
                .map(|m| m.replace("shifts[0].", ""))
                .collect();
            form_page(&state, &who, &form, &msgs).await
        }
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/shifts/{id}`: the shift and who booked it.
pub async fn shift(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let id = ShiftId(shift_id);
    let offered = match query.as_deref() {
        Some("offered=1") => {
            Some("Offered. It is in the worker's inbox, and they are sent a message.")
        }
        Some("offered=again") => {
            Some("They had been offered this shift already, so nothing more was sent.")
        }
        _ => None,
    };
    let cancelled = match query.as_deref() {
        Some("cancelled=late") => Some(true),
        Some("cancelled=1") => Some(false),
        _ => None,
    };
    let (shift, bookings) = match (
        state.app.shift(&who, id).await,
        state.app.shift_bookings(&who, id).await,
    ) {
        (Ok(s), Ok(b)) => (s, b),
        (Err(e), _) | (_, Err(e)) => return app_error_page(e),
    };
    page(
        "Shift",
        Some(&who),
        html! {
            @if let Some(late) = cancelled { (super::cancel::cancelled_notice(late)) }
            @if let Some(message) = offered {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { (message) }
                }
            }
            h1 class="nhsuk-heading-xl" { (shift.role) " – " (shift.ward_name) }
            p class="nhsuk-lede-text" { (when(shift.starts_at, shift.ends_at)) }
            p { (shift.booked) " of " (shift.places) " places booked. Status: " (shift.status) "." }
            h2 class="nhsuk-heading-l" { "Who booked" }
            @let notice = chrono::Duration::hours(shift.cancellation_notice_hours);
            @if shift.starts_at - notice <= state.app.now() && shift.starts_at > state.app.now() {
                div class="nhsuk-warning-callout" {
                    h3 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Inside the notice period" } }
                    p { "This shift starts within the trust's " (shift.cancellation_notice_hours) "-hour cancellation notice. Cancelling a booking now is recorded as late, and the trust pays the worker for the shift." }
                }
            } @else {
                p class="nhsuk-body-s" { "Cancelling a booking less than " (shift.cancellation_notice_hours) " hours before the start is recorded as late, and the trust pays the worker for the shift." }
            }
            @if bookings.is_empty() { p { "Nobody has booked this shift yet." } }
            @for b in &bookings {
                div class="nhsuk-card" {
                    div class="nhsuk-card__content" {
                        h3 class="nhsuk-card__heading nhsuk-heading-s" { (b.worker_name) " (" (grade(&b.worker_grade)) ")" }
                        @if let Some(c) = &b.cancellation {
                            p {
                                "Cancelled by the " (c.by) ": " (c.reason)
                                @if c.late { " " strong class="nhsuk-tag nhsuk-tag--red" { "Late" } }
                            }
                        } @else {
                            form method="post" action=(format!("/manage/bookings/{}/cancel", b.id)) {
                                input type="hidden" name="csrf" value=(who.session.csrf_token);
                                div class="nhsuk-form-group" {
                                    label class="nhsuk-label" for=(format!("reason-{}", b.id)) { "Reason for cancelling" }
                                    input class="nhsuk-input" id=(format!("reason-{}", b.id)) name="reason" type="text";
                                }
                                button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" { "Cancel this booking" }
                            }
                        }
                    }
                }
            }
            (super::candidates::section(&state, &who, &shift).await)
            p { a href="/manage/shifts" { "Back to trust shifts" } }
        },
    )
}
