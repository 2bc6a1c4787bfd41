//! Wallet apps. OpenID4VCI 1.0: issuer and authorisation server metadata, the worker's credential
//! offer, and the token, nonce and credential endpoints of the pre-authorised code flow.
//! OpenID4VP 1.0: the worker's request as an authorisation request, and the verifier's response
//! URI. Refusals are problem documents that also carry the specification's `error` code.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::Value;
use staffbank_app::oid4vci::{CredentialOfferView, CredentialRequest, TokenRequest};
use staffbank_app::oid4vp::WalletResponse;
use staffbank_app::AppError;
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

const NO_STORE: [(axum::http::HeaderName, &str); 1] = [(CACHE_CONTROL, "no-store")];

/// The issuer's OpenID4VCI credential issuer metadata. Public.
#[utoipa::path(get, path = "/.well-known/openid-credential-issuer/issuers/{org_id}", tag = "passport",
    params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn issuer_metadata(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        state.app.credential_issuer_metadata(OrgId(org_id)).await?,
    ))
}

/// The issuer's OAuth authorisation server metadata (RFC 8414). Public.
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server/issuers/{org_id}", tag = "passport",
    params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn authorization_server_metadata(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .authorization_server_metadata(OrgId(org_id))
            .await?,
    ))
}

/// A credential offer (pre-authorised code) for one of the signed-in worker's offers, for a
/// wallet app.
#[utoipa::path(get, path = "/api/v1/me/passport/{credential_id}/credential-offer", tag = "passport",
    security(("bearer" = [])), params(("credential_id" = Uuid, Path)),
    responses((status = 200, body = CredentialOfferView), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn credential_offer(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let offer = state.app.credential_offer(&who, id).await?;
    Ok((NO_STORE, axum::Json(offer)))
}

/// The token endpoint: `grant_type` and `pre-authorized_code`, form-encoded.
#[utoipa::path(post, path = "/issuers/{org_id}/token", tag = "passport",
    params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
pub async fn token(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Form(input) =
        form.map_err(|e| AppError::Wallet("invalid_request", format!("a form-encoded body: {e}")))?;
    let answer = state.app.wallet_token(OrgId(org_id), input).await?;
    Ok((NO_STORE, axum::Json(answer)))
}

/// The nonce endpoint: a fresh `c_nonce` for a proof of possession.
#[utoipa::path(post, path = "/issuers/{org_id}/nonce", tag = "passport",
    params(("org_id" = Uuid, Path)), responses((status = 200, body = Object)))]
pub async fn nonce(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
) -> impl IntoResponse {
    (NO_STORE, axum::Json(state.app.wallet_nonce(OrgId(org_id))))
}

/// The credential endpoint: the access token as a bearer token, and one `jwt` proof.
#[utoipa::path(post, path = "/issuers/{org_id}/credential", tag = "passport",
    params(("org_id" = Uuid, Path)), request_body = CredentialRequest,
    responses((status = 200, body = Object), (status = 400, body = Problem),
        (status = 401, body = Problem)))]
pub async fn credential(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CredentialRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let issued = state
        .app
        .wallet_credential(OrgId(org_id), bearer, input)
        .await?;
    Ok((NO_STORE, axum::Json(issued)))
}

/// One of the signed-in worker's pending requests as an OpenID4VP authorisation request (DCQL,
/// `direct_post`), for a wallet app: the parameters and the `openid4vp://` link.
#[utoipa::path(get, path = "/api/v1/me/presentation-requests/{request_id}/authorization-request",
    tag = "passport", security(("bearer" = [])), params(("request_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn authorization_request(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let (params, uri) = state.app.my_authorization_request(&who, id).await?;
    Ok((
        NO_STORE,
        axum::Json(serde_json::json!({"authorization_request": params, "uri": uri})),
    ))
}

/// The verifier's response URI: a wallet app posts `vp_token` and `state` (or
/// `error=access_denied`, which declines only with the worker's own bearer token), form-encoded.
#[utoipa::path(post, path = "/verifiers/{org_id}/responses/{request_id}", tag = "passport",
    params(("org_id" = Uuid, Path), ("request_id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn wallet_response(
    State(state): State<AppState>,
    ApiPath((org_id, id)): ApiPath<(Uuid, Uuid)>,
    headers: HeaderMap,
    form: Result<Form<WalletResponse>, FormRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Form(input) =
        form.map_err(|e| AppError::Wallet("invalid_request", format!("a form-encoded body: {e}")))?;
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let who = match bearer {
        Some(token) => Some(state.app.authenticate(token).await?),
        None => None,
    };
    let answer = state
        .app
        .wallet_response(who.as_ref(), OrgId(org_id), id, input)
        .await?;
    Ok((NO_STORE, axum::Json(answer)))
}
