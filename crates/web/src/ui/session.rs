//! Signing in to the UI: a session cookie (HttpOnly, SameSite=Lax) plus a per-session CSRF token in
//! every form. The sign-in form itself carries a token that matches a cookie set with the page
//! (double submit), so another site cannot sign a browser in to an account of its choosing
//! (login CSRF).

use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use serde::Deserialize;
use staffbank_app::{AppError, Principal};

use super::layout::{app_error_page, error_summary, page};
use crate::extract::ClientAddress;
use crate::AppState;

const COOKIE: &str = "staffbank_session";
/// The cookie holding the sign-in form's token, sent back only to the sign-in page.
const FORM_COOKIE: &str = "staffbank_sign_in";

/// The signed-in UI user; anyone else is sent to the sign-in page.
pub struct UiUser(pub Principal);

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        state
            .app
            .authenticate(&token)
            .await
            .map(Self)
            .map_err(app_error_page)
    }
}

/// Whether a form's CSRF token is this session's (compared in constant time).
pub fn csrf_ok(who: &Principal, submitted: &str) -> bool {
    same_secret(&who.session.csrf_token, submitted)
}

/// Whether two secrets are equal, compared in constant time.
fn same_secret(expected: &str, given: &str) -> bool {
    let expected = expected.as_bytes();
    let given = given.as_bytes();
    expected.len() == given.len()
        && expected
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The answer to a form with a wrong or missing CSRF token.
pub fn csrf_refused() -> Response {
    super::error_page(
        axum::http::StatusCode::FORBIDDEN,
        "This form has expired",
        "Go back, reload the page and try again.",
    )
}

fn sign_in_form(
    form_token: &str,
    email: &str,
    errors: &[String],
    buttons: &[staffbank_app::oidc::SignInButton],
) -> maud::Markup {
    html! {
        (error_summary(errors))
        h1 class="nhsuk-heading-xl" { "Sign in to Staffbank" }
        @if !buttons.is_empty() {
            h2 class="nhsuk-heading-m" { "With your organisation's account" }
            ul class="nhsuk-list" {
                @for b in buttons {
                    li {
                        a class="nhsuk-button nhsuk-button--secondary" href=(format!("/sign-in/oidc/{}", b.id)) {
                            (b.display_name)
                        }
                    }
                }
            }
            h2 class="nhsuk-heading-m" { "With a Staffbank password" }
        }
        form method="post" action="/sign-in" novalidate {
            input type="hidden" name="form_token" value=(form_token);
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="email" { "Email address" }
                input class="nhsuk-input" id="email" name="email" type="email" autocomplete="username"
                    spellcheck="false" value=(email);
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="password" { "Password" }
                input class="nhsuk-input" id="password" name="password" type="password" autocomplete="current-password";
            }
            button type="submit" class="nhsuk-button" { "Sign in" }
        }
        p { "New to Staffbank? " a href="/register" { "Register as a bank worker" } "." }
    }
}

/// The sign-in page with an error summary (none for a fresh page) and every provider's button,
/// with a new form token in the form and in its cookie.
async fn sign_in_with(
    state: &AppState,
    jar: CookieJar,
    email: &str,
    errors: &[String],
    status: axum::http::StatusCode,
) -> Response {
    let buttons = match state.app.sign_in_buttons().await {
        Ok(buttons) => buttons,
        Err(e) => return app_error_page(e),
    };
    let token = staffbank_app::auth::new_secret();
    let cookie = Cookie::build((FORM_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .path("/sign-in")
        .build();
    let mut response = page(
        "Sign in",
        None,
        sign_in_form(&token, email, errors, &buttons),
    );
    *response.status_mut() = status;
    (jar.add(cookie), response).into_response()
}

/// `GET /sign-in`.
pub async fn sign_in_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    sign_in_with(&state, jar, "", &[], axum::http::StatusCode::OK).await
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The session cookie for a new session: HttpOnly, SameSite=Lax, Secure behind HTTPS.
pub(super) fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .path("/")
        .build()
}

/// `POST /sign-in`: sets the session cookie and goes to the start page.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let expected = jar.get(FORM_COOKIE).map(|c| c.value().to_owned());
    if !expected.is_some_and(|t| !t.is_empty() && same_secret(&t, &form.form_token)) {
        // Not a form this browser was given: perhaps another site's, or an old page.
        let errors = [
            "This sign-in form had expired. Enter your email address and password again"
                .to_string(),
        ];
        return sign_in_with(
            &state,
            jar,
            &form.email,
            &errors,
            axum::http::StatusCode::FORBIDDEN,
        )
        .await;
    }
    match state
        .app
        .sign_in(&form.email, &form.password, address.as_deref())
        .await
    {
        Ok(signed_in) => (
            jar.remove(Cookie::build(FORM_COOKIE).path("/sign-in"))
                .add(session_cookie(&state, signed_in.token)),
            Redirect::to("/"),
        )
            .into_response(),
        Err(AppError::Unauthenticated) => {
            let errors = [
                "Enter a correct email address and password. If you have just \
                registered, confirm your email address first with the link we sent you"
                    .to_string(),
            ];
            sign_in_with(
                &state,
                jar,
                &form.email,
                &errors,
                axum::http::StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(AppError::Forbidden) => {
            let errors = [
                "Your organisation has turned off Staffbank passwords: sign in with \
                           your organisation's account instead"
                    .to_string(),
            ];
            sign_in_with(
                &state,
                jar,
                &form.email,
                &errors,
                axum::http::StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(AppError::TooManyAttempts(seconds)) => {
            let minutes = seconds.div_ceil(60);
            let errors = [format!(
                "Too many wrong passwords. Wait {minutes} minute{} and try again",
                if minutes == 1 { "" } else { "s" }
            )];
            let mut response = sign_in_with(
                &state,
                jar,
                &form.email,
                &errors,
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
            response
        }
        Err(other) => app_error_page(other),
    }
}

/// A form that carries only the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    if let Err(e) = state.app.sign_out(&who).await {
        return app_error_page(e);
    }
    (
        jar.remove(Cookie::build(COOKIE).path("/")),
        Redirect::to("/sign-in"),
    )
        .into_response()
}
