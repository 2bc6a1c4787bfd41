//! Reading PostgreSQL rows into the store's raw rows.

use std::collections::HashMap;
use std::sync::LazyLock;

use sqlx::postgres::PgRow;
use sqlx::Row;
use staffbank_store::raw::*;
use staffbank_store::StoreError;

use crate::store::SHIFT_COLUMNS;

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    column: &str,
) -> Result<T, StoreError> {
    row.try_get(column).map_err(crate::error::map)
}

pub(crate) fn organisation(row: &PgRow) -> Result<RawOrganisation, StoreError> {
    Ok(RawOrganisation {
        id: get(row, "id")?,
        ods_code: get(row, "ods_code")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
    })
}

pub(crate) fn site(row: &PgRow) -> Result<RawSite, StoreError> {
    Ok(RawSite {
        id: get(row, "id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        lat: get(row, "lat")?,
        lon: get(row, "lon")?,
    })
}

pub(crate) fn ward(row: &PgRow) -> Result<RawWard, StoreError> {
    Ok(RawWard {
        id: get(row, "id")?,
        site_id: get(row, "site_id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        instant_booking: get(row, "instant_booking")?,
    })
}

pub(crate) fn bank(row: &PgRow) -> Result<RawBank, StoreError> {
    Ok(RawBank {
        id: get(row, "id")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
        lead_org_id: get(row, "lead_org_id")?,
        members: get(row, "members")?,
    })
}

pub(crate) fn grant(row: &PgRow) -> Result<RawGrant, StoreError> {
    Ok(RawGrant {
        role: get(row, "role")?,
        scope_kind: get(row, "scope_kind")?,
        scope_id: get(row, "scope_id")?,
    })
}

pub(crate) fn user(row: &PgRow, grants: Vec<RawGrant>) -> Result<RawUser, StoreError> {
    Ok(RawUser {
        id: get(row, "id")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        created_at: get(row, "created_at")?,
        grants,
    })
}

pub(crate) fn worker(row: &PgRow) -> Result<RawWorker, StoreError> {
    let lat: Option<f64> = get(row, "home_lat")?;
    let lon: Option<f64> = get(row, "home_lon")?;
    let pay_point: i32 = get(row, "pay_point")?;
    Ok(RawWorker {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        display_name: get(row, "display_name")?,
        staff_group: get(row, "staff_group")?,
        grade: get(row, "grade")?,
        pay_point: i64::from(pay_point),
        skills: get(row, "skills")?,
        home: lat.zip(lon),
        banks: get(row, "banks")?,
        weekly_limit_opt_out: get(row, "weekly_limit_opt_out")?,
        tiered: get(row, "tiered")?,
        max_travel_km: get(row, "max_travel_km")?,
        shift_times: get(row, "shift_times")?,
    })
}

pub(crate) fn shift(row: &PgRow) -> Result<RawShift, StoreError> {
    shift_named(row, |column| column)
}

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
pub(crate) fn shift_beside_worker(row: &PgRow) -> Result<RawShift, StoreError> {
    // A name missing from the map is read unprefixed, which no such row has: an error, not a
    // wrong value.
    shift_named(row, |column| {
        SHIFT_NAMES_BESIDE_WORKER
            .get(column)
            .map_or(column, String::as_str)
    })
}

/// A shift from the columns `named` gives for each of the shifts table's column names.
fn shift_named(
    row: &PgRow,
    named: impl Fn(&'static str) -> &'static str,
) -> Result<RawShift, StoreError> {
    let places: i32 = get(row, named("places"))?;
    let booked: i32 = get(row, named("booked"))?;
    Ok(RawShift {
        id: get(row, named("id"))?,
        org_id: get(row, named("org_id"))?,
        ward_id: get(row, named("ward_id"))?,
        bank_id: get(row, named("bank_id"))?,
        role: get(row, named("role"))?,
        staff_group: get(row, named("staff_group"))?,
        grade_min: get(row, named("grade_min"))?,
        grade_max: get(row, named("grade_max"))?,
        required_skills: get(row, named("required_skills"))?,
        starts_at: get(row, named("starts_at"))?,
        ends_at: get(row, named("ends_at"))?,
        places: i64::from(places),
        booked: i64::from(booked),
        status: get(row, named("status"))?,
        posted_by: get(row, named("posted_by"))?,
        created_at: get(row, named("created_at"))?,
        required_credentials: get(row, named("required_credentials"))?,
        released_at: get(row, named("released_at"))?,
        collaborative: Option::zip(
            get(row, named("collaborative_bank_id"))?,
            get(row, named("collaborative_at"))?,
        ),
        priority_window_minutes: get(row, named("priority_window_minutes"))?,
        booking_mode: get(row, named("booking_mode"))?,
        cancellation_notice_minutes: get(row, named("cancellation_notice_minutes"))?,
        agency: match (
            get(row, named("agency_at"))?,
            get(row, named("agency_by"))?,
            get(row, named("agency_reason"))?,
        ) {
            (Some(at), Some(by), Some(reason)) => Some((at, by, reason)),
            _ => None,
        },
        premium_percent: i64::from(get::<i32>(row, named("premium_percent"))?),
        premium_override_reason: get(row, named("premium_override_reason"))?,
    })
}

/// A credential's columns, as the credentials table names them.
pub(crate) const CREDENTIAL: [&str; 11] = [
    "id",
    "worker_id",
    "kind",
    "dbs_level",
    "issuer_org_id",
    "valid_from",
    "valid_until",
    "status",
    "revoked_at",
    "recorded_by",
    "recorded_at",
];

/// The same columns renamed to sit beside a shift's columns of the same names in one row.
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

pub(crate) fn credential(row: &PgRow) -> Result<RawCredential, StoreError> {
    credential_named(row, &CREDENTIAL)
}

/// A credential read beside a shift, under [`CREDENTIAL_BESIDE_SHIFT`]'s names.
pub(crate) fn credential_beside_shift(row: &PgRow) -> Result<RawCredential, StoreError> {
    credential_named(row, &CREDENTIAL_BESIDE_SHIFT)
}

/// A credential from the columns `names`, in [`CREDENTIAL`]'s order.
fn credential_named(row: &PgRow, names: &[&str; 11]) -> Result<RawCredential, StoreError> {
    let [id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, status, revoked_at, recorded_by, recorded_at] =
        *names;
    Ok(RawCredential {
        id: get(row, id)?,
        worker_id: get(row, worker_id)?,
        kind: get(row, kind)?,
        dbs_level: get(row, dbs_level)?,
        issuer_org_id: get(row, issuer_org_id)?,
        valid_from: get(row, valid_from)?,
        valid_until: get(row, valid_until)?,
        status: get(row, status)?,
        revoked_at: get(row, revoked_at)?,
        recorded_by: get(row, recorded_by)?,
        recorded_at: get(row, recorded_at)?,
    })
}

pub(crate) fn booking(row: &PgRow) -> Result<RawBooking, StoreError> {
    Ok(RawBooking {
        id: get(row, "id")?,
        shift_id: get(row, "shift_id")?,
        worker_id: get(row, "worker_id")?,
        starts_at: get(row, "starts_at")?,
        ends_at: get(row, "ends_at")?,
        status: get(row, "status")?,
        idempotency_key: get(row, "idempotency_key")?,
        created_at: get(row, "created_at")?,
        cancelled_by: get(row, "cancelled_by")?,
        cancelled_by_user: get(row, "cancelled_by_user")?,
        cancel_reason: get(row, "cancel_reason")?,
        cancelled_at: get(row, "cancelled_at")?,
        late_cancellation: get(row, "late_cancellation")?,
    })
}
