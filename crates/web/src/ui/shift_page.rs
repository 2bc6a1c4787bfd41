//! One shift as a worker sees it before booking: its facts, what it would pay them and how that
//! adds up, and the book button.

use axum::extract::State;
use axum::response::Response;
use maud::html;
use staffbank_domain::ShiftId;
use uuid::Uuid;

use super::layout::{app_error_page, page};
use super::pay_breakdown::pay_breakdown;
use super::worker::{book_form, shift_summary};
use super::UiUser;
use crate::extract::ApiPath;
use crate::AppState;

/// `GET /shifts/{id}`.
pub async fn shift(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(shift_id): ApiPath<Uuid>,
) -> Response {
    let id = ShiftId(shift_id);
    let estimate = match state.app.pay_estimate(&who, id).await {
        Ok(e) => e,
        Err(e) => return app_error_page(e),
    };
    let shift = match state.app.shift(&who, id).await {
        Ok(s) => s,
        Err(e) => return app_error_page(e),
    };
    let title = format!("{} – {}", shift.role, shift.ward_name);
    page(
        &title,
        Some(&who),
        html! {
            a class="nhsuk-back-link" href="/shifts" { "Back to shifts for me" }
            h1 class="nhsuk-heading-xl" { (title) }
            (shift_summary(&shift))
            h2 class="nhsuk-heading-l" { "Estimated pay" }
            p {
                "For working the whole shift at your grade, " (estimate.grade) ", by the "
                (estimate.rate_card) " rates. Any unpaid break you take comes off when your timesheet is approved."
            }
            (pay_breakdown(&estimate.line))
            @if shift.places > shift.booked && shift.status == "open" {
                (book_form(&who, &shift))
            }
        },
    )
}
