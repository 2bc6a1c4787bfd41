//! The trust's release rules, worker tiers, and breaking glass to agency.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::release::{earned_tier, ReleasePolicy, Tier, CORE_TIER_WEEKS};
use staffbank_domain::role::Role;
use staffbank_domain::shift::{bookable, BookingTime, Unbookable};
use staffbank_domain::text::Label;
use staffbank_domain::*;
use staffbank_store::AgencyRelease;

use crate::audit::Change;
use crate::views::ShiftView;
use crate::{App, AppError, Principal};

/// A trust's release and cancellation rules, in the units a bank office thinks in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleasePolicyView {
    /// Never release more than this many days ahead (default 28).
    pub horizon_days: i64,
    /// Cascade to the collaborative bank this many hours after release (default 24)...
    pub collaborative_after_hours: i64,
    /// ...or this many hours before the start, whichever comes first (default 72).
    pub collaborative_lead_hours: i64,
    /// Minutes tiered workers have each stage to themselves (default 0: none until the trust
    /// gives a tier early access).
    pub priority_window_minutes: i64,
    /// Cancelling less than this many hours before the start is late (default 48).
    pub cancellation_notice_hours: i64,
    /// The "super-bank" tier by hours worked: members of the banks this trust leads who worked
    /// at least this many hours (1 to 624) on the bank's shifts in the last 13 weeks hold the
    /// core tier, given and taken away automatically. Null (the default): given by hand.
    #[serde(default)]
    pub core_tier_hours: Option<i64>,
}

impl From<ReleasePolicy> for ReleasePolicyView {
    fn from(p: ReleasePolicy) -> Self {
        Self {
            horizon_days: p.horizon.num_days(),
            collaborative_after_hours: p.collaborative_after.num_hours(),
            collaborative_lead_hours: p.collaborative_lead.num_hours(),
            priority_window_minutes: p.priority_window.num_minutes(),
            cancellation_notice_hours: p.cancellation_notice.num_hours(),
            core_tier_hours: p.core_tier_hours,
        }
    }
}

impl ReleasePolicyView {
    /// Each field against its own range, so a person is told which one is wrong.
    fn check_fields(self) -> Result<(), AppError> {
        let mut fields = crate::error::Fields::default();
        let mut within = |field: &str, value: i64, range: std::ops::RangeInclusive<i64>, unit| {
            if !range.contains(&value) {
                fields.push(
                    field,
                    format!(
                        "must be between {} and {} {unit}",
                        range.start(),
                        range.end()
                    ),
                );
            }
        };
        within("horizon_days", self.horizon_days, 1..=366, "days");
        within(
            "collaborative_after_hours",
            self.collaborative_after_hours,
            0..=MAX_HOURS,
            "hours",
        );
        within(
            "collaborative_lead_hours",
            self.collaborative_lead_hours,
            0..=MAX_HOURS,
            "hours",
        );
        within(
            "priority_window_minutes",
            self.priority_window_minutes,
            0..=7 * 24 * 60,
            "minutes",
        );
        within(
            "cancellation_notice_hours",
            self.cancellation_notice_hours,
            0..=MAX_HOURS,
            "hours",
        );
        if let Some(hours) = self.core_tier_hours {
            within("core_tier_hours", hours, 1..=624, "hours");
        }
        fields.finish()
    }

    fn policy(self) -> Result<ReleasePolicy, AppError> {
        self.check_fields()?;
        let span = |field: &str, value: i64, unit: fn(i64) -> Option<Duration>| {
            unit(value).ok_or_else(|| AppError::field(field, "out of range"))
        };
        ReleasePolicy {
            horizon: span("horizon_days", self.horizon_days, Duration::try_days)?,
            collaborative_after: span(
                "collaborative_after_hours",
                self.collaborative_after_hours,
                Duration::try_hours,
            )?,
            collaborative_lead: span(
                "collaborative_lead_hours",
                self.collaborative_lead_hours,
                Duration::try_hours,
            )?,
            priority_window: span(
                "priority_window_minutes",
                self.priority_window_minutes,
                Duration::try_minutes,
            )?,
            cancellation_notice: span(
                "cancellation_notice_hours",
                self.cancellation_notice_hours,
                Duration::try_hours,
            )?,
            core_tier_hours: self.core_tier_hours,
        }
        .validate()
        .map_err(|e| AppError::field("policy", e))
    }
}

