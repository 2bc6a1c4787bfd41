//! Posting shifts and finding them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use staffbank_domain::booking::BookingMode;
use staffbank_domain::credential::{default_requirements, Requirement};
use staffbank_domain::eligibility::{self, ShiftFacts, WorkerFacts};
use staffbank_domain::org::BankKind;
use staffbank_domain::pay::{PayError, Premium, MAX_PREMIUM};
use staffbank_domain::release::{ReleasePolicy, Schedule};
use staffbank_domain::role::Role;
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::Label;
use staffbank_domain::worker::Skill;
use staffbank_domain::working_time::{self, Worked, WorkingTimeRules};
use staffbank_domain::*;
use staffbank_store::{Conflict, Cursor, OpenShiftQuery, Shift, StoreError};
use uuid::Uuid;

use crate::audit::Change;

use crate::admin::name;
use crate::error::Fields;
use crate::paging::{next_cursor, Paged};
use crate::roster::Poster;
use crate::views::ShiftView;
use crate::{App, AppError, Principal};

/// Most shifts one request may post (a week's gaps for a large unit fits easily).
pub const MAX_SHIFTS_PER_REQUEST: usize = 200;

/// One shift to post.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    /// Ward where it is worked.
    pub ward_id: Uuid,
    /// Bank it is posted to (its trust must be a member).
    pub bank_id: Uuid,
    /// Role title, e.g. "Staff nurse".
    pub role: String,
    /// Staff group asked for.
    pub staff_group: String,
    /// Lowest grade accepted, e.g. `band_5`.
    pub grade_min: String,
    /// Highest grade accepted.
    pub grade_max: String,
    /// Skills required.
    #[serde(default)]
    pub required_skills: Vec<String>,
    /// Start, RFC 3339 with offset.
    pub starts_at: String,
    /// End, RFC 3339 with offset.
    pub ends_at: String,
    /// Number of places (1 to 50).
    #[serde(default = "one_place")]
    pub places: i64,
    /// Credentials required, e.g. `["identity", "dbs_check:enhanced_barred"]`; when absent, the
    /// standard checks for the staff group.
    #[serde(default)]
    pub required_credentials: Option<Vec<String>>,
    /// The collaborative bank to cascade to after the trust's delay; when absent, the
    /// collaborative bank the trust belongs to, if the shift is posted to its own bank.
    #[serde(default)]
    pub collaborative_bank_id: Option<Uuid>,
    /// A discretionary premium on a hard-to-fill shift, percent of each worker's base rate
    /// (0 to 200); above the trust's cap (35% by default) only with a break-glass reason.
    #[serde(default)]
    pub premium_percent: i64,
    /// Why the premium goes above the trust's cap: breaking glass, recorded in the ledger.
    #[serde(default)]
    pub premium_override_reason: Option<String>,
}

/// A shift's new, higher premium.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaisePremium {
    /// Percent of each worker's base rate (0 to 200); above the trust's cap only with a reason.
    pub premium_percent: i64,
    /// Why it goes above the trust's cap: breaking glass, recorded in the ledger.
    #[serde(default)]
    pub premium_override_reason: Option<String>,
}

/// A premium percentage as asked: whole, from 0 to [`MAX_PREMIUM`].
fn premium_percent(raw: i64) -> Result<u32, PayError> {
    u32::try_from(raw)
        .ok()
        .filter(|p| *p <= MAX_PREMIUM)
        .ok_or(PayError::PremiumTooLarge)
}

/// A break-glass reason for a premium above the cap, as asked.
fn premium_reason(raw: Option<&str>) -> Result<Option<Label>, staffbank_domain::text::TextError> {
    raw.map(|r| Label::parse(r, 500)).transpose()
}

/// What posting needs to know of a trust, read once per batch.
#[derive(Debug, Clone, Copy)]
struct TrustRules {
    release: ReleasePolicy,
    premium_cap: u32,
}

fn one_place() -> i64 {
    1
}

/// Post one or many shifts at once: all are posted or none.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostShifts {
    /// The shifts.
    pub shifts: Vec<NewShift>,
}

fn instant(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 date-time with an offset, e.g. 2026-07-01T07:30:00+01:00")
}

