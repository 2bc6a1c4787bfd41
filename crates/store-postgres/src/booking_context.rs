//! What an instant booking is judged on, in one statement: the shift, the worker's credentials and
//! any booking already made with the request's idempotency key; and the same read together with
//! the caller's session and data key, so that a booking request costs the database one read
//! before its write.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use staffbank_domain::{BookingId, ShiftId, WorkerId};
use staffbank_store::{BookingContext, Credential, Shift, SignedInToBook, StoreError};
use uuid::Uuid;

use crate::rows;
use crate::rows::SHIFT_COLUMNS;
use crate::sessions::SIGNED_IN_FROM;
use crate::sql::OrStore;
use crate::PgStore;

/// A shift's columns from the shifts table as `t`, renamed so that they can sit beside a worker's
/// columns of the same names in one row.
fn shift_columns() -> String {
    let columns: Vec<String> = SHIFT_COLUMNS
        .split(',')
        .map(str::trim)
        .map(|column| format!("t.{column} AS {}", rows::SHIFT_NAMES_BESIDE_WORKER[column]))
        .collect();
    columns.join(", ")
}

/// The renamed shift id: null beside a session when there is no such shift.
fn shift_id_beside_worker() -> &'static str {
    &rows::SHIFT_NAMES_BESIDE_WORKER["id"]
}

/// A worker's credentials (`worker`: a placeholder or a column) as a lateral join, one row each,
/// renamed so that they can sit beside a shift's columns.
fn credentials_join(worker: &str) -> String {
    let columns: Vec<String> = rows::CREDENTIAL
        .iter()
        .zip(rows::CREDENTIAL_BESIDE_SHIFT)
        .map(|(column, name)| format!("{column} AS {name}"))
        .collect();
    format!(
        "LEFT JOIN LATERAL (SELECT {} FROM credentials WHERE worker_id = {worker}) c ON true",
        columns.join(", ")
    )
}

/// Credentials newest first, as [`staffbank_store::Store::credentials_of`] lists them.
const CREDENTIAL_ORDER: &str = "ORDER BY c_recorded_at DESC, c_id";

/// See [`staffbank_store::Store::booking_context`].
pub(crate) async fn booking_context(
    store: &PgStore,
    shift: ShiftId,
    worker: WorkerId,
    key: &str,
) -> Result<Option<BookingContext>, StoreError> {
    // One row per credential, or one with nulls beside the shift when the worker has none, and
    // none when there is no such shift.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT sh.*, c.*, (SELECT id FROM bookings WHERE worker_id = $2 \
             AND idempotency_key = $3) AS key_booking \
             FROM (SELECT {} FROM shifts t WHERE t.id = $1) sh {} {CREDENTIAL_ORDER}",
            shift_columns(),
            credentials_join("$2"),
        )
    });
    let rows = sqlx::query(&SQL)
        .bind(shift.0)
        .bind(worker.0)
        .bind(key)
        .fetch_all(store.reader())
        .await
        .or_store()?;
    decode(&rows)
}

/// See [`staffbank_store::Store::signed_in_to_book`].
pub(crate) async fn signed_in_to_book(
    store: &PgStore,
    token_hash: &str,
    now: DateTime<Utc>,
    shift: ShiftId,
    key: &str,
) -> Result<Option<SignedInToBook>, StoreError> {
    // The session and the shift are each read once, into a materialised row, then beside every
    // credential: left to the planner, each credential's row would read the worker's banks and
    // the key's booking again.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "WITH q AS MATERIALIZED ({} WHERE s.token_hash = $1 AND s.expires_at > $2), \
             sh AS MATERIALIZED (SELECT {}, (SELECT b.id FROM bookings b \
                 WHERE b.worker_id = q.id AND b.idempotency_key = $4) AS key_booking, \
                 pk.wrapped AS person_key_wrapped \
                 FROM q JOIN shifts t ON t.id = $3 \
                 LEFT JOIN person_keys pk ON pk.subject = q.session_user_id \
                 WHERE q.id IS NOT NULL) \
             SELECT q.*, sh.*, c.* FROM q LEFT JOIN sh ON true {} {CREDENTIAL_ORDER}",
            *SIGNED_IN_FROM,
            shift_columns(),
            credentials_join(&format!(
                "(CASE WHEN sh.{} IS NOT NULL THEN q.id END)",
                shift_id_beside_worker()
            )),
        )
    });
    let rows = sqlx::query(&SQL)
        .bind(token_hash)
        .bind(now)
        .bind(shift.0)
        .bind(key)
        .fetch_all(store.reader())
        .await
        .or_store()?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(SignedInToBook {
        signed_in: crate::sessions::decode(first, token_hash)?,
        context: decode(&rows)?,
        wrapped_key: first
            .try_get("person_key_wrapped")
            .map_err(crate::error::map)?,
    }))
}

/// The context from its rows, under [`shift_columns`]' and [`credentials_join`]'s names.
fn decode(rows: &[PgRow]) -> Result<Option<BookingContext>, StoreError> {
    let id = |row: &PgRow, column: &str| {
        row.try_get::<Option<Uuid>, _>(column)
            .map_err(crate::error::map)
    };
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    // Beside a session, the shift's columns are null when there is no such shift.
    if id(first, shift_id_beside_worker())?.is_none() {
        return Ok(None);
    }
    let shift =
        Shift::try_from(rows::shift_beside_worker(first)?).map_err(StoreError::Unexpected)?;
    let mut credentials = Vec::with_capacity(rows.len());
    for row in rows {
        // A worker with no credentials still gets the shift's row, with nulls beside it.
        if id(row, "c_id")?.is_some() {
            credentials.push(
                Credential::try_from(rows::credential_beside_shift(row)?)
                    .map_err(StoreError::Unexpected)?,
            );
        }
    }
    Ok(Some(BookingContext {
        shift,
        credentials,
        key_booking: id(first, "key_booking")?.map(BookingId),
    }))
}
