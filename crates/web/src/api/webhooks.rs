//! A trust's webhook subscribers through the API: register (the secret is in this answer only),
//! list, remove, and try a dead-lettered one again. Another trust's subscriber answers 404.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use staffbank_app::webhooks::{RegisteredWebhook, WebhookInput, WebhookView};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Register a subscriber for the caller's trust (its bookers). The answer holds the signing
/// secret, which is never shown again.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "events", security(("bearer" = [])),
    request_body = WebhookInput,
    responses((status = 201, body = RegisteredWebhook), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn register_webhook(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<(StatusCode, axum::Json<RegisteredWebhook>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.register_webhook(&who, input).await?),
    ))
}

/// The subscribers of the trusts the caller books for, with where their deliveries stand.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 403, body = Problem)))]
pub async fn webhooks(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<WebhookView>>, ApiError> {
    Ok(axum::Json(state.app.webhooks(&who).await?))
}

/// One subscriber of the caller's trust.
#[utoipa::path(get, path = "/api/v1/webhooks/{webhook_id}", tag = "events",
    security(("bearer" = [])), params(("webhook_id" = Uuid, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem)))]
pub async fn webhook(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<WebhookView>, ApiError> {
    let hook = state.app.webhook(&who, id).await?;
    Ok(axum::Json(WebhookView::from(&hook)))
}

/// Remove a subscriber of the caller's trust: nothing more is sent to it.
#[utoipa::path(delete, path = "/api/v1/webhooks/{webhook_id}", tag = "events",
    security(("bearer" = [])), params(("webhook_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_webhook(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_webhook(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a dead-lettered subscriber's waiting event again now, then carry on in order.
#[utoipa::path(post, path = "/api/v1/webhooks/{webhook_id}/retry", tag = "events",
    security(("bearer" = [])), params(("webhook_id" = Uuid, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem)))]
pub async fn retry_webhook(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<WebhookView>, ApiError> {
    Ok(axum::Json(state.app.retry_webhook(&who, id).await?))
}

/// The webhook routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhooks", post(register_webhook).get(webhooks))
        .route(
            "/api/v1/webhooks/{webhook_id}",
            get(webhook).delete(remove_webhook),
        )
        .route("/api/v1/webhooks/{webhook_id}/retry", post(retry_webhook))
}
