//! Values whose stored form differs between the databases. Each backend's `db` module says how
//! it encodes and decodes them; the shared SQL binds and reads them the same way on both.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An instant: `timestamptz` on PostgreSQL, INTEGER milliseconds since the epoch on SQLite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct At(pub DateTime<Utc>);

/// A list of ids bound or read as one value: `uuid[]` on PostgreSQL, a JSON array of hex
/// strings on SQLite. Compare a column with one through `crate::db::in_ids`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ids(pub Vec<Uuid>);

/// A list of strings bound or read as one value: `text[]` on PostgreSQL, a JSON array on SQLite.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Texts(pub Vec<String>);

impl Ids {
    /// The ids of anything that has one, in order.
    pub(crate) fn of<T>(items: impl IntoIterator<Item = T>, id: impl Fn(T) -> Uuid) -> Self {
        Self(items.into_iter().map(id).collect())
    }
}

impl Texts {
    /// Strings of anything that is one, in order.
    pub(crate) fn of<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Self {
        Self(items.into_iter().map(|s| s.as_ref().to_owned()).collect())
    }
}
