//! An instant booking with the judging done before the writer is taken.
//!
//! SQLite has one writer, so its throughput is set by how long each booking holds it. The worker's
//! bookings are read from a reader with their `bookings_version`, and the working-time rules judged
//! on them, before the write transaction begins. The transaction then makes the booking in one
//! hand-off to the writer's thread: the insert (only if the shift is open with a free place and the
//! worker's version is still the one read), the version moved on, and the shift's state as the
//! insert left it; then the ledger entries and the commit. A version that moved means another booking for the same
//! worker got in between: the read and the judgement are done again. Every path that inserts a
//! booking moves the version (see [`crate::store::book_in`]), so no booking is judged on a stale
//! picture of a worker's week.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::working_time::Worked;
use staffbank_domain::{OrgId, ShiftWindow};
use staffbank_store::{AuditRecord, BookOutcome, Booking, Conflict, StoreError, WorkingTimeCheck};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows::{self, instant, ms};
use crate::store::{places_count, BOOKING_COLUMNS};
use crate::SqliteStore;

/// Rounds of read, judge and write before giving up on a worker whose bookings keep changing.
const ATTEMPTS: usize = 5;

/// A shift's state: status, places booked, places.
type ShiftState = (String, i64, i64);

/// What the read saw.
struct Seen {
    version: i64,
    /// An earlier booking with this idempotency key.
    existing: Option<Booking>,
    /// The shift's trust and state, or `None` when there is no such shift.
    shift: Option<(OrgId, ShiftState)>,
    /// The worker's active bookings in the working-time span.
    worked: Vec<Worked>,
}

