//! An instant booking in two statements instead of a held transaction of seven.
//!
//! The worker's bookings are read without a lock, with the worker's `bookings_version`, and the
//! working-time rules judged on them. The booking is then made in one statement that locks the
//! shift, moves the worker's version on only if it is still the one read, inserts the booking and
//! its ledger entries, and commits. A version that moved means another booking for the same worker
//! got in between: the read and the judgement are done again. Every path that inserts a booking
//! moves the version (see [`book_in`]), so no two bookings are ever judged on the
//! same picture of a worker's week.
//!
//! The reads and the write share one connection: sqlx checks every connection handed back to its
//! pool with a round trip, so each separate hand-back would cost the database a wake-up of its own.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, Transaction};
use staffbank_domain::working_time::Worked;
use staffbank_domain::{OrgId, ShiftWindow};
use staffbank_store::booking::{book_with_retries, SeenBooking, SeenShift};
use staffbank_store::{AuditRecord, BookOutcome, Booking, Conflict, StoreError, WorkingTimeCheck};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::rows;
use crate::rows::BOOKING_COLUMNS;
use crate::sql::decode;
use crate::sql::shifts::judge_locked;
use crate::sql::OrStore;
use crate::PgStore;

/// [`BOOKING_COLUMNS`] of a booking joined as `b`.
pub(crate) const BOOKING_COLUMNS_OF_B: &str =
    "b.id, b.shift_id, b.worker_id, b.starts_at, b.ends_at, b.status, b.idempotency_key, \
     b.created_at, b.cancelled_by, b.cancelled_by_user, b.cancel_reason, b.cancelled_at, \
     b.late_cancellation";

/// Books `booking`: see the module's description.
pub(crate) async fn book(
    store: &PgStore,
    booking: &Booking,
    audit: &[AuditRecord],
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    let span = working_time.map(|check| check.span(booking.window));
    let connection = Mutex::new(store.reader().acquire().await.or_store()?);
    book_with_retries(
        booking,
        working_time,
        || async { read(&mut *connection.lock().await, booking, span).await },
        |version| {
            let connection = &connection;
            async move { write(&mut *connection.lock().await, booking, audit, version).await }
        },
    )
    .await
}

/// The worker's version, a booking with the same key, the shift's state and the worker's active
/// bookings in `span`, in one statement and without locks.
async fn read(
    connection: &mut PgConnection,
    booking: &Booking,
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<(i64, SeenBooking), StoreError> {
    // With no rules to judge, the span is empty and no bookings are read.
    let (from, to) = span.unwrap_or((booking.window.start(), booking.window.start()));
    let row = sqlx::query(
        "SELECT w.bookings_version, s.org_id, s.status AS shift_status, s.booked, s.places, \
         k.id AS key_booking, \
         h.starts, h.ends, h.trusts \
         FROM workers w LEFT JOIN shifts s ON s.id = $2 \
         LEFT JOIN bookings k ON k.worker_id = w.id AND k.idempotency_key = $3 \
         LEFT JOIN LATERAL (SELECT array_agg(b.starts_at ORDER BY b.starts_at) AS starts, \
             array_agg(b.ends_at ORDER BY b.starts_at) AS ends, \
             array_agg(o.org_id ORDER BY b.starts_at) AS trusts \
             FROM bookings b JOIN shifts o ON o.id = b.shift_id \
             WHERE b.worker_id = w.id AND b.status = 'active' \
             AND b.during && tstzrange($4, $5, '[)')) h ON true \
         WHERE w.id = $1",
    )
    .bind(booking.worker_id.0)
    .bind(booking.shift_id.0)
    .bind(&booking.idempotency_key)
    .bind(from)
    .bind(to)
    .fetch_optional(&mut *connection)
    .await
    .or_store()?
    // The worker is the caller's own record: gone only if deleted since they signed in.
    .ok_or(StoreError::NotFound)?;
    let get = |e| StoreError::Unexpected(anyhow::Error::new(e));
    use sqlx::Row;
    // A repeated key is rare (a retry): its booking is read in full only then.
    let existing = match row.try_get::<Option<Uuid>, _>("key_booking").map_err(get)? {
        Some(id) => {
            let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1");
            let found = sqlx::query(&sql)
                .bind(id)
                .fetch_one(&mut *connection)
                .await
                .or_store()?;
            Some(Booking::try_from(rows::booking(&found)?).map_err(StoreError::Unexpected)?)
        }
        None => None,
    };
    let shift = match row.try_get::<Option<Uuid>, _>("org_id").map_err(get)? {
        Some(org) => Some(SeenShift {
            trust: OrgId(org),
            status: row.try_get("shift_status").map_err(get)?,
            booked: i64::from(row.try_get::<i32, _>("booked").map_err(get)?),
            places: i64::from(row.try_get::<i32, _>("places").map_err(get)?),
        }),
        None => None,
    };
    let starts: Vec<DateTime<Utc>> = row
        .try_get::<Option<_>, _>("starts")
        .map_err(get)?
        .unwrap_or_default();
    let ends: Vec<DateTime<Utc>> = row
        .try_get::<Option<_>, _>("ends")
        .map_err(get)?
        .unwrap_or_default();
    let trusts: Vec<Uuid> = row
        .try_get::<Option<_>, _>("trusts")
        .map_err(get)?
        .unwrap_or_default();
    let worked = starts
        .into_iter()
        .zip(ends)
        .zip(trusts)
        .map(|((start, end), trust)| {
            Ok(Worked {
                window: ShiftWindow::new(start, end)
                    .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored window: {e}")))?,
                trust: OrgId(trust),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((
        row.try_get("bookings_version").map_err(get)?,
        SeenBooking {
            existing,
            shift,
            worked,
        },
    ))
}

/// One statement, so one transaction (`Some(places booked)`, or `None` when the version had
/// moved on from `version`): lock the shift, move the worker's version on from `version`
/// (which waits for any other booking of theirs to finish first), insert the booking (the place
/// trigger counts it and the constraints refuse over-booking and overlaps) and its ledger entries.
async fn write(
    connection: &mut PgConnection,
    booking: &Booking,
    audit: &[AuditRecord],
    version: i64,
) -> Result<Option<i64>, StoreError> {
    // The shift is locked first (the worker update's condition reads it), the same order as every
    // other booking path, so two bookings never wait on each other in a circle.
    let row: (Option<String>, Option<i32>, Option<i32>, bool, bool) = sqlx::query_as(
        "WITH s AS (SELECT status, booked, places, ward_id FROM shifts WHERE id = $2 FOR UPDATE), \
         w AS (UPDATE workers SET bookings_version = bookings_version + 1 \
               WHERE id = $3 AND EXISTS (SELECT 1 FROM s WHERE status = 'open' AND booked < places) \
               AND bookings_version = $8 RETURNING id), \
         b AS (INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, \
               idempotency_key, created_at, ward_id) \
               SELECT $1, $2, $3, $4, $5, 'active', $6, $7, (SELECT ward_id FROM s) FROM w \
               RETURNING id), \
         e AS (INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body, mac) \
               SELECT * FROM unnest($9::uuid[], $10::timestamptz[], $11::text[], $12::uuid[], \
               $13::uuid[], $14::bytea[], $15::bytea[]) WHERE EXISTS (SELECT 1 FROM b) RETURNING id, recorded_at), \
         p AS (INSERT INTO ledger_pending (entry_id, recorded_at) SELECT id, recorded_at FROM e) \
         SELECT (SELECT status FROM s), (SELECT booked FROM s), (SELECT places FROM s), \
         EXISTS (SELECT 1 FROM w), EXISTS (SELECT 1 FROM b)",
    )
    .bind(booking.id.0)
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(booking.window.start())
    .bind(booking.window.end())
    .bind(&booking.idempotency_key)
    .bind(booking.created_at)
    .bind(version)
    .bind(audit.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.recorded_at).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.action.clone()).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.tenant.map(|t| t.0)).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.subject).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.body.clone()).collect::<Vec<_>>())
    .bind(audit.iter().map(|r| r.mac.clone()).collect::<Vec<_>>())
    .fetch_one(connection)
    .await
    .or_store()?;
    match row {
        (None, ..) => Err(StoreError::NotFound),
        (Some(status), ..) if status != "open" => Err(Conflict::ShiftNotOpen.into()),
        (_, Some(booked), Some(places), ..) if booked >= places => Err(Conflict::ShiftFull.into()),
        (_, Some(booked), _, true, true) => Ok(Some(i64::from(booked) + 1)),
        (_, _, _, false, _) => Ok(None),
        _ => Err(StoreError::Unexpected(anyhow::anyhow!(
            "a booking moved the worker's version but was not inserted"
        ))),
    }
}

