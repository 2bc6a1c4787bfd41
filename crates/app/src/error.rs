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

/// A refused write that the client can understand and maybe retry differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// Every place is taken.
    ShiftFull,
    /// The shift is cancelled.
    ShiftNotOpen,
    /// The worker holds an overlapping booking.
    OverlappingBooking,
    /// The idempotency key was used for another request.
    IdempotencyKeyReused,
    /// Already cancelled.
    AlreadyCancelled,
    /// The shift has started or finished.
    ShiftStarted,
    /// The email is taken.
    EmailTaken,
    /// The ODS code is taken.
    OdsCodeTaken,
    /// With the worker's other bookings, this one would break the working-time rules.
    WorkingTime,
    /// The credential is already revoked.
    AlreadyRevoked,
    /// The shift is already released to agency.
    AlreadyAtAgency,
    /// The ward approves bookings: the worker must request the shift.
    BookByRequest,
    /// The worker already has a pending request for the shift.
    AlreadyRequested,
    /// The request was already approved or declined.
    RequestDecided,
    /// The shift is already paid to this worker for this date.
    AlreadyPaid,
    /// The trust's pay run for this period is already closed.
    RunClosed,
    /// The advance is more than may be drawn now.
    AdvanceTooLarge,
    /// The booking is already signed on (or off).
    AlreadySignedOn,
    /// The smartcard is recorded for another worker.
    SmartcardTaken,
    /// A shift's premium only ever rises.
    PremiumNotRaised,
    /// The escalation is already resolved.
    EscalationResolved,
    /// The worker's other bookings kept changing while this one was judged: send it again.
    BookingsChanged,
    /// The person signing on is not the booked worker: the shift is flagged unfulfilled.
    NotBookedWorker,
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
    /// The write conflicts with the current state; nothing changed.
    #[error("{1}")]
    Conflict(ConflictKind, String),
    /// A wallet app's OAuth / OpenID4VCI / OpenID4VP request refused, with the error code those
    /// specifications define (e.g. `invalid_grant`, `invalid_proof`, `invalid_nonce`).
    #[error("{1}")]
    Wallet(&'static str, String),
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
        let (kind, detail) = match error {
            StoreError::NotFound => return Self::NotFound,
            StoreError::Unexpected(e) => return Self::Unexpected(e),
            StoreError::Conflict(conflict) => match conflict {
                Conflict::ShiftFull => (
                    ConflictKind::ShiftFull,
                    "every place on this shift is taken",
                ),
                Conflict::ShiftNotOpen => (
                    ConflictKind::ShiftNotOpen,
                    "this shift is not open for booking",
                ),
                Conflict::OverlappingBooking => (
                    ConflictKind::OverlappingBooking,
                    "you already hold a booking that overlaps this shift",
                ),
                Conflict::IdempotencyKeyReused => (
                    ConflictKind::IdempotencyKeyReused,
                    "this Idempotency-Key was already used for a different request",
                ),
                Conflict::AlreadyCancelled => (
                    ConflictKind::AlreadyCancelled,
                    "the booking is already cancelled",
                ),
                Conflict::EmailTaken => (
                    ConflictKind::EmailTaken,
                    "an account with this email exists",
                ),
                Conflict::OdsCodeTaken => (
                    ConflictKind::OdsCodeTaken,
                    "an organisation with this ODS code exists",
                ),
                Conflict::WorkingTime => (
                    ConflictKind::WorkingTime,
                    "with your other bookings this would break the working-time rules",
                ),
                Conflict::AlreadyRevoked => (
                    ConflictKind::AlreadyRevoked,
                    "the credential is already revoked",
                ),
                Conflict::AlreadyAtAgency => (
                    ConflictKind::AlreadyAtAgency,
                    "the shift has already been released to agency",
                ),
                Conflict::AlreadyRequested => (
                    ConflictKind::AlreadyRequested,
                    "you have already requested this shift",
                ),
                Conflict::RequestDecided => (
                    ConflictKind::RequestDecided,
                    "the request has already been decided",
                ),
                Conflict::AlreadyPaid => (
                    ConflictKind::AlreadyPaid,
                    "this shift is already paid to this worker for this date",
                ),
                Conflict::RunClosed => (
                    ConflictKind::RunClosed,
                    "the pay run for this period is already closed",
                ),
                Conflict::AdvanceTooLarge => (
                    ConflictKind::AdvanceTooLarge,
                    "that is more than you may draw now",
                ),
                Conflict::AlreadySignedOn => (
                    ConflictKind::AlreadySignedOn,
                    "this booking is already signed on (or off)",
                ),
                Conflict::EscalationResolved => (
                    ConflictKind::EscalationResolved,
                    "the escalation is already resolved",
                ),
                Conflict::PremiumNotRaised => (
                    ConflictKind::PremiumNotRaised,
                    "a shift's premium only ever rises: ask for more than it offers now",
                ),
                Conflict::SmartcardTaken => (
                    ConflictKind::SmartcardTaken,
                    "this smartcard is recorded for another worker",
                ),
                Conflict::BookingsChanged => (
                    ConflictKind::BookingsChanged,
                    "your other bookings changed while this one was being checked: send it again",
                ),
                Conflict::LedgerMoved => {
                    return Self::Unexpected(anyhow::anyhow!("the ledger moved under a sequencer"))
                }
                Conflict::MissingReference => {
                    return Self::field("id", "refers to something that does not exist")
                }
            },
        };
        Self::Conflict(kind, detail.to_owned())
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
