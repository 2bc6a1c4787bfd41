//! Web Push: the platform's VAPID key and the signed-in worker's subscribed browsers.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use staffbank_app::push_subscriptions::{NewPushSubscription, PushSubscriptionView};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The key browsers subscribe with.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VapidKeyView {
    /// Uncompressed P-256 public key, base64url: `applicationServerKey` for
    /// `PushManager.subscribe` (RFC 8292).
    pub public_key: String,
}

/// The platform's public VAPID key (public; no sign-in needed).
#[utoipa::path(get, path = "/api/v1/push/vapid-public-key", tag = "push",
    responses((status = 200, body = VapidKeyView)))]
pub async fn vapid_public_key(
    State(state): State<AppState>,
) -> Result<axum::Json<VapidKeyView>, ApiError> {
    Ok(axum::Json(VapidKeyView {
        public_key: state.app.push_public_key()?,
    }))
}

/// The signed-in worker's browsers that get alerts.
#[utoipa::path(get, path = "/api/v1/me/push-subscriptions", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = [PushSubscriptionView]), (status = 403, body = Problem)))]
pub async fn my_subscriptions(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<PushSubscriptionView>>, ApiError> {
    Ok(axum::Json(state.app.my_push_subscriptions(&who).await?))
}

/// Alert this browser: store what `PushManager.subscribe` returned. The endpoint must be https.
#[utoipa::path(post, path = "/api/v1/me/push-subscriptions", tag = "push", security(("bearer" = [])),
    request_body = NewPushSubscription,
    responses((status = 201, body = PushSubscriptionView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn subscribe(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<NewPushSubscription>,
) -> Result<(StatusCode, axum::Json<PushSubscriptionView>), ApiError> {
    let stored = state.app.add_push_subscription(&who, input).await?;
    Ok((StatusCode::CREATED, axum::Json(stored)))
}

/// Stop alerting one of the signed-in worker's browsers.
#[utoipa::path(delete, path = "/api/v1/me/push-subscriptions/{subscription_id}", tag = "push",
    security(("bearer" = [])), params(("subscription_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_push_subscription(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
