//! The records the store keeps. They hold parsed domain types, so a record read back is valid.

use chrono::Duration;
use chrono::{DateTime, Utc};
use staffbank_domain::booking::{BookingMode, BookingStatus, CancelledBy};
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel, Requirement};
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::pay::Premium;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::release::Schedule;
use staffbank_domain::role::Grant;
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;

/// An NHS trust or issuing body.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    /// Identity.
    pub id: OrgId,
    /// ODS code, unique on the platform.
    pub ods_code: OdsCode,
    /// Name.
    pub name: Label,
    /// Trust or issuer.
    pub kind: OrgKind,
}

/// A hospital or other location.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Identity.
    pub id: SiteId,
    /// Owner.
    pub org_id: OrgId,
    /// Name.
    pub name: Label,
    /// Where it is, for travel distance.
    pub location: GeoPoint,
}

/// A ward or unit, where shifts are worked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ward {
    /// Identity.
    pub id: WardId,
    /// Its site.
    pub site_id: SiteId,
    /// The site's organisation, kept here for tenancy checks.
    pub org_id: OrgId,
    /// Name.
    pub name: Label,
    /// Workers may book its shifts at once; otherwise they request and a booker approves.
    pub instant_booking: bool,
}

/// A pool of workers that shifts are posted to.
#[derive(Debug, Clone, PartialEq)]
pub struct Bank {
    /// Identity.
    pub id: BankId,
    /// Name.
    pub name: Label,
    /// Own or collaborative.
    pub kind: BankKind,
    /// The trust that runs it: the owner of an own bank, the lead employer of a collaborative one.
    pub lead_org_id: OrgId,
    /// Trusts whose shifts may be posted to it (always includes the lead).
    pub member_orgs: Vec<OrgId>,
}

/// Someone who signs in.
#[derive(Clone, PartialEq)]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Sign-in name.
    pub email: Email,
    /// Name shown to people.
    pub display_name: Label,
    /// PHC string of an argon2id hash; `None` means local sign-in is disabled for this user.
    pub password_hash: Option<String>,
    /// Roles and where they apply.
    pub grants: Vec<Grant>,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("grants", &self.grants)
            .finish_non_exhaustive()
    }
}

/// The emailed link that confirms an account a worker registered themselves: only its token's
/// hash is stored, so a copy of the database cannot confirm anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountConfirmation {
    /// SHA-256 of the link's token, hex.
    pub token_hash: String,
    /// After this the link no longer works.
    pub expires_at: DateTime<Utc>,
}

/// A signed-in session: a cookie in the browser or a bearer token for the API.
#[derive(Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the secret token, hex; the token itself is never stored.
    pub token_hash: String,
    /// Whose session it is.
    pub user_id: UserId,
    /// Secret for the UI's forms (cross-site request forgery defence).
    pub csrf_token: String,
    /// When it stops working unless it is used again: each use moves it on, never past
    /// `absolute_expires_at`.
    pub expires_at: DateTime<Utc>,
    /// The latest it can ever last, however busy; `None` for a session that never moves on.
    pub absolute_expires_at: Option<DateTime<Utc>>,
}

/// Everything a request needs about who sent it, read in one go from their session token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session, unexpired.
    pub session: Session,
    /// Its user, with their grants.
    pub user: User,
    /// Their worker profile, if they work bank shifts.
    pub worker: Option<Worker>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A bank worker's professional profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    /// Identity.
    pub id: WorkerId,
    /// Their account.
    pub user_id: UserId,
    /// Name shown to bookers.
    pub display_name: Label,
    /// Staff group.
    pub staff_group: StaffGroup,
    /// Grade.
    pub grade: Grade,
    /// Pay point within the band (1 = entry); later used by the pay engine.
    pub pay_point: u8,
    /// Skills and competencies.
    pub skills: Vec<Skill>,
    /// Home location, for travel distance.
    pub home: Option<GeoPoint>,
    /// Banks they are a member of.
    pub banks: Vec<BankId>,
    /// They have recorded an opt-out of the 48-hour average weekly limit.
    pub weekly_limit_opt_out: bool,
    /// Banks in which they hold a priority tier (early booking window).
    pub tiered: Vec<BankId>,
    /// The furthest they will travel to a shift, if they have said.
    pub max_travel_km: Option<f64>,
    /// The shifts they prefer.
    pub shift_times: ShiftTimes,
}

