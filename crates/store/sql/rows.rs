//! Reading rows into the store's raw rows (`staffbank_store::raw`), whose conversions into the
//! domain's types validate what was stored. The column lists are here too, so that every read of
//! a table names its columns the same way.

use std::sync::LazyLock;

use staffbank_store::raw::*;
use staffbank_store::StoreError;

use super::types::{Ids, Texts};
use super::{get, instant, opt_instant};
use crate::db::{id_list, DbRow};

/// A shift's columns, as the shifts table names them.
pub(crate) const SHIFT_COLUMNS: &str =
    "id, org_id, ward_id, bank_id, role, staff_group, grade_min, grade_max, \
     required_skills, starts_at, ends_at, places, booked, status, posted_by, created_at, \
     required_credentials, released_at, collaborative_bank_id, collaborative_at, \
     priority_window_minutes, booking_mode, cancellation_notice_minutes, agency_at, agency_by, \
     agency_reason, premium_percent, premium_override_reason, agency_rate_pence, agency_name, \
     agency_places, agency_spend_pence, premium_cap_percent";

/// A booking's columns, as the bookings table names them.
pub(crate) const BOOKING_COLUMNS: &str =
    "id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
     created_at, cancelled_by, cancelled_by_user, cancel_reason, cancelled_at, late_cancellation";

/// A bank's columns (alias `b`) with its member trusts, from `banks b`.
pub(crate) static BANK_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT b.id, b.name, b.kind, b.lead_org_id, {} AS members FROM banks b",
        id_list(
            "SELECT m.org_id AS v FROM bank_members m WHERE m.bank_id = b.id ORDER BY m.org_id"
        )
    )
});

/// A worker's columns (alias `w`), with the banks they belong to and those where they hold a
/// priority tier.
pub(crate) static WORKER_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "w.*, {} AS banks, {} AS tiered",
        id_list(
            "SELECT m.bank_id AS v FROM bank_memberships m WHERE m.worker_id = w.id \
             ORDER BY m.joined_at, m.bank_id"
        ),
        id_list(
            "SELECT m.bank_id AS v FROM bank_memberships m WHERE m.worker_id = w.id \
             AND m.tier IS NOT NULL ORDER BY m.bank_id"
        )
    )
});

pub(crate) fn organisation(row: &DbRow) -> Result<RawOrganisation, StoreError> {
    Ok(RawOrganisation {
        id: get(row, "id")?,
        ods_code: get(row, "ods_code")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
    })
}

pub(crate) fn site(row: &DbRow) -> Result<RawSite, StoreError> {
    Ok(RawSite {
        id: get(row, "id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        lat: get(row, "lat")?,
        lon: get(row, "lon")?,
    })
}

pub(crate) fn ward(row: &DbRow) -> Result<RawWard, StoreError> {
    Ok(RawWard {
        id: get(row, "id")?,
        site_id: get(row, "site_id")?,
        org_id: get(row, "org_id")?,
        name: get(row, "name")?,
        instant_booking: get(row, "instant_booking")?,
    })
}

/// A bank row under [`BANK_SELECT`]'s names.
pub(crate) fn bank(row: &DbRow) -> Result<RawBank, StoreError> {
    Ok(RawBank {
        id: get(row, "id")?,
        name: get(row, "name")?,
        kind: get(row, "kind")?,
        lead_org_id: get(row, "lead_org_id")?,
        members: get::<Ids>(row, "members")?.0,
    })
}

pub(crate) fn grant(row: &DbRow) -> Result<RawGrant, StoreError> {
    Ok(RawGrant {
        role: get(row, "role")?,
        scope_kind: get(row, "scope_kind")?,
        scope_id: get(row, "scope_id")?,
    })
}

pub(crate) fn user(row: &DbRow, grants: Vec<RawGrant>) -> Result<RawUser, StoreError> {
    Ok(RawUser {
        id: get(row, "id")?,
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        created_at: instant(row, "created_at")?,
        grants,
    })
}

/// A worker row under [`WORKER_COLUMNS`]' names.
pub(crate) fn worker(row: &DbRow) -> Result<RawWorker, StoreError> {
    worker_with(
        row,
        get::<Ids>(row, "banks")?.0,
        get::<Ids>(row, "tiered")?.0,
    )
}

/// A worker row whose banks and tiers were read apart from it.
pub(crate) fn worker_with(
    row: &DbRow,
    banks: Vec<uuid::Uuid>,
    tiered: Vec<uuid::Uuid>,
) -> Result<RawWorker, StoreError> {
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
        skills: get::<Texts>(row, "skills")?.0,
        home: lat.zip(lon),
        banks,
        weekly_limit_opt_out: get(row, "weekly_limit_opt_out")?,
        tiered,
        max_travel_km: get(row, "max_travel_km")?,
        shift_times: get(row, "shift_times")?,
    })
}

