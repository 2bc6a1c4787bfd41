//! The bank office's Webhooks page: the trust's subscribers (other systems that are sent the
//! trust's events), where each one's deliveries stand, registering one (its secret is shown
//! once, on the page that follows), removing one after a confirmation, and trying again after
//! deliveries have stopped.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::webhooks::{DeliveryState, WebhookInput, WebhookView};
use staffbank_app::{AppError, Principal};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, moment, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The kinds of event offered on the form: a field name, the wanted type, and its name in words.
const AREAS: [(&str, &str, &str); 8] = [
    (
        "shifts",
        "uk.nhs.staffbank.shift.*",
        "Shifts posted, offered and changed",
    ),
    (
        "bookings",
        "uk.nhs.staffbank.booking.*",
        "Bookings made, requested and cancelled",
    ),
    ("timesheets", "uk.nhs.staffbank.timesheet.*", "Timesheets"),
    (
        "sign_on",
        "uk.nhs.staffbank.sign_on.*",
        "Signing on and off",
    ),
    (
        "pay_runs",
        "uk.nhs.staffbank.pay_run.*",
        "Pay runs closed and exported",
    ),
    ("wards", "uk.nhs.staffbank.ward.*", "Wards"),
    (
        "webhooks",
        "uk.nhs.staffbank.webhook.*",
        "Changes to these webhooks",
    ),
    (
        "everything",
        "uk.nhs.staffbank.*",
        "Everything that happens at the trust",
    ),
];

/// `?removed=1` or `?retried=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct WebhooksQuery {
    #[serde(default)]
    removed: Option<String>,
    #[serde(default)]
    retried: Option<String>,
}

/// The registration form: the address and a checkbox per kind of event.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    shifts: Option<String>,
    #[serde(default)]
    bookings: Option<String>,
    #[serde(default)]
    timesheets: Option<String>,
    #[serde(default)]
    sign_on: Option<String>,
    #[serde(default)]
    pay_runs: Option<String>,
    #[serde(default)]
    wards: Option<String>,
    #[serde(default)]
    webhooks: Option<String>,
    #[serde(default)]
    everything: Option<String>,
}

impl RegisterForm {
    fn chosen(&self, field: &str) -> bool {
        let value = match field {
            "shifts" => &self.shifts,
            "bookings" => &self.bookings,
            "timesheets" => &self.timesheets,
            "sign_on" => &self.sign_on,
            "pay_runs" => &self.pay_runs,
            "wards" => &self.wards,
            "webhooks" => &self.webhooks,
            _ => &self.everything,
        };
        value.is_some()
    }

    fn types(&self) -> Vec<String> {
        AREAS
            .iter()
            .filter(|(field, _, _)| self.chosen(field))
            .map(|(_, t, _)| (*t).to_owned())
            .collect()
    }
}

/// The CSRF token alone, for the buttons.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A wanted type in words.
fn type_words(event_type: &str) -> String {
    AREAS
        .iter()
        .find(|(_, t, _)| *t == event_type)
        .map(|(_, _, words)| (*words).to_owned())
        .unwrap_or_else(|| event_type.to_owned())
}

/// Where a subscriber's deliveries stand, in words.
fn state_words(hook: &WebhookView) -> String {
    match hook.state {
        DeliveryState::Delivering => "Sending events as they happen".into(),
        DeliveryState::Retrying => match hook.retry_at {
            Some(at) => format!(
                "Last try failed ({} so far). Trying again after {}",
                hook.attempts,
                moment(at)
            ),
            None => "Last try failed. Trying again shortly".into(),
        },
        DeliveryState::DeadLettered => format!(
            "Stopped after {} failed tries{}. Nothing more is sent until you try again",
            hook.attempts,
            hook.dead_lettered_at
                .map(|at| format!(", on {}", moment(at)))
                .unwrap_or_default()
        ),
    }
}

fn row(key: &str, value: Markup) -> Markup {
    html! {
        div class="nhsuk-summary-list__row" {
            dt class="nhsuk-summary-list__key" { (key) }
            dd class="nhsuk-summary-list__value" { (value) }
        }
    }
}

fn subscriber(who: &Principal, hook: &WebhookView) -> Markup {
    html! {
        div class="nhsuk-card" {
            div class="nhsuk-card__content" {
                h3 class="nhsuk-card__heading" { (hook.url) }
                dl class="nhsuk-summary-list" {
                    (row("Events sent", html! {
                        ul class="nhsuk-list" { @for t in &hook.types { li { (type_words(t)) } } }
                    }))
                    (row("Deliveries", html! { (state_words(hook)) }))
                    @if let Some(error) = &hook.last_error {
                        (row("Last problem", html! { (error) }))
                    }
                    (row("Added", html! { (moment(hook.created_at)) }))
                }
                div class="nhsuk-button-group" {
                    @if hook.state == DeliveryState::DeadLettered {
                        form method="post" action=(format!("/manage/webhooks/{}/retry", hook.id)) {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            button type="submit" class="nhsuk-button nhsuk-button--secondary" {
                                "Try again" span class="nhsuk-u-visually-hidden" { ": " (hook.url) }
                            }
                        }
                    }
                    a class="nhsuk-link" href=(format!("/manage/webhooks/{}/remove", hook.id)) {
                        "Remove" span class="nhsuk-u-visually-hidden" { " " (hook.url) }
                    }
                }
            }
        }
    }
}

