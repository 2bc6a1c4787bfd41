//! Request → consent → present → verify, and the worker's access log.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::presentations::{Present, PresentationRequestView, RequestPresentation};
use staffbank_domain::WorkerId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Ask a worker to present claims (compliance officer of a trust they work with).
#[utoipa::path(post, path = "/api/v1/workers/{worker_id}/presentation-requests", tag = "passport",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)), request_body = RequestPresentation,
    responses((status = 201, body = PresentationRequestView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn request_presentation(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RequestPresentation>,
) -> Result<(StatusCode, axum::Json<PresentationRequestView>), ApiError> {
    let view = state
        .app
        .request_presentation(&who, WorkerId(worker_id), input)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// A request and its outcome: every check and what was disclosed (the verifying trust).
#[utoipa::path(get, path = "/api/v1/presentation-requests/{request_id}", tag = "passport",
    security(("bearer" = [])), params(("request_id" = Uuid, Path)),
    responses((status = 200, body = PresentationRequestView), (status = 404, body = Problem)))]
pub async fn presentation_request(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<PresentationRequestView>, ApiError> {
    Ok(axum::Json(state.app.presentation_request(&who, id).await?))
}

/// The signed-in worker's access log: every request for their data, who, when, what, why.
#[utoipa::path(get, path = "/api/v1/me/presentation-requests", tag = "passport",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PresentationRequestView>), (status = 403, body = Problem)))]
pub async fn my_presentation_requests(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<PresentationRequestView>>, ApiError> {
    Ok(axum::Json(state.app.my_presentation_requests(&who).await?))
}

/// Present to a request; verified at once with every check on.
#[utoipa::path(post, path = "/api/v1/me/presentation-requests/{request_id}/present", tag = "passport",
    security(("bearer" = [])), params(("request_id" = Uuid, Path)), request_body = Present,
    responses((status = 200, body = PresentationRequestView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn present(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Present>,
) -> Result<axum::Json<PresentationRequestView>, ApiError> {
    Ok(axum::Json(state.app.present(&who, id, input).await?))
}

/// Decline a request.
#[utoipa::path(post, path = "/api/v1/me/presentation-requests/{request_id}/decline", tag = "passport",
    security(("bearer" = [])), params(("request_id" = Uuid, Path)),
    responses((status = 200, body = PresentationRequestView), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn decline_presentation(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<PresentationRequestView>, ApiError> {
    Ok(axum::Json(state.app.decline_presentation(&who, id).await?))
}
