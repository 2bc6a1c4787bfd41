//! Organisations' OpenID Connect providers and linked subjects (platform admin). Client secrets
//! go in and never come out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use staffbank_app::oidc::{LinkInput, ProviderInput, ProviderView};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Add an organisation's OpenID Connect provider (platform admin).
#[utoipa::path(post, path = "/api/v1/oidc-providers", tag = "admin", security(("bearer" = [])),
    request_body = ProviderInput,
    responses((status = 201, body = ProviderView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_provider(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<ProviderInput>,
) -> Result<(StatusCode, axum::Json<ProviderView>), ApiError> {
    let view = state.app.save_oidc_provider(&who, None, input).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Every OpenID Connect provider, without secrets (platform admin).
#[utoipa::path(get, path = "/api/v1/oidc-providers", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProviderView>), (status = 403, body = Problem)))]
pub async fn providers(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<ProviderView>>, ApiError> {
    Ok(axum::Json(state.app.oidc_providers(&who).await?))
}

/// One OpenID Connect provider, without its secret (platform admin).
#[utoipa::path(get, path = "/api/v1/oidc-providers/{provider_id}", tag = "admin", security(("bearer" = [])),
    params(("provider_id" = Uuid, Path)),
    responses((status = 200, body = ProviderView), (status = 404, body = Problem)))]
pub async fn provider(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<ProviderView>, ApiError> {
    Ok(axum::Json(state.app.oidc_provider(&who, id).await?))
}

/// Change an OpenID Connect provider; leave out `client_secret` to keep it (platform admin).
#[utoipa::path(put, path = "/api/v1/oidc-providers/{provider_id}", tag = "admin", security(("bearer" = [])),
    params(("provider_id" = Uuid, Path)), request_body = ProviderInput,
    responses((status = 200, body = ProviderView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_provider(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ProviderInput>,
) -> Result<axum::Json<ProviderView>, ApiError> {
    Ok(axum::Json(
        state.app.save_oidc_provider(&who, Some(id), input).await?,
    ))
}

/// Remove an OpenID Connect provider with its links (platform admin); its organisation's
/// passwords work again.
#[utoipa::path(delete, path = "/api/v1/oidc-providers/{provider_id}", tag = "admin", security(("bearer" = [])),
    params(("provider_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_provider(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_oidc_provider(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Link a provider's subject to an account of its organisation (platform admin); an account of
/// another organisation is a 404.
#[utoipa::path(post, path = "/api/v1/oidc-providers/{provider_id}/links", tag = "admin", security(("bearer" = [])),
    params(("provider_id" = Uuid, Path)), request_body = LinkInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn link_subject(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<StatusCode, ApiError> {
    state.app.link_oidc_subject(&who, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The providers' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/oidc-providers",
            post(create_provider).get(providers),
        )
        .route(
            "/api/v1/oidc-providers/{provider_id}",
            get(provider).put(update_provider).delete(remove_provider),
        )
        .route(
            "/api/v1/oidc-providers/{provider_id}/links",
            post(link_subject),
        )
}
