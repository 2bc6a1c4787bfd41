//! What both stores' instant booking share: deciding, from what an unlocked read saw, whether a
//! booking is a retry to replay, is refused, or may be written; and the outcome of each.
//!
//! Each store reads the worker's week with their bookings version, decides here, then writes only
//! if the version is unchanged, reading and deciding again (up to [`BOOKING_ATTEMPTS`] times) when
//! it moved: [`book_with_retries`].

use std::future::Future;

use staffbank_domain::booking::BookingStatus;
use staffbank_domain::shift::{bookable, ShiftStatus, Unbookable};
use staffbank_domain::working_time::Worked;
use staffbank_domain::OrgId;

use chrono::{DateTime, Utc};
use staffbank_domain::{ShiftId, WorkerId};

use crate::{
    BookOutcome, Booking, BookingContext, Conflict, ShiftStore, SignedInToBook, StoreError,
    WorkingTimeCheck,
};

/// Rounds of read, judge and write before giving up on a worker whose bookings keep changing.
pub const BOOKING_ATTEMPTS: usize = 5;

/// A shift's state as a booking read it.
#[derive(Debug, Clone)]
pub struct SeenShift {
    /// The trust that posted it (the working-time rules count trusts).
    pub trust: OrgId,
    /// `open` or `cancelled`.
    pub status: String,
    /// Places booked.
    pub booked: i64,
    /// Places offered.
    pub places: i64,
}

/// Refuses, by [`bookable`], a shift that is not open (its stored `status`) or has no free
/// place: what a booking's write races for. Its caller has judged the start against the clock.
pub fn refuse_unbookable(status: &str, booked: i64, places: i64) -> Result<(), StoreError> {
    match bookable(ShiftStatus::from_stored(status, booked, places), None) {
        Ok(()) => Ok(()),
        Err(Unbookable {
            closed: Some(ShiftStatus::Filled),
            ..
        }) => Err(Conflict::ShiftFull.into()),
        Err(_) => Err(Conflict::ShiftNotOpen.into()),
    }
}

/// What a booking's unlocked read saw.
#[derive(Debug, Clone)]
pub struct SeenBooking {
    /// An earlier booking with the same idempotency key.
    pub existing: Option<Booking>,
    /// The shift, or `None` when there is no such shift.
    pub shift: Option<SeenShift>,
    /// The worker's active bookings in the working-time span.
    pub worked: Vec<Worked>,
}

/// What to do after the read.
enum Decision {
    /// A retry of a booking already made: answer with it.
    Replay(BookOutcome),
    /// Write the booking, if the worker's version is unchanged.
    Write,
}

