//! Rows as backends read them (plain strings, numbers and ids), and their one conversion into
//! validated records. Keeping the conversion here means both backends decode data the same way, and
//! a corrupt row is an error rather than a panic.

use anyhow::{anyhow, Context};
use chrono::Duration;
use chrono::{DateTime, Utc};
use staffbank_domain::booking::{BookingMode, BookingStatus, CancelledBy};
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel, Requirement};
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::pay::Premium;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;
use uuid::Uuid;

use crate::*;

/// Longest stored label; the app applies tighter limits per field.
const LABEL_MAX: usize = 2000;

fn label(raw: &str) -> anyhow::Result<Label> {
    Label::parse(raw, LABEL_MAX).map_err(|e| anyhow!("stored label invalid: {e}"))
}

fn grade(raw: &str) -> anyhow::Result<Grade> {
    Grade::parse(raw).ok_or_else(|| anyhow!("stored grade invalid: {raw}"))
}

fn group(raw: &str) -> anyhow::Result<StaffGroup> {
    StaffGroup::parse(raw).ok_or_else(|| anyhow!("stored staff group invalid: {raw}"))
}

fn skills(raw: &[String]) -> anyhow::Result<Vec<Skill>> {
    Skill::parse_list(raw).map_err(|e| anyhow!("stored skills invalid: {e}"))
}

/// The family name and rank a backend stores for a grade, so "accepts my grade" is a comparison.
pub fn grade_rank(grade: Grade) -> (&'static str, i64) {
    match grade {
        Grade::Afc(i) => ("afc", i64::from(i)),
        Grade::Medical(i) => ("medical", i64::from(i)),
    }
}

/// An organisation row.
pub struct RawOrganisation {
    /// Column `id`.
    pub id: Uuid,
    /// Column `ods_code`.
    pub ods_code: String,
    /// Column `name`.
    pub name: String,
    /// Column `kind`.
    pub kind: String,
}

impl TryFrom<RawOrganisation> for Organisation {
    type Error = anyhow::Error;
    fn try_from(r: RawOrganisation) -> anyhow::Result<Self> {
        Ok(Self {
            id: OrgId(r.id),
            ods_code: OdsCode::parse(&r.ods_code).map_err(|e| anyhow!("ods code: {e}"))?,
            name: label(&r.name)?,
            kind: OrgKind::parse(&r.kind).context("organisation kind")?,
        })
    }
}

/// A site row.
pub struct RawSite {
    /// Column `id`.
    pub id: Uuid,
    /// Column `org_id`.
    pub org_id: Uuid,
    /// Column `name`.
    pub name: String,
    /// Column `lat`.
    pub lat: f64,
    /// Column `lon`.
    pub lon: f64,
}

impl TryFrom<RawSite> for Site {
    type Error = anyhow::Error;
    fn try_from(r: RawSite) -> anyhow::Result<Self> {
        Ok(Self {
            id: SiteId(r.id),
            org_id: OrgId(r.org_id),
            name: label(&r.name)?,
            location: GeoPoint::new(r.lat, r.lon).map_err(|e| anyhow!("site location: {e}"))?,
        })
    }
}

/// A ward row.
pub struct RawWard {
    /// Column `id`.
    pub id: Uuid,
    /// Column `site_id`.
    pub site_id: Uuid,
    /// Column `org_id`.
    pub org_id: Uuid,
    /// Column `name`.
    pub name: String,
    /// Column `instant_booking`.
    pub instant_booking: bool,
}

impl TryFrom<RawWard> for Ward {
    type Error = anyhow::Error;
    fn try_from(r: RawWard) -> anyhow::Result<Self> {
        Ok(Self {
            id: WardId(r.id),
            site_id: SiteId(r.site_id),
            org_id: OrgId(r.org_id),
            name: label(&r.name)?,
            instant_booking: r.instant_booking,
        })
    }
}

/// A bank row with its members.
pub struct RawBank {
    /// Column `id`.
    pub id: Uuid,
    /// Column `name`.
    pub name: String,
    /// Column `kind`.
    pub kind: String,
    /// Column `lead_org_id`.
    pub lead_org_id: Uuid,
    /// From `bank_members`.
    pub members: Vec<Uuid>,
}