/// The facts eligibility needs about a worker, given their credentials.
pub(crate) fn worker_facts(
    worker: &staffbank_store::Worker,
    credentials: &[staffbank_store::Credential],
) -> WorkerFacts {
    WorkerFacts {
        staff_group: worker.staff_group,
        grade: worker.grade,
        skills: worker.skills.clone(),
        banks: worker.banks.clone(),
        tiered: worker.tiered.clone(),
        credentials: credentials
            .iter()
            .map(staffbank_store::Credential::held)
            .collect(),
    }
}

/// The working-time breaches of booking `shift` on top of `held`.
pub(crate) fn breaches_of(
    worker: &staffbank_store::Worker,
    held: &[Worked],
    shift: &Shift,
) -> Vec<eligibility::Ineligibility> {
    let proposed = Worked {
        window: shift.window,
        trust: shift.org_id,
    };
    working_time::check(
        &WorkingTimeRules::default(),
        held,
        proposed,
        worker.weekly_limit_opt_out,
    )
    .into_iter()
    .map(eligibility::Ineligibility::WorkingTime)
    .collect()
}

pub(crate) fn shift_facts(shift: &Shift) -> ShiftFacts {
    ShiftFacts {
        schedule: shift.schedule(),
        staff_group: shift.staff_group,
        grades: shift.grades,
        required_skills: shift.required_skills.clone(),
        required_credentials: shift.required_credentials.clone(),
        window: shift.window,
        status: shift.status,
    }
}

impl App {
    /// Posts shifts (booker of each shift's ward). Every shift is checked and every bad field is
    /// reported; then all are stored in one transaction, or none.
    #[tracing::instrument(skip_all, fields(count = input.shifts.len()))]
    pub async fn post_shifts(
        &self,
        who: &Principal,
        input: PostShifts,
    ) -> Result<Vec<ShiftView>, AppError> {
        if !who.has_role(Role::Booker) {
            return Err(AppError::Forbidden);
        }
        if input.shifts.is_empty() || input.shifts.len() > MAX_SHIFTS_PER_REQUEST {
            return Err(AppError::field(
                "shifts",
                format!("post between 1 and {MAX_SHIFTS_PER_REQUEST} shifts"),
            ));
        }
        self.post_batch(&Poster::Booker(who), &input.shifts).await
    }

    /// Checks shifts as posting would, every bad field reported, without posting any: for a
    /// batch shown to the booker to confirm before it is posted.
    pub(crate) async fn check_batch(
        &self,
        who: &Poster<'_>,
        input: &[NewShift],
    ) -> Result<(), AppError> {
        self.parse_batch(who, input).await.map(|_| ())
    }

    /// Posts a batch of any size the caller allows: all or none.
    pub(crate) async fn post_batch(
        &self,
        who: &Poster<'_>,
        input: &[NewShift],
    ) -> Result<Vec<ShiftView>, AppError> {
        let (shifts, trusts) = self.parse_batch(who, input).await?;
        self.store_batch(who, &shifts, &trusts).await
    }

    async fn parse_batch(
        &self,
        who: &Poster<'_>,
        input: &[NewShift],
    ) -> Result<(Vec<Shift>, HashMap<OrgId, TrustRules>), AppError> {
        if let Poster::Booker(principal) = who {
            if !principal.has_role(Role::Booker) {
                return Err(AppError::Forbidden);
            }
        }
        if input.is_empty() {
            return Err(AppError::field("shifts", "post at least one shift"));
        }
        let now = self.now();
        let mut fields = Fields::default();
        let mut shifts = Vec::with_capacity(input.len());
        // Read once for the whole batch: the banks, and each trust's policy as it is first needed.
        let banks = self.store.banks().await?;
        let mut trusts = HashMap::new();
        for (i, raw) in input.iter().enumerate() {
            let context = Posting {
                who,
                banks: &banks,
                now,
            };
            if let Some(shift) = self
                .parse_shift(&context, &mut trusts, &mut fields, i, raw)
                .await?
            {
                shifts.push(shift);
            }
        }
        fields.finish()?;
        Ok((shifts, trusts))
    }