/// A posted shift.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// Identity.
    pub id: ShiftId,
    /// The posting trust.
    pub org_id: OrgId,
    /// Where it is worked.
    pub ward_id: WardId,
    /// The bank it is posted to.
    pub bank_id: BankId,
    /// Role title shown to workers ("Staff nurse").
    pub role: Label,
    /// Staff group asked for.
    pub staff_group: StaffGroup,
    /// Grades accepted.
    pub grades: GradeRange,
    /// Skills required.
    pub required_skills: Vec<Skill>,
    /// When.
    pub window: ShiftWindow,
    /// How many workers it needs.
    pub places: Places,
    /// Active bookings (maintained by the database).
    pub booked: u16,
    /// Open, filled or cancelled (filled is derived from the counts).
    pub status: ShiftStatus,
    /// The booker who posted it.
    pub posted_by: UserId,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// Credentials every booked worker must hold for the whole shift.
    pub required_credentials: Vec<Requirement>,
    /// When its first bank (`bank_id`) may book.
    pub released_at: DateTime<Utc>,
    /// The collaborative bank it cascades to, and when.
    pub collaborative: Option<(BankId, DateTime<Utc>)>,
    /// How long tiered workers have each stage to themselves.
    pub priority_window: Duration,
    /// Booked at once or by approved request.
    pub booking_mode: BookingMode,
    /// The trust's notice period when it was posted: cancelling inside it is late.
    pub cancellation_notice: Duration,
    /// Released to agency by break glass, if it has been.
    pub agency: Option<AgencyRelease>,
    /// The bank's discretionary premium, as agreed against its cap.
    pub premium: Premium,
}

impl Shift {
    /// Who may book it, and from when.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            first: (self.bank_id, self.released_at),
            collaborative: self.collaborative,
            priority_window: self.priority_window,
        }
    }
}

/// A bank member's hours worked on the bank's shifts over a period, with the tier they hold:
/// what the "super-bank" tier by hours worked is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberHours {
    /// The member.
    pub worker_id: WorkerId,
    /// Their user, the subject of the ledger entry when their tier changes.
    pub user_id: UserId,
    /// The tier they hold in the bank.
    pub tier: Option<staffbank_domain::release::Tier>,
    /// Minutes of active bookings on the bank's shifts that ended in the period.
    pub minutes: i64,
    /// Their contract as the bank recorded it, if it has (read by the bank office's pages).
    pub contract: Option<staffbank_domain::fairness::contract::Contract>,
}

/// A break-glass release of a shift to agency.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyRelease {
    /// When.
    pub at: DateTime<Utc>,
    /// The booker who broke glass.
    pub by: UserId,
    /// Why (sealed in the ledger; kept here for the bank office).
    pub reason: Label,
    /// The agreed agency rate, pence an hour (none on releases made before rates were kept).
    pub rate_pence: Option<i64>,
    /// The agency's name or reference, if the booker gave one.
    pub agency_name: Option<Label>,
    /// What it commits the trust to: set by the store when it records the release, from the
    /// places still unfilled under the shift's lock (ignored when writing).
    pub cost: Option<AgencyCost>,
    /// When writing: the trust's agency spend the release was judged against its cap on. The
    /// store records the release only if the spend is still that under the trust's lock, so two
    /// releases at once cannot both spend the same headroom (none when reading).
    pub spend_seen: Option<SpendSeen>,
}

/// A trust's agency spend on shifts starting in a period, as a release was judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendSeen {
    /// The trust.
    pub org: OrgId,
    /// The period's first instant.
    pub from: DateTime<Utc>,
    /// Its end (exclusive).
    pub to: DateTime<Utc>,
    /// The spend read, pence.
    pub pence: i64,
}

/// What a break-glass release commits the trust to spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgencyCost {
    /// Places it covered: those unfilled when it was released.
    pub places: u16,
    /// Rate x paid hours x places, integer pence (half a penny up).
    pub spend_pence: i64,
}

/// One shift released to agency, as agency spend is reported: where, who for, when, and what it
/// cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyFill {
    /// The shift.
    pub shift_id: ShiftId,
    /// Its ward.
    pub ward_id: WardId,
    /// Staff group asked for.
    pub staff_group: StaffGroup,
    /// When it starts: spend is counted in the week the shift is worked.
    pub starts_at: DateTime<Utc>,
    /// What it cost, pence (zero for a release made before rates were kept).
    pub spend_pence: i64,
}

