//! The "Notifications" page. A worker's: which channels tell them about offered shifts, which
//! offers they want to hear about (grades, sites, days or nights) and their quiet hours. A ward
//! manager's: which channels bring them escalations.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::notify::settings::{NotificationSettings, SiteChoice};
use staffbank_app::{AppError, Principal};
use staffbank_domain::grade::AFC_BANDS;
use staffbank_domain::Grade;

use super::layout::{app_error_page, page};
use super::preferences::linked_errors;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?saved=1` after saving.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The settings a posted form asks for (a ticked box is sent, an unticked one is not; grades and
/// sites come once per ticked box), and its CSRF token.
fn from_form(pairs: &[(String, String)]) -> (String, NotificationSettings) {
    let all = |key: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let one = |key: &str| all(key).into_iter().next();
    let grades = all("grades");
    let sites = all("sites");
    let settings = NotificationSettings {
        email: one("email").is_some(),
        push: one("push").is_some(),
        grades: (!grades.is_empty()).then_some(grades),
        sites: (!sites.is_empty()).then_some(sites),
        shift_times: one("shift_times"),
        quiet_from: one("quiet_from"),
        quiet_until: one("quiet_until"),
    };
    (one("csrf").unwrap_or_default(), settings)
}

/// Which input an API field's error belongs to, and the message to show for it.
fn error_of(field: &str, message: &str) -> (&'static str, String) {
    match field.split('[').next().unwrap_or(field) {
        "grades" => ("grades", "Grades must be chosen from the list".to_owned()),
        "sites" => (
            "sites",
            "Sites must be ones in the banks you belong to".to_owned(),
        ),
        "quiet_from" if message.contains("given with") => (
            "quiet_from",
            "Enter when quiet hours start, as well as when they end".to_owned(),
        ),
        "quiet_until" if message.contains("given with") => (
            "quiet_until",
            "Enter when quiet hours end, as well as when they start".to_owned(),
        ),
        "quiet_until" if message.contains("differ") => (
            "quiet_until",
            "Quiet hours must end at a different time from when they start".to_owned(),
        ),
        "quiet_from" => (
            "quiet_from",
            "When quiet hours start must be a time on the 24-hour clock, like 22:00".to_owned(),
        ),
        "quiet_until" => (
            "quiet_until",
            "When quiet hours end must be a time on the 24-hour clock, like 07:00".to_owned(),
        ),
        _ => ("shift_times", "Choose days, nights or either".to_owned()),
    }
}

/// A form group's class, marked when it has an error.
fn group(error: &Option<String>) -> &'static str {
    if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

fn error_message(error: &Option<String>) -> Markup {
    html! {
        @if let Some(m) = error {
            span class="nhsuk-error-message" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
        }
    }
}

fn form(
    who: &Principal,
    settings: &NotificationSettings,
    sites: &[SiteChoice],
    errors: &[(String, String)],
    saved: bool,
) -> Markup {
    let error_for = |input: &str| {
        errors
            .iter()
            .find(|(field, _)| field == input)
            .map(|(_, m)| m.clone())
    };
    let grades = settings.grades.clone().unwrap_or_default();
    let chosen_sites = settings.sites.clone().unwrap_or_default();
    let times = settings.shift_times.clone().unwrap_or_else(|| "any".into());
    let worker = who.worker.is_some();
    html! {
        (linked_errors(errors))
        @if saved {
            div class="nhsuk-inset-text" role="status" {
                span class="nhsuk-u-visually-hidden" { "Information: " }
                p { "Your notification settings are saved. They apply to every alert we send from now on." }
            }
        }
        h1 class="nhsuk-heading-xl" { "Notifications" }
        @if worker {
            p {
                "We tell you when a shift you can book is offered to you, and again if it is filled "
                "or cancelled after we told you. Which shifts are offered to you follows your "
                a href="/preferences" { "preferences" } "."
            }
        } @else {
            p { "We tell you within a minute when something on your ward needs you: a booked worker who has not signed on, someone else signing on in their place, or a timesheet waiting for your approval." }
        }
        p { "For push messages, turn on " a href="/me/alerts" { "alerts on this device" } " first." }
        form method="post" action="/notifications" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" aria-describedby="channels-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "How should we tell you?" }
                    div class="nhsuk-hint" id="channels-hint" { "Select all that apply." }
                    div class="nhsuk-checkboxes" {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="email" name="email" type="checkbox" value="yes" checked[settings.email];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="email" { "Email, to the address you sign in with" }
                        }
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="push" name="push" type="checkbox" value="yes" checked[settings.push];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="push" { "Push messages on this device" }
                        }
                    }
                }
            }
            @if worker {
            h2 class="nhsuk-heading-l" { "Which offers do you want to hear about?" }
            @let grades_error = error_for("grades");
            div class=(group(&grades_error)) {
                fieldset class="nhsuk-fieldset" aria-describedby="grades-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Grades" }
                    div class="nhsuk-hint" id="grades-hint" { "We tell you about a shift when one of these grades is one it accepts. Leave them all unticked to hear about every grade." }
                    (error_message(&grades_error))
                    div class="nhsuk-checkboxes" {
                        @for (i, band) in AFC_BANDS.iter().enumerate() {
                            @let id = if i == 0 { "grades".to_owned() } else { format!("grades-{band}") };
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(id) name="grades" type="checkbox" value=(band) checked[grades.iter().any(|g| g == band)];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (Grade::parse(band).map(Grade::label).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
            @if !sites.is_empty() {
                @let sites_error = error_for("sites");
                div class=(group(&sites_error)) {
                    fieldset class="nhsuk-fieldset" aria-describedby="sites-hint" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Sites" }
                        div class="nhsuk-hint" id="sites-hint" { "Hospitals of the banks you belong to. Leave them all unticked to hear about every site." }
                        (error_message(&sites_error))
                        div class="nhsuk-checkboxes" {
                            @for (i, site) in sites.iter().enumerate() {
                                @let id = if i == 0 { "sites".to_owned() } else { format!("sites-{}", site.id) };
                                div class="nhsuk-checkboxes__item" {
                                    input class="nhsuk-checkboxes__input" id=(id) name="sites" type="checkbox" value=(site.id) checked[chosen_sites.iter().any(|s| *s == site.id.to_string())];
                                    label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (site.name) ", " (site.org_name) }
                                }
                            }
                        }
                    }
                }
            }
            @let times_error = error_for("shift_times");
            div class=(group(&times_error)) {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Days or nights" }
                    (error_message(&times_error))
                    div class="nhsuk-radios" {
                        @for (i, (value, label)) in [("any", "Either"), ("days", "Days only"), ("nights", "Nights only")].into_iter().enumerate() {
                            @let id = if i == 0 { "shift_times".to_owned() } else { format!("shift_times-{value}") };
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id=(id) name="shift_times" type="radio" value=(value) checked[times == value];
                                label class="nhsuk-label nhsuk-radios__label" for=(id) { (label) }
                            }
                        }
                    }
                }
            }
            @let from_error = error_for("quiet_from");
            @let until_error = error_for("quiet_until");
            div class=(group(&from_error.clone().or(until_error.clone()))) {
                fieldset class="nhsuk-fieldset" aria-describedby="quiet-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Quiet hours" }
                    div class="nhsuk-hint" id="quiet-hint" { "Alerts due between these times wait until they end. UK time, for example from 22:00 until 07:00. Leave both empty to be told at any time." }
                    div class=(group(&from_error)) {
                        label class="nhsuk-label" for="quiet_from" { "From" }
                        (error_message(&from_error))
                        input class="nhsuk-input nhsuk-input--width-5" id="quiet_from" name="quiet_from" type="time" value=(settings.quiet_from.clone().unwrap_or_default());
                    }
                    div class=(group(&until_error)) {
                        label class="nhsuk-label" for="quiet_until" { "Until" }
                        (error_message(&until_error))
                        input class="nhsuk-input nhsuk-input--width-5" id="quiet_until" name="quiet_until" type="time" value=(settings.quiet_until.clone().unwrap_or_default());
                    }
                }
            }
            }
            button type="submit" class="nhsuk-button" { "Save notification settings" }
        }
    }
}

/// The sites a worker may choose from; a ward manager chooses none.
async fn alert_sites(state: &AppState, who: &Principal) -> Result<Vec<SiteChoice>, AppError> {
    if who.worker.is_some() {
        state.app.my_alert_sites(who).await
    } else {
        Ok(Vec::new())
    }
}

/// `GET /notifications`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SavedQuery>,
) -> Response {
    let settings = match state.app.my_notification_settings(&who).await {
        Ok(s) => s,
        Err(e) => return app_error_page(e),
    };
    let sites = match alert_sites(&state, &who).await {
        Ok(s) => s,
        Err(e) => return app_error_page(e),
    };
    page(
        "Notifications",
        Some(&who),
        form(&who, &settings, &sites, &[], query.saved.is_some()),
    )
}

/// `POST /notifications`: saves, or shows the form again with each problem linked to its field.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (csrf, settings) = from_form(&pairs);
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    let errors: Vec<(String, String)> = match state
        .app
        .set_my_notification_settings(&who, settings.clone())
        .await
    {
        Ok(_) => return Redirect::to("/notifications?saved=1").into_response(),
        Err(AppError::Validation(fields)) => {
            let mut errors: Vec<(String, String)> = fields
                .iter()
                .map(|f| {
                    let (input, message) = error_of(&f.field, &f.message);
                    (input.to_owned(), message)
                })
                .collect();
            errors.dedup();
            errors
        }
        Err(e) => return app_error_page(e),
    };
    let sites = match alert_sites(&state, &who).await {
        Ok(s) => s,
        Err(e) => return app_error_page(e),
    };
    let mut response = page(
        "Notifications",
        Some(&who),
        form(&who, &settings, &sites, &errors, false),
    );
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}
