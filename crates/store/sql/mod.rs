//! The SQL both backends share, written once.
//!
//! This directory is not a crate of its own: each backend compiles it as its module `sql`
//! (`#[path = "../../store/sql/mod.rs"]`), against that backend's `crate::db`, which supplies
//! the database type (`Db`, `DbRow`, `Tx`), the store type (`ThisStore`) with its `reader`,
//! `writer` and `begin`, how the shared newtypes of [`types`] are stored, and the few SQL
//! fragments that differ (`FOR_UPDATE`, `in_ids`, `in_texts`, `id_list`). Statements use `$N`
//! placeholders, which both PostgreSQL and sqlx's SQLite driver understand. What is genuinely
//! different (connecting, migrations, constraint names in errors, PostgreSQL's one-statement
//! booking and SQLite's booking queue) stays in the backend crates.

pub(crate) mod types;

mod agency;
mod directory;
mod events;
mod fairness;
mod imports;
mod insight;
pub(crate) mod ledger;
mod matching;
mod notify;
pub(crate) mod offers;
mod oidc;
mod outlook;
mod passport;
pub(crate) mod payroll;
mod push;
mod queues;
pub(crate) mod rows;
pub(crate) mod shifts;
mod sign_in_guard;
mod sign_on;
mod timesheets;
pub(crate) mod working_time;

use chrono::{DateTime, Utc};
use sqlx::Row;
use staffbank_store::{Conflict, StoreError};
use uuid::Uuid;

use crate::db::{Db, DbRow, Tx};
use types::At;

impl crate::db::ThisStore {
    /// The row `sql` selects for `key` (bound as `$1`), if there is one, read by `read`: the
    /// shape of most of the store's reads by id.
    pub(crate) async fn read_one<'a, K, T>(
        &self,
        sql: &'a str,
        key: K,
        read: fn(&DbRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError>
    where
        K: sqlx::Encode<'a, Db> + sqlx::Type<Db> + Send + 'a,
    {
        sqlx::query(sql)
            .bind(key)
            .fetch_optional(self.reader())
            .await
            .or_store()?
            .as_ref()
            .map(read)
            .transpose()
    }

    /// Runs one statement and writes its audit entries, in one transaction: the shape of most
    /// of the store's simple writes.
    pub(crate) async fn write_audited<'q>(
        &self,
        query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        audit: &[staffbank_store::AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        query.execute(&mut *tx).await.or_store()?;
        crate::ledger::insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    /// Every row `sql` selects for `key` (bound as `$1`), read by `read`.
    pub(crate) async fn read_all<'a, K, T>(
        &self,
        sql: &'a str,
        key: K,
        read: fn(&DbRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError>
    where
        K: sqlx::Encode<'a, Db> + sqlx::Type<Db> + Send + 'a,
    {
        sqlx::query(sql)
            .bind(key)
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(read)
            .collect()
    }
}

/// The "bookable now" rule (`staffbank_domain::shift::bookable`) as SQL over a shift `s`: open,
/// with a place free, and not started by the instant `now` (a bound parameter).
pub(crate) fn bookable_now(now: &str) -> String {
    format!("s.status = 'open' AND s.booked < s.places AND s.starts_at > {now}")
}

/// A raw row into its domain type, whose conversion validates what was stored.
pub(crate) fn decode<R, T: TryFrom<R, Error = anyhow::Error>>(raw: R) -> Result<T, StoreError> {
    T::try_from(raw).map_err(StoreError::Unexpected)
}

/// A column of a row, with the database's error mapped.
pub(crate) fn get<'r, T: sqlx::Decode<'r, Db> + sqlx::Type<Db>>(
    row: &'r DbRow,
    column: &str,
) -> Result<T, StoreError> {
    row.try_get(column).map_err(crate::error::map)
}

/// An instant column.
pub(crate) fn instant(row: &DbRow, column: &str) -> Result<DateTime<Utc>, StoreError> {
    get::<At>(row, column).map(|at| at.0)
}

/// An instant column that may be empty.
pub(crate) fn opt_instant(row: &DbRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(get::<Option<At>>(row, column)?.map(|at| at.0))
}

/// Why an update guarded by a state matched no row: `conflict` if the row is in `table`,
/// otherwise not found.
pub(crate) async fn missing_or(
    tx: &mut Tx,
    table: &str,
    id: Uuid,
    conflict: Conflict,
) -> StoreError {
    match sqlx::query(&format!("SELECT 1 FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    {
        Ok(Some(_)) => conflict.into(),
        Ok(None) => StoreError::NotFound,
        Err(e) => crate::error::map(e),
    }
}

/// Shorthand for `.map_err(crate::error::map)`: each backend maps its database's errors, by
/// constraint name, into store errors.
pub(crate) trait OrStore<T> {
    fn or_store(self) -> Result<T, StoreError>;
}

impl<T> OrStore<T> for Result<T, sqlx::Error> {
    fn or_store(self) -> Result<T, StoreError> {
        self.map_err(crate::error::map)
    }
}
