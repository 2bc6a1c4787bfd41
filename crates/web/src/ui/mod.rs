//! The server-rendered UI: NHS.UK frontend styles, plain forms, no JavaScript required.

mod approvals;
mod booker;
mod candidates;
mod layout;
mod ledger;
mod session;
mod worker;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;

use crate::AppState;
pub(crate) use layout::{error_page, page};
pub(crate) use session::{csrf_ok, csrf_refused, UiUser};

/// The UI's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/shifts", get(worker::open_shifts))
        .route("/shifts/{shift_id}/book", post(worker::book))
        .route("/bookings", get(worker::my_bookings))
        .route("/bookings/{booking_id}/cancel", post(worker::cancel))
        .route(
            "/manage/shifts",
            get(booker::shifts).post(booker::post_shift),
        )
        .route("/manage/shifts/new", get(booker::new_shift))
        .route("/manage/shifts/{shift_id}", get(booker::shift))
        .route("/manage/approvals", get(approvals::queue))
        .route("/manage/requests/{id}/approve", post(approvals::approve))
        .route("/manage/requests/{id}/decline", post(approvals::decline))
        .route(
            "/manage/shifts/{shift_id}/agency",
            post(candidates::break_glass),
        )
        .route("/manage/bookings/{booking_id}/cancel", post(worker::cancel))
        .route("/ledger", get(ledger::auditor))
        .route("/my-record", get(ledger::my_record))
        .route("/assets/app/ledger.js", get(ledger::script))
}

async fn home(UiUser(who): UiUser) -> Response {
    if who.worker.is_some() {
        Redirect::to("/shifts").into_response()
    } else if !who.booker_orgs().is_empty() {
        Redirect::to("/manage/shifts").into_response()
    } else if who.has_role(staffbank_domain::role::Role::Auditor) || who.is_platform_admin() {
        Redirect::to("/ledger").into_response()
    } else {
        page(
            "Your account",
            Some(&who),
            html! {
                h1 class="nhsuk-heading-xl" { "Hello, " (who.user.display_name) }
                p { "Your role's pages arrive in later releases. Use the API meanwhile." }
            },
        )
    }
}

/// The page for an address that does not exist.
pub fn not_found_page() -> Response {
    error_page(
        axum::http::StatusCode::NOT_FOUND,
        "Page not found",
        "Check the address and try again.",
    )
}
