//! An instant booking with the judging done before the writer is taken.
//!
//! SQLite has one writer, so its throughput is set by how long each booking holds it. The worker's
//! bookings are read from a reader with their `bookings_version`, and the working-time rules judged
//! on them, before the booking joins the queue for the writer ([`crate::booking_queue`], which
//! writes whatever has queued in one transaction). There the booking is made in one hand-off to the
//! writer's thread: the insert (only if the shift is open with a free place and the worker's
//! version is still the one read), the version moved on, and the shift's state as the insert left
//! it; then its ledger entries. A version that moved means another booking for the same
//! worker got in between: the read and the judgement are done again. Every path that inserts a
//! booking moves the version (see [`book_in`]), so no booking is judged on a stale
//! picture of a worker's week.

use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use staffbank_domain::working_time::Worked;
use staffbank_domain::{OrgId, ShiftId, ShiftWindow, WorkerId};
use staffbank_store::booking::{book_with_retries, refuse_unbookable, SeenBooking, SeenShift};
use staffbank_store::{
    AuditRecord, BookOutcome, Booking, BookingContext, SignedInToBook, StoreError, WorkingTimeCheck,
};
use uuid::Uuid;

use crate::rows::BOOKING_COLUMNS;
use crate::rows::{self, instant, ms};
use crate::sql::decode;
use crate::sql::shifts::judge_locked;
use crate::sql::OrStore;
use crate::SqliteStore;

/// Books `booking`: see the module's description.
pub(crate) async fn book(
    store: &SqliteStore,
    booking: &Booking,
    audit: &[AuditRecord],
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    let span = working_time.map(|check| check.span(booking.window));
    book_with_retries(
        booking,
        working_time,
        || read(&store.reader, booking, span),
        |version| store.bookings.write(booking, audit, version),
    )
    .await
}

