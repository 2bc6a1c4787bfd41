//! The booker's approvals queue.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_domain::RequestId;
use uuid::Uuid;

use super::layout::{app_error_page, page, when};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `GET /manage/approvals`.
pub async fn queue(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    let requests = match state.app.approvals(&who).await {
        Ok(r) => r,
        Err(e) => return app_error_page(e),
    };
    page(
        "Approvals",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Booking requests to approve" }
            @if requests.is_empty() { p { "There are no requests waiting." } }
            @for r in &requests {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h2 class="nhsuk-card__heading nhsuk-heading-m" { (r.worker_name) " – " (r.shift.role) ", " (r.shift.ward_name) }
                    p { (when(r.shift.starts_at, r.shift.ends_at)) ". " (r.shift.booked) " of " (r.shift.places) " places booked." }
                    // A full shift can only be declined (or approved once a place is freed).
                    @let full = r.shift.booked >= r.shift.places;
                    @if full { p { strong class="nhsuk-tag nhsuk-tag--grey" { "Full" } " Every place is taken: decline, or wait for a place to be freed." } }
                    div class="nhsuk-button-group" {
                        @for (action, label, class) in [("approve", "Approve", "nhsuk-button"), ("decline", "Decline", "nhsuk-button nhsuk-button--secondary")].into_iter().filter(|(action, ..)| !full || *action == "decline") {
                            form method="post" action=(format!("/manage/requests/{}/{action}", r.id)) {
                                input type="hidden" name="csrf" value=(who.session.csrf_token);
                                button type="submit" class=(class) {
                                    (label) span class="nhsuk-u-visually-hidden" { " " (r.worker_name) }
                                }
                            }
                        }
                    }
                } }
            }
        },
    )
}

/// The approve or decline form.
#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
}

async fn decide(
    state: AppState,
    who: staffbank_app::Principal,
    id: Uuid,
    approve: bool,
    csrf: &str,
) -> Response {
    if !csrf_ok(&who, csrf) {
        return csrf_refused();
    }
    match state.app.decide_request(&who, RequestId(id), approve).await {
        Ok(_) => Redirect::to("/manage/approvals").into_response(),
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/requests/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecideForm>,
) -> Response {
    decide(state, who, id, true, &form.csrf).await
}

/// `POST /manage/requests/{id}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecideForm>,
) -> Response {
    decide(state, who, id, false, &form.csrf).await
}