/// A trust's agency spend cap for a period of UK days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCap {
    /// The period it covers.
    pub period: staffbank_domain::agency::Period,
    /// The figure the trust set, pence; none: 85% of the baseline's spend.
    pub cap_pence: Option<i64>,
    /// The baseline period the trust named; none: the same-length period before.
    pub baseline: Option<staffbank_domain::agency::Period>,
    /// Who set it.
    pub set_by: UserId,
    /// When.
    pub set_at: DateTime<Utc>,
}

/// A credential recorded for a worker by a trust's compliance officer.
///
/// Shaped like a verifiable credential (type, issuer, subject, validity, status) so that a
/// passport credential can later stand behind the same record.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// Identity.
    pub id: CredentialId,
    /// The worker it is about (the credential's subject).
    pub worker_id: WorkerId,
    /// Its type.
    pub kind: CredentialKind,
    /// For a DBS check, its level.
    pub dbs_level: Option<DbsLevel>,
    /// The organisation that vouches for it.
    pub issuer_org_id: OrgId,
    /// When it takes effect.
    pub valid_from: DateTime<Utc>,
    /// When it ends, if it does.
    pub valid_until: Option<DateTime<Utc>>,
    /// Active or revoked.
    pub status: CredentialStatus,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Credential {
    /// The facts eligibility judges.
    pub fn held(&self) -> staffbank_domain::credential::HeldCredential {
        staffbank_domain::credential::HeldCredential {
            kind: self.kind,
            dbs_level: self.dbs_level,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            status: self.status,
        }
    }
}

/// A worker holding a place on a shift.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Identity.
    pub id: BookingId,
    /// The shift.
    pub shift_id: ShiftId,
    /// The worker.
    pub worker_id: WorkerId,
    /// Copied from the shift so the database can refuse overlaps per worker.
    pub window: ShiftWindow,
    /// Active or cancelled.
    pub status: BookingStatus,
    /// The client's key for this request; a retry with it returns this booking.
    pub idempotency_key: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Set when cancelled.
    pub cancellation: Option<CancellationRecord>,
}

/// How a booking was cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct CancellationRecord {
    /// Which side.
    pub by: CancelledBy,
    /// The user who did it.
    pub by_user: UserId,
    /// Why.
    pub reason: Label,
    /// When.
    pub at: DateTime<Utc>,
    /// Inside the shift's notice period: recorded and reported, and owed for when the trust did it.
    pub late: bool,
}

/// What a trust owes a worker for cancelling their booking inside the notice period; the pay run
/// pays it.
#[derive(Debug, Clone, PartialEq)]
pub struct CancellationPayment {
    /// The cancelled booking (at most one payment each).
    pub booking_id: BookingId,
    /// The trust that owes it.
    pub org_id: OrgId,
    /// The worker owed.
    pub worker_id: WorkerId,
    /// Length of the cancelled shift, which the pay rules price.
    pub shift_minutes: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The pay line that pays it, written with it (none where the rate card has no rate for
    /// the worker's grade; the payment is still recorded and reported).
    pub pay_line_id: Option<uuid::Uuid>,
}

/// Counts a trust's bank office reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatchingCounts {
    /// Bookings cancelled by the trust.
    pub cancelled_by_trust: u64,
    /// Of those, inside the notice period.
    pub late_by_trust: u64,
    /// Bookings cancelled by workers.
    pub cancelled_by_worker: u64,
    /// Of those, inside the notice period.
    pub late_by_worker: u64,
    /// Cancellation payments owed.
    pub cancellation_payments: u64,
    /// Shifts released to agency by break glass.
    pub break_glass: u64,
}

/// Where a booking request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for a booker.
    Pending,
    /// Approved: the booking was made.
    Approved,
    /// Declined by a booker.
    Declined,
    /// Withdrawn by the worker before a booker decided.
    Withdrawn,
}

impl RequestStatus {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }
}

/// A worker's request for a place on a shift whose ward approves bookings.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingRequest {
    /// Identity.
    pub id: RequestId,
    /// The shift.
    pub shift_id: ShiftId,
    /// The worker asking.
    pub worker_id: WorkerId,
    /// Where it stands.
    pub status: RequestStatus,
    /// The worker's idempotency key: a retried request is not made twice.
    pub idempotency_key: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When a booker decided, and who.
    pub decided: Option<(DateTime<Utc>, UserId)>,
    /// The booking an approval made.
    pub booking_id: Option<BookingId>,
}

