//! Changing or removing one organisation's sign-in provider, for platform administrators. The
//! client secret is never shown: left blank it is kept. Removing asks first, since the
//! organisation's staff lose the button and any accounts linked through it.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::oidc::{ProviderInput, ProviderView};
use staffbank_app::{AppError, Principal};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page};
use super::sign_in_providers::{input, org_name, passwords_off_box, ProviderForm, PATH};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The removal form: its CSRF token only.
#[derive(Deserialize, Default)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
}

fn typed(provider: &ProviderView) -> ProviderForm {
    ProviderForm {
        display_name: provider.display_name.clone(),
        issuer_url: provider.issuer_url.clone(),
        client_id: provider.client_id.clone(),
        passwords_off: if provider.passwords_off { "yes" } else { "" }.to_owned(),
        ..ProviderForm::default()
    }
}

async fn edit_page(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    form: Option<ProviderForm>,
    errors: &[String],
) -> Response {
    let provider = match state.app.oidc_provider(who, id).await {
        Ok(p) => p,
        Err(e) => return app_error_page(e),
    };
    let orgs = match state.app.organisations(who).await {
        Ok(o) => o,
        Err(e) => return app_error_page(e),
    };
    let form = form.unwrap_or_else(|| typed(&provider));
    let mut response = page(
        "Change a sign-in provider",
        Some(who),
        html! {
            a class="nhsuk-back-link" href=(PATH) { "Back to sign-in providers" }
            (error_summary(errors))
            h1 class="nhsuk-heading-xl" { "Change " (provider.display_name) }
            p class="nhsuk-lede-text" { "For " (org_name(&orgs, provider.org_id)) }
            form method="post" action=(format!("{PATH}/{id}")) novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                (input("display_name", "Button words", "text", &form.display_name, None))
                (input("issuer_url", "Issuer URL", "url", &form.issuer_url, None))
                (input("client_id", "Client ID", "text", &form.client_id, None))
                (input("client_secret", "Client secret", "password", "",
                    Some("Leave blank to keep the secret you gave before")))
                (passwords_off_box(&form))
                button type="submit" class="nhsuk-button" { "Save changes" }
            }
            h2 class="nhsuk-heading-m" { "Remove this provider" }
            p { "Staff will no longer see its button, and accounts linked through it are unlinked." }
            a class="nhsuk-button nhsuk-button--warning" href=(format!("{PATH}/{id}/remove")) { "Remove provider" }
        },
    );
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /manage/sign-in-providers/{id}`: the change form.
pub async fn edit(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    edit_page(&state, &who, id, None, &[]).await
}

/// `POST /manage/sign-in-providers/{id}`: saves the changes.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<ProviderForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let secret = form.client_secret.trim();
    let input = ProviderInput {
        org_id: Uuid::nil(),
        issuer_url: form.issuer_url.clone(),
        client_id: form.client_id.clone(),
        client_secret: (!secret.is_empty()).then(|| secret.to_owned()),
        display_name: form.display_name.clone(),
        passwords_off: form.passwords_off == "yes",
    };
    match state.app.save_oidc_provider(&who, Some(id), input).await {
        Ok(_) => Redirect::to(&format!("{PATH}?done=changed")).into_response(),
        Err(e @ AppError::Validation(_)) => {
            edit_page(&state, &who, id, Some(form), &messages(&e)).await
        }
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/sign-in-providers/{id}/remove`: asks before removing.
pub async fn confirm_remove(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let provider = match state.app.oidc_provider(&who, id).await {
        Ok(p) => p,
        Err(e) => return app_error_page(e),
    };
    page(
        "Remove a sign-in provider",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Remove " (provider.display_name) "?" }
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Before you remove it" } }
                p { "Its button leaves the sign-in page, accounts linked through it are unlinked, and anyone part way through signing in with it will have to start again." }
                @if provider.passwords_off {
                    p { "Its organisation had turned Staffbank passwords off: staff can sign in with their passwords again." }
                }
            }
            form method="post" action=(format!("{PATH}/{id}/remove")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                button type="submit" class="nhsuk-button nhsuk-button--warning" { "Remove provider" }
            }
            p { a href=(format!("{PATH}/{id}")) { "Keep the provider" } }
        },
    )
}

/// `POST /manage/sign-in-providers/{id}/remove`: removes the provider.
pub async fn remove(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<RemoveForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.remove_oidc_provider(&who, id).await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=removed")).into_response(),
        Err(e) => app_error_page(e),
    }
}
