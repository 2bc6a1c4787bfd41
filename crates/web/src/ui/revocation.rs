//! Revoking, suspending or reinstating a passport credential from the worker's page: a page that
//! says what the change does and asks for the reason, then a message on the worker's page.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::passport::SetRevocation;
use staffbank_app::{AppError, Principal};
use uuid::Uuid;

use super::claims::claims_list;
use super::layout::{app_error_page, capitalise, page};
use super::offer::linked_summary;
use super::workers::desk;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// One of the three changes: its state in the API, and its words.
struct Change {
    state: &'static str,
    verb: &'static str,
    done: &'static str,
    effect: &'static str,
}

fn change(action: &str) -> Option<Change> {
    Some(match action {
        "revoke" => Change {
            state: "revoked",
            verb: "Revoke",
            done: "revoked",
            effect: "Revoking is final: the credential stops counting for bookings at once, verifiers see it as revoked, and it cannot be reinstated. A new credential would have to be offered.",
        },
        "suspend" => Change {
            state: "suspended",
            verb: "Suspend",
            done: "suspended",
            effect: "The credential stops counting for bookings at once and verifiers see it as suspended, until it is reinstated.",
        },
        "reinstate" => Change {
            state: "valid",
            verb: "Reinstate",
            done: "reinstated",
            effect: "The credential counts for bookings again and verifiers see it as valid.",
        },
        _ => return None,
    })
}

async fn confirm(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    action: &str,
    reason: &str,
    error: Option<&str>,
) -> Response {
    let Some(c) = change(action) else {
        return super::not_found_page();
    };
    let (entry, worker_name) = match state.app.credential_to_manage(who, id).await {
        Ok(found) => found,
        Err(e) => return app_error_page(e),
    };
    let base = desk(who);
    let title = format!("{} {}'s {}?", c.verb, worker_name, entry.type_label);
    let errors: Vec<(String, String)> = error
        .map(|e| ("reason".to_owned(), e.to_owned()))
        .into_iter()
        .collect();
    let mut response = page(
        &format!("{} a credential", c.verb),
        Some(who),
        html! {
            (linked_summary(&errors))
            h1 class="nhsuk-heading-xl" { (title) }
            p class="nhsuk-body-s" { "Issued by " (entry.issuer_name) "." }
            (claims_list(&entry.credential.claims))
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "What this does" } }
                p { (c.effect) }
            }
            form method="post" action=(format!("{base}/credentials/{id}/{action}")) novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
                    label class="nhsuk-label nhsuk-label--s" for="reason" { "Reason" }
                    div class="nhsuk-hint" id="reason-hint" { "Recorded in the audit ledger and shown to the worker." }
                    @if let Some(e) = error {
                        span class="nhsuk-error-message" id="reason-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (e) }
                    }
                    textarea class={ "nhsuk-textarea" @if error.is_some() { " nhsuk-textarea--error" } } id="reason" name="reason" rows="3"
                        aria-describedby={ "reason-hint" @if error.is_some() { " reason-error" } } { (reason) }
                }
                div class="nhsuk-button-group" {
                    button type="submit" class={ "nhsuk-button" @if action == "revoke" { " nhsuk-button--warning" } } { (c.verb) " the credential" }
                }
            }
            p { a href=(format!("{base}/workers/{}", entry.credential.worker_id)) { "Cancel and go back to " (worker_name) } }
        },
    );
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET …/credentials/{id}/{action}`: what the change does, and the reason to give.
pub async fn confirm_page(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath((id, action)): ApiPath<(Uuid, String)>,
) -> Response {
    confirm(&state, &who, id, &action, "", None).await
}

/// The reason form.
#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST …/credentials/{id}/{action}`: makes the change and goes back to the worker's page.
pub async fn apply(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath((id, action)): ApiPath<(Uuid, String)>,
    Form(form): Form<ReasonForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let Some(c) = change(&action) else {
        return super::not_found_page();
    };
    if form.reason.trim().is_empty() {
        return confirm(
            &state,
            &who,
            id,
            &action,
            &form.reason,
            Some("Enter the reason"),
        )
        .await;
    }
    let input = SetRevocation {
        state: c.state.to_owned(),
        reason: form.reason.clone(),
    };
    match state.app.set_passport_revocation(&who, id, input).await {
        Ok(view) => Redirect::to(&format!(
            "{}/workers/{}?done={}",
            desk(&who),
            view.worker_id,
            c.done
        ))
        .into_response(),
        Err(AppError::Validation(errors)) => {
            let message = errors
                .first()
                .map_or_else(|| "Check the reason".to_owned(), |e| capitalise(&e.message));
            confirm(&state, &who, id, &action, &form.reason, Some(&message)).await
        }
        Err(e) => app_error_page(e),
    }
}
