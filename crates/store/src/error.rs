//! Errors every backend maps its database errors into, by constraint name.

/// A write that the database refused because it would break an invariant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Every place on the shift is taken.
    ShiftFull,
    /// The shift is cancelled or has already started.
    ShiftNotOpen,
    /// The worker already holds a booking that overlaps this one, anywhere on the platform.
    OverlappingBooking,
    /// The idempotency key was already used for a different request.
    IdempotencyKeyReused,
    /// The booking is already cancelled.
    AlreadyCancelled,
    /// An account with this email already exists.
    EmailTaken,
    /// An organisation with this ODS code already exists.
    OdsCodeTaken,
    /// A row this one refers to does not exist.
    MissingReference,
    /// Another sequencer appended to the ledger first.
    LedgerMoved,
    /// With the worker's other bookings, the booking would break the working-time rules.
    WorkingTime,
    /// The credential is already revoked.
    AlreadyRevoked,
    /// The shift has already been released to agency.
    AlreadyAtAgency,
    /// The worker already has a pending request for this shift.
    AlreadyRequested,
    /// The request has already been approved or declined.
    RequestDecided,
    /// A pay line for this shift, worker and date already exists: it is never paid twice.
    AlreadyPaid,
    /// The trust has already closed a pay run for this period.
    RunClosed,
    /// The advance is more than the worker may draw now.
    AdvanceTooLarge,
    /// The booking is already signed on (or, for a sign-off, already signed off).
    AlreadySignedOn,
    /// The smartcard is recorded for another worker.
    SmartcardTaken,
    /// The premium asked is not above the shift's: a premium is a promise and never falls.
    PremiumNotRaised,
    /// The escalation is already resolved.
    EscalationResolved,
    /// The worker's bookings changed on every attempt to judge this one against them: nothing was
    /// written, and the same request may simply be sent again.
    BookingsChanged,
}

/// What can go wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write would break an invariant; nothing was changed.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A row that had to exist does not.
    #[error("not found")]
    NotFound,
    /// Anything else: the database is down, a query is wrong. Opaque to clients, logged in full.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<Conflict> for StoreError {
    fn from(value: Conflict) -> Self {
        Self::Conflict(value)
    }
}