/// Longest span in hours a release rule may name: a year.
const MAX_HOURS: i64 = 366 * 24;

/// Give or take away a worker's priority tier in a bank.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTier {
    /// `core` (super-bank), `silver` (returning retirees), or null for none.
    pub tier: Option<String>,
}

/// Whether a ward's shifts are booked at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingModeChoice {
    /// True: workers book at once. False: they request and a booker approves.
    pub instant_booking: bool,
}

/// Break glass: release a shift to agency.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlass {
    /// Why the bank could not fill it, recorded and reported.
    pub reason: String,
    /// The agreed agency rate, pence an hour (1 to 50000). The release costs this rate for the
    /// shift's hours for each place unfilled, counted against the trust's agency spend cap.
    pub rate_pence: i64,
    /// The agency's name or reference, if known.
    #[serde(default)]
    pub agency_name: Option<String>,
    /// Required when this release would take the trust over its agency spend cap: why it must
    /// still go ahead (recorded in the audit ledger). Otherwise `over-agency-cap`.
    #[serde(default)]
    pub over_cap_reason: Option<String>,
}

impl App {
    /// The trust's release policy, or the defaults if it has set none.
    pub(crate) async fn release_policy_of(&self, org: OrgId) -> Result<ReleasePolicy, AppError> {
        Ok(self.store.release_policy(org).await?.unwrap_or_default())
    }

