//! Booking by request: workers ask, bookers approve or decline.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use staffbank_app::requests::RequestView;
use staffbank_domain::{RequestId, ShiftId};
use uuid::Uuid;

use super::bookings::{idempotency_key, key_required};
use crate::extract::{ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Request a place on a shift whose ward approves bookings. A retry with the same
/// `Idempotency-Key` returns the original request.
#[utoipa::path(post, path = "/api/v1/shifts/{shift_id}/requests", tag = "requests", security(("bearer" = [])),
    params(("shift_id" = Uuid, Path), ("Idempotency-Key" = String, Header, description = "1 to 128 visible ASCII characters")),
    responses((status = 201, body = RequestView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn request(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers).ok_or_else(key_required)?;
    let made = state
        .app
        .request_shift(&who, ShiftId(shift_id), &key)
        .await?;
    let mut response = (StatusCode::CREATED, axum::Json(made.request)).into_response();
    if made.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The signed-in worker's requests, newest first.
#[utoipa::path(get, path = "/api/v1/me/requests", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestView>), (status = 403, body = Problem)))]
pub async fn my_requests(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<RequestView>>, ApiError> {
    Ok(axum::Json(state.app.my_requests(&who).await?))
}

/// The approvals queue: pending requests for the booker's trusts.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestView>), (status = 403, body = Problem)))]
pub async fn approvals(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<RequestView>>, ApiError> {
    Ok(axum::Json(state.app.approvals(&who).await?))
}

/// Approve a request: every rule is checked again and the booking made at once.
#[utoipa::path(post, path = "/api/v1/requests/{request_id}/approve", tag = "requests", security(("bearer" = [])),
    params(("request_id" = Uuid, Path)), responses((status = 200, body = RequestView),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(request_id): ApiPath<Uuid>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .decide_request(&who, RequestId(request_id), true)
            .await?,
    ))
}

/// Decline a request.
#[utoipa::path(post, path = "/api/v1/requests/{request_id}/decline", tag = "requests", security(("bearer" = [])),
    params(("request_id" = Uuid, Path)), responses((status = 200, body = RequestView),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(request_id): ApiPath<Uuid>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .decide_request(&who, RequestId(request_id), false)
            .await?,
    ))
}

/// Withdraw one of the signed-in worker's pending requests: it leaves the approvals queue and the
/// ledger records it. One already decided or withdrawn is refused and nothing changes.
#[utoipa::path(post, path = "/api/v1/me/requests/{request_id}/withdraw", tag = "requests", security(("bearer" = [])),
    params(("request_id" = Uuid, Path)), responses((status = 200, body = RequestView),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(request_id): ApiPath<Uuid>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .withdraw_request(&who, RequestId(request_id))
            .await?,
    ))
}
