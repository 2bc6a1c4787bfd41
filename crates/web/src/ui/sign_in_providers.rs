//! The platform administrators' page for organisations' sign-in providers (OpenID Connect): the
//! providers there are, adding one, and linking a provider's subject to an account. Changing
//! and removing one are in `sign_in_provider_edit`.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::oidc::{ProviderInput, ProviderView};
use staffbank_app::views::OrganisationView;
use staffbank_app::{AppError, Principal};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, moment, page};
use super::pay_parts::success;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

pub(super) const PATH: &str = "/manage/sign-in-providers";

/// The add and change forms, as typed.
#[derive(Deserialize, Default)]
pub struct ProviderForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) org_id: String,
    #[serde(default)]
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) issuer_url: String,
    #[serde(default)]
    pub(super) client_id: String,
    #[serde(default)]
    pub(super) client_secret: String,
    #[serde(default)]
    pub(super) passwords_off: String,
}

/// The link form, as typed.
#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    subject: String,
}

/// Which success message to show after a redirect.
#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub(super) fn org_name(orgs: &[OrganisationView], id: Uuid) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map_or_else(|| "Unknown organisation".to_owned(), |o| o.name.clone())
}

pub(super) fn input(id: &str, label: &str, kind: &str, value: &str, hint: Option<&str>) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            label class="nhsuk-label" for=(id) { (label) }
            @if let Some(hint) = hint {
                div class="nhsuk-hint" id=(format!("{id}-hint")) { (hint) }
            }
            input class="nhsuk-input" id=(id) name=(id) type=(kind) value=(value) spellcheck="false"
                aria-describedby=[hint.map(|_| format!("{id}-hint"))];
        }
    }
}

