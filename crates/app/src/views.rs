//! What the use cases return: plain, serialisable views with names resolved and times given both
//! in UTC and on the UK wall clock.

use chrono::{DateTime, Utc};
use serde::Serialize;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_store::{Bank, Booking, Organisation, Shift, Site, User, Ward, Worker};
use uuid::Uuid;

/// An instant on the UK wall clock, RFC 3339 with its offset (e.g. `2026-07-01T07:30:00+01:00`).
pub fn london(t: DateTime<Utc>) -> String {
    t.with_timezone(&RULES_ZONE).to_rfc3339()
}

/// An organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    /// Identity.
    pub id: Uuid,
    /// ODS code.
    pub ods_code: String,
    /// Name.
    pub name: String,
    /// `trust` or `issuer`.
    pub kind: String,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        Self {
            id: o.id.0,
            ods_code: o.ods_code.as_str().to_owned(),
            name: o.name.to_string(),
            kind: o.kind.as_str().to_owned(),
        }
    }
}

/// A site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteView {
    /// Identity.
    pub id: Uuid,
    /// Owner.
    pub org_id: Uuid,
    /// Name.
    pub name: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        Self {
            id: s.id.0,
            org_id: s.org_id.0,
            name: s.name.to_string(),
            lat: s.location.lat(),
            lon: s.location.lon(),
        }
    }
}

/// A ward.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WardView {
    /// Identity.
    pub id: Uuid,
    /// Its site.
    pub site_id: Uuid,
    /// Site name.
    pub site_name: String,
    /// Its trust.
    pub org_id: Uuid,
    /// Name.
    pub name: String,
    /// Whether workers book its shifts at once (false: by a request a booker approves).
    pub instant_booking: bool,
}

impl WardView {
    /// A ward with its site's name.
    pub fn new(ward: &Ward, site: &Site) -> Self {
        Self {
            id: ward.id.0,
            site_id: site.id.0,
            site_name: site.name.to_string(),
            org_id: ward.org_id.0,
            name: ward.name.to_string(),
            instant_booking: ward.instant_booking,
        }
    }
}

/// A bank.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankView {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `own` or `collaborative`.
    pub kind: String,
    /// The trust that runs it.
    pub lead_org_id: Uuid,
    /// Member trusts.
    pub member_org_ids: Vec<Uuid>,
}

impl From<&Bank> for BankView {
    fn from(b: &Bank) -> Self {
        Self {
            id: b.id.0,
            name: b.name.to_string(),
            kind: b.kind.as_str().to_owned(),
            lead_org_id: b.lead_org_id.0,
            member_org_ids: b.member_orgs.iter().map(|o| o.0).collect(),
        }
    }
}

/// One role grant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// Role name.
    pub role: String,
    /// `platform`, `organisation`, `ward` or `bank`.
    pub scope: String,
    /// The scope's id.
    pub scope_id: Option<Uuid>,
}

/// A worker's professional profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkerView {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub display_name: String,
    /// Staff group.
    pub staff_group: String,
    /// Grade.
    pub grade: String,
    /// Pay point within the band.
    pub pay_point: u8,
    /// Skills.
    pub skills: Vec<String>,
    /// Banks they belong to.
    pub bank_ids: Vec<Uuid>,
    /// Opted out of the 48-hour average weekly limit.
    pub weekly_limit_opt_out: bool,
}

impl From<&Worker> for WorkerView {
    fn from(w: &Worker) -> Self {
        Self {
            id: w.id.0,
            display_name: w.display_name.to_string(),
            staff_group: w.staff_group.as_str().to_owned(),
            grade: w.grade.as_str().to_owned(),
            pay_point: w.pay_point,
            skills: w.skills.iter().map(|s| s.as_str().to_owned()).collect(),
            bank_ids: w.banks.iter().map(|b| b.0).collect(),
            weekly_limit_opt_out: w.weekly_limit_opt_out,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Identity.
    pub id: Uuid,
    /// Sign-in email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Staff roles.
    pub grants: Vec<GrantView>,
    /// Worker profile, if any.
    pub worker: Option<WorkerView>,
}

impl UserView {
    /// A user and, if any, their worker profile.
    pub fn new(user: &User, worker: Option<&Worker>) -> Self {
        Self {
            id: user.id.0,
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.to_string(),
            grants: user
                .grants
                .iter()
                .map(|g| {
                    let (scope, scope_id) = staffbank_store::raw::scope_parts(g.scope);
                    GrantView {
                        role: g.role.as_str().to_owned(),
                        scope: scope.to_owned(),
                        scope_id,
                    }
                })
                .collect(),
            worker: worker.map(WorkerView::from),
        }
    }
}

/// A shift, with names resolved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    /// Identity.
    pub id: Uuid,
    /// Posting trust.
    pub org_id: Uuid,
    /// Its ODS code.
    pub org_ods_code: String,
    /// Its name.
    pub org_name: String,
    /// Ward.
    pub ward_id: Uuid,
    /// Ward name.
    pub ward_name: String,
    /// Site, so a worker's choice of sites can be judged from an offer alone.
    pub site_id: Uuid,
    /// Site name.
    pub site_name: String,
    /// Bank it is posted to.
    pub bank_id: Uuid,
    /// Bank name.
    pub bank_name: String,
    /// Role title.
    pub role: String,
    /// Staff group.
    pub staff_group: String,
    /// Lowest grade accepted.
    pub grade_min: String,
    /// Highest grade accepted.
    pub grade_max: String,
    /// Skills required.
    pub required_skills: Vec<String>,
    /// Start, UTC.
    pub starts_at: DateTime<Utc>,
    /// End, UTC.
    pub ends_at: DateTime<Utc>,
    /// Start on the UK wall clock.
    pub starts_local: String,
    /// End on the UK wall clock.
    pub ends_local: String,
    /// Real length in minutes (clock changes included).
    pub length_minutes: i64,
    /// Places in all.
    pub places: u16,
    /// Places booked.
    pub booked: u16,
    /// `open`, `filled` or `cancelled`.
    pub status: String,
    /// Credentials a worker must hold for the whole shift, e.g. `dbs_check:enhanced_barred`.
    pub required_credentials: Vec<String>,
    /// When the first bank may book.
    pub released_at: DateTime<Utc>,
    /// The collaborative bank it cascades to, if any.
    pub collaborative_bank_id: Option<Uuid>,
    /// When the collaborative bank may book.
    pub collaborative_at: Option<DateTime<Utc>>,
    /// Minutes tiered workers have each stage to themselves.
    pub priority_window_minutes: i64,
    /// `instant`, or `request` for a booking a booker approves.
    pub booking_mode: String,
    /// The cancellation rule both sides see before booking: cancelling less than this many hours
    /// before the start is late (the trust then owes a cancellation payment).
    pub cancellation_notice_hours: i64,
    /// When it was released to agency by break glass, if it was.
    pub agency_at: Option<DateTime<Utc>>,
    /// The bank's discretionary premium, percent of each worker's base rate on top of it (and
    /// of any unsocial-hours enhancement, which is paid in full).
    pub premium_percent: u32,
}

/// The names a shift view needs.
pub struct ShiftNames<'a> {
    /// Posting trust.
    pub org: &'a Organisation,
    /// Ward.
    pub ward: &'a Ward,
    /// Ward's site.
    pub site: &'a Site,
    /// Bank.
    pub bank: &'a Bank,
}

