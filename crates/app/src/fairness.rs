//! The fairness auditor (PRODUCT.md flow 10): each worker group's share of a bank's members
//! against its share of the shifts offered, booked and desirable-booked, with the groups that
//! differ flagged. Read by the bank office and auditors of the trust that runs the bank; only
//! aggregates leave, never a name or id.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::fairness::contract::Contract;
use staffbank_domain::fairness::desirable::{Desirable, MAX_WARDS};
use staffbank_domain::fairness::{self, AuditRules, Grouping, MemberCounts};
use staffbank_domain::role::Role;
use staffbank_domain::{BankId, WardId, WorkerId};
use staffbank_store::{Bank, FairnessMember};

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// The groupings audited, in report order; the last four only from consenting declarations.
pub const GROUPINGS: [&str; 8] = [
    "contract",
    "tier",
    "staff_group",
    "grade",
    "sex",
    "ethnic_group",
    "disability",
    "age_band",
];

/// The longest period one report covers.
const MAX_PERIOD_DAYS: i64 = 366;

/// The period a report covers when none is given: the last four weeks.
const DEFAULT_PERIOD_DAYS: i64 = 28;

/// What the suppression rule is, said in every report.
pub const SUPPRESSION_NOTE: &str = "Groups with fewer than 20 members are suppressed (not shown \
                                    and never flagged) so that no one can be picked out.";

/// A bank's fairness report for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FairnessReport {
    /// The bank.
    pub bank_id: uuid::Uuid,
    /// Its name.
    pub bank_name: String,
    /// Start of the period (shifts starting at or after it).
    pub from: DateTime<Utc>,
    /// End of the period (shifts starting before it).
    pub to: DateTime<Utc>,
    /// The significance test used.
    pub test: String,
    /// Relative difference from the member share above which a group may be flagged.
    pub tolerance: f64,
    /// Groups with fewer members are suppressed.
    pub min_group: u64,
    /// The suppression rule, in words.
    pub suppression: String,
    /// The bank's definition of a desirable shift used.
    #[schema(value_type = Object)]
    pub desirable: Desirable,
    /// Each grouping: its groups' member shares and shares of offered, booked and desirable
    /// shifts, with flags.
    #[schema(value_type = Vec<Object>)]
    pub groupings: Vec<Grouping>,
}

/// A bank's definition of a desirable shift, as the API reads and sets it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesirableView {
    /// Only day shifts count.
    pub day_shifts_only: bool,
    /// Weekend shifts do not count.
    pub exclude_weekends: bool,
    /// When not empty, only shifts on these wards count.
    pub low_acuity_wards: Vec<uuid::Uuid>,
    /// Whether the bank set it (otherwise the default). Ignored when setting.
    #[serde(default)]
    pub own: bool,
}

impl DesirableView {
    fn new(d: Desirable, own: bool) -> Self {
        Self {
            day_shifts_only: d.day_shifts_only,
            exclude_weekends: d.exclude_weekends,
            low_acuity_wards: d.low_acuity_wards.iter().map(|w| w.0).collect(),
            own,
        }
    }
}

/// A member's contract as the bank office sets it, so the report can compare part-time with
/// full-time staff.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetContract {
    /// `part_time`, `full_time`, or null when not known.
    pub contract: Option<String>,
}

/// Whether `who` may read `bank`'s fairness: a booker or auditor of the trust that runs it, or a
/// platform auditor.
pub(crate) fn reads_fairness(who: &Principal, bank: &Bank) -> bool {
    who.reads_whole_ledger()
        || who.booker_orgs().contains(&bank.lead_org_id)
        || who.orgs_as(Role::Auditor).contains(&bank.lead_org_id)
}

/// One member's groups and counts, as the domain audits them.
pub fn member_counts(member: &FairnessMember, desirable: &Desirable) -> MemberCounts {
    let mut groups = vec![
        (
            "contract".to_owned(),
            member
                .contract
                .clone()
                .unwrap_or_else(|| "not_recorded".to_owned()),
        ),
        (
            "tier".to_owned(),
            member.tier.clone().unwrap_or_else(|| "none".to_owned()),
        ),
        ("staff_group".to_owned(), member.staff_group.clone()),
        ("grade".to_owned(), member.grade.clone()),
    ];
    if let Some(d) = &member.declaration {
        groups.extend(
            d.answers()
                .iter()
                .map(|(q, a)| ((*q).to_owned(), (*a).to_owned())),
        );
    }
    MemberCounts {
        groups,
        offered: member.offered,
        booked: member.booked.len() as u64,
        desirable: member
            .booked
            .iter()
            .filter(|(window, ward)| desirable.includes(*window, *ward))
            .count() as u64,
    }
}