impl TryFrom<RawBank> for Bank {
    type Error = anyhow::Error;
    fn try_from(r: RawBank) -> anyhow::Result<Self> {
        Ok(Self {
            id: BankId(r.id),
            name: label(&r.name)?,
            kind: BankKind::parse(&r.kind).context("bank kind")?,
            lead_org_id: OrgId(r.lead_org_id),
            member_orgs: r.members.into_iter().map(OrgId).collect(),
        })
    }
}

/// A grant row.
pub struct RawGrant {
    /// Column `role`.
    pub role: String,
    /// Column `scope_kind`.
    pub scope_kind: String,
    /// Column `scope_id`.
    pub scope_id: Option<Uuid>,
}

impl TryFrom<RawGrant> for Grant {
    type Error = anyhow::Error;
    fn try_from(r: RawGrant) -> anyhow::Result<Self> {
        let id = || r.scope_id.context("scope id missing");
        let scope = match r.scope_kind.as_str() {
            "platform" => Scope::Platform,
            "organisation" => Scope::Organisation(OrgId(id()?)),
            "ward" => Scope::Ward(WardId(id()?)),
            "bank" => Scope::Bank(BankId(id()?)),
            other => return Err(anyhow!("scope kind invalid: {other}")),
        };
        Ok(Self {
            role: Role::parse(&r.role).context("role")?,
            scope,
        })
    }
}

/// How a backend stores a grant's scope: kind and optional id.
pub fn scope_parts(scope: Scope) -> (&'static str, Option<Uuid>) {
    match scope {
        Scope::Platform => ("platform", None),
        Scope::Organisation(id) => ("organisation", Some(id.0)),
        Scope::Ward(id) => ("ward", Some(id.0)),
        Scope::Bank(id) => ("bank", Some(id.0)),
    }
}

/// A user row with grants.
pub struct RawUser {
    /// Column `id`.
    pub id: Uuid,
    /// Column `email`.
    pub email: String,
    /// Column `display_name`.
    pub display_name: String,
    /// Column `password_hash`.
    pub password_hash: Option<String>,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// From `user_grants`.
    pub grants: Vec<RawGrant>,
}

impl TryFrom<RawUser> for User {
    type Error = anyhow::Error;
    fn try_from(r: RawUser) -> anyhow::Result<Self> {
        Ok(Self {
            id: UserId(r.id),
            email: Email::parse(&r.email).map_err(|e| anyhow!("email: {e}"))?,
            display_name: label(&r.display_name)?,
            password_hash: r.password_hash,
            grants: r
                .grants
                .into_iter()
                .map(Grant::try_from)
                .collect::<anyhow::Result<_>>()?,
            created_at: r.created_at,
        })
    }
}

/// A worker row with bank memberships.
pub struct RawWorker {
    /// Column `id`.
    pub id: Uuid,
    /// Column `user_id`.
    pub user_id: Uuid,
    /// Column `display_name`.
    pub display_name: String,
    /// Column `staff_group`.
    pub staff_group: String,
    /// Column `grade`.
    pub grade: String,
    /// Column `pay_point`.
    pub pay_point: i64,
    /// Column `skills`.
    pub skills: Vec<String>,
    /// Columns `home_lat`, `home_lon`.
    pub home: Option<(f64, f64)>,
    /// From `bank_memberships`.
    pub banks: Vec<Uuid>,
    /// Column `weekly_limit_opt_out`.
    pub weekly_limit_opt_out: bool,
    /// From `bank_memberships` with a tier.
    pub tiered: Vec<Uuid>,
    /// Column `max_travel_km`.
    pub max_travel_km: Option<f64>,
    /// Column `shift_times`.
    pub shift_times: String,
}

impl TryFrom<RawWorker> for Worker {
    type Error = anyhow::Error;
    fn try_from(r: RawWorker) -> anyhow::Result<Self> {
        Ok(Self {
            id: WorkerId(r.id),
            user_id: UserId(r.user_id),
            display_name: label(&r.display_name)?,
            staff_group: group(&r.staff_group)?,
            grade: grade(&r.grade)?,
            pay_point: u8::try_from(r.pay_point).context("pay point")?,
            skills: skills(&r.skills)?,
            home: r
                .home
                .map(|(lat, lon)| GeoPoint::new(lat, lon))
                .transpose()
                .map_err(|e| anyhow!("home: {e}"))?,
            banks: r.banks.into_iter().map(BankId).collect(),
            weekly_limit_opt_out: r.weekly_limit_opt_out,
            tiered: r.tiered.into_iter().map(BankId).collect(),
            max_travel_km: r.max_travel_km,
            shift_times: ShiftTimes::parse(&r.shift_times)
                .ok_or_else(|| anyhow!("stored shift times invalid"))?,
        })
    }
}

