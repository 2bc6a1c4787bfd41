//! RFC 9457 problem documents: the one place errors become HTTP responses.
//!
//! Every problem has a stable `type`, a URI reference under `/api/v1/problems/`, that clients can
//! branch on; the server documents each type at that address. Unexpected errors are logged in full
//! and answered with an opaque 500.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use staffbank_app::{AppError, ConflictKind, FieldError};
use staffbank_domain::eligibility::Ineligibility;

/// Every problem type: slug, status, title.
pub const PROBLEM_TYPES: &[(&str, u16, &str)] = &[
    ("malformed-request", 400, "The request could not be read"),
    (
        "idempotency-key-required",
        400,
        "An Idempotency-Key header is required",
    ),
    ("unauthenticated", 401, "Sign in to continue"),
    ("forbidden", 403, "Your role does not allow this"),
    ("not-found", 404, "Not found"),
    ("method-not-allowed", 405, "Method not allowed"),
    ("shift-full", 409, "Every place on this shift is taken"),
    ("shift-not-open", 409, "This shift is not open for booking"),
    (
        "bookings-changed",
        409,
        "Your other bookings changed while this one was checked: send it again",
    ),
    ("shift-started", 409, "The shift has already started"),
    (
        "overlapping-booking",
        409,
        "You already hold a booking that overlaps this shift",
    ),
    ("already-cancelled", 409, "The booking is already cancelled"),
    ("email-taken", 409, "An account with this email exists"),
    (
        "ods-code-taken",
        409,
        "An organisation with this ODS code exists",
    ),
    (
        "working-time",
        409,
        "With your other bookings this would break the working-time rules",
    ),
    ("already-revoked", 409, "The credential is already revoked"),
    (
        "already-at-agency",
        409,
        "The shift has already been released to agency",
    ),
    (
        "book-by-request",
        409,
        "This ward approves its bookings: request the shift",
    ),
    (
        "already-requested",
        409,
        "You have already requested this shift",
    ),
    (
        "request-decided",
        409,
        "The request has already been decided",
    ),
    (
        "wallet-request-refused",
        400,
        "The wallet's request was refused (see error)",
    ),
    (
        "already-paid",
        409,
        "This shift is already paid to this worker for this date",
    ),
    (
        "pay-run-closed",
        409,
        "The pay run for this period is already closed",
    ),
    (
        "advance-too-large",
        409,
        "That is more than may be drawn now",
    ),
    (
        "already-signed-on",
        409,
        "The booking is already signed on (or off)",
    ),
    (
        "smartcard-taken",
        409,
        "The smartcard is recorded for another worker",
    ),
    (
        "escalation-resolved",
        409,
        "The escalation is already resolved",
    ),
    (
        "premium-not-raised",
        409,
        "A shift's premium only ever rises",
    ),
    (
        "not-booked-worker",
        409,
        "Not the booked worker: the shift is flagged unfulfilled and the ward manager told",
    ),
    ("payload-too-large", 413, "The request body is too large"),
    (
        "unsupported-media-type",
        415,
        "Send the body as application/json",
    ),
    ("validation-error", 422, "The request has invalid fields"),
    ("not-eligible", 422, "You cannot book this shift"),
    (
        "idempotency-key-reused",
        422,
        "This Idempotency-Key was used for a different request",
    ),
    ("internal-error", 500, "Something went wrong on our side"),
];

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
}