    async fn store_batch(
        &self,
        who: &Poster<'_>,
        shifts: &[Shift],
        trusts: &HashMap<OrgId, TrustRules>,
    ) -> Result<Vec<ShiftView>, AppError> {
        let mut records = Vec::with_capacity(shifts.len());
        for shift in shifts {
            records.push(
                self.audit_record(Change {
                    action: "shift.posted",
                    actor: who.actor(),
                    tenant: Some(shift.org_id),
                    subject: None,
                    facts: json!({"shift": shift.id, "ward": shift.ward_id, "bank": shift.bank_id,
                        "role": shift.role.as_str(), "staff_group": shift.staff_group,
                        "grade_min": shift.grades.min(), "grade_max": shift.grades.max(),
                        "starts_at": shift.window.start(), "ends_at": shift.window.end(),
                        "places": shift.places.get(), "premium_percent": shift.premium.percent}),
                    personal: None,
                })
                .await?,
            );
            if shift.premium.overrides_cap() {
                let cap = trusts.get(&shift.org_id).map_or(0, |t| t.premium_cap);
                records.push(
                    self.premium_override_record(who.actor(), shift, &shift.premium, cap)
                        .await?,
                );
            }
        }
        self.store.post_shifts(shifts, &records).await?;
        tracing::info!(posted = shifts.len(), "shifts posted");
        self.names.shift_views(self.store.as_ref(), shifts).await
    }

    async fn parse_shift(
        &self,
        context: &Posting<'_>,
        trusts: &mut HashMap<OrgId, TrustRules>,
        fields: &mut Fields,
        i: usize,
        raw: &NewShift,
    ) -> Result<Option<Shift>, AppError> {
        let Posting { who, banks, now } = *context;
        let f = |name: &str| format!("shifts[{i}].{name}");
        let ward = self.store.ward(WardId(raw.ward_id)).await?;
        let ward = match ward {
            Some(ward) if who.posts_to(&ward) => Some(ward),
            _ => {
                fields.push(f("ward_id"), "no such ward among those you book for");
                None
            }
        };
        let bank = banks.iter().find(|b| b.id.0 == raw.bank_id).cloned();
        let bank_ok = match (&bank, &ward) {
            (Some(bank), Some(ward)) => bank.member_orgs.contains(&ward.org_id),
            _ => false,
        };
        if !bank_ok && ward.is_some() {
            fields.push(
                f("bank_id"),
                "no such bank that this ward's trust belongs to",
            );
        }
        let role = name(fields, &f("role"), &raw.role);
        let group = fields.take(
            f("staff_group"),
            StaffGroup::parse(&raw.staff_group).ok_or("unknown staff group"),
        );
        let min = fields.take(
            f("grade_min"),
            Grade::parse(&raw.grade_min).ok_or("unknown grade"),
        );
        let max = fields.take(
            f("grade_max"),
            Grade::parse(&raw.grade_max).ok_or("unknown grade"),
        );
        let grades = match (group, min, max) {
            (Some(group), Some(min), Some(max)) => {
                fields.take(f("grade_max"), GradeRange::new(group, min, max))
            }
            _ => None,
        };
        let skills = fields.take(
            f("required_skills"),
            Skill::parse_list(&raw.required_skills),
        );
        let start = fields.take(f("starts_at"), instant(&raw.starts_at));
        let end = fields.take(f("ends_at"), instant(&raw.ends_at));
        let window = match (start, end) {
            (Some(start), Some(end)) => fields.take(
                f("ends_at"),
                ShiftWindow::new(start, end).and_then(|w| w.check_postable(now)),
            ),
            _ => None,
        };
        let places = fields.take(
            f("places"),
            Places::new(raw.places).ok_or("must be between 1 and 50"),
        );
        let percent = fields.take(f("premium_percent"), premium_percent(raw.premium_percent));
        let override_reason = match premium_reason(raw.premium_override_reason.as_deref()) {
            Ok(reason) => reason,
            Err(e) => {
                fields.push(f("premium_override_reason"), e);
                return Ok(None);
            }
        };
        let (Some(ward), Some(bank), true, Some(role), Some(group), Some(grades)) =
            (ward, bank, bank_ok, role, group, grades)
        else {
            return Ok(None);
        };
        let required_credentials = match &raw.required_credentials {
            Some(list) => fields.take(f("required_credentials"), Requirement::parse_list(list)),
            None => Some(default_requirements(group)),
        };
        let collaborative = match cascade_bank(banks, &bank, ward.org_id, raw.collaborative_bank_id)
        {
            Ok(bank) => bank,
            Err(message) => {
                fields.push(f("collaborative_bank_id"), message);
                None
            }
        };
        let (Some(skills), Some(window), Some(places), Some(required_credentials), Some(percent)) =
            (skills, window, places, required_credentials, percent)
        else {
            return Ok(None);
        };
        let trust = match trusts.get(&ward.org_id) {
            Some(trust) => *trust,
            None => {
                let trust = TrustRules {
                    release: self.release_policy_of(ward.org_id).await?,
                    premium_cap: self.pay_settings_of(ward.org_id).await?.premium_cap,
                };
                trusts.insert(ward.org_id, trust);
                trust
            }
        };
        let premium = match Premium::agree(percent, override_reason, trust.premium_cap) {
            Ok(premium) => premium,
            Err(e) => {
                fields.push(f("premium_override_reason"), e);
                return Ok(None);
            }
        };
        let policy = trust.release;
        let schedule = Schedule::plan(&policy, window, now, bank.id, collaborative);
        Ok(Some(Shift {
            id: ShiftId(Uuid::now_v7()),
            org_id: ward.org_id,
            ward_id: ward.id,
            bank_id: bank.id,
            role,
            staff_group: group,
            grades,
            required_skills: skills,
            window,
            places,
            booked: 0,
            status: ShiftStatus::Open,
            posted_by: who.posted_by(),
            created_at: now,
            required_credentials,
            released_at: schedule.first.1,
            collaborative: schedule.collaborative,
            priority_window: schedule.priority_window,
            booking_mode: BookingMode::for_ward(ward.instant_booking),
            cancellation_notice: policy.cancellation_notice,
            agency: None,
            premium,
        }))
    }