pub(crate) fn shift(row: &DbRow) -> Result<RawShift, StoreError> {
    shift_named(row, |column| column)
}

/// A shift from the columns `named` gives for each of the shifts table's column names.
pub(crate) fn shift_named(
    row: &DbRow,
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
        required_skills: get::<Texts>(row, named("required_skills"))?.0,
        starts_at: instant(row, named("starts_at"))?,
        ends_at: instant(row, named("ends_at"))?,
        places: i64::from(places),
        booked: i64::from(booked),
        status: get(row, named("status"))?,
        posted_by: get(row, named("posted_by"))?,
        created_at: instant(row, named("created_at"))?,
        required_credentials: get::<Texts>(row, named("required_credentials"))?.0,
        released_at: instant(row, named("released_at"))?,
        collaborative: Option::zip(
            get(row, named("collaborative_bank_id"))?,
            opt_instant(row, named("collaborative_at"))?,
        ),
        priority_window_minutes: get(row, named("priority_window_minutes"))?,
        booking_mode: get(row, named("booking_mode"))?,
        cancellation_notice_minutes: get(row, named("cancellation_notice_minutes"))?,
        agency: match (
            opt_instant(row, named("agency_at"))?,
            get(row, named("agency_by"))?,
            get(row, named("agency_reason"))?,
        ) {
            (Some(at), Some(by), Some(reason)) => Some((at, by, reason)),
            _ => None,
        },
        agency_terms: (
            get(row, named("agency_rate_pence"))?,
            get(row, named("agency_name"))?,
            get::<Option<i64>>(row, named("agency_places"))?,
            get(row, named("agency_spend_pence"))?,
        ),
        premium_percent: i64::from(get::<i32>(row, named("premium_percent"))?),
        premium_override_reason: get(row, named("premium_override_reason"))?,
        premium_cap_percent: get::<Option<i32>>(row, named("premium_cap_percent"))?.map(i64::from),
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

pub(crate) fn credential(row: &DbRow) -> Result<RawCredential, StoreError> {
    credential_named(row, &CREDENTIAL)
}

/// A credential from the columns `names`, in [`CREDENTIAL`]'s order.
pub(crate) fn credential_named(
    row: &DbRow,
    names: &[&str; 11],
) -> Result<RawCredential, StoreError> {
    let [id, worker_id, kind, dbs_level, issuer_org_id, valid_from, valid_until, status, revoked_at, recorded_by, recorded_at] =
        *names;
    Ok(RawCredential {
        id: get(row, id)?,
        worker_id: get(row, worker_id)?,
        kind: get(row, kind)?,
        dbs_level: get(row, dbs_level)?,
        issuer_org_id: get(row, issuer_org_id)?,
        valid_from: instant(row, valid_from)?,
        valid_until: opt_instant(row, valid_until)?,
        status: get(row, status)?,
        revoked_at: opt_instant(row, revoked_at)?,
        recorded_by: get(row, recorded_by)?,
        recorded_at: instant(row, recorded_at)?,
    })
}

pub(crate) fn booking(row: &DbRow) -> Result<RawBooking, StoreError> {
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