/// What the store returns for a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOutcome {
    /// The request as stored.
    pub request: BookingRequest,
    /// True when the idempotency key matched an earlier request for the same shift.
    pub replayed: bool,
}

/// A booker's decision on a pending request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Approve, making this booking in the same transaction.
    Approve {
        /// The booking to make.
        booking: Booking,
        /// The booker.
        by: UserId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Decline.
    Decline {
        /// The booker.
        by: UserId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Withdrawn by the worker who asked.
    Withdraw {
        /// The worker's user.
        by: UserId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What an instant booking is judged on, read together: the shift, every credential of the
/// worker (revoked and expired ones included, newest first) and the booking they already made
/// with the request's idempotency key, so that a retry is answered with it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingContext {
    /// The shift, as it stood when read.
    pub shift: Shift,
    /// The worker's credentials.
    pub credentials: Vec<Credential>,
    /// The worker's booking with the same idempotency key, if there is one.
    pub key_booking: Option<BookingId>,
}

/// An instant booking request as [`crate::Store::signed_in_to_book`] reads it with its session.
#[derive(Debug, Clone)]
pub struct SignedInToBook {
    /// Who sent it.
    pub signed_in: SignedIn,
    /// What the booking is judged on: `None` unless the caller is a worker and the shift exists.
    pub context: Option<BookingContext>,
    /// With a context, the caller's wrapped data key when they have one not erased: the booking's
    /// audit record is sealed with it, so the first booking of a rush needs no read of its own.
    pub wrapped_key: Option<Vec<u8>>,
}

/// What the store returns for a booking request.
#[derive(Debug, Clone, PartialEq)]
pub struct BookOutcome {
    /// The booking (new, or the original one on a retry).
    pub booking: Booking,
    /// True when this was a retry of an earlier request with the same idempotency key.
    pub replayed: bool,
    /// Places booked on the shift once this booking was made (on a retry, now): read under the
    /// shift's lock, so the answer shows the shift as the booking left it without reading it again.
    pub shift_booked: u16,
}

/// Position in a list ordered by shift start, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Start of the last item seen.
    pub start: DateTime<Utc>,
    /// Id of the last item seen.
    pub id: uuid::Uuid,
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Most items to return.
    pub limit: u32,
    /// Return items after this one.
    pub after: Option<Cursor>,
}

/// Which shifts may match a worker: open with places left, not yet started, released at `now` to
/// one of `banks` (priority windows are judged later), for their group and grade.
#[derive(Debug, Clone)]
pub struct MatchQuery {
    /// The worker's banks.
    pub banks: Vec<BankId>,
    /// Their staff group.
    pub staff_group: StaffGroup,
    /// Their grade.
    pub grade: Grade,
    /// The moment of the search.
    pub now: DateTime<Utc>,
    /// Most shifts to return, soonest first.
    pub limit: u32,
}

/// A shift with where it is, for travel distance.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchableShift {
    /// The shift.
    pub shift: Shift,
    /// Its site's location.
    pub site: GeoPoint,
}

/// Who may be a shift's candidate: see [`crate::Store::candidate_pool`].
#[derive(Debug, Clone)]
pub struct PoolQuery {
    /// The shift's banks.
    pub banks: Vec<BankId>,
    /// Its staff group.
    pub staff_group: StaffGroup,
    /// The grades it accepts.
    pub grades: Vec<Grade>,
    /// Its ward, for continuity.
    pub ward: WardId,
    /// The moment of the search: wards worked before it count.
    pub now: DateTime<Utc>,
    /// The fairness period: booked minutes starting from here...
    pub from: DateTime<Utc>,
    /// ...to here.
    pub to: DateTime<Utc>,
}

/// A member of a candidate pool with what ranking needs from their past.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMember {
    /// The worker, with `banks` and `tiered` holding only the query's banks (all eligibility
    /// asks of them).
    pub worker: Worker,
    /// They have worked a past shift on the ward.
    pub worked_ward: bool,
    /// Minutes of active bookings starting in the fairness period.
    pub minutes_in_period: i64,
}

