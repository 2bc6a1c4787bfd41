//! What the shared SQL (`crate::sql`) needs of PostgreSQL: its types, its pool, and the few
//! fragments of SQL that PostgreSQL writes its own way.

use chrono::{DateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, PgPool, Postgres, Transaction, Type};
use staffbank_store::StoreError;
use uuid::Uuid;

use crate::sql::types::{At, Ids, Texts};
use crate::sql::OrStore;
use crate::PgStore;

/// The database the shared SQL runs on here.
pub(crate) type Db = Postgres;
/// One of its rows.
pub(crate) type DbRow = sqlx::postgres::PgRow;
/// A transaction on it.
pub(crate) type Tx = Transaction<'static, Postgres>;
/// The store the shared SQL implements the store traits for.
pub(crate) type ThisStore = PgStore;

/// Locks the rows a `SELECT` reads until the transaction ends.
pub(crate) const FOR_UPDATE: &str = " FOR UPDATE";

/// Holds the rows a `SELECT` reads against change until the transaction ends, while letting
/// others read and hold them too: a write that must wait for this one (an `UPDATE` of them)
/// queues behind it.
pub(crate) const FOR_SHARE: &str = " FOR SHARE";
/// Locks the rows a `SELECT` reads until the transaction ends, as [`FOR_UPDATE`] does, but
/// without blocking the foreign-key checks of rows that refer to them.
pub(crate) const FOR_NO_KEY_UPDATE: &str = " FOR NO KEY UPDATE";
/// Refreshes the query planner's statistics: PostgreSQL's `ANALYZE` samples every table.
pub(crate) const REFRESH_STATISTICS: &str = "ANALYZE";

/// `column {in_ids(n)}`: the column is one of the ids bound as [`Ids`] at `$n`.
pub(crate) fn in_ids(n: u8) -> String {
    format!("= ANY(${n})")
}

/// `column {in_texts(n)}`: the column is one of the strings bound as [`Texts`] at `$n`.
pub(crate) fn in_texts(n: u8) -> String {
    format!("= ANY(${n})")
}

/// `b` (a booking) overlaps the half-open span from `from` to `to` (bound parameters or
/// columns): through the
/// exclusion constraint's range index.
pub(crate) fn overlaps(from: &str, to: &str) -> String {
    format!("b.during && tstzrange({from}, {to}, '[)')")
}

/// The ids a one-column subquery (its column named `v`) returns, in its order, as one value
/// that decodes as [`Ids`].
pub(crate) fn id_list(subquery: &str) -> String {
    format!("ARRAY(SELECT l.v FROM ({subquery}) l)")
}

/// `FROM {each_id(n)}`: the ids bound as [`Ids`] at `$n` as the rows of a table `l` with one
/// column `v`, to insert or join one row per id. An array is unnested; SQLite has no arrays.
pub(crate) fn each_id(n: u8) -> String {
    format!("unnest(${n}::uuid[]) AS l(v)")
}

/// `{json_text(n)}`: the JSON document bound as text at `$n`, as a JSON column takes it: cast to
/// `jsonb` here, where a text parameter does not convert by itself; SQLite stores the text.
pub(crate) fn json_text(n: u8) -> String {
    format!("${n}::jsonb")
}

/// The whole minutes in the sum of `end - start` over an aggregate's rows, as a BIGINT: instants
/// are `timestamptz` here, so their difference is an interval whose seconds are extracted.
pub(crate) fn sum_minutes(start: &str, end: &str) -> String {
    format!("(sum(EXTRACT(EPOCH FROM {end} - {start})) / 60)::bigint")
}

impl PgStore {
    /// Where reads go.
    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }

    /// Where reads that may lag the latest writes by a moment go: lists a person reads and then
    /// acts on through a write that checks again (matching, candidates) and the dashboards. The
    /// read replica while it keeps up, otherwise the primary. Never a read a write depends on.
    pub(crate) fn replica(&self) -> &PgPool {
        self.replica
            .as_ref()
            .and_then(|r| r.pool())
            .unwrap_or(&self.pool)
    }

    /// Where single-statement writes go.
    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction for a write of several statements.
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        self.pool.begin().await.or_store()
    }
}

impl Type<Postgres> for At {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for At {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl Decode<'_, Postgres> for At {
    fn decode(value: PgValueRef<'_>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(At)
    }
}

impl Type<Postgres> for Ids {
    fn type_info() -> PgTypeInfo {
        <Vec<Uuid> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Ids {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Vec<Uuid> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl Decode<'_, Postgres> for Ids {
    fn decode(value: PgValueRef<'_>) -> Result<Self, BoxDynError> {
        <Vec<Uuid> as Decode<Postgres>>::decode(value).map(Ids)
    }
}

impl Type<Postgres> for Texts {
    fn type_info() -> PgTypeInfo {
        <Vec<String> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Texts {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Vec<String> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl Decode<'_, Postgres> for Texts {
    fn decode(value: PgValueRef<'_>) -> Result<Self, BoxDynError> {
        <Vec<String> as Decode<Postgres>>::decode(value).map(Texts)
    }
}
