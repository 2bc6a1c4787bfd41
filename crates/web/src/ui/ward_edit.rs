//! Adding a ward and changing a ward's name or site, from the booker's Wards page.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::admin::NewWard;
use staffbank_app::views::SiteView;
use staffbank_app::wards::WardChange;
use staffbank_app::{AppError, Principal};
use staffbank_domain::{SiteId, WardId};
use uuid::Uuid;

use super::layout::{app_error_page, capitalise, field_name, page};
use super::roster_pages::linked_summary;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The add and change forms, as typed.
#[derive(Deserialize, Default)]
pub struct WardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    instant_booking: String,
}

fn group(error: Option<&String>) -> &'static str {
    if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

fn error_message(id: &str, error: Option<&String>) -> Markup {
    html! {
        @if let Some(message) = error {
            span class="nhsuk-error-message" id=(format!("{id}-error")) {
                span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
            }
        }
    }
}

/// The name and site fields (and the booking mode when adding).
fn fields(
    prefix: &str,
    sites: &[SiteView],
    form: &WardForm,
    errors: &[(String, String)],
    adding: bool,
) -> Markup {
    let error = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m);
    let name_id = format!("{prefix}name");
    let site_id = format!("{prefix}site");
    html! {
        div class=(group(error("name"))) {
            label class="nhsuk-label" for=(name_id) { "Ward name" }
            (error_message(&name_id, error("name")))
            input class=(if error("name").is_some() { "nhsuk-input nhsuk-input--error" } else { "nhsuk-input" })
                id=(name_id) name="name" type="text" value=(form.name)
                aria-describedby=[error("name").map(|_| format!("{name_id}-error"))];
        }
        div class=(group(error("site_id"))) {
            label class="nhsuk-label" for=(site_id) { "Site" }
            (error_message(&site_id, error("site_id")))
            select class="nhsuk-select" id=(site_id) name="site_id"
                aria-describedby=[error("site_id").map(|_| format!("{site_id}-error"))] {
                @for s in sites {
                    option value=(s.id) selected[s.id.to_string() == form.site_id] { (s.name) }
                }
            }
        }
        @if adding {
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "How are its shifts booked?" }
                    div class="nhsuk-radios" {
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id="new-ward-instant" name="instant_booking" type="radio" value="true" checked[form.instant_booking != "false"];
                            label class="nhsuk-label nhsuk-radios__label" for="new-ward-instant" { "At once" }
                        }
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id="new-ward-request" name="instant_booking" type="radio" value="false" checked[form.instant_booking == "false"];
                            label class="nhsuk-label nhsuk-radios__label" for="new-ward-request" { "By request, approved by a booker" }
                        }
                    }
                }
            }
        }
    }
}

/// The "Add a ward" section of the Wards page (bookers of whole trusts).
pub fn add_section(
    who: &Principal,
    sites: &[SiteView],
    form: &WardForm,
    errors: &[(String, String)],
) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" id="add-ward" { "Add a ward" }
        form method="post" action="/manage/wards" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            (fields("new-ward-", sites, form, errors, true))
            button type="submit" class="nhsuk-button" { "Add the ward" }
        }
    }
}

/// Errors named by field, for a summary linking to `prefix` + the field's id.
fn summary(prefix: &str, errors: &[(String, String)]) -> Markup {
    linked_summary(errors.iter().map(|(f, m)| {
        let id = if f == "site_id" { "site" } else { "name" };
        (
            format!("#{prefix}{id}"),
            format!(
                "{}: {m}",
                field_name(if f == "site_id" { "site" } else { "ward_name" })
            ),
        )
    }))
}

fn field_errors(error: AppError) -> Result<Vec<(String, String)>, AppError> {
    match error {
        AppError::Validation(fields) => Ok(fields
            .into_iter()
            .map(|f| {
                let field = if f.field == "site_id" {
                    "site_id"
                } else {
                    "name"
                };
                (field.to_owned(), f.message)
            })
            .collect()),
        other => Err(other),
    }
}

/// `POST /manage/wards`: adds a ward.
pub async fn add(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<WardForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let site = Uuid::parse_str(&form.site_id).unwrap_or_default();
    let input = NewWard {
        name: form.name.clone(),
        instant_booking: form.instant_booking != "false",
    };
    match state.app.create_ward(&who, SiteId(site), input).await {
        Ok(_) => Redirect::to("/manage/wards?added=1").into_response(),
        Err(AppError::NotFound) => {
            let errors = vec![(
                "site_id".to_owned(),
                "choose one of the trust's sites".to_owned(),
            )];
            super::booking_modes::wards_page(&state, &who, None, &form, &errors).await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                super::booking_modes::wards_page(&state, &who, None, &form, &errors).await
            }
            Err(e) => app_error_page(e),
        },
    }
}

/// The add form's error summary, for the Wards page.
pub fn add_summary(errors: &[(String, String)]) -> Markup {
    summary("new-ward-", errors)
}

async fn edit_page(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    form: Option<WardForm>,
    errors: &[(String, String)],
) -> Response {
    let (options, sites) = match (
        state.app.posting_options(who).await,
        state.app.booker_sites(who).await,
    ) {
        (Ok(o), Ok(s)) => (o, s),
        (Err(e), _) | (_, Err(e)) => return app_error_page(e),
    };
    let Some(ward) = options.wards.iter().find(|w| w.id == id) else {
        return app_error_page(AppError::NotFound);
    };
    let sites: Vec<SiteView> = sites
        .into_iter()
        .filter(|s| s.org_id == ward.org_id)
        .collect();
    let form = form.unwrap_or_else(|| WardForm {
        name: ward.name.clone(),
        site_id: ward.site_id.to_string(),
        ..WardForm::default()
    });
    let mut response = page(
        "Change a ward",
        Some(who),
        html! {
            (summary("ward-", errors))
            h1 class="nhsuk-heading-xl" { "Change " (ward.name) }
            p { "Its shifts keep their bookings; the new name and site show on every shift of the ward." }
            form method="post" action=(format!("/manage/wards/{id}")) novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                (fields("ward-", &sites, &form, errors, false))
                button type="submit" class="nhsuk-button" { "Save the ward" }
            }
            p { a href="/manage/wards" { "Back to wards" } }
        },
    );
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /manage/wards/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    edit_page(&state, &who, id, None, &[]).await
}

/// `POST /manage/wards/{id}`: saves a ward's name and site.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<WardForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = WardChange {
        name: form.name.clone(),
        site_id: Uuid::parse_str(&form.site_id).unwrap_or_default(),
    };
    match state.app.update_ward(&who, WardId(id), input).await {
        Ok(_) => Redirect::to("/manage/wards?saved=1").into_response(),
        Err(e) => match field_errors(e) {
            Ok(errors) => edit_page(&state, &who, id, Some(form), &errors).await,
            Err(e) => app_error_page(e),
        },
    }
}
