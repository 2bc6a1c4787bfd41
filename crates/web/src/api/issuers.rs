//! The passport's issuers: key rotation, the published metadata and `did:web` documents, and the
//! trust framework.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
use staffbank_app::issuers::{IssuerKeyView, SetTrust, TrustView};
use staffbank_app::refreshers::RefresherPeriod;
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Generate a new signing key for an organisation's issuer and make it current (its compliance
/// officers and credential issuers, or a platform administrator). The private key never leaves
/// the server.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/issuer-keys", tag = "passport",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 201, body = IssuerKeyView), (status = 404, body = Problem)))]
pub async fn rotate_key(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<(StatusCode, axum::Json<IssuerKeyView>), ApiError> {
    let view = state.app.rotate_issuer_key(&who, OrgId(org_id)).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// JWT VC issuer metadata: the issuer identifier and every key it signs with or has signed with.
#[utoipa::path(get, path = "/.well-known/jwt-vc-issuer/issuers/{org_id}", tag = "passport",
    params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn metadata(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(state.app.issuer_metadata(OrgId(org_id)).await?))
}

/// The issuer's `did:web` document.
#[utoipa::path(get, path = "/issuers/{org_id}/did.json", tag = "passport",
    params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn did_document(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        state.app.issuer_did_document(OrgId(org_id)).await?,
    ))
}

/// The trust framework: which issuer is trusted for which credential type. Public.
#[utoipa::path(get, path = "/api/v1/trust-framework", tag = "passport",
    responses((status = 200, body = Vec<TrustView>)))]
pub async fn trust_framework(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<TrustView>>, ApiError> {
    Ok(axum::Json(state.app.trust_framework().await?))
}

/// Trust an issuer for a credential type, or stop trusting it (platform administrators).
#[utoipa::path(put, path = "/api/v1/trust-framework", tag = "passport", security(("bearer" = [])),
    request_body = SetTrust,
    responses((status = 200, body = TrustView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_trust(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<SetTrust>,
) -> Result<axum::Json<TrustView>, ApiError> {
    Ok(axum::Json(state.app.set_trust(&who, input).await?))
}

/// The Core Skills Training refresher periods: months per subject and level. Public, like the
/// trust framework, so anyone can see why a training credential lapses when it does.
#[utoipa::path(get, path = "/api/v1/refresher-periods", tag = "passport",
    responses((status = 200, body = Vec<RefresherPeriod>)))]
pub async fn refresher_periods(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<RefresherPeriod>>, ApiError> {
    Ok(axum::Json(state.app.refresher_periods().await?))
}

/// Replace every refresher period (platform administrators).
#[utoipa::path(put, path = "/api/v1/refresher-periods", tag = "passport", security(("bearer" = [])),
    request_body = Vec<RefresherPeriod>,
    responses((status = 200, body = Vec<RefresherPeriod>), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_refresher_periods(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<Vec<RefresherPeriod>>,
) -> Result<axum::Json<Vec<RefresherPeriod>>, ApiError> {
    Ok(axum::Json(
        state.app.set_refresher_periods(&who, input).await?,
    ))
}
