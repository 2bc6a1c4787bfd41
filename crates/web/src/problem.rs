//! RFC 9457 problem documents: the one place errors become HTTP responses.
//!
//! Every problem has a stable `type`, a URI reference under `/api/v1/problems/`, that clients can
//! branch on; the server documents each type at that address. Unexpected errors are logged in full
//! and answered with an opaque 500.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use staffbank_app::Conflict;
use staffbank_app::{AppError, FieldError};
use staffbank_domain::eligibility::Ineligibility;

/// A problem type that is not a refused write: a request that cannot be read, who is asking,
/// what is missing, what is invalid, and the server's own faults. With [`Conflict`], every problem
/// type there is, so a misspelt type cannot compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneralProblem {
    /// The body or a header could not be read.
    MalformedRequest,
    /// A write that must be idempotent came without its key.
    IdempotencyKeyRequired,
    /// No valid session or token.
    Unauthenticated,
    /// The caller's role does not allow this at all.
    Forbidden,
    /// Nothing the caller may see is there.
    NotFound,
    /// The address exists, but not for this method.
    MethodNotAllowed,
    /// A wallet app's OAuth / OpenID4VCI / OpenID4VP request was refused.
    WalletRequestRefused,
    /// The body is over the limit.
    PayloadTooLarge,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// Fields failed validation.
    ValidationError,
    /// The worker may not book the shift.
    NotEligible,
    /// Too many refused sign-ins for the account or from the address; `Retry-After` says when.
    TooManyRequests,
    /// The database is out of reach for a moment; `Retry-After` says when to try again.
    DatabaseUnavailable,
    /// Anything unexpected on the server's side.
    InternalError,
}

impl GeneralProblem {
    /// Every general problem type, for listing and documenting them.
    pub const ALL: &'static [GeneralProblem] = &[
        Self::MalformedRequest,
        Self::IdempotencyKeyRequired,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::WalletRequestRefused,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::ValidationError,
        Self::NotEligible,
        Self::TooManyRequests,
        Self::DatabaseUnavailable,
        Self::InternalError,
    ];

    /// Slug, status and title, in one place.
    const fn facts(self) -> (&'static str, u16, &'static str) {
        match self {
            Self::MalformedRequest => ("malformed-request", 400, "The request could not be read"),
            Self::IdempotencyKeyRequired => (
                "idempotency-key-required",
                400,
                "An Idempotency-Key header is required",
            ),
            Self::Unauthenticated => ("unauthenticated", 401, "Sign in to continue"),
            Self::Forbidden => ("forbidden", 403, "Your role does not allow this"),
            Self::NotFound => ("not-found", 404, "Not found"),
            Self::MethodNotAllowed => ("method-not-allowed", 405, "Method not allowed"),
            Self::WalletRequestRefused => (
                "wallet-request-refused",
                400,
                "The wallet's request was refused (see error)",
            ),
            Self::PayloadTooLarge => ("payload-too-large", 413, "The request body is too large"),
            Self::UnsupportedMediaType => (
                "unsupported-media-type",
                415,
                "Send the body as application/json",
            ),
            Self::ValidationError => ("validation-error", 422, "The request has invalid fields"),
            Self::NotEligible => ("not-eligible", 422, "You cannot book this shift"),
            Self::TooManyRequests => (
                "too-many-requests",
                429,
                "Too many attempts: wait, then try again",
            ),
            Self::DatabaseUnavailable => (
                "database-unavailable",
                503,
                "The service is unavailable for a moment: try again",
            ),
            Self::InternalError => ("internal-error", 500, "Something went wrong on our side"),
        }
    }
}

/// Every problem type the API answers with: a general one or a refused write. Its slug, status
/// and title come from here alone, and so do the documentation pages at each type's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// Not a refused write.
    General(GeneralProblem),
    /// A write refused because of the current state.
    Conflict(Conflict),
}

impl ProblemType {
    /// Every problem type clients can meet, each once.
    pub fn all() -> impl Iterator<Item = ProblemType> {
        let general = GeneralProblem::ALL.iter().copied().map(Self::General);
        let conflicts = Conflict::ALL
            .iter()
            .copied()
            .filter(|c| c.reaches_clients())
            .map(Self::Conflict);
        general.chain(conflicts)
    }

    /// The type named by `slug`, if clients can meet one.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::all().find(|t| t.slug() == slug)
    }

    /// The stable slug, the last segment of the type's URI.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::General(g) => g.facts().0,
            Self::Conflict(c) => c.slug(),
        }
    }

    /// The HTTP status it is answered with.
    pub const fn status(self) -> u16 {
        match self {
            Self::General(g) => g.facts().1,
            Self::Conflict(c) => c.status(),
        }
    }

    /// The short summary, the same for every occurrence.
    pub const fn title(self) -> &'static str {
        match self {
            Self::General(g) => g.facts().2,
            Self::Conflict(c) => c.title(),
        }
    }

    /// The type's URI reference, the problem document's `type`.
    pub fn uri(self) -> String {
        format!("/api/v1/problems/{}", self.slug())
    }
}

impl From<GeneralProblem> for ProblemType {
    fn from(value: GeneralProblem) -> Self {
        Self::General(value)
    }
}