impl ShiftView {
    /// A shift with its names.
    pub fn new(shift: &Shift, names: ShiftNames<'_>) -> Self {
        Self {
            id: shift.id.0,
            org_id: shift.org_id.0,
            org_ods_code: names.org.ods_code.as_str().to_owned(),
            org_name: names.org.name.to_string(),
            ward_id: shift.ward_id.0,
            ward_name: names.ward.name.to_string(),
            site_id: names.site.id.0,
            site_name: names.site.name.to_string(),
            bank_id: shift.bank_id.0,
            bank_name: names.bank.name.to_string(),
            role: shift.role.to_string(),
            staff_group: shift.staff_group.as_str().to_owned(),
            grade_min: shift.grades.min().as_str().to_owned(),
            grade_max: shift.grades.max().as_str().to_owned(),
            required_skills: shift
                .required_skills
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            starts_at: shift.window.start(),
            ends_at: shift.window.end(),
            starts_local: london(shift.window.start()),
            ends_local: london(shift.window.end()),
            length_minutes: shift.window.length().num_minutes(),
            places: shift.places.get(),
            booked: shift.booked,
            status: shift.status.as_str().to_owned(),
            required_credentials: shift
                .required_credentials
                .iter()
                .map(|r| r.as_string())
                .collect(),
            released_at: shift.released_at,
            collaborative_bank_id: shift.collaborative.map(|c| c.0 .0),
            collaborative_at: shift.collaborative.map(|c| c.1),
            priority_window_minutes: shift.priority_window.num_minutes(),
            booking_mode: shift.booking_mode.as_str().to_owned(),
            cancellation_notice_hours: shift.cancellation_notice.num_hours(),
            agency_at: shift.agency.as_ref().map(|a| a.at),
            premium_percent: shift.premium.percent,
        }
    }
}

/// How a booking was cancelled.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CancellationView {
    /// `worker` or `trust`.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Inside the notice period (a trust's late cancellation is owed a cancellation payment).
    pub late: bool,
}

/// A booking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    /// Identity.
    pub id: Uuid,
    /// The shift.
    pub shift_id: Uuid,
    /// The worker.
    pub worker_id: Uuid,
    /// The worker's name (shown to the trust and the worker).
    pub worker_name: String,
    /// The worker's grade.
    pub worker_grade: String,
    /// `active` or `cancelled`.
    pub status: String,
    /// Start, UTC.
    pub starts_at: DateTime<Utc>,
    /// End, UTC.
    pub ends_at: DateTime<Utc>,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// Set when cancelled.
    pub cancellation: Option<CancellationView>,
    /// The shift, where the list is of a worker's bookings.
    pub shift: Option<ShiftView>,
}

impl BookingView {
    /// A booking with its worker and, optionally, its shift.
    pub fn new(booking: &Booking, worker: &Worker, shift: Option<ShiftView>) -> Self {
        Self {
            id: booking.id.0,
            shift_id: booking.shift_id.0,
            worker_id: booking.worker_id.0,
            worker_name: worker.display_name.to_string(),
            worker_grade: worker.grade.as_str().to_owned(),
            status: booking.status.as_str().to_owned(),
            starts_at: booking.window.start(),
            ends_at: booking.window.end(),
            created_at: booking.created_at,
            cancellation: booking.cancellation.as_ref().map(|c| CancellationView {
                by: c.by.as_str().to_owned(),
                reason: c.reason.to_string(),
                at: c.at,
                late: c.late,
            }),
            shift,
        }
    }
}
