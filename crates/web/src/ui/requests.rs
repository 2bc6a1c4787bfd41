//! The worker's requests for shifts on wards that approve their bookings: what is waiting for a
//! booker, what was decided, and withdrawing one they no longer want (after confirming).

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::requests::RequestView;
use staffbank_app::{AppError, Principal};
use staffbank_domain::RequestId;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, moment, page, when};
use super::worker::shift_summary;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?withdrawn=1` after a request is withdrawn.
#[derive(Deserialize)]
pub struct RequestsQuery {
    #[serde(default)]
    withdrawn: Option<String>,
}

/// The withdraw form; `confirmed` is set by the confirmation page.
#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirmed: Option<String>,
}

fn status_words(r: &RequestView) -> String {
    let decided = r.decided_at.map(moment).unwrap_or_default();
    match r.status.as_str() {
        "pending" => "Waiting for a booker to decide".to_owned(),
        "approved" => format!("Approved on {decided}: you are booked"),
        "declined" => format!("Declined on {decided}"),
        "withdrawn" => format!("Withdrawn by you on {decided}"),
        other => other.to_owned(),
    }
}

fn request_card(who: &Principal, r: &RequestView) -> Markup {
    html! {
        div class="nhsuk-card" {
            div class="nhsuk-card__content" {
                h3 class="nhsuk-card__heading nhsuk-heading-m" { (r.shift.role) " – " (r.shift.ward_name) }
                p { strong { (status_words(r)) } }
                p class="nhsuk-body-s" { "Asked on " (moment(r.created_at)) }
                (shift_summary(&r.shift))
                @if r.status == "pending" {
                    form method="post" action=(format!("/requests/{}/withdraw", r.id)) {
                        input type="hidden" name="csrf" value=(who.session.csrf_token);
                        button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" {
                            "Withdraw request"
                            span class="nhsuk-u-visually-hidden" { " for " (when(r.shift.starts_at, r.shift.ends_at)) }
                        }
                    }
                }
            }
        }
    }
}

async fn requests_page(
    state: &AppState,
    who: &Principal,
    errors: &[String],
    withdrawn: bool,
) -> Response {
    let requests = match state.app.my_requests(who).await {
        Ok(r) => r,
        Err(e) => return app_error_page(e),
    };
    let (pending, decided): (Vec<_>, Vec<_>) = requests.iter().partition(|r| r.status == "pending");
    page(
        "My requests",
        Some(who),
        html! {
            (error_summary(errors))
            @if withdrawn {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Your request is withdrawn. The ward no longer sees it." }
                }
            }
            h1 class="nhsuk-heading-xl" { "My requests" }
            p { "Some wards approve their bookings: you ask, and a booker approves or declines." }
            h2 class="nhsuk-heading-l" { "Waiting for a decision" }
            @if pending.is_empty() { p { "You have no requests waiting." } }
            @for r in &pending { (request_card(who, r)) }
            @if !decided.is_empty() {
                h2 class="nhsuk-heading-l" { "Decided or withdrawn" }
                @for r in &decided { (request_card(who, r)) }
            }
        },
    )
}

/// `GET /requests`.
pub async fn my_requests(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<RequestsQuery>,
) -> Response {
    requests_page(&state, &who, &[], query.withdrawn.is_some()).await
}

fn confirm_page(who: &Principal, r: &RequestView) -> Response {
    page(
        "Withdraw your request?",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Withdraw your request?" }
            p { "The ward will no longer see it. You can ask again later if the shift is still open." }
            (shift_summary(&r.shift))
            form method="post" action=(format!("/requests/{}/withdraw", r.id)) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="confirmed" value="yes";
                button type="submit" class="nhsuk-button nhsuk-button--warning" { "Yes, withdraw my request" }
            }
            p { a class="nhsuk-link" href="/requests" { "No, keep my request" } }
        },
    )
}

/// `POST /requests/{id}/withdraw`: asks to confirm, then withdraws and says so; a request
/// already decided is shown with the reason and nothing changes.
pub async fn withdraw(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(request_id): ApiPath<Uuid>,
    Form(form): Form<WithdrawForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    if form.confirmed.is_none() {
        let found = match state.app.my_requests(&who).await {
            Ok(r) => r.into_iter().find(|r| r.id == request_id),
            Err(e) => return app_error_page(e),
        };
        return match found {
            Some(r) => confirm_page(&who, &r),
            None => app_error_page(AppError::NotFound),
        };
    }
    match state
        .app
        .withdraw_request(&who, RequestId(request_id))
        .await
    {
        Ok(_) => Redirect::to("/requests?withdrawn=1").into_response(),
        Err(e @ AppError::Conflict(..)) => {
            let mut response = requests_page(&state, &who, &messages(&e), false).await;
            *response.status_mut() = StatusCode::CONFLICT;
            response
        }
        Err(e) => app_error_page(e),
    }
}
