//! Instants and lists as SQLite keeps them (INTEGER milliseconds, JSON), for the statements that
//! stay SQLite's own; every row is read by the shared `crate::sql::rows`.

use chrono::{DateTime, Utc};

pub(crate) use crate::sql::rows::*;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) use crate::sql::instant;
