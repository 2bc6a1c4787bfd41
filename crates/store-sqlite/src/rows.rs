//! Reading SQLite rows into the store's raw rows. Instants are INTEGER milliseconds; lists are JSON.

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use staffbank_store::raw::*;
use staffbank_store::StoreError;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn instant(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>, StoreError> {
    let value: i64 = row.try_get(column).map_err(crate::error::map)?;
    DateTime::from_timestamp_millis(value)
        .ok_or_else(|| StoreError::Unexpected(anyhow!("stored instant out of range")))
}

pub(crate) fn opt_instant(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let value: Option<i64> = row.try_get(column).map_err(crate::error::map)?;
    Ok(value.and_then(DateTime::from_timestamp_millis))
}

pub(crate) fn json_list(list: &[impl AsRef<str>]) -> String {
    let items: Vec<&str> = list.iter().map(AsRef::as_ref).collect();
    serde_json::Value::from(items).to_string()
}

fn list(row: &SqliteRow, column: &str) -> Result<Vec<String>, StoreError> {
    let text: String = row.try_get(column).map_err(crate::error::map)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Unexpected(e.into()))
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    column: &str,
) -> Result<T, StoreError> {
    row.try_get(column).map_err(crate::error::map)
}

pub(crate) fn organisation(row: &SqliteRow) -> Result<RawOrganisation, StoreError> {
    Ok(RawOrganisation {
        id: get(row, "id")?,
        ods_code: get(row, "ods_code")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
    })
}

pub(crate) fn site(row: &SqliteRow) -> Result<RawSite, StoreError> {
    Ok(RawSite {
        id: get(row, "id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        lat: get(row, "lat")?,
        lon: get(row, "lon")?,
    })
}

pub(crate) fn ward(row: &SqliteRow) -> Result<RawWard, StoreError> {
    Ok(RawWard {
        id: get(row, "id")?,
        site_id: get(row, "site_id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        instant_booking: get(row, "instant_booking")?,
    })
}

pub(crate) fn grant(row: &SqliteRow) -> Result<RawGrant, StoreError> {
    Ok(RawGrant {
        role: get(row, "role")?,
        scope_kind: get(row, "scope_kind")?,
        scope_id: get(row, "scope_id")?,
    })
}

pub(crate) fn user(row: &SqliteRow, grants: Vec<RawGrant>) -> Result<RawUser, StoreError> {
    Ok(RawUser {
        id: get(row, "id")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        created_at: instant(row, "created_at")?,
        grants,
    })
}

pub(crate) fn worker(
    row: &SqliteRow,
    banks: Vec<uuid::Uuid>,
    tiered: Vec<uuid::Uuid>,
) -> Result<RawWorker, StoreError> {
    let lat: Option<f64> = get(row, "home_lat")?;
    let lon: Option<f64> = get(row, "home_lon")?;
    Ok(RawWorker {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        display_name: get(row, "display_name")?,
        staff_group: get(row, "staff_group")?,
        grade: get(row, "grade")?,
        pay_point: get(row, "pay_point")?,
        skills: list(row, "skills")?,
        home: lat.zip(lon),
        banks,
        weekly_limit_opt_out: get(row, "weekly_limit_opt_out")?,
        tiered,
        max_travel_km: get(row, "max_travel_km")?,
        shift_times: get(row, "shift_times")?,
    })
}

pub(crate) fn shift(row: &SqliteRow) -> Result<RawShift, StoreError> {
    Ok(RawShift {
        id: get(row, "id")?,
        org_id: get(row, "org_id")?,
        ward_id: get(row, "ward_id")?,
        bank_id: get(row, "bank_id")?,
        role: get(row, "role")?,
        staff_group: get(row, "staff_group")?,
        grade_min: get(row, "grade_min")?,
        grade_max: get(row, "grade_max")?,
        required_skills: list(row, "required_skills")?,
        starts_at: instant(row, "starts_at")?,
        ends_at: instant(row, "ends_at")?,
        places: get(row, "places")?,
        booked: get(row, "booked")?,
        status: get(row, "status")?,
        posted_by: get(row, "posted_by")?,
        created_at: instant(row, "created_at")?,
        required_credentials: list(row, "required_credentials")?,
        released_at: instant(row, "released_at")?,
        collaborative: Option::zip(
            get(row, "collaborative_bank_id")?,
            opt_instant(row, "collaborative_at")?,
        ),
        priority_window_minutes: get(row, "priority_window_minutes")?,
        booking_mode: get(row, "booking_mode")?,
        cancellation_notice_minutes: get(row, "cancellation_notice_minutes")?,
        agency: match (
            opt_instant(row, "agency_at")?,
            get(row, "agency_by")?,
            get(row, "agency_reason")?,
        ) {
            (Some(at), Some(by), Some(reason)) => Some((at, by, reason)),
            _ => None,
        },
        premium_percent: get(row, "premium_percent")?,
        premium_override_reason: get(row, "premium_override_reason")?,
    })
}

pub(crate) fn credential(row: &SqliteRow) -> Result<RawCredential, StoreError> {
    Ok(RawCredential {
        id: get(row, "id")?,
        worker_id: get(row, "worker_id")?,
        kind: get(row, "kind")?,
        dbs_level: get(row, "dbs_level")?,
        issuer_org_id: get(row, "issuer_org_id")?,
        valid_from: instant(row, "valid_from")?,
        valid_until: opt_instant(row, "valid_until")?,
        status: get(row, "status")?,
        revoked_at: opt_instant(row, "revoked_at")?,
        recorded_by: get(row, "recorded_by")?,
        recorded_at: instant(row, "recorded_at")?,
    })
}

pub(crate) fn booking(row: &SqliteRow) -> Result<RawBooking, StoreError> {
    Ok(RawBooking {
        id: get(row, "id")?,
        shift_id: get(row, "shift_id")?,
        worker_id: get(row, "worker_id")?,
        starts_at: instant(row, "starts_at")?,
        ends_at: instant(row, "ends_at")?,
        status: get(row, "status")?,
        idempotency_key: get(row, "idempotency_key")?,
        created_at: instant(row, "created_at")?,
        cancelled_by: get(row, "cancelled_by")?,
        cancelled_by_user: get(row, "cancelled_by_user")?,
        cancel_reason: get(row, "cancel_reason")?,
        cancelled_at: opt_instant(row, "cancelled_at")?,
        late_cancellation: get(row, "late_cancellation")?,
    })
}