fn register_form(who: &Principal, form: &RegisterForm, problems: &[String]) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" id="add" { "Add a webhook" }
        form method="post" action="/manage/webhooks" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class=(if problems.is_empty() { "nhsuk-form-group" } else { "nhsuk-form-group nhsuk-form-group--error" }) {
                label class="nhsuk-label nhsuk-label--m" for="url" { "Web address to send events to" }
                div class="nhsuk-hint" id="url-hint" { "Starting https://, for example https://rostering.example.nhs.uk/staffbank-events" }
                input class="nhsuk-input" id="url" name="url" type="url" spellcheck="false" autocomplete="off"
                    aria-describedby="url-hint" value=(form.url);
            }
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" aria-describedby="types-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Which events to send" }
                    div class="nhsuk-hint" id="types-hint" { "Only your trust's events are ever sent." }
                    div class="nhsuk-checkboxes" {
                        @for (field, _, words) in AREAS {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(field) name=(field) type="checkbox" value="yes" checked[form.chosen(field)];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(field) { (words) }
                            }
                        }
                    }
                }
            }
            button type="submit" class="nhsuk-button" { "Add webhook" }
        }
    }
}

async fn list_page(
    state: &AppState,
    who: &Principal,
    notice: Option<&str>,
    form: &RegisterForm,
    problems: &[String],
) -> Response {
    let hooks = match state.app.webhooks(who).await {
        Ok(hooks) => hooks,
        Err(e) => return app_error_page(e),
    };
    page(
        "Webhooks",
        Some(who),
        html! {
            (error_summary(problems))
            @if let Some(notice) = notice {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { (notice) }
                }
            }
            h1 class="nhsuk-heading-xl" { "Webhooks" }
            p {
                "A webhook sends your trust's events, as they happen and in order, to another system "
                "such as an e-rostering or workforce tool. Each delivery is signed with a secret so the "
                "receiving system can check it came from Staffbank."
            }
            h2 class="nhsuk-heading-l" { "Your webhooks" }
            @if hooks.is_empty() { p { "Your trust has no webhooks yet." } }
            @for hook in &hooks { (subscriber(who, hook)) }
            (register_form(who, form, problems))
        },
    )
}

/// `GET /manage/webhooks`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<WebhooksQuery>,
) -> Response {
    let notice = if query.removed.is_some() {
        Some("Webhook removed. Nothing more is sent to it.")
    } else if query.retried.is_some() {
        Some("Trying again now. Events are sent in order from the one that failed.")
    } else {
        None
    };
    list_page(&state, &who, notice, &RegisterForm::default(), &[]).await
}

/// `POST /manage/webhooks`: registers, then shows the secret this once.
pub async fn register(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<RegisterForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = WebhookInput {
        url: form.url.clone(),
        types: form.types(),
        organisation_id: None,
    };
    match state.app.register_webhook(&who, input).await {
        Ok(registered) => page(
            "Webhook added",
            Some(&who),
            html! {
                div class="nhsuk-panel" {
                    h1 class="nhsuk-panel__title" { "Webhook added" }
                    div class="nhsuk-panel__body" { "Events will be sent to " (registered.webhook.url) }
                }
                div class="nhsuk-warning-callout" {
                    h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Copy the secret now" } }
                    p { "The receiving system needs this secret to check each delivery. It is shown only this once: if it is lost, remove the webhook and add it again." }
                    p { code id="secret" { (registered.secret) } }
                }
                p { a href="/manage/webhooks" { "Back to webhooks" } }
            },
        ),
        Err(AppError::Validation(fields)) => {
            let problems: Vec<String> = fields
                .iter()
                .map(|f| {
                    let name = if f.field == "url" {
                        "Web address"
                    } else {
                        "Events"
                    };
                    format!("{name}: {}", f.message)
                })
                .collect();
            list_page(&state, &who, None, &form, &problems).await
        }
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/webhooks/{id}/remove`: asks before removing.
pub async fn confirm_remove(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let hook = match state.app.webhook(&who, id).await {
        Ok(hook) => hook,
        Err(e) => return app_error_page(e),
    };
    page(
        "Remove a webhook",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Remove this webhook?" }
            p { "Events will no longer be sent to " strong { (hook.url) } "." }
            p { "To send events there again, you would add it again and give the receiving system a new secret." }
            form method="post" action=(format!("/manage/webhooks/{id}/remove")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class="nhsuk-button-group" {
                    button type="submit" class="nhsuk-button nhsuk-button--warning" { "Remove webhook" }
                }
            }
            p { a href="/manage/webhooks" { "Keep the webhook" } }
        },
    )
}

/// `POST /manage/webhooks/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.remove_webhook(&who, id).await {
        Ok(()) => Redirect::to("/manage/webhooks?removed=1").into_response(),
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/webhooks/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.retry_webhook(&who, id).await {
        Ok(_) => Redirect::to("/manage/webhooks?retried=1").into_response(),
        Err(e) => app_error_page(e),
    }
}