fn providers_table(providers: &[ProviderView], orgs: &[OrganisationView]) -> Markup {
    html! {
        @if providers.is_empty() {
            p { "No organisation signs in with its own provider yet." }
        } @else {
            table class="nhsuk-table-responsive" {
                thead role="rowgroup" class="nhsuk-table__head" {
                    tr role="row" {
                        th role="columnheader" scope="col" { "Organisation" }
                        th role="columnheader" scope="col" { "Button" }
                        th role="columnheader" scope="col" { "Issuer" }
                        th role="columnheader" scope="col" { "Passwords" }
                        th role="columnheader" scope="col" { "Added" }
                        th role="columnheader" scope="col" { span class="nhsuk-u-visually-hidden" { "Change" } }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for p in providers {
                        tr role="row" class="nhsuk-table__row" {
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Organisation " }
                                (org_name(orgs, p.org_id))
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Button " }
                                (p.display_name)
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Issuer " }
                                (p.issuer_url)
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Passwords " }
                                @if p.passwords_off { "Turned off" } @else { "Allowed" }
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Added " }
                                (moment(p.created_at))
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                a href=(format!("{PATH}/{}", p.id)) {
                                    "Change or remove" span class="nhsuk-u-visually-hidden" { " " (p.display_name) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn add_form(who: &Principal, orgs: &[OrganisationView], form: &ProviderForm) -> Markup {
    html! {
        h2 class="nhsuk-heading-m" { "Add a provider" }
        form method="post" action=(PATH) novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="org_id" { "Organisation" }
                select class="nhsuk-select" id="org_id" name="org_id" {
                    @for o in orgs {
                        option value=(o.id) selected[o.id.to_string() == form.org_id] { (o.name) }
                    }
                }
            }
            (input("display_name", "Button words", "text", &form.display_name, Some("For example, Sign in with NHSmail")))
            (input("issuer_url", "Issuer URL", "url", &form.issuer_url,
                Some("For NHSmail, https://login.microsoftonline.com/ followed by your tenant and /v2.0")))
            (input("client_id", "Client ID", "text", &form.client_id, None))
            (input("client_secret", "Client secret", "password", "", Some("Kept encrypted and never shown again")))
            (passwords_off_box(form))
            button type="submit" class="nhsuk-button" { "Add provider" }
        }
    }
}

/// The checkbox that turns the organisation's passwords off.
pub(super) fn passwords_off_box(form: &ProviderForm) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            div class="nhsuk-checkboxes" {
                div class="nhsuk-checkboxes__item" {
                    input class="nhsuk-checkboxes__input" id="passwords_off" name="passwords_off" type="checkbox"
                        value="yes" checked[form.passwords_off == "yes"];
                    label class="nhsuk-label nhsuk-checkboxes__label" for="passwords_off" {
                        "Turn off Staffbank passwords for this organisation's staff"
                    }
                }
            }
        }
    }
}

fn link_form(
    who: &Principal,
    providers: &[ProviderView],
    orgs: &[OrganisationView],
    form: &LinkForm,
) -> Markup {
    html! {
        @if !providers.is_empty() {
            h2 class="nhsuk-heading-m" { "Link an account" }
            p { "Use this when a person's provider account does not give a verified email address that matches their Staffbank account." }
            form method="post" action=(format!("{PATH}/link")) novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="provider_id" { "Provider" }
                    select class="nhsuk-select" id="provider_id" name="provider_id" {
                        @for p in providers {
                            option value=(p.id) selected[p.id.to_string() == form.provider_id] {
                                (p.display_name) " (" (org_name(orgs, p.org_id)) ")"
                            }
                        }
                    }
                }
                (input("email", "Staffbank account email address", "email", &form.email, None))
                (input("subject", "Subject identifier at the provider", "text", &form.subject,
                    Some("The sub claim, for example the UUID of the person in NHS CIS2")))
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Link account" }
            }
        }
    }
}

async fn render(
    state: &AppState,
    who: &Principal,
    notice: Option<&str>,
    errors: &[String],
    add: &ProviderForm,
    link: &LinkForm,
    status: StatusCode,
) -> Response {
    let providers = match state.app.oidc_providers(who).await {
        Ok(p) => p,
        Err(e) => return app_error_page(e),
    };
    let orgs = match state.app.organisations(who).await {
        Ok(o) => o,
        Err(e) => return app_error_page(e),
    };
    let mut response = page(
        "Sign-in providers",
        Some(who),
        html! {
            (error_summary(errors))
            @if let Some(message) = notice { (success(message)) }
            h1 class="nhsuk-heading-xl" { "Sign-in providers" }
            p { "Staff of an organisation with a provider see its button on the sign-in page and sign in with their organisation's account (NHS CIS2, NHSmail)." }
            (providers_table(&providers, &orgs))
            (add_form(who, &orgs, add))
            (link_form(who, &providers, &orgs, link))
        },
    );
    *response.status_mut() = status;
    response
}

/// `GET /manage/sign-in-providers`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(done): Query<Done>,
) -> Response {
    let notice = match done.done.as_deref() {
        Some("added") => Some("Provider added. Its button is now on the sign-in page."),
        Some("linked") => Some("Account linked."),
        Some("changed") => Some("Provider changed."),
        Some("removed") => Some("Provider removed. Its button has gone from the sign-in page."),
        _ => None,
    };
    render(
        &state,
        &who,
        notice,
        &[],
        &ProviderForm::default(),
        &LinkForm::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /manage/sign-in-providers`: adds a provider.
pub async fn add(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<ProviderForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = ProviderInput {
        org_id: form.org_id.parse().unwrap_or_default(),
        issuer_url: form.issuer_url.clone(),
        client_id: form.client_id.clone(),
        client_secret: Some(form.client_secret.clone()),
        display_name: form.display_name.clone(),
        passwords_off: form.passwords_off == "yes",
    };
    match state.app.save_oidc_provider(&who, None, input).await {
        Ok(_) => Redirect::to(&format!("{PATH}?done=added")).into_response(),
        Err(e @ AppError::Validation(_)) => {
            render(
                &state,
                &who,
                None,
                &messages(&e),
                &form,
                &LinkForm::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/sign-in-providers/link`: links a subject to an account.
pub async fn link(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<LinkForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let provider = form.provider_id.parse().unwrap_or_default();
    match state
        .app
        .link_oidc_subject_by_email(&who, provider, &form.email, &form.subject)
        .await
    {
        Ok(()) => Redirect::to(&format!("{PATH}?done=linked")).into_response(),
        Err(e @ AppError::Validation(_)) => {
            render(
                &state,
                &who,
                None,
                &messages(&e),
                &ProviderForm::default(),
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => app_error_page(e),
    }
}