/// Books `booking`: see the module's description.
pub(crate) async fn book(
    store: &SqliteStore,
    booking: &Booking,
    audit: &[AuditRecord],
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    let span = working_time.map(|check| check.span(booking.window));
    for _ in 0..ATTEMPTS {
        let seen = read(&store.reader, booking, span).await?;
        if let Some(existing) = seen.existing {
            if existing.shift_id != booking.shift_id {
                return Err(Conflict::IdempotencyKeyReused.into());
            }
            let booked = seen.shift.map_or(0, |(_, (_, booked, _))| booked);
            return Ok(BookOutcome {
                booking: existing,
                replayed: true,
                shift_booked: places_count(booked)?,
            });
        }
        let trust = match seen.shift {
            None => return Err(StoreError::NotFound),
            Some((trust, state)) => {
                refuse_unbookable(&state)?;
                trust
            }
        };
        if let Some(check) = working_time {
            check.judge(
                &seen.worked,
                Worked {
                    window: booking.window,
                    trust,
                },
            )?;
        }
        match write(store, booking, audit, seen.version).await {
            Ok(Some(booked)) => {
                let mut stored = booking.clone();
                stored.status = BookingStatus::Active;
                stored.cancellation = None;
                return Ok(BookOutcome {
                    booking: stored,
                    replayed: false,
                    shift_booked: places_count(booked)?,
                });
            }
            // The version moved, or a simultaneous request with the same key got in first (the
            // next read finds its booking).
            Ok(None) | Err(StoreError::Conflict(Conflict::IdempotencyKeyReused)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Unexpected(anyhow::anyhow!(
        "the worker's bookings changed on every one of {ATTEMPTS} attempts"
    )))
}

/// Refuses a shift that is not open or has no free place.
fn refuse_unbookable((status, booked, places): &ShiftState) -> Result<(), StoreError> {
    if status != "open" {
        Err(Conflict::ShiftNotOpen.into())
    } else if booked >= places {
        Err(Conflict::ShiftFull.into())
    } else {
        Ok(())
    }
}

/// The worker's version, a booking with the same key, the shift's state and the worker's active
/// bookings in `span`, in one statement (so from one snapshot): one row, or one per booking held.
async fn read(
    reader: &SqlitePool,
    booking: &Booking,
    span: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
) -> Result<Seen, StoreError> {
    // With no rules to judge, the span is empty and no bookings are read.
    let (from, to) = span.unwrap_or((booking.window.start(), booking.window.start()));
    let found = sqlx::query(
        "SELECT w.bookings_version, s.org_id, s.status, s.booked, s.places, \
         (SELECT id FROM bookings WHERE worker_id = ?1 AND idempotency_key = ?3) AS key_booking, \
         b.starts_at, b.ends_at, o.org_id AS trust \
         FROM workers w LEFT JOIN shifts s ON s.id = ?2 \
         LEFT JOIN bookings b ON b.worker_id = w.id AND b.status = 'active' \
             AND b.starts_at < ?5 AND b.ends_at > ?4 \
         LEFT JOIN shifts o ON o.id = b.shift_id \
         WHERE w.id = ?1 ORDER BY b.starts_at",
    )
    .bind(booking.worker_id.0)
    .bind(booking.shift_id.0)
    .bind(&booking.idempotency_key)
    .bind(ms(from))
    .bind(ms(to))
    .fetch_all(reader)
    .await
    .or_store()?;
    // The worker is the caller's own record: gone only if deleted since they signed in.
    let first = found.first().ok_or(StoreError::NotFound)?;
    // A repeated key is rare (a retry): its booking is read in full only then.
    let existing = match first.try_get::<Option<Uuid>, _>("key_booking").or_store()? {
        Some(id) => {
            let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = ?");
            let row = sqlx::query(&sql)
                .bind(id)
                .fetch_one(reader)
                .await
                .or_store()?;
            Some(Booking::try_from(rows::booking(&row)?).map_err(StoreError::Unexpected)?)
        }
        None => None,
    };
    let shift = match first.try_get::<Option<Uuid>, _>("org_id").or_store()? {
        Some(org) => Some((
            OrgId(org),
            (
                first.try_get("status").or_store()?,
                first.try_get("booked").or_store()?,
                first.try_get("places").or_store()?,
            ),
        )),
        None => None,
    };
    let mut worked = Vec::new();
    for row in &found {
        if row
            .try_get::<Option<i64>, _>("starts_at")
            .or_store()?
            .is_some()
        {
            worked.push(held(row)?);
        }
    }
    Ok(Seen {
        version: first.try_get("bookings_version").or_store()?,
        existing,
        shift,
        worked,
    })
}

/// One booking the worker holds, from a row of [`read`].
fn held(row: &SqliteRow) -> Result<Worked, StoreError> {
    let window = ShiftWindow::new(instant(row, "starts_at")?, instant(row, "ends_at")?)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored window: {e}")))?;
    Ok(Worked {
        window,
        trust: OrgId(row.try_get("trust").or_store()?),
    })
}

/// The write transaction: `Some(places booked)` when the booking was made, `None` when the
/// worker's version had moved on from `version`.
async fn write(
    store: &SqliteStore,
    booking: &Booking,
    audit: &[AuditRecord],
    version: i64,
) -> Result<Option<i64>, StoreError> {
    // The insert takes the place only if there is one and the version is unchanged (the place
    // trigger counts it, the CHECK and the overlap trigger still stand behind it); the version
    // moves on and the shift's state is read in the same hand-off. (sqlx numbers a statement's
    // unused parameters from a running count, so each statement here leaves fewer gaps than there
    // are values.)
    let query = sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, \
         idempotency_key, created_at) SELECT ?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7 FROM shifts \
         WHERE id = ?2 AND status = 'open' AND booked < places \
         AND EXISTS (SELECT 1 FROM workers WHERE id = ?3 AND bookings_version = ?8); \
         UPDATE workers SET bookings_version = bookings_version + 1 \
         WHERE id = ?3 AND bookings_version = ?8; \
         SELECT status, booked, places, EXISTS (SELECT 1 FROM bookings WHERE id = ?1) AS made \
         FROM shifts WHERE id = ?2",
    )
    .bind(booking.id.0)
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(ms(booking.window.start()))
    .bind(ms(booking.window.end()))
    .bind(&booking.idempotency_key)
    .bind(ms(booking.created_at))
    .bind(version);
    let mut tx = store.begin().await?;
    let state = query.fetch_all(&mut *tx).await.or_store()?;
    let Some(row) = state.first() else {
        return Err(StoreError::NotFound);
    };
    let (status, booked, places, made): (String, i64, i64, bool) = (
        row.try_get("status").or_store()?,
        row.try_get("booked").or_store()?,
        row.try_get("places").or_store()?,
        row.try_get("made").or_store()?,
    );
    if made {
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        return Ok(Some(booked));
    }
    tx.rollback().await.or_store()?;
    // Not made: the shift filled or closed since the read, or else the version moved.
    refuse_unbookable(&(status, booked, places)).map(|()| None)
}