impl Problem {
    /// A problem of a known type with a detail message.
    pub fn new(slug: &str, detail: impl Into<String>) -> Self {
        let (status, title) = PROBLEM_TYPES
            .iter()
            .find(|(s, _, _)| *s == slug)
            .map(|(_, status, title)| (*status, *title))
            .unwrap_or((500, "Something went wrong on our side"));
        Self {
            kind: format!("/api/v1/problems/{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            errors: vec![],
            reasons: vec![],
            error: None,
            error_description: None,
        }
    }

    /// A problem for an HTTP status that arrived without one (from the framework).
    pub fn for_status(status: StatusCode) -> Self {
        let slug = match status.as_u16() {
            400 => "malformed-request",
            401 => "unauthenticated",
            403 => "forbidden",
            404 => "not-found",
            405 => "method-not-allowed",
            413 => "payload-too-large",
            415 => "unsupported-media-type",
            422 => "validation-error",
            _ => "internal-error",
        };
        let mut problem = Self::new(slug, status.canonical_reason().unwrap_or("error"));
        problem.status = status.as_u16();
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthenticated = status == StatusCode::UNAUTHORIZED;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn conflict_slug(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::ShiftFull => "shift-full",
        ConflictKind::ShiftNotOpen => "shift-not-open",
        ConflictKind::OverlappingBooking => "overlapping-booking",
        ConflictKind::IdempotencyKeyReused => "idempotency-key-reused",
        ConflictKind::AlreadyCancelled => "already-cancelled",
        ConflictKind::ShiftStarted => "shift-started",
        ConflictKind::EmailTaken => "email-taken",
        ConflictKind::OdsCodeTaken => "ods-code-taken",
        ConflictKind::WorkingTime => "working-time",
        ConflictKind::AlreadyRevoked => "already-revoked",
        ConflictKind::AlreadyAtAgency => "already-at-agency",
        ConflictKind::BookByRequest => "book-by-request",
        ConflictKind::AlreadyRequested => "already-requested",
        ConflictKind::RequestDecided => "request-decided",
        ConflictKind::AlreadyPaid => "already-paid",
        ConflictKind::RunClosed => "pay-run-closed",
        ConflictKind::AdvanceTooLarge => "advance-too-large",
        ConflictKind::AlreadySignedOn => "already-signed-on",
        ConflictKind::SmartcardTaken => "smartcard-taken",
        ConflictKind::PremiumNotRaised => "premium-not-raised",
        ConflictKind::EscalationResolved => "escalation-resolved",
        ConflictKind::NotBookedWorker => "not-booked-worker",
        ConflictKind::BookingsChanged => "bookings-changed",
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthenticated => {
                Self::new("unauthenticated", "sign in, or send a valid bearer token")
            }
            AppError::Forbidden => Self::new("forbidden", "your role does not allow this"),
            AppError::NotFound => Self::new("not-found", "there is nothing here you can see"),
            AppError::Validation(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem = Self::new("validation-error", detail);
                problem.errors = errors;
                problem
            }
            AppError::Ineligible(reasons) => {
                let detail = reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem = Self::new("not-eligible", detail);
                problem.reasons = reasons;
                problem
            }
            AppError::Conflict(kind, detail) => Self::new(conflict_slug(kind), detail),
            AppError::Wallet(code, detail) => {
                let slug = if code == "invalid_token" {
                    "unauthenticated"
                } else {
                    "wallet-request-refused"
                };
                let mut problem = Self::new(slug, detail.clone());
                problem.error = Some(code.to_owned());
                problem.error_description = Some(detail);
                problem
            }
            AppError::Unexpected(e) => {
                tracing::error!(error = ?e, "unexpected error");
                Self::new("internal-error", "the error has been logged")
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

    #[test]
    fn every_conflict_has_a_listed_type_with_a_409_or_422() {
        let kinds = [
            ConflictKind::ShiftFull,
            ConflictKind::ShiftNotOpen,
            ConflictKind::OverlappingBooking,
            ConflictKind::IdempotencyKeyReused,
            ConflictKind::AlreadyCancelled,
            ConflictKind::ShiftStarted,
            ConflictKind::EmailTaken,
            ConflictKind::OdsCodeTaken,
            ConflictKind::WorkingTime,
            ConflictKind::AlreadyRevoked,
            ConflictKind::AlreadyAtAgency,
            ConflictKind::BookByRequest,
            ConflictKind::AlreadyRequested,
            ConflictKind::RequestDecided,
            ConflictKind::AlreadyPaid,
            ConflictKind::RunClosed,
            ConflictKind::AdvanceTooLarge,
            ConflictKind::AlreadySignedOn,
            ConflictKind::SmartcardTaken,
            ConflictKind::PremiumNotRaised,
            ConflictKind::EscalationResolved,
            ConflictKind::NotBookedWorker,
            ConflictKind::BookingsChanged,
        ];
        for kind in kinds {
            let problem = Problem::from(AppError::Conflict(kind, "x".into()));
            assert!(
                problem.status == 409 || problem.status == 422,
                "{kind:?} answers {}",
                problem.status
            );
        }
    }
}
