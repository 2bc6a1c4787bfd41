//! Offering a credential to a worker from their page: choose a type the desk may issue, fill in
//! its claims, confirm what will be offered, and see the offer on the worker's page.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use staffbank_app::compliance::ComplianceView;
use staffbank_app::passport::OfferCredential;
use staffbank_app::refreshers::RefresherPeriod;
use staffbank_app::{AppError, Principal};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::WorkerId;
use uuid::Uuid;

use super::layout::{app_error_page, capitalise, page};
use super::offer_fields::{
    anchor, claims_from, field_markup, field_of_claim, fields, value_words, Errors,
};
use super::workers::desk;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// An error summary whose every message links to its field.
pub fn linked_summary(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (id, message) in errors { li { a href={ "#" (id) } { (message) } } }
                    }
                }
            }
        }
    }
}

/// The refresher periods of a subject in words, e.g. "Refresher every 12 months at level 1".
fn periods_hint(periods: &[RefresherPeriod], subject: &str) -> String {
    let mine: Vec<String> = periods
        .iter()
        .filter(|p| p.subject == subject)
        .map(|p| format!("every {} months at level {}", p.months, p.level))
        .collect();
    if mine.is_empty() {
        "No refresher period is set for this subject yet, so it cannot be offered.".to_owned()
    } else {
        format!("Refresher {}.", mine.join(", "))
    }
}

fn chooser(who: &Principal, view: &ComplianceView) -> Markup {
    let base = desk(who);
    let w = &view.worker;
    html! {
        span class="nhsuk-caption-l" { (w.name) }
        h1 class="nhsuk-heading-xl" { "Offer a credential" }
        form method="get" action=(format!("{base}/workers/{}/offer", w.id)) {
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Which credential?" }
                    div class="nhsuk-radios" {
                        @for (i, kind) in view.may_offer.iter().enumerate() {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id=(format!("type-{kind}")) name="type" type="radio" value=(kind) checked[i == 0];
                                label class="nhsuk-label nhsuk-radios__label" for=(format!("type-{kind}")) { (super::workers::kind_label(kind)) }
                            }
                        }
                    }
                }
            }
            button type="submit" class="nhsuk-button" { "Continue" }
        }
        p { a href=(format!("{base}/workers/{}", w.id)) { "Back to " (w.name) } }
    }
}

fn form_page(
    who: &Principal,
    view: &ComplianceView,
    kind: CredentialKind,
    values: &HashMap<String, String>,
    errors: &Errors,
    periods: &[RefresherPeriod],
) -> Markup {
    let base = desk(who);
    let w = &view.worker;
    let all = fields(kind);
    let error_of = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    };
    let linked: Vec<(String, String)> = errors
        .iter()
        .map(|(name, message)| {
            let id = all
                .iter()
                .find(|f| &f.name == name)
                .map_or_else(|| name.clone(), anchor);
            (id, message.clone())
        })
        .collect();
    html! {
        (linked_summary(&linked))
        span class="nhsuk-caption-l" { (w.name) }
        h1 class="nhsuk-heading-xl" { "Offer: " (kind.label()) }
        form method="post" action=(format!("{base}/workers/{}/offer", w.id)) novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="type" value=(kind.as_str());
            @if kind == CredentialKind::CoreSkillsTraining {
                p { "Give the level and date of each subject completed; leave the others empty. The record ends when its first refresher falls due." }
                @for pair in all.chunks(2).filter(|c| c.len() == 2 && c[0].name.starts_with("level_")) {
                    @let subject = pair[0].name.trim_start_matches("level_");
                    fieldset class="nhsuk-fieldset nhsuk-u-margin-bottom-4" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (capitalise(&subject.replace('_', " "))) }
                        (field_markup(&pair[0], values.get(&pair[0].name).map_or("", String::as_str), error_of(&pair[0].name), Some(&periods_hint(periods, subject))))
                        (field_markup(&pair[1], values.get(&pair[1].name).map_or("", String::as_str), error_of(&pair[1].name), None))
                    }
                }
                @if let Some(f) = all.last() {
                    (field_markup(f, values.get(&f.name).map_or("", String::as_str), error_of(&f.name), Some("Leave empty to end it when the first refresher falls due.")))
                }
            } @else {
                @for f in &all {
                    (field_markup(f, values.get(&f.name).map_or("", String::as_str), error_of(&f.name), None))
                }
            }
            button type="submit" class="nhsuk-button" { "Continue" }
        }
        p { a href=(format!("{base}/workers/{}", w.id)) { "Back to " (w.name) } }
    }
}

fn confirm_page(
    who: &Principal,
    view: &ComplianceView,
    kind: CredentialKind,
    values: &HashMap<String, String>,
) -> Markup {
    let base = desk(who);
    let w = &view.worker;
    let all = fields(kind);
    html! {
        span class="nhsuk-caption-l" { (w.name) }
        h1 class="nhsuk-heading-xl" { "Offer this credential?" }
        p { (w.name) " is asked to accept it into their passport. Once accepted it is signed by your organisation, counts for bookings, and any trust they share it with can check it." }
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Credential" }
                dd class="nhsuk-summary-list__value" { (kind.label()) }
            }
            @for f in all.iter().filter(|f| values.get(&f.name).is_some_and(|v| !v.trim().is_empty())) {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (f.label) }
                    dd class="nhsuk-summary-list__value" { (value_words(f, values.get(&f.name).map_or("", String::as_str))) }
                }
            }
        }
        form method="post" action=(format!("{base}/workers/{}/offer", w.id)) {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="type" value=(kind.as_str());
            input type="hidden" name="confirmed" value="yes";
            @for f in &all {
                @if let Some(v) = values.get(&f.name) { input type="hidden" name=(f.name) value=(v); }
            }
            div class="nhsuk-button-group" {
                button type="submit" class="nhsuk-button" { "Offer the credential" }
                button type="submit" name="change" value="yes" class="nhsuk-button nhsuk-button--secondary" { "Change the details" }
            }
        }
        p { a href=(format!("{base}/workers/{}", w.id)) { "Cancel and go back to " (w.name) } }
    }
}

