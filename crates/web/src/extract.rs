//! Request extractors whose every rejection is a problem document, never a bare framework error.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use staffbank_app::{AppError, FieldError, Principal};

use crate::problem::{ApiError, GeneralProblem, Problem};
use crate::AppState;

/// JSON body: unknown fields, wrong types, bad syntax, wrong media type and oversize bodies all
/// become problems that say what was wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_problem(rejection).into()),
        }
    }
}

fn json_problem(rejection: JsonRejection) -> Problem {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => {
            let mut problem = Problem::new(GeneralProblem::ValidationError, text.clone());
            problem.errors = vec![data_error_field(&text)];
            problem
        }
        JsonRejection::JsonSyntaxError(_) => Problem::new(GeneralProblem::MalformedRequest, text),
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            GeneralProblem::UnsupportedMediaType,
            "send the body with Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(ref bytes) if bytes.status().as_u16() == 413 => Problem::new(
            GeneralProblem::PayloadTooLarge,
            "the request body is larger than allowed",
        ),
        _ => Problem::new(GeneralProblem::MalformedRequest, text),
    }
}

/// Names the field of a JSON data error: serde reports `path: message` after axum's prefix.
fn data_error_field(text: &str) -> FieldError {
    let detail = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest);
    match detail.split_once(": ") {
        Some((path, message)) if !path.contains(' ') && path != "." => {
            FieldError::new(path, message)
        }
        _ => FieldError::new("body", detail),
    }
}

/// Path parameters: a malformed id is a 404, since no such object can exist.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => {
                let _: &PathRejection = &rejection;
                Err(
                    Problem::new(GeneralProblem::NotFound, "there is nothing at this address")
                        .into(),
                )
            }
        }
    }
}

/// Query string: bad values are validation problems naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                let _: &QueryRejection = &rejection;
                Err(AppError::field("query", rejection.body_text()).into())
            }
        }
    }
}

/// The bearer token of an API request, from `Authorization: Bearer <token>`, not yet looked up:
/// for an endpoint that reads the session together with what it needs.
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self(token.to_owned()))
    }
}

/// The caller of an API request, from `Authorization: Bearer <token>`.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let BearerToken(token) = BearerToken::from_request_parts(parts, state).await?;
        Ok(Self(state.app.authenticate(&token).await?))
    }
}

/// The client's network address, for slowing password guessing per address: the connection's
/// peer, or, when the peer is one of the reverse proxies the server was told to trust, the last
/// address that proxy added to `X-Forwarded-For` (earlier entries are the client's own claims).
/// `None` when the server was not given connection details (as in some tests).
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        let Some(peer) = peer else {
            return Ok(Self(None));
        };
        if state.trusted_proxies.contains(&peer) {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .next_back();
            if let Some(client) = forwarded {
                return Ok(Self(Some(client.to_string())));
            }
        }
        Ok(Self(Some(peer.to_string())))
    }
}
