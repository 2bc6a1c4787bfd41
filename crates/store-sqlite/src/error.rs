//! SQLite errors into store errors. SQLite reports constraint names in its messages (named CHECKs,
//! triggers' RAISE text, and `table.column` for UNIQUE), so that is what we match.

use sqlx::error::ErrorKind;
use staffbank_store::{Conflict, StoreError};

pub(crate) fn map(error: sqlx::Error) -> StoreError {
    if matches!(error, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) {
        // Every connection busy for too long: the same as a server out of reach.
        return StoreError::Unavailable(anyhow::Error::new(error).context("SQLite unavailable"));
    }
    if let sqlx::Error::Database(db) = &error {
        let message = db.message();
        let named = [
            ("bookings_no_overlap", Conflict::OverlappingBooking),
            ("shifts_places_not_exceeded", Conflict::ShiftFull),
            (
                "bookings.worker_id, bookings.idempotency_key",
                Conflict::IdempotencyKeyReused,
            ),
            ("organisations.ods_code", Conflict::OdsCodeTaken),
            ("users.email", Conflict::EmailTaken),
            (
                "booking_requests.shift_id, booking_requests.worker_id",
                Conflict::AlreadyRequested,
            ),
            (
                "booking_requests.worker_id, booking_requests.idempotency_key",
                Conflict::IdempotencyKeyReused,
            ),
        ];
        if let Some((_, conflict)) = named.iter().find(|(name, _)| message.contains(name)) {
            return StoreError::Conflict(*conflict);
        }
        if db.kind() == ErrorKind::ForeignKeyViolation {
            return StoreError::Conflict(Conflict::MissingReference);
        }
    }
    StoreError::Unexpected(anyhow::Error::new(error).context("SQLite query failed"))
}
