//! Workers: registration, profile, joining banks.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::confirmation::ConfirmAccount;
use staffbank_app::views::UserView;
use staffbank_app::workers::{JoinBank, RegisterWorker, WorkingTimeChoice};

use crate::extract::{ApiJson, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "workers", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<UserView>, ApiError> {
    Ok(axum::Json(state.app.me(&who).await?))
}

/// Register as a bank worker. The account signs in once confirmed with the link emailed to it.
/// An email that already has an account is answered the same way (and nothing changes; the
/// address is told someone tried), so this cannot tell anyone who has an account.
#[utoipa::path(post, path = "/api/v1/workers", tag = "workers", request_body = RegisterWorker,
    responses((status = 201, body = UserView), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RegisterWorker>,
) -> Result<(StatusCode, axum::Json<UserView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.register_worker(input).await?),
    ))
}

/// Confirm a registered account with the token of the link emailed to it: from then on it can
/// sign in. Each link works once, until it expires.
#[utoipa::path(post, path = "/api/v1/account-confirmations", tag = "workers",
    request_body = ConfirmAccount,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn confirm_account(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ConfirmAccount>,
) -> Result<StatusCode, ApiError> {
    state.app.confirm_account(input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Join a bank.
#[utoipa::path(post, path = "/api/v1/me/banks", tag = "workers", security(("bearer" = [])),
    request_body = JoinBank, responses((status = 200, body = UserView), (status = 422, body = Problem)))]
pub async fn join_bank(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<JoinBank>,
) -> Result<axum::Json<UserView>, ApiError> {
    Ok(axum::Json(state.app.join_bank(&who, input).await?))
}

/// Opt out of (or back in to) the 48-hour average weekly limit.
#[utoipa::path(post, path = "/api/v1/me/working-time", tag = "workers", security(("bearer" = [])),
    request_body = WorkingTimeChoice, responses((status = 200, body = UserView), (status = 403, body = Problem)))]
pub async fn working_time(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<WorkingTimeChoice>,
) -> Result<axum::Json<UserView>, ApiError> {
    Ok(axum::Json(
        state.app.set_working_time_choice(&who, input).await?,
    ))
}