    /// Bookers of `org` pass; a booker of another trust finds nothing there, anyone else is refused.
    pub(crate) fn require_booker_of(&self, who: &Principal, org: OrgId) -> Result<(), AppError> {
        if who.booker_orgs().contains(&org) {
            Ok(())
        } else if who.has_role(Role::Booker) {
            Err(AppError::NotFound)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A trust's release policy (its bookers).
    pub async fn release_policy(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<ReleasePolicyView, AppError> {
        self.require_booker_of(who, org)?;
        Ok(self.release_policy_of(org).await?.into())
    }

    /// Sets a trust's release policy for shifts posted from now on (its bookers).
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub async fn set_release_policy(
        &self,
        who: &Principal,
        org: OrgId,
        input: ReleasePolicyView,
    ) -> Result<ReleasePolicyView, AppError> {
        self.require_booker_of(who, org)?;
        let policy = input.policy()?;
        let record = self
            .audit_record(Change {
                action: "release_policy.set",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"org": org, "policy": ReleasePolicyView::from(policy)}),
                personal: None,
            })
            .await?;
        self.store
            .set_release_policy(org, &policy, &[record])
            .await?;
        Ok(policy.into())
    }

    /// Sets whether a ward's shifts are booked at once or by approved request (its bookers): for
    /// what it posts from now on and for its open shifts not yet started.
    pub async fn set_booking_mode(
        &self,
        who: &Principal,
        ward: WardId,
        input: BookingModeChoice,
    ) -> Result<(), AppError> {
        let ward = self.store.ward(ward).await?.ok_or(AppError::NotFound)?;
        if !who.books_for_ward(&ward) {
            return Err(AppError::NotFound);
        }
        let record = self
            .audit_record(Change {
                action: "ward.booking_mode",
                actor: Some(who.user.id),
                tenant: Some(ward.org_id),
                subject: None,
                facts: json!({"ward": ward.id, "instant_booking": input.instant_booking}),
                personal: None,
            })
            .await?;
        self.store
            .set_instant_booking(ward.id, input.instant_booking, self.now(), &[record])
            .await?;
        Ok(())
    }

    /// Gives or takes away a member's priority tier (bookers of the bank's lead trust).
    pub async fn set_tier(
        &self,
        who: &Principal,
        bank: BankId,
        worker: WorkerId,
        input: SetTier,
    ) -> Result<(), AppError> {
        let bank = self.store.bank(bank).await?.ok_or(AppError::NotFound)?;
        self.require_booker_of(who, bank.lead_org_id)?;
        let tier = match input.tier.as_deref() {
            None => None,
            Some(raw) => Some(
                Tier::parse(raw)
                    .ok_or_else(|| AppError::field("tier", "must be core, silver or null"))?,
            ),
        };
        let member = self.store.worker(worker).await?.ok_or(AppError::NotFound)?;
        if !member.banks.contains(&bank.id) {
            return Err(AppError::NotFound);
        }
        let record = self
            .audit_record(Change {
                action: "worker.tier",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: Some(member.user_id),
                facts: json!({"worker": worker, "bank": bank.id, "tier": tier.map(Tier::as_str)}),
                personal: None,
            })
            .await?;
        self.store
            .set_tier(worker, bank.id, tier, &[record])
            .await?;
        Ok(())
    }

    /// The "super-bank" tier by hours worked: in every bank whose lead trust sets a threshold,
    /// gives the core tier to members who reached it over the last 13 weeks and takes it from
    /// those who no longer do, each change on the ledger. Returns how many tiers changed.
    pub async fn award_core_tiers(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut changed = 0;
        for bank in self.store.banks().await? {
            let threshold = self
                .store
                .release_policy(bank.lead_org_id)
                .await?
                .and_then(|p| p.core_tier_hours);
            let Some(threshold) = threshold else {
                continue;
            };
            let from = now - Duration::weeks(CORE_TIER_WEEKS);
            for member in self.store.member_hours(bank.id, from, now).await? {
                let Some(tier) = earned_tier(member.tier, member.minutes, threshold) else {
                    continue;
                };
                let record = self
                    .audit_record(Change {
                        action: "worker.tier",
                        actor: None,
                        tenant: Some(bank.lead_org_id),
                        subject: Some(member.user_id),
                        facts: json!({"worker": member.worker_id, "bank": bank.id,
                            "tier": tier.map(Tier::as_str), "by": "hours_worked",
                            "minutes_worked": member.minutes, "threshold_hours": threshold}),
                        personal: None,
                    })
                    .await?;
                // Another server's count, or a tier given by hand, may have got there first.
                if self
                    .store
                    .change_tier(member.worker_id, bank.id, member.tier, tier, &[record])
                    .await?
                {
                    changed += 1;
                }
            }
        }
        Ok(changed)
    }

    /// Breaks glass: releases an unfilled shift to agency with a reason (its ward's bookers).
    #[tracing::instrument(skip_all, fields(shift = %shift))]
    pub async fn release_to_agency(
        &self,
        who: &Principal,
        shift: ShiftId,
        input: BreakGlass,
    ) -> Result<ShiftView, AppError> {
        let found = self.store.shift(shift).await?.ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &found).await? {
            return Err(AppError::NotFound);
        }
        let mut fields = crate::error::Fields::default();
        let reason = fields.take("reason", Label::parse(&input.reason, 500));
        let rate = fields.take(
            "rate_pence",
            staffbank_domain::agency::AgencyRate::parse(input.rate_pence),
        );
        let agency_name = match input.agency_name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => fields.take("agency_name", Label::parse(name, 200)),
        };
        let over_cap_reason = match input.over_cap_reason.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(why) => fields.take("over_cap_reason", Label::parse(why, 500)),
        };
        fields.finish()?;
        let (Some(reason), Some(rate)) = (reason, rate) else {
            return Err(AppError::field("reason", "invalid"));
        };
        // Only a shift that could still be booked goes to agency: agency can no longer fill one
        // that has begun, and the report would count it.
        let time = BookingTime {
            starts_at: found.window.start(),
            now: self.now(),
        };
        match bookable(found.status, Some(time)) {
            Ok(()) => {}
            Err(Unbookable { started: true, .. }) => {
                return Err(AppError::Conflict(
                    staffbank_store::Conflict::ShiftStarted,
                    "the shift has started: it can no longer go to agency".into(),
                ))
            }
            Err(_) => {
                return Err(AppError::Conflict(
                    staffbank_store::Conflict::ShiftNotOpen,
                    "only an open shift with places left can go to agency".into(),
                ))
            }
        }
        // Over the cap only with a reason. The store records the release only if the trust's
        // spend is still what it was judged on, so two releases at once cannot both spend the
        // same headroom: one that finds it changed is judged again.
        for attempt in 1.. {
            let (quote, seen) = self.quote(&found, rate).await?;
            if quote.over_cap && over_cap_reason.is_none() {
                return Err(AppError::Conflict(
                    staffbank_store::Conflict::OverAgencyCap,
                    format!(
                    "this release costs {} pence and the trust has {} pence of agency headroom \
                     left: say why it must go ahead in over_cap_reason",
                    quote.cost_pence,
                    quote.headroom_before_pence.unwrap_or(0)
                ),
                ));
            }
            let over_cap = quote.over_cap.then(|| {
                json!({"reason": over_cap_reason.as_ref().map(Label::as_str),
                "cap_pence": quote.cap.cap_pence, "cap_from": quote.cap.from,
                "cap_to": quote.cap.to, "headroom_before_pence": quote.headroom_before_pence})
            });
            let release = AgencyRelease {
                at: self.now(),
                by: who.user.id,
                reason: reason.clone(),
                rate_pence: Some(rate.pence()),
                agency_name: agency_name.clone(),
                cost: None,
                spend_seen: Some(seen),
            };
            let record = self
                .audit_record(Change {
                    action: if over_cap.is_some() {
                        "shift.break_glass_over_cap"
                    } else {
                        "shift.break_glass"
                    },
                    actor: Some(who.user.id),
                    tenant: Some(found.org_id),
                    subject: None,
                    facts: json!({"shift": shift, "places_unfilled": quote.places,
                    "starts_at": found.window.start(), "reason": release.reason.as_str(),
                    "rate_pence": rate.pence(), "cost_pence": quote.cost_pence,
                    "agency_name": release.agency_name.as_ref().map(Label::as_str),
                    "over_cap": over_cap}),
                    personal: None,
                })
                .await?;
            match self
                .store
                .release_to_agency(shift, &release, &[record])
                .await
            {
                Err(staffbank_store::StoreError::Conflict(
                    staffbank_store::Conflict::AgencySpendChanged,
                )) if attempt < 5 => continue,
                result => result?,
            }
            break;
        }
        self.shift(who, shift).await
    }
}

