//! Matching: a worker's ranked shifts and a booker's ranked candidates.

use axum::extract::State;
use staffbank_app::matching::{Candidates, MatchFilters, ShiftMatches};
use staffbank_app::offers::Offers;
use staffbank_app::pay_estimate::PayEstimate;
use staffbank_domain::ShiftId;
use uuid::Uuid;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The signed-in worker's bookable shifts, best match first, and the shifts they cannot book
/// with every reason.
#[utoipa::path(get, path = "/api/v1/me/shift-matches", tag = "matching", security(("bearer" = [])),
    params(MatchFilters), responses((status = 200, body = ShiftMatches), (status = 403, body = Problem),
    (status = 422, body = Problem)))]
pub async fn shift_matches(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(filters): ApiQuery<MatchFilters>,
) -> Result<axum::Json<ShiftMatches>, ApiError> {
    Ok(axum::Json(state.app.shift_matches(&who, filters).await?))
}

/// The signed-in worker's inbox: shifts offered to them that they may still book, best match
/// first. An offer leaves the inbox the moment its shift fills or they can no longer book it.
#[utoipa::path(get, path = "/api/v1/me/offers", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = Offers), (status = 403, body = Problem)))]
pub async fn my_offers(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Offers>, ApiError> {
    Ok(axum::Json(state.app.my_offers(&who).await?))
}

/// How many candidates to return.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandidateQuery {
    /// Most eligible candidates, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A shift's eligible candidates, best match first, and the near-misses with their reasons
/// (bookers of the shift's ward).
#[utoipa::path(get, path = "/api/v1/shifts/{shift_id}/candidates", tag = "matching",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path), CandidateQuery),
    responses((status = 200, body = Candidates), (status = 404, body = Problem)))]
pub async fn candidates(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<CandidateQuery>,
) -> Result<axum::Json<Candidates>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .candidates(&who, ShiftId(shift_id), query.limit)
            .await?,
    ))
}

/// What a shift would pay the signed-in worker for working all of it: the base rate for their
/// grade, each kind of time with its enhancement, the premium and the total, by the pay engine
/// that pays the approved timesheet.
#[utoipa::path(get, path = "/api/v1/me/shifts/{shift_id}/pay-estimate", tag = "matching",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path)),
    responses((status = 200, body = PayEstimate), (status = 403, body = Problem),
    (status = 404, body = Problem)))]
pub async fn pay_estimate(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
) -> Result<axum::Json<PayEstimate>, ApiError> {
    Ok(axum::Json(
        state.app.pay_estimate(&who, ShiftId(shift_id)).await?,
    ))
}