/// The worker's version, a booking with the same key, the shift's state and the worker's active
/// bookings in `span`, in one statement (so from one snapshot): one row, or one per booking held.
async fn read(
    reader: &SqlitePool,
    booking: &Booking,
    span: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
) -> Result<(i64, SeenBooking), StoreError> {
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
        Some(org) => Some(SeenShift {
            trust: OrgId(org),
            status: first.try_get("status").or_store()?,
            booked: first.try_get("booked").or_store()?,
            places: first.try_get("places").or_store()?,
        }),
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
    Ok((
        first.try_get("bookings_version").or_store()?,
        SeenBooking {
            existing,
            shift,
            worked,
        },
    ))
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

/// What writing one booking answers: `Some(places booked)` when made, `None` when the worker's
/// version had moved on, or why the shift refused it (nothing changed in either of those).
pub(crate) type Answer = Result<Option<i64>, StoreError>;

/// Inserts `booking` in `tx` if the shift is open with a free place and the worker's version is
/// still `version`, moving the version on, in one hand-off to the writer's thread. The place
/// trigger counts it; the CHECK and the overlap trigger still stand behind it. The outer error is
/// a statement that failed; the inner answer is the booking's.
pub(crate) async fn insert_if_unchanged(
    tx: &mut Transaction<'static, Sqlite>,
    booking: &Booking,
    version: i64,
) -> Result<Answer, StoreError> {
    // sqlx numbers a statement's unused parameters from a running count, so each statement here
    // leaves fewer gaps than there are values.
    let query = bind_new_booking(
        sqlx::query(
            "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, \
         idempotency_key, created_at, ward_id) SELECT ?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, \
         ward_id FROM shifts \
         WHERE id = ?2 AND status = 'open' AND booked < places \
         AND EXISTS (SELECT 1 FROM workers WHERE id = ?3 AND bookings_version = ?8); \
         UPDATE workers SET bookings_version = bookings_version + 1 \
         WHERE id = ?3 AND bookings_version = ?8; \
         SELECT status, booked, places, EXISTS (SELECT 1 FROM bookings WHERE id = ?1) AS made \
         FROM shifts WHERE id = ?2",
        ),
        booking,
    )
    .bind(version);
    let state = query.fetch_all(&mut **tx).await.or_store()?;
    let Some(row) = state.first() else {
        return Ok(Err(StoreError::NotFound));
    };
    let (status, booked, places, made): (String, i64, i64, bool) = (
        row.try_get("status").or_store()?,
        row.try_get("booked").or_store()?,
        row.try_get("places").or_store()?,
        row.try_get("made").or_store()?,
    );
    if made {
        return Ok(Ok(Some(booked)));
    }
    // Not made: the shift filled or closed since the read, or else the version moved.
    Ok(refuse_unbookable(&status, booked, places).map(|()| None))
}

/// Books inside an open transaction: the shift's state, the working-time rules, then the insert
/// (places and overlaps are refused by triggers). A repeated key replays the first booking.
pub(crate) async fn book_in(
    tx: &mut Transaction<'static, Sqlite>,
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    // The shift and any earlier booking with this key, in one query.
    let state: Option<(String, i64, i64, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT status, booked, places, org_id, \
         (SELECT id FROM bookings WHERE worker_id = ?2 AND idempotency_key = ?3) \
         FROM shifts WHERE id = ?1",
    )
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(&booking.idempotency_key)
    .fetch_optional(&mut **tx)
    .await
    .or_store()?;
    // Read in full only when there is one.
    let existing = match &state {
        Some((.., None)) => None,
        _ => find_booking_by_key(tx, booking.worker_id, &booking.idempotency_key).await?,
    };
    let shift = state.map(|(status, booked, places, org, _)| (status, booked, places, OrgId(org)));
    let booked_now = shift.as_ref().map_or(0, |s| s.1);
    if let Some(replay) = judge_locked(tx, booking, working_time, shift, existing).await? {
        return Ok(replay);
    }
    // The worker's bookings version moves on with every booking (see [`crate::booking`]).
    bind_new_booking(
        sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
         created_at, ward_id) VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, \
         (SELECT ward_id FROM shifts WHERE id = ?2)); \
         UPDATE workers SET bookings_version = bookings_version + 1 WHERE id = ?3",
        ),
        booking,
    )
    .execute(&mut **tx)
    .await
    .or_store()?;
    BookOutcome::made(booking, booked_now + 1)
}

/// Binds a new booking's columns as `?1` to `?7`: id, shift, worker, start, end, idempotency key,
/// created.
pub(crate) fn bind_new_booking<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    booking: &'q Booking,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    query
        .bind(booking.id.0)
        .bind(booking.shift_id.0)
        .bind(booking.worker_id.0)
        .bind(ms(booking.window.start()))
        .bind(ms(booking.window.end()))
        .bind(&booking.idempotency_key)
        .bind(ms(booking.created_at))
}

/// The booking context read step by step: on SQLite each read is a cheap local call.
pub(crate) async fn booking_context(
    store: &SqliteStore,
    shift: ShiftId,
    worker: WorkerId,
    key: &str,
) -> Result<Option<BookingContext>, StoreError> {
    staffbank_store::booking::booking_context_in_steps(store, shift, worker, key).await
}

/// The signed-in read and booking context step by step, as [`booking_context`].
pub(crate) async fn signed_in_to_book(
    store: &SqliteStore,
    token_hash: &str,
    now: DateTime<Utc>,
    shift: ShiftId,
    key: &str,
) -> Result<Option<SignedInToBook>, StoreError> {
    staffbank_store::booking::signed_in_to_book_in_steps(store, token_hash, now, shift, key).await
}

/// The booking a worker made with an idempotency key, read inside the write transaction.
async fn find_booking_by_key(
    tx: &mut Transaction<'static, Sqlite>,
    worker: WorkerId,
    key: &str,
) -> Result<Option<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = ? AND idempotency_key = ?"
    );
    let row = sqlx::query(&sql)
        .bind(worker.0)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .or_store()?;
    row.map(|r| decode(rows::booking(&r)?)).transpose()
}