/// A trust's cancellation and break-glass figures for shifts starting in a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchingReport {
    /// Start of the period (inclusive).
    pub from: chrono::DateTime<chrono::Utc>,
    /// End of the period (exclusive).
    pub to: chrono::DateTime<chrono::Utc>,
    /// Bookings the trust cancelled.
    pub cancelled_by_trust: u64,
    /// Of those, inside the notice period.
    pub late_by_trust: u64,
    /// Bookings workers cancelled.
    pub cancelled_by_worker: u64,
    /// Of those, inside the notice period.
    pub late_by_worker: u64,
    /// Cancellation payments owed.
    pub cancellation_payments: u64,
    /// Shifts released to agency by break glass.
    pub break_glass: u64,
}

impl App {
    /// Cancellation and break-glass figures for a trust's shifts starting within `days` of now,
    /// either side (its bookers and auditors).
    pub async fn matching_report(
        &self,
        who: &Principal,
        org: OrgId,
        days: i64,
    ) -> Result<MatchingReport, AppError> {
        let allowed = who.booker_orgs().contains(&org)
            || who.orgs_as(Role::Auditor).contains(&org)
            || who.reads_whole_ledger();
        if !allowed {
            return Err(AppError::NotFound);
        }
        if !(1..=366).contains(&days) {
            return Err(AppError::field("days", "must be between 1 and 366"));
        }
        let now = self.now();
        let (from, to) = (now - Duration::days(days), now + Duration::days(days));
        let c = self.store.matching_counts(org, from, to).await?;
        Ok(MatchingReport {
            from,
            to,
            cancelled_by_trust: c.cancelled_by_trust,
            late_by_trust: c.late_by_trust,
            cancelled_by_worker: c.cancelled_by_worker,
            late_by_worker: c.late_by_worker,
            cancellation_payments: c.cancellation_payments,
            break_glass: c.break_glass,
        })
    }
}
