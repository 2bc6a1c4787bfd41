//! The worker's "Notifications" page: which channels tell them about offered shifts.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use staffbank_app::notify::settings::NotificationSettings;

use super::layout::{app_error_page, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?saved=1` after saving.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The form: a ticked box is sent, an unticked one is not.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    csrf: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    push: Option<String>,
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
    page(
        "Notifications",
        Some(&who),
        maud::html! {
            @if query.saved.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Your notification settings are saved. They apply to offers made from now on." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Notifications" }
            p {
                "We tell you when a shift you can book is offered to you. Which shifts you hear "
                "about follows your " a href="/preferences" { "preferences" } "."
            }
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
                button type="submit" class="nhsuk-button" { "Save notification settings" }
            }
        },
    )
}

/// `POST /notifications`.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(posted): Form<SettingsForm>,
) -> Response {
    if !csrf_ok(&who, &posted.csrf) {
        return csrf_refused();
    }
    let settings = NotificationSettings {
        email: posted.email.is_some(),
        push: posted.push.is_some(),
    };
    match state.app.set_my_notification_settings(&who, settings).await {
        Ok(_) => Redirect::to("/notifications?saved=1").into_response(),
        Err(e) => app_error_page(e),
    }
}
