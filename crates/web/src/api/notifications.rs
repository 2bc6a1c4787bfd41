//! Undelivered messages for the bank office: notifications given up on after too many failed
//! attempts, and trying one again.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::notify::settings::NotificationSettings;
use staffbank_app::notify::undelivered::UndeliveredView;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Messages to your trust's workers and ward managers that could not be delivered, newest first.
#[utoipa::path(get, path = "/api/v1/undelivered-messages", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<UndeliveredView>), (status = 403, body = Problem)))]
pub async fn undelivered(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<UndeliveredView>>, ApiError> {
    Ok(axum::Json(state.app.undelivered(&who).await?))
}

/// Try an undelivered message again (after fixing its cause): it is queued at once with its
/// attempts reset.
#[utoipa::path(post, path = "/api/v1/undelivered-messages/{message_id}/retry",
    tag = "notifications", security(("bearer" = [])), params(("message_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.retry_undelivered(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your notification settings: which channels reach you and, for workers, which offers you hear
/// about and your quiet hours. A ward manager's are the channels their escalations come by (the
/// offer filters are null).
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings), (status = 403, body = Problem)))]
pub async fn my_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<NotificationSettings>, ApiError> {
    Ok(axum::Json(state.app.my_notification_settings(&who).await?))
}

/// Change your notification settings, whole; they apply to every message sent from now on. A ward
/// manager sets channels only: any offer filter given is refused.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications",
    security(("bearer" = [])), request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_my_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<NotificationSettings>,
) -> Result<axum::Json<NotificationSettings>, ApiError> {
    Ok(axum::Json(
        state.app.set_my_notification_settings(&who, input).await?,
    ))
}
