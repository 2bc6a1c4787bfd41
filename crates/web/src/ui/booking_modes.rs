//! The booker's wards: whether each one's shifts are booked at once or by a request a booker
//! approves, and changing it.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::release::BookingModeChoice;
use staffbank_app::{AppError, Principal};
use staffbank_domain::WardId;
use uuid::Uuid;

use super::layout::{app_error_page, page};
use super::ward_edit::{add_section, add_summary, WardForm};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?changed=1` after a booking mode is changed, `?added=1` after a ward is added, `?saved=1`
/// after one is renamed or moved (any value will do).
#[derive(Deserialize)]
pub struct WardsQuery {
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /manage/wards`.
pub async fn wards(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<WardsQuery>,
) -> Response {
    let notice = if query.changed.is_some() {
        Some("Saved. The ward's open shifts that have not started follow the change too.")
    } else if query.added.is_some() {
        Some("Ward added. You can post shifts to it now.")
    } else if query.saved.is_some() {
        Some("Ward saved.")
    } else {
        None
    };
    wards_page(&state, &who, notice, &WardForm::default(), &[]).await
}

/// The Wards page, with a message after a change, or the add form's errors.
pub(crate) async fn wards_page(
    state: &AppState,
    who: &Principal,
    notice: Option<&str>,
    add_form: &WardForm,
    add_errors: &[(String, String)],
) -> Response {
    let options = match state.app.posting_options(who).await {
        Ok(o) => o,
        Err(e) => return app_error_page(e),
    };
    // Only bookers of whole trusts add wards or move them between sites.
    let sites = state.app.booker_sites(who).await.ok();
    let mut response = page(
        "Wards",
        Some(who),
        html! {
            (add_summary(add_errors))
            @if let Some(notice) = notice {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { (notice) }
                }
            }
            h1 class="nhsuk-heading-xl" { "How each ward's shifts are booked" }
            p { "At once: a worker who may book a shift has it straight away. By request: the worker asks, and a booker approves or declines, with every rule checked again." }
            p { "A change applies to shifts posted from now on and to the ward's open shifts that have not started. Requests already made stay in the approvals queue." }
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "Wards you book for" }
                thead role="rowgroup" class="nhsuk-table__head" {
                    tr role="row" {
                        th role="columnheader" scope="col" { "Ward" }
                        th role="columnheader" scope="col" { "Shifts are booked" }
                        th role="columnheader" scope="col" { "Change" }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for w in &options.wards {
                        tr role="row" class="nhsuk-table__row" {
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ward " }
                                (w.name) ", " (w.site_name)
                                @if sites.is_some() {
                                    br;
                                    a href=(format!("/manage/wards/{}/edit", w.id)) {
                                        "Change name or site" span class="nhsuk-u-visually-hidden" { ": " (w.name) }
                                    }
                                }
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Shifts are booked " }
                                @if w.instant_booking { "At once" } @else { "By request" }
                            }
                            td role="cell" class="nhsuk-table__cell" {
                                form method="post" action=(format!("/manage/wards/{}/booking-mode", w.id)) {
                                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                                    input type="hidden" name="instant_booking" value=(!w.instant_booking);
                                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" {
                                        @if w.instant_booking { "Book by request" } @else { "Book at once" }
                                        span class="nhsuk-u-visually-hidden" { ": " (w.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(sites) = &sites {
                (add_section(who, sites, add_form, add_errors))
            }
        },
    );
    if !add_errors.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The change-of-mode form.
#[derive(Deserialize)]
pub struct BookingModeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    instant_booking: String,
}

/// `POST /manage/wards/{id}/booking-mode`.
pub async fn set_booking_mode(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<BookingModeForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let instant_booking = match form.instant_booking.as_str() {
        "true" => true,
        "false" => false,
        _ => return app_error_page(AppError::field("instant_booking", "must be true or false")),
    };
    let choice = BookingModeChoice { instant_booking };
    match state.app.set_booking_mode(&who, WardId(id), choice).await {
        Ok(()) => Redirect::to("/manage/wards?changed=1").into_response(),
        Err(e) => app_error_page(e),
    }
}