    /// Raises an unstarted shift's premium to make it easier to fill (its ward's bookers); above
    /// the trust's cap only by breaking glass with a reason. Everyone booked on it is paid the
    /// new premium.
    #[tracing::instrument(skip_all, fields(shift = %id))]
    pub async fn raise_premium(
        &self,
        who: &Principal,
        id: ShiftId,
        input: RaisePremium,
    ) -> Result<ShiftView, AppError> {
        let shift = self.store.shift(id).await?.ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &shift).await? {
            return Err(AppError::NotFound);
        }
        let percent = premium_percent(input.premium_percent)
            .map_err(|e| AppError::field("premium_percent", e))?;
        let reason = premium_reason(input.premium_override_reason.as_deref())
            .map_err(|e| AppError::field("premium_override_reason", e))?;
        if shift.status == ShiftStatus::Cancelled {
            return Err(AppError::Conflict(
                Conflict::ShiftNotOpen,
                "the shift is cancelled".into(),
            ));
        }
        if shift.window.start() <= self.now() {
            return Err(AppError::Conflict(
                Conflict::ShiftStarted,
                "the shift has started: its premium is settled".into(),
            ));
        }
        let cap = self.pay_settings_of(shift.org_id).await?.premium_cap;
        let premium = Premium::agree(percent, reason, cap)
            .map_err(|e| AppError::field("premium_override_reason", e))?;
        let mut records = vec![
            self.audit_record(Change {
                action: "shift.premium_raised",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: None,
                facts: json!({"shift": id, "from_percent": shift.premium.percent,
                    "to_percent": premium.percent}),
                personal: None,
            })
            .await?,
        ];
        if premium.overrides_cap() {
            records.push(
                self.premium_override_record(Some(who.user.id), &shift, &premium, cap)
                    .await?,
            );
        }
        self.store.raise_premium(id, &premium, &records).await?;
        tracing::info!(percent = premium.percent, "premium raised");
        self.shift(who, id).await
    }

    /// The ledger entry for breaking glass on a premium above the trust's cap, with its reason.
    async fn premium_override_record(
        &self,
        actor: Option<UserId>,
        shift: &Shift,
        premium: &Premium,
        cap: u32,
    ) -> Result<staffbank_store::AuditRecord, AppError> {
        self.audit_record(Change {
            action: "shift.premium_override",
            actor,
            tenant: Some(shift.org_id),
            subject: None,
            facts: json!({"shift": shift.id, "premium_percent": premium.percent, "cap_percent": cap,
                "reason": premium.override_reason.as_ref().map(Label::as_str)}),
            personal: None,
        })
        .await
    }

    /// A shift, if the caller may see it: a booker of its ward, or a worker in its bank.
    /// Anyone else is told it does not exist.
    pub async fn shift(&self, who: &Principal, id: ShiftId) -> Result<ShiftView, AppError> {
        let shift = self.visible_shift(who, id).await?;
        self.names.shift_view(self.store.as_ref(), &shift).await
    }

    pub(crate) async fn visible_shift(
        &self,
        who: &Principal,
        id: ShiftId,
    ) -> Result<Shift, AppError> {
        let shift = self.store.shift(id).await?.ok_or(AppError::NotFound)?;
        self.require_visible(who, &shift).await?;
        Ok(shift)
    }

    /// Not found unless `who` books for the shift's ward or, as a worker, has had it released to
    /// one of their banks (a priority window may still keep them from booking it for a while).
    pub(crate) async fn require_visible(
        &self,
        who: &Principal,
        shift: &Shift,
    ) -> Result<(), AppError> {
        if self.manages_shift(who, shift).await? {
            return Ok(());
        }
        match &who.worker {
            Some(worker)
                if shift
                    .schedule()
                    .opens_for(&worker.banks, &worker.banks)
                    .is_some_and(|at| at <= self.now()) =>
            {
                Ok(())
            }
            _ => Err(AppError::NotFound),
        }
    }

    pub(crate) async fn manages_shift(
        &self,
        who: &Principal,
        shift: &Shift,
    ) -> Result<bool, AppError> {
        // Most callers are workers with no booker grant: no need to read the ward for them.
        if !who.has_role(Role::Booker) {
            return Ok(false);
        }
        let ward = self
            .store
            .ward(shift.ward_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(who.books_for_ward(&ward))
    }

    /// The shifts a booker manages from now on, by start time: every trust they book for and
    /// every ward they book for alone.
    pub async fn trust_shifts(
        &self,
        who: &Principal,
        page: staffbank_store::Page,
    ) -> Result<Paged<ShiftView>, AppError> {
        let (orgs, wards) = (who.booker_orgs(), who.booker_wards());
        if orgs.is_empty() && wards.is_empty() {
            return Err(AppError::Forbidden);
        }
        let shifts = self
            .store
            .shifts_posted_for(&orgs, &wards, self.now(), page)
            .await?;
        self.page_of_shifts(shifts, page.limit).await
    }

    /// Every way booking `shift` would break the Working Time Regulations for `worker`, counting
    /// their bookings at every trust. Holding an overlapping booking is a conflict, not a breach.
    pub(crate) async fn working_time_breaches(
        &self,
        worker: &staffbank_store::Worker,
        shift: &Shift,
    ) -> Result<Vec<eligibility::Ineligibility>, AppError> {
        let held = self
            .held_around(worker, shift.window.start(), shift.window.end())
            .await?;
        if held.iter().any(|w| w.window.overlaps(shift.window)) {
            return Err(StoreError::Conflict(Conflict::OverlappingBooking).into());
        }
        Ok(breaches_of(worker, &held, shift))
    }

    async fn held_around(
        &self,
        worker: &staffbank_store::Worker,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, AppError> {
        let horizon = WorkingTimeRules::default().horizon();
        Ok(self
            .store
            .worked_between(worker.id, from - horizon, to + horizon)
            .await?)
    }

    /// Shifts the signed-in worker may book now, soonest first. Filled shifts never appear.
    pub async fn open_shifts(
        &self,
        who: &Principal,
        page: staffbank_store::Page,
    ) -> Result<Paged<ShiftView>, AppError> {
        let worker = who.require_worker()?;
        let now = self.now();
        let query = OpenShiftQuery {
            worker_id: worker.id,
            banks: worker.banks.clone(),
            staff_group: worker.staff_group,
            grade: worker.grade,
            starts_after: now,
            page,
        };
        let found = self.store.open_shifts(&query).await?;
        let facts = worker_facts(worker, &self.store.credentials_of(worker.id).await?);
        let full = found.len() == page.limit as usize;
        let last = found.last().map(|s| Cursor {
            start: s.window.start(),
            id: s.id.0,
        });
        let held = match (found.first(), found.last()) {
            (Some(first), Some(last)) => {
                self.held_around(worker, first.window.start(), last.window.end())
                    .await?
            }
            _ => vec![],
        };
        let bookable: Vec<Shift> = found
            .into_iter()
            .filter(|s| eligibility::check(&facts, &shift_facts(s), now).is_empty())
            .filter(|s| !held.iter().any(|w| w.window.overlaps(s.window)))
            .filter(|s| breaches_of(worker, &held, s).is_empty())
            .collect();
        let items = self
            .names
            .shift_views(self.store.as_ref(), &bookable)
            .await?;
        Ok(Paged {
            items,
            next_cursor: next_cursor(full, last),
        })
    }

    async fn page_of_shifts(
        &self,
        shifts: Vec<Shift>,
        limit: u32,
    ) -> Result<Paged<ShiftView>, AppError> {
        let full = shifts.len() == limit as usize;
        let last = shifts.last().map(|s| Cursor {
            start: s.window.start(),
            id: s.id.0,
        });
        let items = self.names.shift_views(self.store.as_ref(), &shifts).await?;
        Ok(Paged {
            items,
            next_cursor: next_cursor(full, last),
        })
    }
}

/// What every shift of one posting request is judged against.
#[derive(Clone, Copy)]
struct Posting<'a> {
    who: &'a Poster<'a>,
    banks: &'a [staffbank_store::Bank],
    now: DateTime<Utc>,
}