/// The `type` of the offer page.
#[derive(serde::Deserialize, Default)]
pub struct TypeQuery {
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// The kind asked for, if the desk may offer it.
fn offerable(view: &ComplianceView, raw: Option<&str>) -> Option<CredentialKind> {
    let raw = raw?;
    view.may_offer
        .iter()
        .any(|k| k == raw)
        .then(|| CredentialKind::parse(raw))
        .flatten()
}

async fn periods(state: &AppState) -> Vec<RefresherPeriod> {
    state.app.refresher_periods().await.unwrap_or_default()
}

/// `GET …/workers/{id}/offer`: choose a type, then fill in its details.
pub async fn offer_form(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Query(query): Query<TypeQuery>,
) -> Response {
    let view = match state.app.worker_compliance(&who, WorkerId(id)).await {
        Ok(v) => v,
        Err(e) => return app_error_page(e),
    };
    if view.may_offer.is_empty() {
        return app_error_page(AppError::Forbidden);
    }
    let body = match offerable(&view, query.kind.as_deref()) {
        Some(kind) => form_page(
            &who,
            &view,
            kind,
            &HashMap::new(),
            &Vec::new(),
            &periods(&state).await,
        ),
        None => chooser(&who, &view),
    };
    page("Offer a credential", Some(&who), body)
}

/// `POST …/workers/{id}/offer`: check the details and ask to confirm; once confirmed, offer.
pub async fn offer(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !csrf_ok(&who, form.get("csrf").map_or("", String::as_str)) {
        return csrf_refused();
    }
    let view = match state.app.worker_compliance(&who, WorkerId(id)).await {
        Ok(v) => v,
        Err(e) => return app_error_page(e),
    };
    let Some(kind) = offerable(&view, form.get("type").map(String::as_str)) else {
        return page("Offer a credential", Some(&who), chooser(&who, &view));
    };
    let with_errors = |errors: Errors, periods: Vec<RefresherPeriod>| {
        let mut response = page(
            "Offer a credential",
            Some(&who),
            form_page(&who, &view, kind, &form, &errors, &periods),
        );
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    if form.get("change").is_some_and(|v| v == "yes") {
        return page(
            "Offer a credential",
            Some(&who),
            form_page(
                &who,
                &view,
                kind,
                &form,
                &Vec::new(),
                &periods(&state).await,
            ),
        );
    }
    let (claims, expires) = match claims_from(kind, &form) {
        Ok(parsed) => parsed,
        Err(errors) => return with_errors(errors, periods(&state).await),
    };
    if let Err(e) = serde_json::from_value::<staffbank_domain::credential_claims::CredentialClaims>(
        claims.clone(),
    )
    .map_err(|e| e.to_string())
    .and_then(|c| {
        c.validate()
            .map_err(|e| format!("{}\u{0}{}", e.claim, e.problem))
    }) {
        let (claim, problem) = e.split_once('\u{0}').unwrap_or(("", e.as_str()));
        let field = field_of_claim(kind, claim);
        let message = if field == "number" {
            "Enter the number in the regulator's format, like 71A2998E for the NMC, 1234567 for the GMC or GPhC, PH095159 for the HCPC".to_owned()
        } else {
            capitalise(problem)
        };
        return with_errors(vec![(field, message)], periods(&state).await);
    }
    if form.get("confirmed").is_none_or(|v| v != "yes") {
        return page(
            "Confirm the offer",
            Some(&who),
            confirm_page(&who, &view, kind, &form),
        );
    }
    match state
        .app
        .offer_passport_credential(&who, WorkerId(id), OfferCredential { claims, expires })
        .await
    {
        Ok(_) => Redirect::to(&format!("{}/workers/{id}?done=offered", desk(&who))).into_response(),
        Err(AppError::Validation(errors)) => {
            let errors = errors
                .iter()
                .map(|e| {
                    let field = if e.field == "expires" {
                        "expires".to_owned()
                    } else {
                        field_of_claim(kind, &e.field)
                    };
                    (field, capitalise(&e.message))
                })
                .collect();
            with_errors(errors, periods(&state).await)
        }
        Err(e) => app_error_page(e),
    }
}

/// Whether an input is a date (used by tests of the form's markup).
#[cfg(test)]
fn is_date(input: super::offer_fields::Input) -> bool {
    matches!(input, super::offer_fields::Input::Date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_ends_with_its_expiry_date() {
        for kind in CredentialKind::ALL {
            let all = fields(kind);
            assert!(all
                .last()
                .is_some_and(|f| f.name == "expires" && is_date(f.input)));
        }
    }
}
