//! PostgreSQL errors into store errors, by constraint name.

use sqlx::error::ErrorKind;
use staffbank_store::{Conflict, StoreError};

/// Whether an error means the database was out of reach rather than that the request was wrong:
/// no connection to be had in time, the connection dropped, or the server shutting down or
/// starting up (SQLSTATE class 08, connection exception; 57P01 to 57P03, operator intervention).
fn unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

pub(crate) fn map(error: sqlx::Error) -> StoreError {
    if unreachable(&error) {
        return StoreError::Unavailable(
            anyhow::Error::new(error).context("PostgreSQL unavailable"),
        );
    }
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
