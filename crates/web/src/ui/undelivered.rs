//! The bank office's "Undelivered messages" page: notifications to their trust's workers and ward
//! managers that were given up on, in words, each with "Try again" behind a confirmation.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::notify::undelivered::UndeliveredView;
use staffbank_app::AppError;
use uuid::Uuid;

use super::layout::{app_error_page, moment, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?retried=1` after a message was queued again.
#[derive(Debug, Default, Deserialize)]
pub struct UndeliveredQuery {
    #[serde(default)]
    retried: Option<String>,
}

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub struct RetryForm {
    csrf: String,
}

fn channel_words(channel: &str) -> &'static str {
    match channel {
        "push" => "Push message",
        _ => "Email",
    }
}

/// One message as a summary list: who, what, when and what went wrong.
fn details(m: &UndeliveredView) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "To" }
                dd class="nhsuk-summary-list__value" { (m.recipient) " (" (channel_words(&m.channel)) ")" }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "About" }
                dd class="nhsuk-summary-list__value" { (m.what) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Written" }
                dd class="nhsuk-summary-list__value" { (moment(m.written_at)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Given up" }
                dd class="nhsuk-summary-list__value" { (moment(m.failed_at)) " after " (m.attempts) " attempts" }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Last problem" }
                dd class="nhsuk-summary-list__value" { (m.last_error) }
            }
        }
    }
}

/// `GET /manage/undelivered`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<UndeliveredQuery>,
) -> Response {
    let messages = match state.app.undelivered(&who).await {
        Ok(m) => m,
        Err(e) => return app_error_page(e),
    };
    page(
        "Undelivered messages",
        Some(&who),
        html! {
            @if query.retried.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "The message is queued again and will be sent within a minute." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Undelivered messages" }
            p {
                "Messages to your trust's workers and ward managers that could not be delivered "
                "after several attempts. Fix the cause (for example a mistyped email address), then try again."
            }
            @if messages.is_empty() { p { "Every message has been delivered." } }
            @for m in &messages {
                div class="nhsuk-card" {
                    div class="nhsuk-card__content" {
                        h2 class="nhsuk-card__heading nhsuk-heading-m" { (m.what) }
                        (details(m))
                        a class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                            href=(format!("/manage/undelivered/{}/retry", m.id)) {
                            "Try again" span class="nhsuk-u-visually-hidden" { " sending to " (m.recipient) }
                        }
                    }
                }
            }
        },
    )
}

/// `GET /manage/undelivered/{message_id}/retry`: the confirmation.
pub async fn confirm(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let message = match state.app.undelivered(&who).await {
        Ok(all) => match all.into_iter().find(|m| m.id == id) {
            Some(m) => m,
            None => return app_error_page(AppError::NotFound),
        },
        Err(e) => return app_error_page(e),
    };
    page(
        "Try sending again",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Try sending this message again?" }
            (details(&message))
            form method="post" action=(format!("/manage/undelivered/{id}/retry")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class="nhsuk-button-group" {
                    button type="submit" class="nhsuk-button" { "Send it again" }
                }
            }
            p { a href="/manage/undelivered" { "Back to undelivered messages" } }
        },
    )
}

/// `POST /manage/undelivered/{message_id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<RetryForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.retry_undelivered(&who, id).await {
        Ok(()) => Redirect::to("/manage/undelivered?retried=1").into_response(),
        Err(e) => app_error_page(e),
    }
}
