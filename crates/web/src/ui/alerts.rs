//! "Alerts on this device": a worker turns Web Push alerts on for the browser they are using
//! (which needs the page's script: browsers only subscribe from JavaScript) and sees and turns
//! off every device that gets them (which works without it).

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::push_subscriptions::{NewPushSubscription, PushSubscriptionView};
use staffbank_app::AppError;
use uuid::Uuid;

use super::layout::{app_error_page, moment, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?done=on` or `?done=off` after a change, for the message that confirms it.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The subscription the page's script posts, from `PushSubscription.toJSON()`.
#[derive(Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    p256dh: String,
    #[serde(default)]
    auth: String,
}

/// Just the CSRF token, for turning a device off.
#[derive(Deserialize)]
pub struct TurnOffForm {
    #[serde(default)]
    csrf: String,
}

/// What a push service's address says about the device, in words a worker recognises.
fn device_name(endpoint: &str) -> &'static str {
    let host = host_of(endpoint);
    if host.ends_with("googleapis.com") {
        "Chrome or Edge browser"
    } else if host.ends_with("mozilla.com") {
        "Firefox browser"
    } else if host.ends_with("push.apple.com") {
        "Safari browser or iPhone"
    } else if host.ends_with("notify.windows.com") {
        "Windows browser"
    } else {
        "Browser"
    }
}

/// The host of an https URL, without parsing more than needed.
fn host_of(endpoint: &str) -> &str {
    endpoint
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', ':', '?']).next().unwrap_or(""))
        .unwrap_or("")
}

fn devices(who: &staffbank_app::Principal, subscriptions: &[PushSubscriptionView]) -> maud::Markup {
    html! {
        h2 class="nhsuk-heading-m" { "Devices that get alerts" }
        @if subscriptions.is_empty() {
            p { "No devices get alerts yet." }
        } @else {
            ul class="nhsuk-list" {
                @for s in subscriptions {
                    li class="nhsuk-card" data-endpoint=(s.endpoint) {
                        div class="nhsuk-card__content" {
                            h3 class="nhsuk-card__heading nhsuk-heading-s" { (device_name(&s.endpoint)) }
                            p class="nhsuk-card__description" { "Added " (moment(s.created_at)) }
                            @if let Some(at) = s.last_success_at {
                                p class="nhsuk-card__description" { "Last alert sent " (moment(at)) }
                            }
                            @if let Some(at) = s.last_failure_at {
                                p class="nhsuk-card__description" { "Last alert failed " (moment(at)) }
                            }
                            form method="post" action=(format!("/me/alerts/{}/turn-off", s.id)) {
                                input type="hidden" name="csrf" value=(who.session.csrf_token);
                                button class="nhsuk-button nhsuk-button--secondary" type="submit" {
                                    "Turn off alerts" span class="nhsuk-u-visually-hidden" { " for this " (device_name(&s.endpoint)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The page: this device's state, the button that turns alerts on, and every device that gets them.
async fn page_for(
    state: &AppState,
    who: &staffbank_app::Principal,
    done: Option<&str>,
    error: Option<String>,
) -> Response {
    let subscriptions = match state.app.my_push_subscriptions(who).await {
        Ok(s) => s,
        Err(e) => return app_error_page(e),
    };
    let key = match state.app.push_public_key() {
        Ok(k) => k,
        Err(e) => return app_error_page(e),
    };
    page(
        "Alerts on this device",
        Some(who),
        html! {
            @if let Some(message) = error {
                div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                    h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                    div class="nhsuk-error-summary__body" { p { (message) } }
                }
            }
            @match done {
                Some("on") => div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    @if who.worker.is_some() {
                        p { "Alerts are on for this device. You will get shift offers and changes to your bookings here." }
                    } @else {
                        p { "Alerts are on for this device. With push chosen under Notifications, you will get your ward's escalations here." }
                    }
                },
                Some("off") => div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Alerts are off for that device." }
                },
                _ => {}
            }
            h1 class="nhsuk-heading-xl" { "Alerts on this device" }
            @if who.worker.is_some() {
                p { "Get an alert on your phone or computer when you are offered a shift or a booking changes, even when Staffbank is closed." }
            } @else {
                p { "Get an alert on your phone or computer when something on your ward needs you, even when Staffbank is closed. Choose push under " a href="/notifications" { "Notifications" } " too." }
            }
            div data-vapid-key=(key) {
                p id="this-device-status" role="status" { "Alerts need JavaScript turned on in this browser." }
                button class="nhsuk-button" id="turn-on" type="button" hidden { "Turn on alerts for this device" }
            }
            form id="subscribe-form" method="post" action="/me/alerts" hidden {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="endpoint";
                input type="hidden" name="p256dh";
                input type="hidden" name="auth";
            }
            (devices(who, &subscriptions))
            @if who.worker.is_some() {
                p { a href="/preferences" { "Back to preferences" } }
            } @else {
                p { a href="/notifications" { "Back to notifications" } }
            }
            script src="/assets/app/alerts.js" defer {}
        },
    )
}

/// `GET /me/alerts`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<DoneQuery>,
) -> Response {
    page_for(&state, &who, query.done.as_deref(), None).await
}

/// `POST /me/alerts`: the script's subscription for this browser.
pub async fn subscribe(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(posted): Form<SubscribeForm>,
) -> Response {
    if !csrf_ok(&who, &posted.csrf) {
        return csrf_refused();
    }
    let input = NewPushSubscription {
        endpoint: posted.endpoint,
        p256dh: posted.p256dh,
        auth: posted.auth,
    };
    match state.app.add_push_subscription(&who, input).await {
        Ok(_) => Redirect::to("/me/alerts?done=on").into_response(),
        Err(AppError::Validation(_)) => {
            let message = "This browser's push service was not accepted, so alerts are still off. Try another browser.";
            let mut response = page_for(&state, &who, None, Some(message.to_owned())).await;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => app_error_page(e),
    }
}

/// `POST /me/alerts/{id}/turn-off`.
pub async fn turn_off(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(posted): Form<TurnOffForm>,
) -> Response {
    if !csrf_ok(&who, &posted.csrf) {
        return csrf_refused();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return app_error_page(AppError::NotFound);
    };
    match state.app.remove_push_subscription(&who, id).await {
        Ok(()) => Redirect::to("/me/alerts?done=off").into_response(),
        Err(e) => app_error_page(e),
    }
}
