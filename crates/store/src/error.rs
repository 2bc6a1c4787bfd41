//! Errors every backend maps its database errors into, by constraint name, and the one list of
//! conflicts: each names its problem type (slug), HTTP status and title, so the use cases and the
//! web layer never restate them.

/// Declares [`Conflict`] from one table, so its list of every variant, slugs, statuses, titles
/// and details cannot drift apart.
macro_rules! conflicts {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident => $slug:literal, $status:literal, $title:literal, $detail:literal;
    )*) => {
        /// A write refused because it would break an invariant, or conflicts with the current
        /// state; nothing was changed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Conflict {
            $($(#[doc = $doc])* $name,)*
        }

        impl Conflict {
            /// Every conflict, so problem types and their documentation can be listed from here.
            pub const ALL: &'static [Conflict] = &[$(Self::$name),*];

            /// The problem type's stable slug, under `/api/v1/problems/`; clients branch on it.
            pub const fn slug(self) -> &'static str {
                match self {
                    $(Self::$name => $slug,)*
                }
            }

            /// The HTTP status it is answered with.
            pub const fn status(self) -> u16 {
                match self {
                    $(Self::$name => $status,)*
                }
            }

            /// The problem type's short summary, the same for every occurrence.
            pub const fn title(self) -> &'static str {
                match self {
                    $(Self::$name => $title,)*
                }
            }

            /// What a person is told when a store refuses with it and the use case has nothing
            /// more particular to say.
            pub const fn detail(self) -> &'static str {
                match self {
                    $(Self::$name => $detail,)*
                }
            }
        }
    };
}