impl App {
    /// Records a member's contract in a bank (bookers of the trust that runs it); audited as
    /// `worker.contract`. A worker who is not a member, or a bank of another trust, is not found.
    #[tracing::instrument(skip_all, fields(bank = %bank.0, worker = %worker.0))]
    pub async fn set_contract(
        &self,
        who: &Principal,
        bank: BankId,
        worker: WorkerId,
        input: SetContract,
    ) -> Result<(), AppError> {
        let bank = self.store.bank(bank).await?.ok_or(AppError::NotFound)?;
        self.require_booker_of(who, bank.lead_org_id)?;
        let contract = match input.contract.as_deref() {
            None => None,
            Some(raw) => Some(Contract::parse(raw).ok_or_else(|| {
                AppError::field("contract", "must be part_time, full_time or null")
            })?),
        };
        let member = self.store.worker(worker).await?.ok_or(AppError::NotFound)?;
        if !member.banks.contains(&bank.id) {
            return Err(AppError::NotFound);
        }
        let record = self
            .audit_record(Change {
                action: "worker.contract",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: Some(member.user_id),
                facts: json!({"worker": worker, "bank": bank.id,
                    "contract": contract.map(Contract::as_str)}),
                personal: None,
            })
            .await?;
        self.store
            .set_contract(worker, bank.id, contract, &[record])
            .await?;
        Ok(())
    }

    /// The fairness report of `bank` over `[from, to)` (the last four weeks by default).
    #[tracing::instrument(skip_all, fields(bank = %id.0))]
    pub async fn fairness_report(
        &self,
        who: &Principal,
        id: BankId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<FairnessReport, AppError> {
        let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
        if !reads_fairness(who, &bank) {
            return Err(AppError::NotFound);
        }
        let to = to.unwrap_or_else(|| self.now());
        let from = from.unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS));
        if from >= to {
            return Err(AppError::field("from", "must be before to"));
        }
        if to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(AppError::field("to", "a report covers at most 366 days"));
        }
        self.report_for(&bank, from, to).await
    }

    /// The report of `bank` over `[from, to)`, with no access check (the weekly sweep's).
    pub(crate) async fn report_for(
        &self,
        bank: &Bank,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<FairnessReport, AppError> {
        let desirable = self
            .store
            .fairness_settings(bank.id)
            .await?
            .unwrap_or_default();
        let members: Vec<MemberCounts> = self
            .store
            .fairness_members(bank.id, from, to)
            .await?
            .iter()
            .map(|m| member_counts(m, &desirable))
            .collect();
        let rules = AuditRules::default();
        Ok(FairnessReport {
            bank_id: bank.id.0,
            bank_name: bank.name.to_string(),
            from,
            to,
            test: fairness::TEST_NAME.to_owned(),
            tolerance: rules.tolerance,
            min_group: rules.min_group,
            suppression: SUPPRESSION_NOTE.to_owned(),
            desirable,
            groupings: fairness::audit(&members, &GROUPINGS, rules),
        })
    }

    /// A bank's definition of a desirable shift (the default if it has set none).
    pub async fn fairness_settings(
        &self,
        who: &Principal,
        id: BankId,
    ) -> Result<DesirableView, AppError> {
        let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
        if !reads_fairness(who, &bank) {
            return Err(AppError::NotFound);
        }
        Ok(match self.store.fairness_settings(id).await? {
            Some(d) => DesirableView::new(d, true),
            None => DesirableView::new(Desirable::default(), false),
        })
    }

    /// Sets a bank's definition of a desirable shift (bookers of the trust that runs it); the
    /// low-acuity wards must be wards of the bank's member trusts.
    pub async fn set_fairness_settings(
        &self,
        who: &Principal,
        id: BankId,
        input: DesirableView,
    ) -> Result<DesirableView, AppError> {
        let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
        if !who.booker_orgs().contains(&bank.lead_org_id) {
            return Err(if reads_fairness(who, &bank) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let mut wards: Vec<WardId> = input.low_acuity_wards.iter().map(|&w| WardId(w)).collect();
        wards.sort();
        wards.dedup();
        if wards.len() > MAX_WARDS {
            return Err(AppError::field("low_acuity_wards", "at most 200 wards"));
        }
        for ward in &wards {
            let known = self.store.ward(*ward).await?;
            if !known.is_some_and(|w| bank.member_orgs.contains(&w.org_id)) {
                return Err(AppError::field(
                    "low_acuity_wards",
                    "every ward must be a ward of the bank's trusts",
                ));
            }
        }
        let desirable = Desirable {
            day_shifts_only: input.day_shifts_only,
            exclude_weekends: input.exclude_weekends,
            low_acuity_wards: wards,
        };
        let record = self
            .audit_record(Change {
                action: "fairness_settings.set",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: None,
                facts: json!({"bank": id, "desirable": desirable}),
                personal: None,
            })
            .await?;
        self.store
            .set_fairness_settings(id, &desirable, &[record])
            .await?;
        Ok(DesirableView::new(desirable, true))
    }
}
