//! The one error type of the use cases; the web layer maps it to HTTP in one place.

use serde::Serialize;
use staffbank_domain::eligibility::Ineligibility;
use staffbank_store::{Conflict, StoreError};

/// One invalid input field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON-pointer-like path of the field, e.g. `shifts[2].ends_at`.
    pub field: String,
    /// What is wrong with it, for a person.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role does not allow this at all.
    #[error("your role does not allow this")]
    Forbidden,
    /// The object does not exist, or belongs to a tenant the caller may not see (never told apart).
    #[error("not found")]
    NotFound,
    /// Input failed validation; every bad field is named.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The worker may not book the shift, with every reason.
    #[error("you cannot book this shift")]
    Ineligible(Vec<Ineligibility>),
    /// The write conflicts with the current state; nothing changed. The conflict names the
    /// problem type; the text says what happened, for a person.
    #[error("{1}")]
    Conflict(Conflict, String),
    /// A wallet app's OAuth / OpenID4VCI / OpenID4VP request refused, with the error code those
    /// specifications define (e.g. `invalid_grant`, `invalid_proof`, `invalid_nonce`).
    #[error("{1}")]
    Wallet(&'static str, String),
    /// Too many refused sign-ins for the account or from the address: try again after this
    /// many seconds. Said before the password is checked, so it costs the server nothing.
    #[error("too many attempts: try again in {0} seconds")]
    TooManyAttempts(u64),
    /// The database is out of reach (restarting, failing over): try again shortly; nothing is
    /// known to have changed, and a retry with the same idempotency key is safe.
    #[error("the database is unavailable")]
    Unavailable(anyhow::Error),
    /// Anything unexpected; the details go to the log, never to the client.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Unexpected(e) => Self::Unexpected(e),
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Conflict(Conflict::LedgerMoved) => {
                Self::Unexpected(anyhow::anyhow!(Conflict::LedgerMoved.detail()))
            }
            StoreError::Conflict(Conflict::MissingReference) => {
                Self::field("id", Conflict::MissingReference.detail())
            }
            StoreError::Conflict(conflict) => {
                Self::Conflict(conflict, conflict.detail().to_owned())
            }
        }
    }
}

/// Collects field errors while parsing a request, so every bad field is reported at once.
#[derive(Default)]
pub(crate) struct Fields(Vec<FieldError>);

impl Fields {
    /// Records the error of a parse, returning the value if it parsed.
    pub(crate) fn take<T, E: std::fmt::Display>(
        &mut self,
        field: impl Into<String>,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(FieldError::new(field, e));
                None
            }
        }
    }

    /// Records an error directly.
    pub(crate) fn push(&mut self, field: impl Into<String>, message: impl std::fmt::Display) {
        self.0.push(FieldError::new(field, message));
    }

    /// Fails if any field was bad.
    pub(crate) fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}