/// The collaborative bank a shift posted to `first` cascades to: the one asked for (which the
/// trust must belong to), or by default the trust's collaborative bank when `first` is its own.
fn cascade_bank(
    banks: &[staffbank_store::Bank],
    first: &staffbank_store::Bank,
    org: OrgId,
    asked: Option<Uuid>,
) -> Result<Option<BankId>, &'static str> {
    let collaborative = |b: &&staffbank_store::Bank| {
        b.kind == BankKind::Collaborative && b.member_orgs.contains(&org) && b.id != first.id
    };
    match asked {
        Some(id) => match banks.iter().filter(collaborative).find(|b| b.id.0 == id) {
            Some(bank) => Ok(Some(bank.id)),
            None => Err("no such collaborative bank that this trust belongs to"),
        },
        None if first.kind == BankKind::Own => Ok(banks.iter().find(collaborative).map(|b| b.id)),
        None => Ok(None),
    }
}

/// Where a booker may post: their wards and the banks their trust belongs to.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PostingOptions {
    /// Wards they book for.
    pub wards: Vec<crate::views::WardView>,
    /// Banks their trusts are members of.
    pub banks: Vec<crate::views::BankView>,
}

impl App {
    /// The wards and banks a booker may post shifts to.
    pub async fn posting_options(&self, who: &Principal) -> Result<PostingOptions, AppError> {
        let mut orgs = who.booker_orgs();
        let booker_wards = who.booker_wards();
        if orgs.is_empty() && booker_wards.is_empty() {
            return Err(AppError::Forbidden);
        }
        // Every ward of a trust they book for as a whole, and each ward they book for alone.
        let whole_trusts = orgs.clone();
        for id in &booker_wards {
            if let Some(ward) = self.store.ward(*id).await? {
                if !orgs.contains(&ward.org_id) {
                    orgs.push(ward.org_id);
                }
            }
        }
        self.options_over(&orgs, &whole_trusts, &booker_wards).await
    }