conflicts! {
    /// Every place on the shift is taken.
    ShiftFull => "shift-full", 409, "Every place on this shift is taken",
        "every place on this shift is taken";
    /// The shift is cancelled or has already started.
    ShiftNotOpen => "shift-not-open", 409, "This shift is not open for booking",
        "this shift is not open for booking";
    /// The worker's bookings changed on every attempt to judge this one against them: nothing was
    /// written, and the same request may simply be sent again.
    BookingsChanged => "bookings-changed", 409,
        "Your other bookings changed while this one was checked: send it again",
        "your other bookings changed while this one was being checked: send it again";
    /// The shift has started or finished, so it can no longer change that way.
    ShiftStarted => "shift-started", 409, "The shift has already started",
        "the shift has already started";
    /// The worker already holds a booking that overlaps this one, anywhere on the platform.
    OverlappingBooking => "overlapping-booking", 409,
        "You already hold a booking that overlaps this shift",
        "you already hold a booking that overlaps this shift";
    /// The booking is already cancelled.
    AlreadyCancelled => "already-cancelled", 409, "The booking is already cancelled",
        "the booking is already cancelled";
    /// The person was erased before: erasure happens once.
    AlreadyErased => "already-erased", 409, "This person has already been erased",
        "this person has already been erased";
    /// An account with this email already exists.
    EmailTaken => "email-taken", 409, "An account with this email exists",
        "an account with this email exists";
    /// An organisation with this ODS code already exists.
    OdsCodeTaken => "ods-code-taken", 409, "An organisation with this ODS code exists",
        "an organisation with this ODS code exists";
    /// With the worker's other bookings, the booking would break the working-time rules.
    WorkingTime => "working-time", 409,
        "With your other bookings this would break the working-time rules",
        "with your other bookings this would break the working-time rules";
    /// The wallet's key already holds another worker's passport credential: one key answers for
    /// one person, so a credential bound to it could not be told from theirs.
    HolderKeyTaken => "holder-key-taken", 409,
        "This wallet key already holds another person's credential",
        "this wallet key already holds another person's credential: use your own wallet";
    /// The credential is already revoked.
    AlreadyRevoked => "already-revoked", 409, "The credential is already revoked",
        "the credential is already revoked";
    /// The shift has already been released to agency.
    AlreadyAtAgency => "already-at-agency", 409, "The shift has already been released to agency",
        "the shift has already been released to agency";
    /// The ward approves its bookings: the worker must request the shift (or, the other way
    /// round, the shift is booked at once and cannot be requested).
    BookByRequest => "book-by-request", 409, "This ward approves its bookings: request the shift",
        "this ward approves its bookings: request the shift instead";
    /// The worker already has a pending request for this shift.
    AlreadyRequested => "already-requested", 409, "You have already requested this shift",
        "you have already requested this shift";
    /// The request (or offer) has already been approved or declined.
    RequestDecided => "request-decided", 409, "The request has already been decided",
        "the request has already been decided";
    /// A pay line for this shift, worker and date already exists: it is never paid twice.
    AlreadyPaid => "already-paid", 409, "This shift is already paid to this worker for this date",
        "this shift is already paid to this worker for this date";
    /// The trust has already closed a pay run for this period.
    RunClosed => "pay-run-closed", 409, "The pay run for this period is already closed",
        "the pay run for this period is already closed";
    /// Nothing is waiting to be paid in the period: an empty run is never closed.
    PayRunEmpty => "pay-run-empty", 409, "There is nothing to pay in this period",
        "there is nothing to pay in this period: no approved pay or advance is waiting";
    /// The advance is more than the worker may draw now.
    AdvanceTooLarge => "advance-too-large", 409, "That is more than may be drawn now",
        "that is more than you may draw now";
    /// The booking is already signed on (or, for a sign-off, already signed off).
    AlreadySignedOn => "already-signed-on", 409, "The booking is already signed on (or off)",
        "this booking is already signed on (or off)";
    /// The smartcard is recorded for another worker.
    SmartcardTaken => "smartcard-taken", 409, "The smartcard is recorded for another worker",
        "this smartcard is recorded for another worker";
    /// The escalation is already resolved.
    EscalationResolved => "escalation-resolved", 409, "The escalation is already resolved",
        "the escalation is already resolved";
    /// The premium asked is not above the shift's: a premium is a promise and never falls.
    PremiumNotRaised => "premium-not-raised", 409, "A shift's premium only ever rises",
        "a shift's premium only ever rises: ask for more than it offers now";
    /// Releasing the shift to agency at this rate would take the trust over its agency spend
    /// cap: the booker must give a reason (`over_cap_reason`), and nothing changed.
    OverAgencyCap => "over-agency-cap", 422,
        "This release would take the trust over its agency spend cap: give a reason",
        "this release would take the trust over its agency spend cap: say why it must go ahead in over_cap_reason";
    /// Another release to agency changed the trust's agency spend while this one was being
    /// judged against the cap: judge it again (the app does, a few times, before answering).
    AgencySpendChanged => "agency-spend-changed", 409,
        "Another release changed the trust's agency spend: try again",
        "another release changed the trust's agency spend while this one was judged: try again";
    /// The person signing on is not the booked worker (or not with their passport's key): the
    /// shift is flagged unfulfilled and the ward manager told.
    NotBookedWorker => "not-booked-worker", 409,
        "Not the booked worker: the shift is flagged unfulfilled and the ward manager told",
        "not the booked worker: the shift is flagged unfulfilled";
    /// The idempotency key was already used for a different request.
    IdempotencyKeyReused => "idempotency-key-reused", 422,
        "This Idempotency-Key was used for a different request",
        "this Idempotency-Key was already used for a different request";
    /// A row this one refers to does not exist. Clients are told of the bad `id` as a validation
    /// error, never of this conflict.
    MissingReference => "missing-reference", 422, "Something referred to does not exist",
        "refers to something that does not exist";
    /// Another sequencer appended to the ledger first. The server's own affair: a sequencer tries
    /// again, and anything else that meets it answers with an internal error.
    LedgerMoved => "ledger-moved", 500, "Another writer appended to the ledger first",
        "the ledger moved under a sequencer";
}

impl Conflict {
    /// Whether clients are ever answered with this conflict as its own problem type (and so
    /// whether it is documented as one); the rest are answered as something else.
    pub const fn reaches_clients(self) -> bool {
        !matches!(self, Self::MissingReference | Self::LedgerMoved)
    }
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
    /// The database could not be reached or went away mid-request (restarting, failing over,
    /// out of connections): nothing is known to have changed, and the same request, with the
    /// same idempotency key, may be sent again.
    #[error("the database is unavailable: {0}")]
    Unavailable(anyhow::Error),
    /// Anything else: a query is wrong, data is corrupt. Opaque to clients, logged in full.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<Conflict> for StoreError {
    fn from(value: Conflict) -> Self {
        Self::Conflict(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Conflict;
    use std::collections::HashSet;

    #[test]
    fn every_conflict_has_its_own_slug_and_a_client_error_status() {
        let mut seen = HashSet::new();
        for conflict in Conflict::ALL {
            assert!(seen.insert(conflict.slug()), "{conflict:?} repeats a slug");
            assert!(!conflict.title().is_empty() && !conflict.detail().is_empty());
            if conflict.reaches_clients() {
                assert!(
                    matches!(conflict.status(), 409 | 422),
                    "{conflict:?} answers {}",
                    conflict.status()
                );
            }
        }
    }
}
