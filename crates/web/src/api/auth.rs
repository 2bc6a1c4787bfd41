//! Bearer tokens for API clients.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::extract::{ApiJson, Caller, ClientAddress};
use crate::problem::{ApiError, GeneralProblem, Problem};
use crate::AppState;

/// Email and password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Sign-in email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A bearer token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Token {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Sign in and get a bearer token. A registered account signs in once its holder has confirmed it
/// with the emailed link.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = Credentials,
    responses((status = 201, body = Token), (status = 401, body = crate::problem::Problem),
        (status = 403, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem, description = "Too many refused sign-ins for the account or from this address; the Retry-After header says how many seconds to wait")))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(input): ApiJson<Credentials>,
) -> Result<(StatusCode, axum::Json<Token>), ApiError> {
    let signed_in = state
        .app
        .sign_in(&input.email, &input.password, address.as_deref())
        .await
        .map_err(|e| match e {
            staffbank_app::AppError::Unauthenticated => ApiError::from(Problem::new(
                GeneralProblem::Unauthenticated,
                "the email or password is wrong, or the account is not confirmed yet: \
                 follow the link emailed when you registered",
            )),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Token {
            token: signed_in.token,
            expires_at: signed_in.expires_at,
        }),
    ))
}

/// Sign out: the token stops working.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::problem::Problem)))]
pub async fn delete_token(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<StatusCode, ApiError> {
    state.app.sign_out(&who).await?;
    Ok(StatusCode::NO_CONTENT)
}
