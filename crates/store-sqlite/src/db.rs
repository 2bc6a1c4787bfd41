//! What the shared SQL (`crate::sql`) needs of SQLite: its types, its writer and readers, and
//! the few fragments of SQL that SQLite writes its own way. Instants are INTEGER milliseconds;
//! ids are 16-byte BLOBs; lists are JSON arrays (of lower-case hex, for ids).

use chrono::DateTime;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, SqlitePool, Transaction, Type};
use staffbank_store::StoreError;
use uuid::Uuid;

use crate::sql::types::{At, Ids, Texts};
use crate::sql::OrStore;
use crate::SqliteStore;

/// The database the shared SQL runs on here.
pub(crate) type Db = Sqlite;
/// One of its rows.
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
/// A transaction on it.
pub(crate) type Tx = Transaction<'static, Sqlite>;
/// The store the shared SQL implements the store traits for.
pub(crate) type ThisStore = SqliteStore;

/// Nothing: a write transaction holds the only writer, so what it reads cannot change under it.
pub(crate) const FOR_UPDATE: &str = "";

/// Nothing: a write transaction holds the only writer, so nothing can change what it reads.
pub(crate) const FOR_SHARE: &str = "";
/// Nothing, as for [`FOR_UPDATE`]: the single writer already serialises write transactions.
pub(crate) const FOR_NO_KEY_UPDATE: &str = "";
/// Refreshes the query planner's statistics: SQLite's `PRAGMA optimize` analyses the tables
/// whose statistics are missing or stale, rather than all of them as `ANALYZE` would.
pub(crate) const REFRESH_STATISTICS: &str = "PRAGMA optimize";

/// `column {in_ids(n)}`: the column is one of the ids bound as [`Ids`] at `$n`.
pub(crate) fn in_ids(n: u8) -> String {
    format!("IN (SELECT unhex(value) FROM json_each(${n}))")
}

/// `column {in_texts(n)}`: the column is one of the strings bound as [`Texts`] at `$n`.
pub(crate) fn in_texts(n: u8) -> String {
    format!("IN (SELECT value FROM json_each(${n}))")
}

/// `b` (a booking) overlaps the half-open span from `from` to `to` (bound parameters or
/// columns).
pub(crate) fn overlaps(from: &str, to: &str) -> String {
    format!("b.starts_at < {to} AND b.ends_at > {from}")
}

/// The ids a one-column subquery (its column named `v`) returns, in its order, as one value
/// that decodes as [`Ids`].
pub(crate) fn id_list(subquery: &str) -> String {
    format!("(SELECT json_group_array(lower(hex(l.v))) FROM ({subquery}) l)")
}

/// `FROM {each_id(n)}`: the ids bound as [`Ids`] at `$n` as the rows of a table `l` with one
/// column `v`, to insert or join one row per id: read from the JSON array, as there are no arrays.
pub(crate) fn each_id(n: u8) -> String {
    format!("(SELECT unhex(value) AS v FROM json_each(${n})) AS l")
}

/// `{json_text(n)}`: the JSON document bound as text at `$n`, as a JSON column takes it: the text
/// itself, as JSON is stored as TEXT here.
pub(crate) fn json_text(n: u8) -> String {
    format!("${n}")
}

/// The whole minutes in the sum of `end - start` over an aggregate's rows, as an INTEGER:
/// instants are milliseconds here, so their difference is too.
pub(crate) fn sum_minutes(start: &str, end: &str) -> String {
    format!("sum({end} - {start}) / 60000")
}

/// A write transaction on `writer`, taking the write lock at once (`BEGIN IMMEDIATE`), so it
/// never fails half-way for want of it.
pub(crate) async fn begin_write(writer: &SqlitePool) -> Result<Tx, StoreError> {
    writer.begin_with("BEGIN IMMEDIATE").await.or_store()
}

impl SqliteStore {
    /// Where reads go: the pool of read-only connections.
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Where reads that may lag the latest writes by a moment go (PostgreSQL may send them to a
    /// read replica): here, the readers.
    pub(crate) fn replica(&self) -> &SqlitePool {
        &self.reader
    }

    /// Where single-statement writes go: the one writer.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// A write transaction for a write of several statements.
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        begin_write(&self.writer).await
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, BoxDynError> {
    Ok(serde_json::to_string(value)?)
}

fn encode_text(text: String, buf: &mut Vec<SqliteArgumentValue<'_>>) -> IsNull {
    buf.push(SqliteArgumentValue::Text(text.into()));
    IsNull::No
}

impl Type<Sqlite> for At {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for At {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        buf.push(SqliteArgumentValue::Int64(self.0.timestamp_millis()));
        Ok(IsNull::No)
    }
}

impl Decode<'_, Sqlite> for At {
    fn decode(value: SqliteValueRef<'_>) -> Result<Self, BoxDynError> {
        let ms = <i64 as Decode<Sqlite>>::decode(value)?;
        DateTime::from_timestamp_millis(ms)
            .map(At)
            .ok_or_else(|| "stored instant out of range".into())
    }
}

impl Type<Sqlite> for Ids {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Ids {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        let hex: Vec<String> = self.0.iter().map(|id| id.simple().to_string()).collect();
        Ok(encode_text(json(&hex)?, buf))
    }
}

impl Decode<'_, Sqlite> for Ids {
    fn decode(value: SqliteValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        let hex: Vec<String> = serde_json::from_str(text)?;
        let ids = hex
            .iter()
            .map(|h| Uuid::parse_str(h))
            .collect::<Result<_, _>>()?;
        Ok(Ids(ids))
    }
}

impl Type<Sqlite> for Texts {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Texts {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        Ok(encode_text(json(&self.0)?, buf))
    }
}

impl Decode<'_, Sqlite> for Texts {
    fn decode(value: SqliteValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Texts(serde_json::from_str(text)?))
    }
}
