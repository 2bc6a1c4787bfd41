//! Credentials: recorded and revoked by compliance officers, read by the worker.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::credentials::{CredentialView, RecordCredential, RevokeCredential};
use staffbank_domain::{CredentialId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Record a credential for a worker (compliance officer of a trust the worker works with).
#[utoipa::path(post, path = "/api/v1/workers/{worker_id}/credentials", tag = "credentials",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)), request_body = RecordCredential,
    responses((status = 201, body = CredentialView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RecordCredential>,
) -> Result<(StatusCode, axum::Json<CredentialView>), ApiError> {
    let view = state
        .app
        .record_credential(&who, WorkerId(worker_id), input)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// A worker's credentials (the worker, or a compliance officer of a trust they work with).
#[utoipa::path(get, path = "/api/v1/workers/{worker_id}/credentials", tag = "credentials",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)),
    responses((status = 200, body = Vec<CredentialView>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
) -> Result<axum::Json<Vec<CredentialView>>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .worker_credentials(&who, WorkerId(worker_id))
            .await?,
    ))
}

/// The signed-in worker's credentials.
#[utoipa::path(get, path = "/api/v1/me/credentials", tag = "credentials", security(("bearer" = [])),
    responses((status = 200, body = Vec<CredentialView>), (status = 403, body = Problem)))]
pub async fn my_credentials(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<CredentialView>>, ApiError> {
    let worker = who.require_worker()?.id;
    Ok(axum::Json(
        state.app.worker_credentials(&who, worker).await?,
    ))
}

/// Revoke a credential (compliance officer of the trust that recorded it).
#[utoipa::path(post, path = "/api/v1/credentials/{credential_id}/revoke", tag = "credentials",
    security(("bearer" = [])), params(("credential_id" = Uuid, Path)), request_body = RevokeCredential,
    responses((status = 200, body = CredentialView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(credential_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RevokeCredential>,
) -> Result<axum::Json<CredentialView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .revoke_credential(&who, CredentialId(credential_id), input)
            .await?,
    ))
}
