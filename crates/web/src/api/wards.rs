//! Keeping a trust's wards through the API.

use axum::extract::State;
use staffbank_app::views::WardView;
use staffbank_app::wards::WardChange;
use staffbank_domain::WardId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Rename a ward or move it to another of its trust's sites (its bookers). Another trust's ward
/// answers 404; a site of another trust is refused as a field.
#[utoipa::path(put, path = "/api/v1/wards/{ward_id}", tag = "release", security(("bearer" = [])),
    params(("ward_id" = Uuid, Path)), request_body = WardChange,
    responses((status = 200, body = WardView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_ward(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(ward_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<WardChange>,
) -> Result<axum::Json<WardView>, ApiError> {
    Ok(axum::Json(
        state.app.update_ward(&who, WardId(ward_id), input).await?,
    ))
}

/// The wards the caller books for, with their sites and booking mode (bookers).
#[utoipa::path(get, path = "/api/v1/wards", tag = "release", security(("bearer" = [])),
    responses((status = 200, body = Vec<WardView>), (status = 403, body = Problem)))]
pub async fn list_wards(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<WardView>>, ApiError> {
    Ok(axum::Json(state.app.posting_options(&who).await?.wards))
}
