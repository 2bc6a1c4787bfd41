//! The platform administrators' page for Core Skills Training refresher periods: how many months
//! each subject lasts at each level before a refresher is due. A training credential can be
//! offered only when each of its subjects has a period, so this page is what lets compliance
//! officers offer one from the browser. The API (`PUT /api/v1/refresher-periods`) allows
//! platform administrators alone, and so does this page.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::refreshers::RefresherPeriod;
use staffbank_app::{AppError, FieldError, Principal};
use staffbank_domain::credential_claims::CstfSubject;

use super::layout::{app_error_page, error_summary, page};
use super::pay_parts::success;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

const PATH: &str = "/manage/refresher-periods";
/// The levels the framework describes.
const LEVELS: [u8; 3] = [1, 2, 3];

/// Which success message to show after a redirect.
#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// A subject's name as the framework writes it.
fn subject_name(subject: CstfSubject) -> &'static str {
    match subject {
        CstfSubject::ConflictResolution => "Conflict resolution",
        CstfSubject::EqualityDiversityHumanRights => "Equality, diversity and human rights",
        CstfSubject::FireSafety => "Fire safety",
        CstfSubject::HealthSafetyWelfare => "Health, safety and welfare",
        CstfSubject::InfectionPreventionControl => "Infection prevention and control",
        CstfSubject::InformationGovernance => "Information governance and data security",
        CstfSubject::MovingHandling => "Moving and handling",
        CstfSubject::PreventingRadicalisation => "Preventing radicalisation",
        CstfSubject::Resuscitation => "Resuscitation",
        CstfSubject::SafeguardingAdults => "Safeguarding adults",
        CstfSubject::SafeguardingChildren => "Safeguarding children",
    }
}

/// The form field of a subject at a level, e.g. `fire_safety-1`.
fn field(subject: CstfSubject, level: u8) -> String {
    format!("{}-{level}", subject.as_str())
}

/// The periods as the form shows them: months by field, empty where none is set.
fn values_of(periods: &[RefresherPeriod]) -> HashMap<String, String> {
    periods
        .iter()
        .map(|p| (format!("{}-{}", p.subject, p.level), p.months.to_string()))
        .collect()
}

fn form(who: &Principal, values: &HashMap<String, String>) -> Markup {
    html! {
        form method="post" action=(PATH) novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            @for subject in CstfSubject::ALL {
                div class="nhsuk-form-group" {
                    fieldset class="nhsuk-fieldset" role="group" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (subject_name(subject)) }
                        div class="nhsuk-date-input" {
                            @for level in LEVELS {
                                @let id = field(subject, level);
                                div class="nhsuk-date-input__item" {
                                    div class="nhsuk-form-group" {
                                        label class="nhsuk-label nhsuk-date-input__label" for=(id) {
                                            "Level " (level) span class="nhsuk-u-visually-hidden" { ", months" }
                                        }
                                        input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-3" id=(id) name=(id)
                                            type="text" inputmode="numeric" value=(values.get(&id).map_or("", String::as_str));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            button type="submit" class="nhsuk-button" { "Save refresher periods" }
        }
    }
}

fn render(
    who: &Principal,
    notice: Option<&str>,
    errors: &[String],
    values: &HashMap<String, String>,
    status: StatusCode,
) -> Response {
    let mut response = page(
        "Training refresher periods",
        Some(who),
        html! {
            (error_summary(errors))
            @if let Some(message) = notice { (success(message)) }
            h1 class="nhsuk-heading-xl" { "Training refresher periods" }
            p { "How many months each Core Skills Training subject lasts at each level before a refresher is due. A training record counts until its first refresher falls due, and it can only be offered when every subject in it has a period here." }
            p { "Give the months (1 to 120) for each level your trusts have agreed; leave a level empty where none is set. Saving replaces every period." }
            (form(who, values))
        },
    );
    *response.status_mut() = status;
    response
}

/// `GET /manage/refresher-periods`: the periods set, in a form (platform administrators).
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(done): Query<Done>,
) -> Response {
    if !who.is_platform_admin() {
        return app_error_page(AppError::Forbidden);
    }
    let periods = match state.app.refresher_periods().await {
        Ok(p) => p,
        Err(e) => return app_error_page(e),
    };
    let notice = (done.done.as_deref() == Some("saved")).then_some("Refresher periods saved.");
    render(&who, notice, &[], &values_of(&periods), StatusCode::OK)
}

/// `POST /manage/refresher-periods`: replaces every period with those typed.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    if !csrf_ok(&who, typed.get("csrf").map_or("", String::as_str)) {
        return csrf_refused();
    }
    let mut input = Vec::new();
    // Where each input row came from, to name a refused one in words.
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for subject in CstfSubject::ALL {
        for level in LEVELS {
            let raw = typed.get(&field(subject, level)).map_or("", |v| v.trim());
            if raw.is_empty() {
                continue;
            }
            let name = format!("{}, level {level}", subject_name(subject));
            match raw.parse::<u32>() {
                Ok(months) => {
                    input.push(RefresherPeriod {
                        subject: subject.as_str(),
                        level,
                        months,
                    });
                    names.push(name);
                }
                Err(_) => errors.push(format!("{name}: enter a whole number of months")),
            }
        }
    }
    let values: HashMap<String, String> = typed
        .iter()
        .filter(|(k, _)| k.as_str() != "csrf")
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .collect();
    if !errors.is_empty() {
        return render(
            &who,
            None,
            &errors,
            &values,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match state.app.set_refresher_periods(&who, input).await {
        Ok(_) => Redirect::to(&format!("{PATH}?done=saved")).into_response(),
        Err(AppError::Validation(fields)) => {
            let errors: Vec<String> = fields.iter().map(|f| in_words(f, &names)).collect();
            render(
                &who,
                None,
                &errors,
                &values,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => app_error_page(e),
    }
}

/// A refusal of row `[i]` named by the subject and level it came from.
fn in_words(error: &FieldError, names: &[String]) -> String {
    let row = error
        .field
        .strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| names.get(i));
    match row {
        Some(name) => format!("{name}: {}", error.message),
        None => super::layout::capitalise(&error.message),
    }
}