/// A shift row.
pub struct RawShift {
    /// Column `id`.
    pub id: Uuid,
    /// Column `org_id`.
    pub org_id: Uuid,
    /// Column `ward_id`.
    pub ward_id: Uuid,
    /// Column `bank_id`.
    pub bank_id: Uuid,
    /// Column `role`.
    pub role: String,
    /// Column `staff_group`.
    pub staff_group: String,
    /// Column `grade_min`.
    pub grade_min: String,
    /// Column `grade_max`.
    pub grade_max: String,
    /// Column `required_skills`.
    pub required_skills: Vec<String>,
    /// Column `starts_at`.
    pub starts_at: DateTime<Utc>,
    /// Column `ends_at`.
    pub ends_at: DateTime<Utc>,
    /// Column `places`.
    pub places: i64,
    /// Column `booked`.
    pub booked: i64,
    /// Column `status`.
    pub status: String,
    /// Column `posted_by`.
    pub posted_by: Uuid,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Column `required_credentials`.
    pub required_credentials: Vec<String>,
    /// Column `released_at`.
    pub released_at: DateTime<Utc>,
    /// Columns `collaborative_bank_id`, `collaborative_at`.
    pub collaborative: Option<(Uuid, DateTime<Utc>)>,
    /// Column `priority_window_minutes`.
    pub priority_window_minutes: i64,
    /// Column `booking_mode`.
    pub booking_mode: String,
    /// Column `cancellation_notice_minutes`.
    pub cancellation_notice_minutes: i64,
    /// Columns `agency_at`, `agency_by`, `agency_reason`.
    pub agency: Option<(DateTime<Utc>, Uuid, String)>,
    /// Columns `agency_rate_pence`, `agency_name`, `agency_places`, `agency_spend_pence`.
    pub agency_terms: (Option<i64>, Option<String>, Option<i64>, Option<i64>),
    /// Column `premium_percent`.
    pub premium_percent: i64,
    /// Column `premium_override_reason`.
    pub premium_override_reason: Option<String>,
    /// Column `premium_cap_percent`: the cap the premium was agreed under.
    pub premium_cap_percent: Option<i64>,
}

impl TryFrom<RawShift> for Shift {
    type Error = anyhow::Error;
    fn try_from(r: RawShift) -> anyhow::Result<Self> {
        let staff_group = group(&r.staff_group)?;
        let places = Places::new(r.places).context("places")?;
        let booked = u16::try_from(r.booked).context("booked")?;
        let status = match r.status.as_str() {
            "cancelled" => ShiftStatus::Cancelled,
            "open" => ShiftStatus::from_counts(booked, places),
            other => return Err(anyhow!("shift status invalid: {other}")),
        };
        Ok(Self {
            id: ShiftId(r.id),
            org_id: OrgId(r.org_id),
            ward_id: WardId(r.ward_id),
            bank_id: BankId(r.bank_id),
            role: label(&r.role)?,
            staff_group,
            grades: GradeRange::new(staff_group, grade(&r.grade_min)?, grade(&r.grade_max)?)
                .map_err(|e| anyhow!("grades: {e}"))?,
            required_skills: skills(&r.required_skills)?,
            window: ShiftWindow::new(r.starts_at, r.ends_at).map_err(|e| anyhow!("window: {e}"))?,
            places,
            booked,
            status,
            posted_by: UserId(r.posted_by),
            created_at: r.created_at,
            required_credentials: Requirement::parse_list(&r.required_credentials)
                .map_err(|e| anyhow!("stored requirements invalid: {e}"))?,
            released_at: r.released_at,
            collaborative: r.collaborative.map(|(bank, at)| (BankId(bank), at)),
            priority_window: Duration::minutes(r.priority_window_minutes),
            booking_mode: BookingMode::parse(&r.booking_mode)
                .ok_or_else(|| anyhow!("stored booking mode invalid"))?,
            cancellation_notice: Duration::minutes(r.cancellation_notice_minutes),
            agency: r
                .agency
                .map(|(at, by, reason)| {
                    let (rate_pence, name, places, spend) = r.agency_terms;
                    let cost = match (places, spend) {
                        (Some(places), Some(spend_pence)) => Some(AgencyCost {
                            places: u16::try_from(places).context("agency places")?,
                            spend_pence,
                        }),
                        _ => None,
                    };
                    Ok::<_, anyhow::Error>(AgencyRelease {
                        at,
                        by: UserId(by),
                        reason: label(&reason)?,
                        rate_pence,
                        agency_name: name.as_deref().map(label).transpose()?,
                        cost,
                        spend_seen: None,
                    })
                })
                .transpose()?,
            premium: Premium {
                percent: u32::try_from(r.premium_percent).context("premium")?,
                override_reason: r
                    .premium_override_reason
                    .as_deref()
                    .map(label)
                    .transpose()?,
                cap: r
                    .premium_cap_percent
                    .map(u32::try_from)
                    .transpose()
                    .context("premium cap")?,
            },
        })
    }
}

