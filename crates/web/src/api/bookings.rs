//! Booking, cancelling and listing bookings.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use staffbank_app::bookings::CancelBooking;
use staffbank_app::paging::Paged;
use staffbank_app::views::BookingView;
use staffbank_domain::{BookingId, ShiftId};
use uuid::Uuid;

use super::PageQuery;
use crate::extract::{ApiJson, ApiPath, ApiQuery, BearerToken, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The `Idempotency-Key` header every booking write carries, if it is there and readable.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The problem for a booking write without its key.
pub(crate) fn key_required() -> ApiError {
    Problem::new(
        crate::problem::GeneralProblem::IdempotencyKeyRequired,
        "send an Idempotency-Key header",
    )
    .into()
}

/// Book a place on a shift. A retry with the same `Idempotency-Key` returns the original booking
/// (with `Idempotent-Replayed: true`) and never books twice.
#[utoipa::path(post, path = "/api/v1/shifts/{shift_id}/bookings", tag = "bookings", security(("bearer" = [])),
    params(("shift_id" = Uuid, Path), ("Idempotency-Key" = String, Header, description = "1 to 128 visible ASCII characters, unique per booking attempt")),
    responses((status = 201, body = BookingView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    State(state): State<AppState>,
    BearerToken(token): BearerToken,
    shift_id: Result<ApiPath<Uuid>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The session is read with the shift; a request that cannot name one is answered as every
    // other endpoint answers it, after asking who sent it.
    let (Ok(ApiPath(shift_id)), Some(key)) = (&shift_id, idempotency_key(&headers)) else {
        state.app.authenticate(&token).await?;
        return Err(shift_id.err().unwrap_or_else(key_required));
    };
    let booked = state
        .app
        .book_with_token(&token, ShiftId(*shift_id), &key)
        .await?;
    let mut response = (StatusCode::CREATED, axum::Json(booked.booking)).into_response();
    if booked.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Who booked a shift (booker of its ward).
#[utoipa::path(get, path = "/api/v1/shifts/{shift_id}/bookings", tag = "bookings", security(("bearer" = [])),
    params(("shift_id" = Uuid, Path)), responses((status = 200, body = Vec<BookingView>), (status = 404, body = Problem)))]
pub async fn shift_bookings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
) -> Result<axum::Json<Vec<BookingView>>, ApiError> {
    Ok(axum::Json(
        state.app.shift_bookings(&who, ShiftId(shift_id)).await?,
    ))
}

/// The signed-in worker's bookings.
#[utoipa::path(get, path = "/api/v1/me/bookings", tag = "bookings", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Paged<BookingView>), (status = 403, body = Problem)))]
pub async fn my_bookings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<axum::Json<Paged<BookingView>>, ApiError> {
    Ok(axum::Json(
        state.app.my_bookings(&who, query.page()?).await?,
    ))
}

/// Cancel a booking (the worker, or a booker of the shift's ward), with a reason.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/cancel", tag = "bookings", security(("bearer" = [])),
    params(("booking_id" = Uuid, Path)), request_body = CancelBooking,
    responses((status = 200, body = BookingView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(booking_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CancelBooking>,
) -> Result<axum::Json<BookingView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .cancel_booking(&who, BookingId(booking_id), input)
            .await?,
    ))
}
