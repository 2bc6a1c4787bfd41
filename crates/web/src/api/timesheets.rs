//! Timesheets and pay lines: the worker states and submits their hours; the ward manager
//! approves (which pays them, once), queries or rejects.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use staffbank_app::timesheets::{DecideTimesheet, PayLineView, StateHours, TimesheetView};
use staffbank_domain::BookingId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// A decision's outcome: the timesheet, and its pay line when approved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Decided {
    /// The timesheet as decided.
    pub timesheet: TimesheetView,
    /// The pay line written with an approval.
    pub pay_line: Option<PayLineView>,
}

/// Start the timesheet of one of your bookings (once the shift has started); the existing one
/// if there is one.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/timesheet", tag = "timesheets",
    security(("bearer" = [])), params(("booking_id" = Uuid, Path)),
    responses((status = 201, body = TimesheetView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn start_timesheet(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(booking_id): ApiPath<Uuid>,
) -> Result<(StatusCode, axum::Json<TimesheetView>), ApiError> {
    let view = state
        .app
        .start_timesheet(&who, BookingId(booking_id))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// State the hours worked: start, end, breaks, and why it overran (while a draft or queried).
#[utoipa::path(put, path = "/api/v1/timesheets/{timesheet_id}/hours", tag = "timesheets",
    security(("bearer" = [])), params(("timesheet_id" = Uuid, Path)), request_body = StateHours,
    responses((status = 200, body = TimesheetView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn state_hours(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StateHours>,
) -> Result<axum::Json<TimesheetView>, ApiError> {
    Ok(axum::Json(state.app.state_hours(&who, id, input).await?))
}

/// Submit the timesheet to the ward manager.
#[utoipa::path(post, path = "/api/v1/timesheets/{timesheet_id}/submit", tag = "timesheets",
    security(("bearer" = [])), params(("timesheet_id" = Uuid, Path)),
    responses((status = 200, body = TimesheetView), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn submit_timesheet(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<TimesheetView>, ApiError> {
    Ok(axum::Json(state.app.submit_timesheet(&who, id).await?))
}

/// The timesheets waiting for you as ward manager.
#[utoipa::path(get, path = "/api/v1/timesheets", tag = "timesheets", security(("bearer" = [])),
    responses((status = 200, body = Vec<TimesheetView>), (status = 403, body = Problem)))]
pub async fn timesheets_to_decide(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<TimesheetView>>, ApiError> {
    Ok(axum::Json(state.app.timesheets_to_decide(&who).await?))
}

/// Approve (pays it, once), query or reject a submitted timesheet (its ward manager).
#[utoipa::path(post, path = "/api/v1/timesheets/{timesheet_id}/decision", tag = "timesheets",
    security(("bearer" = [])), params(("timesheet_id" = Uuid, Path)), request_body = DecideTimesheet,
    responses((status = 200, body = Decided), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_timesheet(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecideTimesheet>,
) -> Result<axum::Json<Decided>, ApiError> {
    let (timesheet, pay_line) = state.app.decide_timesheet(&who, id, input).await?;
    Ok(axum::Json(Decided {
        timesheet,
        pay_line,
    }))
}

/// Your pay lines, newest first, each explaining itself.
#[utoipa::path(get, path = "/api/v1/me/pay-lines", tag = "timesheets", security(("bearer" = [])),
    responses((status = 200, body = Vec<PayLineView>), (status = 403, body = Problem)))]
pub async fn my_pay_lines(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<PayLineView>>, ApiError> {
    Ok(axum::Json(state.app.my_pay_lines(&who).await?))
}
