//! PostgreSQL errors into store errors, by constraint name.

use sqlx::error::ErrorKind;
use staffbank_store::{Conflict, StoreError};

pub(crate) fn map(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error {
        let conflict = match db.constraint() {
            Some("bookings_no_overlap") => Some(Conflict::OverlappingBooking),
            Some("shifts_places_not_exceeded") => Some(Conflict::ShiftFull),
            Some("bookings_idempotency_key") => Some(Conflict::IdempotencyKeyReused),
            Some("organisations_ods_code_key") => Some(Conflict::OdsCodeTaken),
            Some("users_email_key") => Some(Conflict::EmailTaken),
            Some("booking_requests_one_pending") => Some(Conflict::AlreadyRequested),
            Some("booking_requests_idempotency_key") => Some(Conflict::IdempotencyKeyReused),
            _ if db.kind() == ErrorKind::ForeignKeyViolation => Some(Conflict::MissingReference),
            _ => None,
        };
        if let Some(conflict) = conflict {
            return StoreError::Conflict(conflict);
        }
    }
    StoreError::Unexpected(anyhow::Error::new(error).context("PostgreSQL query failed"))
}