    /// The wards and banks of a poster: a booker's, or every ward of the operator's trust.
    pub(crate) async fn options_of(&self, who: &Poster<'_>) -> Result<PostingOptions, AppError> {
        match who {
            Poster::Booker(principal) => self.posting_options(principal).await,
            Poster::Operator { org, .. } => self.options_over(&[*org], &[*org], &[]).await,
        }
    }

    /// Every ward of `whole_trusts`, each of `single_wards`, and the banks any of `orgs` (the
    /// trusts of both) belongs to.
    async fn options_over(
        &self,
        orgs: &[OrgId],
        whole_trusts: &[OrgId],
        single_wards: &[WardId],
    ) -> Result<PostingOptions, AppError> {
        let mut wards = Vec::new();
        for org in orgs {
            let sites = self.store.sites(*org).await?;
            for ward in self.store.wards(*org).await? {
                if !whole_trusts.contains(org) && !single_wards.contains(&ward.id) {
                    continue;
                }
                if let Some(site) = sites.iter().find(|s| s.id == ward.site_id) {
                    wards.push(crate::views::WardView::new(&ward, site));
                }
            }
        }
        let banks = self
            .store
            .banks()
            .await?
            .iter()
            .filter(|b| b.member_orgs.iter().any(|m| orgs.contains(m)))
            .map(crate::views::BankView::from)
            .collect();
        Ok(PostingOptions { wards, banks })
    }
}
