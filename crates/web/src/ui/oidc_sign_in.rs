//! Signing in with an organisation's OpenID Connect provider: the button's start, which sends
//! the browser to the provider, and the callback it comes back to (OpenID Connect Core 1.0
//! section 3.1.2.5). The state also goes in a short-lived cookie, so a callback only counts in
//! the browser that started it (RFC 6749 section 10.12).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use staffbank_app::oidc_sign_in::OidcRefusal;
use staffbank_app::AppError;
use uuid::Uuid;

use super::layout::{app_error_page, error_page};
use super::session::session_cookie;
use crate::extract::ApiPath;
use crate::AppState;

const STATE_COOKIE: &str = "staffbank_oidc_state";
const STATE_PATH: &str = "/sign-in/oidc";

/// `GET /sign-in/oidc/{provider_id}`: off to the provider's sign-in pages.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiPath(provider): ApiPath<Uuid>,
) -> Response {
    match state.app.start_oidc_sign_in(provider).await {
        Ok(start) => {
            let cookie = Cookie::build((STATE_COOKIE, start.state))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.secure_cookies)
                .path(STATE_PATH)
                .build();
            (jar.add(cookie), Redirect::to(&start.redirect_to)).into_response()
        }
        Err(AppError::Unexpected(e)) => {
            tracing::warn!(error = %e, "could not start OpenID sign-in");
            error_page(
                StatusCode::BAD_GATEWAY,
                "Your organisation's sign-in is not answering",
                "Try again in a few minutes, or sign in with a Staffbank password if you have one.",
            )
        }
        Err(other) => app_error_page(other),
    }
}

/// What the provider sends back (an `error` instead of a `code` when it refused).
#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: String,
}

/// `GET /sign-in/oidc/callback`: signed in and on to the start page, or a page saying why not.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    query: Result<Query<CallbackQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return refused(OidcRefusal::UnknownState);
    };
    let cookie_state = jar.get(STATE_COOKIE).map(|c| c.value().to_owned());
    let jar = jar.remove(Cookie::build(STATE_COOKIE).path(STATE_PATH));
    match state
        .app
        .finish_oidc_sign_in(&query.state, cookie_state.as_deref(), &query.code)
        .await
    {
        Ok(Ok(signed_in)) => (
            jar.add(session_cookie(&state, signed_in.token)),
            Redirect::to("/"),
        )
            .into_response(),
        Ok(Err(refusal)) => (jar, refused(refusal)).into_response(),
        Err(e) => app_error_page(e),
    }
}

fn refused(refusal: OidcRefusal) -> Response {
    let status = match refusal {
        OidcRefusal::UnknownState => StatusCode::BAD_REQUEST,
        _ => StatusCode::FORBIDDEN,
    };
    error_page(status, refusal.title(), refusal.advice())
}