/// Stored requirement names, the inverse of what [`RawShift`] parses.
pub fn requirement_names(list: &[Requirement]) -> Vec<String> {
    list.iter().map(|r| r.as_string()).collect()
}

/// A credential row.
pub struct RawCredential {
    /// Column `id`.
    pub id: Uuid,
    /// Column `worker_id`.
    pub worker_id: Uuid,
    /// Column `kind`.
    pub kind: String,
    /// Column `dbs_level`.
    pub dbs_level: Option<String>,
    /// Column `issuer_org_id`.
    pub issuer_org_id: Uuid,
    /// Column `valid_from`.
    pub valid_from: DateTime<Utc>,
    /// Column `valid_until`.
    pub valid_until: Option<DateTime<Utc>>,
    /// Column `status`.
    pub status: String,
    /// Column `revoked_at`.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Column `recorded_by`.
    pub recorded_by: Uuid,
    /// Column `recorded_at`.
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<RawCredential> for Credential {
    type Error = anyhow::Error;
    fn try_from(r: RawCredential) -> anyhow::Result<Self> {
        Ok(Self {
            id: CredentialId(r.id),
            worker_id: WorkerId(r.worker_id),
            kind: CredentialKind::parse(&r.kind).ok_or_else(|| anyhow!("credential kind"))?,
            dbs_level: r
                .dbs_level
                .map(|l| DbsLevel::parse(&l).ok_or_else(|| anyhow!("dbs level")))
                .transpose()?,
            issuer_org_id: OrgId(r.issuer_org_id),
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            status: CredentialStatus::parse(&r.status)
                .ok_or_else(|| anyhow!("credential status"))?,
            revoked_at: r.revoked_at,
            recorded_by: UserId(r.recorded_by),
            recorded_at: r.recorded_at,
        })
    }
}

/// How a backend stores a shift's status: only `open` or `cancelled`; filled is derived.
pub fn stored_shift_status(status: ShiftStatus) -> &'static str {
    match status {
        ShiftStatus::Cancelled => "cancelled",
        ShiftStatus::Open | ShiftStatus::Filled => "open",
    }
}

/// A booking row.
pub struct RawBooking {
    /// Column `id`.
    pub id: Uuid,
    /// Column `shift_id`.
    pub shift_id: Uuid,
    /// Column `worker_id`.
    pub worker_id: Uuid,
    /// Column `starts_at`.
    pub starts_at: DateTime<Utc>,
    /// Column `ends_at`.
    pub ends_at: DateTime<Utc>,
    /// Column `status`.
    pub status: String,
    /// Column `idempotency_key`.
    pub idempotency_key: String,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Column `cancelled_by`.
    pub cancelled_by: Option<String>,
    /// Column `cancelled_by_user`.
    pub cancelled_by_user: Option<Uuid>,
    /// Column `cancel_reason`.
    pub cancel_reason: Option<String>,
    /// Column `cancelled_at`.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Column `late_cancellation`.
    pub late_cancellation: bool,
}

