//! Rows read beside others under renamed columns, for PostgreSQL's one-round-trip reads (see
//! `booking_context`); every other row is read by the shared `crate::sql::rows`.

use std::collections::HashMap;
use std::sync::LazyLock;

pub(crate) use crate::sql::rows::*;
use staffbank_store::raw::{RawCredential, RawShift};
use staffbank_store::StoreError;

use crate::db::DbRow;

/// What a shift's columns are renamed to when they sit beside a worker's columns of the same
/// names in one row: each prefixed with this.
const SHIFT_BESIDE_WORKER: &str = "s_";

/// Each of [`SHIFT_COLUMNS`]' names with [`SHIFT_BESIDE_WORKER`] before it, built once.
pub(crate) static SHIFT_NAMES_BESIDE_WORKER: LazyLock<HashMap<&'static str, String>> =
    LazyLock::new(|| {
        SHIFT_COLUMNS
            .split(',')
            .map(str::trim)
            .map(|column| (column, format!("{SHIFT_BESIDE_WORKER}{column}")))
            .collect()
    });

/// A shift read beside a worker, under [`SHIFT_BESIDE_WORKER`]'s names.
pub(crate) fn shift_beside_worker(row: &DbRow) -> Result<RawShift, StoreError> {
    // A name missing from the map is read unprefixed, which no such row has: an error, not a
    // wrong value.
    shift_named(row, |column| {
        SHIFT_NAMES_BESIDE_WORKER
            .get(column)
            .map_or(column, String::as_str)
    })
}

/// The credential columns renamed to sit beside a shift's columns of the same names in one row.
pub(crate) const CREDENTIAL_BESIDE_SHIFT: [&str; 11] = [
    "c_id",
    "c_worker_id",
    "c_kind",
    "c_dbs_level",
    "c_issuer_org_id",
    "c_valid_from",
    "c_valid_until",
    "c_status",
    "c_revoked_at",
    "c_recorded_by",
    "c_recorded_at",
];

/// A credential read beside a shift, under [`CREDENTIAL_BESIDE_SHIFT`]'s names.
pub(crate) fn credential_beside_shift(row: &DbRow) -> Result<RawCredential, StoreError> {
    credential_named(row, &CREDENTIAL_BESIDE_SHIFT)
}