/// Books inside an open transaction: locks the shift, then the worker; replays a repeated key;
/// judges the working-time rules under the worker's lock; inserts (the exclusion constraint and
/// the place trigger refuse overlaps and over-booking).
pub(crate) async fn book_in(
    tx: &mut Transaction<'static, Postgres>,
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    // Lock the shift first: racing requests for it queue here, and a retry with the same key
    // then sees the first request's committed booking below.
    let state: Option<(String, i32, i32, Uuid)> = sqlx::query_as(
        "SELECT status, booked, places, org_id FROM shifts WHERE id = $1 FOR UPDATE",
    )
    .bind(booking.shift_id.0)
    .fetch_optional(&mut **tx)
    .await
    .or_store()?;
    // Then the worker: two bookings for one worker queue here instead of both inserting and
    // deadlocking on each other's uncommitted row in the exclusion constraint's check. Moving the
    // worker's bookings version on tells an instant booking judged on an earlier read to judge
    // again (see `crate::booking`). The same statement looks for an earlier booking with this key
    // (the statement's snapshot already sees what was committed before the shift lock).
    let sql = format!(
        "WITH w AS (UPDATE workers SET bookings_version = bookings_version + 1 WHERE id = $1 \
         RETURNING id) SELECT {BOOKING_COLUMNS_OF_B} FROM w LEFT JOIN bookings b \
         ON b.worker_id = w.id AND b.idempotency_key = $2"
    );
    let worker_row = sqlx::query(&sql)
        .bind(booking.worker_id.0)
        .bind(&booking.idempotency_key)
        .fetch_optional(&mut **tx)
        .await
        .or_store()?;
    let existing = match &worker_row {
        Some(row)
            if sqlx::Row::try_get::<Option<Uuid>, _>(row, "id")
                .or_store()?
                .is_some() =>
        {
            Some(decode::<_, Booking>(rows::booking(row)?)?)
        }
        _ => None,
    };
    let shift = state.map(|(status, booked, places, org)| {
        (status, i64::from(booked), i64::from(places), OrgId(org))
    });
    let booked_now = shift.as_ref().map_or(0, |s| s.1);
    if let Some(replay) = judge_locked(tx, booking, working_time, shift, existing).await? {
        return Ok(replay);
    }
    sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
         created_at, ward_id) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, \
         (SELECT ward_id FROM shifts WHERE id = $2))",
    )
    .bind(booking.id.0)
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(booking.window.start())
    .bind(booking.window.end())
    .bind(&booking.idempotency_key)
    .bind(booking.created_at)
    .execute(&mut **tx)
    .await
    .or_store()?;
    BookOutcome::made(booking, booked_now + 1)
}

pub(crate) use crate::booking_context::{booking_context, signed_in_to_book};