impl TryFrom<RawBooking> for Booking {
    type Error = anyhow::Error;
    fn try_from(r: RawBooking) -> anyhow::Result<Self> {
        let cancellation = match (
            r.cancelled_by,
            r.cancelled_by_user,
            r.cancel_reason,
            r.cancelled_at,
        ) {
            (Some(by), Some(user), Some(reason), Some(at)) => Some(CancellationRecord {
                by: CancelledBy::parse(&by).context("cancelled by")?,
                by_user: UserId(user),
                reason: label(&reason)?,
                at,
                late: r.late_cancellation,
            }),
            _ => None,
        };
        Ok(Self {
            id: BookingId(r.id),
            shift_id: ShiftId(r.shift_id),
            worker_id: WorkerId(r.worker_id),
            window: ShiftWindow::new(r.starts_at, r.ends_at).map_err(|e| anyhow!("window: {e}"))?,
            status: BookingStatus::parse(&r.status).context("booking status")?,
            idempotency_key: r.idempotency_key,
            created_at: r.created_at,
            cancellation,
        })
    }
}

/// A `release_policies` row (minutes) as a policy.
pub fn release_policy(
    (horizon, after, lead, priority, notice, core): (i64, i64, i64, i64, i64, Option<i64>),
) -> staffbank_domain::release::ReleasePolicy {
    staffbank_domain::release::ReleasePolicy {
        horizon: Duration::minutes(horizon),
        collaborative_after: Duration::minutes(after),
        collaborative_lead: Duration::minutes(lead),
        priority_window: Duration::minutes(priority),
        cancellation_notice: Duration::minutes(notice),
        core_tier_hours: core,
    }
}

/// A row of `Store::member_hours`: worker id, user id, tier, minutes, contract.
pub fn member_hours(
    (worker, user, tier, minutes, contract): (Uuid, Uuid, Option<String>, i64, Option<String>),
) -> Result<crate::MemberHours, crate::StoreError> {
    let contract = contract
        .map(|c| {
            staffbank_domain::fairness::contract::Contract::parse(&c).ok_or_else(|| {
                crate::StoreError::Unexpected(anyhow::anyhow!("stored contract {c}"))
            })
        })
        .transpose()?;
    let tier = tier
        .map(|t| {
            staffbank_domain::release::Tier::parse(&t)
                .ok_or_else(|| crate::StoreError::Unexpected(anyhow::anyhow!("stored tier {t}")))
        })
        .transpose()?;
    Ok(crate::MemberHours {
        worker_id: staffbank_domain::WorkerId(worker),
        user_id: staffbank_domain::UserId(user),
        tier,
        minutes,
        contract,
    })
}

/// A booking request row.
pub struct RawRequest {
    /// Column `id`.
    pub id: Uuid,
    /// Column `shift_id`.
    pub shift_id: Uuid,
    /// Column `worker_id`.
    pub worker_id: Uuid,
    /// Column `status`.
    pub status: String,
    /// Column `idempotency_key`.
    pub idempotency_key: String,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Columns `decided_at`, `decided_by`.
    pub decided: Option<(DateTime<Utc>, Uuid)>,
    /// Column `booking_id`.
    pub booking_id: Option<Uuid>,
}

impl TryFrom<RawRequest> for BookingRequest {
    type Error = anyhow::Error;
    fn try_from(r: RawRequest) -> anyhow::Result<Self> {
        Ok(Self {
            id: RequestId(r.id),
            shift_id: ShiftId(r.shift_id),
            worker_id: WorkerId(r.worker_id),
            status: RequestStatus::parse(&r.status).context("request status")?,
            idempotency_key: r.idempotency_key,
            created_at: r.created_at,
            decided: r.decided.map(|(at, by)| (at, UserId(by))),
            booking_id: r.booking_id.map(BookingId),
        })
    }
}

/// An availability row: the stored bit set of weekdays and the comma-separated ISO dates.
pub fn availability(
    weekdays: i64,
    dates: &str,
) -> anyhow::Result<staffbank_domain::availability::Availability> {
    let bits = u8::try_from(weekdays).context("weekdays")?;
    let dates = dates
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<chrono::NaiveDate>().context("unavailable date"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    staffbank_domain::availability::Availability::from_bits(bits, dates)
        .map_err(|e| anyhow!("stored availability invalid: {e}"))
}

/// The dates of an availability as stored: ISO dates, comma separated.
pub fn availability_dates(availability: &staffbank_domain::availability::Availability) -> String {
    availability
        .unavailable()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