impl From<Conflict> for ProblemType {
    fn from(value: Conflict) -> Self {
        Self::Conflict(value)
    }
}

/// How long a client is asked to wait before retrying while the database is out of reach.
pub const RETRY_UNAVAILABLE_SECONDS: u64 = 5;

/// An `application/problem+json` body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable problem type (a URI reference).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// This occurrence, for a person.
    pub detail: String,
    /// Each invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Each reason a worker may not book.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Ineligibility>,
    /// For a wallet app's request: the OAuth / OpenID4VCI / OpenID4VP error code, which those
    /// specifications put in `error` (e.g. `invalid_grant`, `invalid_proof`, `invalid_nonce`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The same occurrence for the wallet app (OAuth's `error_description`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// For too many attempts: the seconds to wait, sent as the `Retry-After` header (RFC 9110
    /// section 10.2.3) rather than in the body.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem of a known type with a detail message.
    pub fn new(kind: impl Into<ProblemType>, detail: impl Into<String>) -> Self {
        let kind = kind.into();
        Self {
            kind: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail: detail.into(),
            errors: vec![],
            reasons: vec![],
            error: None,
            error_description: None,
            retry_after: None,
        }
    }

    /// A problem for an HTTP status that arrived without one (from the framework).
    pub fn for_status(status: StatusCode) -> Self {
        let kind = match status.as_u16() {
            400 => GeneralProblem::MalformedRequest,
            401 => GeneralProblem::Unauthenticated,
            403 => GeneralProblem::Forbidden,
            404 => GeneralProblem::NotFound,
            405 => GeneralProblem::MethodNotAllowed,
            413 => GeneralProblem::PayloadTooLarge,
            415 => GeneralProblem::UnsupportedMediaType,
            422 => GeneralProblem::ValidationError,
            429 => GeneralProblem::TooManyRequests,
            503 => GeneralProblem::DatabaseUnavailable,
            _ => GeneralProblem::InternalError,
        };
        let mut problem = Self::new(kind, status.canonical_reason().unwrap_or("error"));
        problem.status = status.as_u16();
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthenticated = status == StatusCode::UNAUTHORIZED;
        let retry_after = self.retry_after;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthenticated => Self::new(
                GeneralProblem::Unauthenticated,
                "sign in, or send a valid bearer token",
            ),
            AppError::Forbidden => {
                Self::new(GeneralProblem::Forbidden, "your role does not allow this")
            }
            AppError::NotFound => Self::new(
                GeneralProblem::NotFound,
                "there is nothing here you can see",
            ),
            AppError::Validation(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem = Self::new(GeneralProblem::ValidationError, detail);
                problem.errors = errors;
                problem
            }
            AppError::Ineligible(reasons) => {
                let detail = reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem = Self::new(GeneralProblem::NotEligible, detail);
                problem.reasons = reasons;
                problem
            }
            AppError::Conflict(conflict, detail) => Self::new(conflict, detail),
            AppError::Wallet(code, detail) => {
                let kind = if code == "invalid_token" {
                    GeneralProblem::Unauthenticated
                } else {
                    GeneralProblem::WalletRequestRefused
                };
                let mut problem = Self::new(kind, detail.clone());
                problem.error = Some(code.to_owned());
                problem.error_description = Some(detail);
                problem
            }
            AppError::TooManyAttempts(seconds) => {
                let mut problem = Self::new(
                    GeneralProblem::TooManyRequests,
                    format!("too many refused sign-ins: try again in {seconds} seconds"),
                );
                problem.retry_after = Some(seconds);
                problem
            }
            AppError::Unavailable(e) => {
                tracing::warn!(error = ?e, "database unavailable");
                let mut problem = Self::new(
                    GeneralProblem::DatabaseUnavailable,
                    "the database is unavailable for a moment: send the same request again \
                     (with the same Idempotency-Key, it cannot be done twice)",
                );
                problem.retry_after = Some(RETRY_UNAVAILABLE_SECONDS);
                problem
            }
            AppError::Unexpected(e) => {
                tracing::error!(error = ?e, "unexpected error");
                Self::new(GeneralProblem::InternalError, "the error has been logged")
            }
        }
    }
}

/// An API handler's error: any app error, answered as a problem.
pub struct ApiError(pub Problem);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error.into())
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self(problem)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_problem_type_has_its_own_slug() {
        let mut seen = HashSet::new();
        for kind in ProblemType::all() {
            assert!(seen.insert(kind.slug()), "{kind:?} repeats a slug");
            assert_eq!(ProblemType::from_slug(kind.slug()), Some(kind));
        }
    }

    #[test]
    fn every_conflict_clients_meet_answers_409_or_422() {
        for conflict in Conflict::ALL.iter().filter(|c| c.reaches_clients()) {
            let problem = Problem::from(AppError::Conflict(*conflict, "x".into()));
            assert!(
                problem.status == 409 || problem.status == 422,
                "{conflict:?} answers {}",
                problem.status
            );
            assert_eq!(problem.kind, ProblemType::from(*conflict).uri());
        }
    }

    #[test]
    fn conflicts_clients_never_meet_have_no_problem_type() {
        for conflict in Conflict::ALL.iter().filter(|c| !c.reaches_clients()) {
            assert_eq!(ProblemType::from_slug(conflict.slug()), None);
        }
    }
}
