//! A booker offering a shift to one of its candidates.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::offers::{OfferMade, OfferTo};
use staffbank_domain::ShiftId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Offer a shift to one of its eligible candidates (bookers of its ward): it lands in the
/// worker's inbox (`GET /api/v1/me/offers`) and the outbox. Offering again sends nothing more.
#[utoipa::path(post, path = "/api/v1/shifts/{shift_id}/offers", tag = "matching",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path)), request_body = OfferTo,
    responses((status = 201, body = OfferMade), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn offer_shift(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<OfferTo>,
) -> Result<(StatusCode, axum::Json<OfferMade>), ApiError> {
    let made = state
        .app
        .offer_shift(&who, ShiftId(shift_id), input)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(made)))
}