/// Which open shifts a worker is shown: those in their banks, for their group and grade, starting
/// after `starts_after`, that do not overlap any booking they hold (so not ones they booked).
#[derive(Debug, Clone)]
pub struct OpenShiftQuery {
    /// The worker asking.
    pub worker_id: WorkerId,
    /// Their banks.
    pub banks: Vec<BankId>,
    /// Their group.
    pub staff_group: StaffGroup,
    /// Their grade.
    pub grade: Grade,
    /// Only shifts starting after this.
    pub starts_after: DateTime<Utc>,
    /// The page.
    pub page: Page,
}

/// The working-time rules a booking must keep, checked again inside the booking's transaction so
/// that two simultaneous bookings for one worker cannot together break them.
#[derive(Debug, Clone, Copy)]
pub struct WorkingTimeCheck {
    /// The limits.
    pub rules: staffbank_domain::working_time::WorkingTimeRules,
    /// Whether the worker has opted out of the weekly average.
    pub opted_out: bool,
}

impl WorkingTimeCheck {
    /// The stretch of time whose other bookings matter to a booking in `window`.
    pub fn span(&self, window: ShiftWindow) -> (DateTime<Utc>, DateTime<Utc>) {
        let horizon = self.rules.horizon();
        (window.start() - horizon, window.end() + horizon)
    }

    /// Refuses, with [`crate::Conflict::WorkingTime`], `proposed` on top of `held` when together
    /// they break the rules.
    pub fn judge(
        &self,
        held: &[staffbank_domain::working_time::Worked],
        proposed: staffbank_domain::working_time::Worked,
    ) -> Result<(), crate::StoreError> {
        if staffbank_domain::working_time::check(&self.rules, held, proposed, self.opted_out)
            .is_empty()
        {
            Ok(())
        } else {
            Err(crate::Conflict::WorkingTime.into())
        }
    }
}

/// A shift whose offers are due: a stage, or a stage's priority window, has opened since the last
/// offers went out (or a place came free).
#[derive(Debug, Clone, PartialEq)]
pub struct DueOffers {
    /// The shift.
    pub shift: Shift,
    /// When they fell due; the releaser claims the shift by moving this on.
    pub due_at: DateTime<Utc>,
}

/// Offers made at one opening of a shift, and the notifications that carry them.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRound {
    /// The shift.
    pub shift_id: ShiftId,
    /// The due time this round claims; if another releaser moved it on first, nothing is written.
    pub due_at: DateTime<Utc>,
    /// When offers are due next, if ever.
    pub next_due_at: Option<DateTime<Utc>>,
    /// The workers offered the shift now.
    pub workers: Vec<WorkerId>,
    /// One notification per offer, for email, SMS or push.
    pub events: Vec<OutboxEvent>,
    /// When the offers were made.
    pub at: DateTime<Utc>,
}

/// A message waiting in the transactional outbox for delivery outside the platform. Written in the
/// same transaction as the change it announces, so a crash never loses or invents one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// Unique id, so a deliverer that retries can be deduplicated downstream.
    pub id: uuid::Uuid,
    /// What happened, e.g. `offer.made`.
    pub topic: String,
    /// The worker it is for, if it is for one.
    pub worker_id: Option<WorkerId>,
    /// The message as JSON text.
    pub payload: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A search for workers by what an officer knows of them: part of their name, email address or
/// professional registration number.
#[derive(Debug, Clone)]
pub struct WorkerSearch {
    /// The text to look for, any case.
    pub text: String,
    /// Only workers in a bank one of these organisations belongs to; `None` for every worker
    /// (an issuing body, which registers people wherever they work).
    pub orgs: Option<Vec<OrgId>>,
    /// At most this many, by name.
    pub limit: u32,
}

impl WorkerSearch {
    /// The text as a `LIKE` pattern matching it anywhere (lower case, its wildcards escaped with
    /// `\`), and one matching a registration number that starts with it inside a credential's
    /// stored claims.
    pub fn patterns(&self) -> (String, String) {
        let mut escaped = String::with_capacity(self.text.len());
        for c in self.text.trim().to_lowercase().chars() {
            if matches!(c, '\\' | '%' | '_') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        (format!("%{escaped}%"), format!("%\"number\":\"{escaped}%"))
    }
}

/// A worker a search found, with their sign-in address (how officers tell people apart).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundWorker {
    /// The worker.
    pub worker: Worker,
    /// Their email address.
    pub email: String,
}
