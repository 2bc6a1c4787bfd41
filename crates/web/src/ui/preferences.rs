//! The worker's preferences and availability page: days or nights, the days of the week they
//! work, dates they cannot, and how far they will travel. Their shift list and the offers made
//! to them follow it.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::preferences::{day_name, Preferences};
use staffbank_app::{AppError, Principal};
use staffbank_domain::availability::WEEK;

use super::layout::{app_error_page, field_name, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?saved=1` after the preferences are saved.
#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The preferences form as posted: one checkbox per day of the week.
#[derive(Debug, Default, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    shift_times: String,
    #[serde(default)]
    max_travel_km: String,
    #[serde(default)]
    unavailable_dates: String,
    #[serde(default)]
    monday: Option<String>,
    #[serde(default)]
    tuesday: Option<String>,
    #[serde(default)]
    wednesday: Option<String>,
    #[serde(default)]
    thursday: Option<String>,
    #[serde(default)]
    friday: Option<String>,
    #[serde(default)]
    saturday: Option<String>,
    #[serde(default)]
    sunday: Option<String>,
}

impl PreferencesForm {
    fn days(&self) -> Vec<String> {
        [
            (&self.monday, "monday"),
            (&self.tuesday, "tuesday"),
            (&self.wednesday, "wednesday"),
            (&self.thursday, "thursday"),
            (&self.friday, "friday"),
            (&self.saturday, "saturday"),
            (&self.sunday, "sunday"),
        ]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, day)| day.to_owned())
        .collect()
    }
}

/// A UK date as people write it ("25/12/2026"), or an ISO one, as the API spells it.
fn api_date(raw: &str) -> String {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%d/%m/%Y")
        .map(|d| d.to_string())
        .unwrap_or_else(|_| raw.to_owned())
}

fn uk_date(iso: &str) -> String {
    iso.parse::<NaiveDate>()
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

fn capital_day(day: &str) -> String {
    super::layout::capitalise(day)
}

/// An error summary whose messages link to their fields, as the NHS.UK design system asks.
pub(super) fn linked_errors(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (field, message) in errors {
                            li { a href=(format!("#{field}")) { (message) } }
                        }
                    }
                }
            }
        }
    }
}

/// Which input an API field's error belongs to.
fn input_of(field: &str) -> &'static str {
    match field.split('[').next().unwrap_or(field) {
        "max_travel_km" => "max_travel_km",
        "unavailable_dates" => "unavailable_dates",
        "days" => "monday",
        _ => "shift_times",
    }
}

fn form(who: &Principal, prefs: &Preferences, errors: &[(String, String)], saved: bool) -> Markup {
    let days = prefs.days.clone().unwrap_or_default();
    let dates: Vec<String> = prefs
        .unavailable_dates
        .iter()
        .flatten()
        .map(|d| uk_date(d))
        .collect();
    let km = prefs
        .max_travel_km
        .map(|k| format!("{k}"))
        .unwrap_or_default();
    let error_for = |input: &str| {
        errors
            .iter()
            .find(|(field, _)| field == input)
            .map(|(_, m)| m.clone())
    };
    html! {
        (linked_errors(errors))
        @if saved {
            div class="nhsuk-inset-text" role="status" {
                span class="nhsuk-u-visually-hidden" { "Information: " }
                p { "Your preferences are saved. Shifts for you and the offers you get now follow them." }
            }
        }
        h1 class="nhsuk-heading-xl" { "Preferences and availability" }
        p { "Shifts that do not suit are left out of your list and you are not offered them. You can still find and book any shift by changing these." }
        p { "How we tell you about offers is set under " a href="/notifications" { "Notifications" } "." }
        p { a href="/me/alerts" { "Alerts on this device" } ": get shift offers on your phone or computer." }
        form method="post" action="/preferences" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" id="shift_times" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Days or nights" }
                    div class="nhsuk-radios" {
                        @for (value, label) in [("any", "Either"), ("days", "Days"), ("nights", "Nights")] {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id=(format!("shift_times-{value}")) name="shift_times" type="radio" value=(value) checked[prefs.shift_times == value];
                                label class="nhsuk-label nhsuk-radios__label" for=(format!("shift_times-{value}")) { (label) }
                            }
                        }
                    }
                }
            }
            @let days_error = error_for("monday");
            div class=(if days_error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                fieldset class="nhsuk-fieldset" aria-describedby="days-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Days of the week you work" }
                    div class="nhsuk-hint" id="days-hint" { "A shift is shown if it starts on one of these days." }
                    @if let Some(m) = &days_error {
                        span class="nhsuk-error-message" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
                    }
                    div class="nhsuk-checkboxes" {
                        @for day in WEEK {
                            @let name = day_name(day);
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes" checked[days.iter().any(|d| d == name)];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(name) { (capital_day(name)) }
                            }
                        }
                    }
                }
            }
            @let dates_error = error_for("unavailable_dates");
            div class=(if dates_error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                label class="nhsuk-label nhsuk-label--m" for="unavailable_dates" { "Dates you cannot work" }
                div class="nhsuk-hint" id="unavailable_dates-hint" { "One date on each line, for example 25/12/2026. Dates that have passed are removed." }
                @if let Some(m) = &dates_error {
                    span class="nhsuk-error-message" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
                }
                textarea class="nhsuk-textarea" id="unavailable_dates" name="unavailable_dates" rows="4" aria-describedby="unavailable_dates-hint" {
                    (dates.join("\n"))
                }
            }
            @let km_error = error_for("max_travel_km");
            div class=(if km_error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                label class="nhsuk-label nhsuk-label--m" for="max_travel_km" { "Furthest you will travel, in kilometres" }
                div class="nhsuk-hint" id="max_travel_km-hint" { "From your home to the hospital, 1 to 500. Leave empty for no limit." }
                @if let Some(m) = &km_error {
                    span class="nhsuk-error-message" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
                }
                input class="nhsuk-input nhsuk-input--width-5" id="max_travel_km" name="max_travel_km" type="text" inputmode="decimal" value=(km) aria-describedby="max_travel_km-hint";
            }
            button type="submit" class="nhsuk-button" { "Save preferences" }
        }
    }
}

/// `GET /preferences`.
pub async fn preferences(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SavedQuery>,
) -> Response {
    match state.app.my_preferences(&who).await {
        Ok(prefs) => page(
            "Preferences and availability",
            Some(&who),
            form(&who, &prefs, &[], query.saved.is_some()),
        ),
        Err(e) => app_error_page(e),
    }
}

/// `POST /preferences`: saves, or shows the form again with each problem linked to its field.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(posted): Form<PreferencesForm>,
) -> Response {
    if !csrf_ok(&who, &posted.csrf) {
        return csrf_refused();
    }
    let km = posted.max_travel_km.trim();
    let mut errors = Vec::new();
    let max_travel_km = if km.is_empty() {
        None
    } else {
        match km.parse::<f64>() {
            Ok(k) if k.is_finite() => Some(k),
            _ => {
                errors.push((
                    "max_travel_km".to_owned(),
                    "Furthest you will travel must be a number of kilometres, like 25".to_owned(),
                ));
                None
            }
        }
    };
    let input = Preferences {
        max_travel_km,
        shift_times: posted.shift_times.clone(),
        days: Some(posted.days()),
        unavailable_dates: Some(
            posted
                .unavailable_dates
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(api_date)
                .collect(),
        ),
    };
    let shown = Preferences {
        unavailable_dates: input.unavailable_dates.clone(),
        days: input.days.clone(),
        ..input.clone()
    };
    if errors.is_empty() {
        match state.app.set_preferences(&who, input).await {
            Ok(_) => return Redirect::to("/preferences?saved=1").into_response(),
            Err(AppError::Validation(fields)) => {
                for f in fields {
                    let message = match input_of(&f.field) {
                        "unavailable_dates" => {
                            "Dates you cannot work must each be a date, like 25/12/2026".to_owned()
                        }
                        "monday" => format!("Days of the week: {}", f.message),
                        "max_travel_km" => format!("Furthest you will travel {}", f.message),
                        _ => format!("{}: {}", field_name(&f.field), f.message),
                    };
                    errors.push((input_of(&f.field).to_owned(), message));
                }
            }
            Err(e) => return app_error_page(e),
        }
    }
    errors.dedup();
    let mut response = page(
        "Preferences and availability",
        Some(&who),
        form(&who, &shown, &errors, false),
    );
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}
