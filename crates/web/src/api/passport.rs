//! The passport from issuer to wallet: offers, acceptance with proof of possession, the wallet,
//! revocation, and the published status list.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use staffbank_app::paper::{CheckPaper, PaperCredential};
use staffbank_app::passport::{
    AcceptCredential, OfferCredential, PassportCredentialView, SetRevocation,
};
use staffbank_domain::{OrgId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Offer a credential to a worker (compliance officer of a trust they work with).
#[utoipa::path(post, path = "/api/v1/workers/{worker_id}/passport-offers", tag = "passport",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)), request_body = OfferCredential,
    responses((status = 201, body = PassportCredentialView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn offer_credential(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<OfferCredential>,
) -> Result<(StatusCode, axum::Json<PassportCredentialView>), ApiError> {
    let view = state
        .app
        .offer_passport_credential(&who, WorkerId(worker_id), input)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// The signed-in worker's passport: offers waiting, credentials held, those turned down.
#[utoipa::path(get, path = "/api/v1/me/passport", tag = "passport", security(("bearer" = [])),
    responses((status = 200, body = Vec<PassportCredentialView>), (status = 403, body = Problem)))]
pub async fn my_passport(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<PassportCredentialView>>, ApiError> {
    Ok(axum::Json(state.app.my_passport(&who).await?))
}

/// Accept an offered credential, proving possession of the key it will be bound to.
#[utoipa::path(post, path = "/api/v1/me/passport/{credential_id}/accept", tag = "passport",
    security(("bearer" = [])), params(("credential_id" = Uuid, Path)), request_body = AcceptCredential,
    responses((status = 200, body = PassportCredentialView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_credential(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AcceptCredential>,
) -> Result<axum::Json<PassportCredentialView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .accept_passport_credential(&who, id, input)
            .await?,
    ))
}

/// Turn an offered credential down.
#[utoipa::path(post, path = "/api/v1/me/passport/{credential_id}/reject", tag = "passport",
    security(("bearer" = [])), params(("credential_id" = Uuid, Path)),
    responses((status = 200, body = PassportCredentialView), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn reject_credential(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<PassportCredentialView>, ApiError> {
    Ok(axum::Json(
        state.app.reject_passport_credential(&who, id).await?,
    ))
}

/// Revoke, suspend or reinstate a credential (its issuer's compliance officers).
#[utoipa::path(post, path = "/api/v1/passport-credentials/{credential_id}/revocation", tag = "passport",
    security(("bearer" = [])), params(("credential_id" = Uuid, Path)), request_body = SetRevocation,
    responses((status = 200, body = PassportCredentialView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_revocation(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SetRevocation>,
) -> Result<axum::Json<PassportCredentialView>, ApiError> {
    Ok(axum::Json(
        state.app.set_passport_revocation(&who, id, input).await?,
    ))
}

/// Which of the issuer's keys signs its status list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusListQuery {
    /// The signing key's id; each credential's status URI names the key that signed it. Without
    /// it, the current key signs.
    pub kid: Option<Uuid>,
}

/// The issuer's Token Status List, signed by the key named (`application/statuslist+jwt`).
/// Public.
#[utoipa::path(get, path = "/issuers/{org_id}/status-list", tag = "passport",
    params(("org_id" = Uuid, Path), StatusListQuery),
    responses((status = 200, body = String, content_type = "application/statuslist+jwt"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn status_list(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<StatusListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let token = state
        .app
        .status_list_token(OrgId(org_id), query.kid)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/statuslist+jwt"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        token,
    ))
}

/// The signed-in worker's paper passport: a fresh copy of each valid credential, every claim
/// disclosed, no key binding, for a QR code.
#[utoipa::path(get, path = "/api/v1/me/paper-passport", tag = "passport", security(("bearer" = [])),
    responses((status = 200, body = Vec<PaperCredential>), (status = 403, body = Problem)))]
pub async fn paper_passport(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<PaperCredential>>, ApiError> {
    Ok(axum::Json(state.app.paper_passport(&who).await?))
}

/// Check a paper credential (any trust's compliance officer): every check but key binding, which
/// the officer does in person against photo ID.
#[utoipa::path(post, path = "/api/v1/paper-checks", tag = "passport", security(("bearer" = [])),
    request_body = CheckPaper,
    responses((status = 200, body = Object), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn check_paper(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<CheckPaper>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    Ok(axum::Json(
        state.app.verify_paper(&who, &input.credential).await?,
    ))
}