impl SeenBooking {
    /// Replays a retry, refuses a reused key, a missing, closed or full shift, or a breach of the
    /// working-time rules; otherwise the booking may be written.
    fn decide(
        self,
        booking: &Booking,
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<Decision, StoreError> {
        if let Some(existing) = self.existing {
            if existing.shift_id != booking.shift_id {
                return Err(Conflict::IdempotencyKeyReused.into());
            }
            return Ok(Decision::Replay(BookOutcome {
                booking: existing,
                replayed: true,
                shift_booked: places_count(self.shift.map_or(0, |s| s.booked))?,
            }));
        }
        let shift = self.shift.ok_or(StoreError::NotFound)?;
        refuse_unbookable(&shift.status, shift.booked, shift.places)?;
        if let Some(check) = working_time {
            check.judge(
                &self.worked,
                Worked {
                    window: booking.window,
                    trust: shift.trust,
                },
            )?;
        }
        Ok(Decision::Write)
    }
}

impl BookOutcome {
    /// A booking just made, as stored, with the shift's places booked once it was.
    pub fn made(booking: &Booking, shift_booked: i64) -> Result<Self, StoreError> {
        let mut stored = booking.clone();
        stored.status = BookingStatus::Active;
        stored.cancellation = None;
        Ok(Self {
            booking: stored,
            replayed: false,
            shift_booked: places_count(shift_booked)?,
        })
    }
}

/// A stored place count as the outcome carries it.
pub fn places_count(booked: i64) -> Result<u16, StoreError> {
    u16::try_from(booked).map_err(|e| StoreError::Unexpected(anyhow::anyhow!("place count: {e}")))
}

/// The booking loop: `read` gives the worker's bookings version and what it saw, `write` makes the
/// booking if the version is still the one given (`Some(places booked)`, or `None` when it moved).
/// A simultaneous request with the same key is found by the next read.
pub async fn book_with_retries<R, W>(
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
    read: impl Fn() -> R,
    write: impl Fn(i64) -> W,
) -> Result<BookOutcome, StoreError>
where
    R: Future<Output = Result<(i64, SeenBooking), StoreError>>,
    W: Future<Output = Result<Option<i64>, StoreError>>,
{
    for _ in 0..BOOKING_ATTEMPTS {
        let (version, seen) = read().await?;
        if let Decision::Replay(outcome) = seen.decide(booking, working_time)? {
            return Ok(outcome);
        }
        match write(version).await {
            Ok(Some(booked)) => return BookOutcome::made(booking, booked),
            Ok(None) | Err(StoreError::Conflict(Conflict::IdempotencyKeyReused)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Conflict::BookingsChanged.into())
}

/// [`ShiftStore::booking_context`] read step by step, for a store whose reads are cheap enough
/// not to need one combined read.
pub async fn booking_context_in_steps<S: ShiftStore + ?Sized>(
    store: &S,
    shift: ShiftId,
    worker: WorkerId,
    key: &str,
) -> Result<Option<BookingContext>, StoreError> {
    let Some(shift) = store.shift(shift).await? else {
        return Ok(None);
    };
    Ok(Some(BookingContext {
        shift,
        credentials: store.credentials_of(worker).await?,
        key_booking: store.booking_by_key(worker, key).await?.map(|b| b.id),
    }))
}

/// [`ShiftStore::signed_in_to_book`] read step by step, as [`booking_context_in_steps`].
pub async fn signed_in_to_book_in_steps<S: ShiftStore + ?Sized>(
    store: &S,
    token_hash: &str,
    now: DateTime<Utc>,
    shift: ShiftId,
    key: &str,
) -> Result<Option<SignedInToBook>, StoreError> {
    let Some(signed_in) = store.signed_in(token_hash, now).await? else {
        return Ok(None);
    };
    let context = match &signed_in.worker {
        Some(worker) => store.booking_context(shift, worker.id, key).await?,
        None => None,
    };
    let wrapped_key = match context {
        Some(_) => store
            .person_key(signed_in.user.id.0)
            .await?
            .and_then(|k| k.wrapped),
        None => None,
    };
    Ok(Some(SignedInToBook {
        signed_in,
        context,
        wrapped_key,
    }))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use chrono::{TimeZone, Utc};
    use staffbank_domain::{BookingId, ShiftId, ShiftWindow, WorkerId};
    use uuid::Uuid;

    use super::*;

    fn booking() -> Booking {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        Booking {
            id: BookingId(Uuid::now_v7()),
            shift_id: ShiftId(Uuid::now_v7()),
            worker_id: WorkerId(Uuid::now_v7()),
            window: ShiftWindow::new(start, start + chrono::Duration::hours(8)).unwrap(),
            status: BookingStatus::Active,
            idempotency_key: "k".into(),
            created_at: start - chrono::Duration::days(1),
            cancellation: None,
        }
    }

    fn open_shift() -> SeenBooking {
        SeenBooking {
            existing: None,
            shift: Some(SeenShift {
                trust: OrgId(Uuid::now_v7()),
                status: "open".into(),
                booked: 0,
                places: 2,
            }),
            worked: vec![],
        }
    }

    /// Books against a shift that is always open, where the `n`th write (from 1) answers
    /// `written(n)`: the outcome and the number of writes tried.
    async fn book_when(
        written: impl Fn(usize) -> Option<i64>,
    ) -> (Result<BookOutcome, StoreError>, usize) {
        let booking = booking();
        let writes = Cell::new(0);
        let outcome = book_with_retries(
            &booking,
            None,
            || async { Ok((7, open_shift())) },
            |_| {
                writes.set(writes.get() + 1);
                let answer = written(writes.get());
                async move { Ok(answer) }
            },
        )
        .await;
        (outcome, writes.get())
    }

    #[tokio::test]
    async fn a_worker_whose_bookings_keep_moving_is_asked_to_send_again_after_the_last_attempt() {
        let (outcome, writes) = book_when(|_| None).await;
        assert!(matches!(
            outcome,
            Err(StoreError::Conflict(Conflict::BookingsChanged))
        ));
        assert_eq!(writes, BOOKING_ATTEMPTS);
    }

    #[tokio::test]
    async fn a_version_that_settles_is_written_on_the_next_attempt() {
        let (outcome, writes) = book_when(|n| (n >= 3).then_some(1)).await;
        let outcome = outcome.expect("booked once the version settles");
        assert_eq!(writes, 3);
        assert_eq!(outcome.shift_booked, 1);
        assert!(!outcome.replayed);
    }
}
