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

mod ledger;
mod sign_on;

use chrono::{DateTime, Utc};
use sqlx::Row;
use staffbank_store::StoreError;

use crate::db::{Db, DbRow};
use types::At;

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
