//! The bank office's operational dashboard ("insight") for a trust, a collaborative bank or the
//! whole platform over any span of UK days: shifts posted, who filled them, how quickly, late
//! cancellations, hours and spend, week by week and broken down by ward, site, trust, staff
//! group, grade, day or night, and weekday or weekend.
//!
//! Read from the per-day sums of the read model (see `insight_refresh`), refreshed first so
//! the figures are exact. Workers appear only under keyed pseudonyms.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use staffbank_domain::agency::Period;
use staffbank_domain::grade::{Grade, StaffGroup};
use staffbank_domain::insight::{Figures, FillTime, FILL_BUCKET_EDGES};
use staffbank_domain::role::Role;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{BankId, OrgId};
use staffbank_store::{InsightDay, InsightScope};
use uuid::Uuid;

use crate::{App, AppError, Principal};

/// Workers listed by pseudonym, most hours first.
const TOP_WORKERS: u32 = 50;

/// A centile of time to fill, to the resolution of the buckets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FillTimeView {
    /// Filled within this many minutes (the upper edge of the bucket the centile falls in).
    pub within_minutes: Option<i64>,
    /// Set instead when the centile is beyond the last bucket: longer than this many minutes.
    pub longer_than_minutes: Option<i64>,
}

impl From<FillTime> for FillTimeView {
    fn from(t: FillTime) -> Self {
        match t {
            FillTime::Within(m) => Self {
                within_minutes: Some(m),
                longer_than_minutes: None,
            },
            FillTime::Longer(m) => Self {
                within_minutes: None,
                longer_than_minutes: Some(m),
            },
        }
    }
}

/// The figures of one group of shifts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightFigures {
    /// Shifts posted (cancelled ones included).
    pub shifts_posted: i64,
    /// Places on them.
    pub places: i64,
    /// Places filled by the shift's own bank.
    pub filled_own_bank: i64,
    /// Places filled through a collaborative bank.
    pub filled_collaborative: i64,
    /// Places released to an agency.
    pub filled_agency: i64,
    /// Places of standing shifts nobody fills.
    pub unfilled: i64,
    /// Places of shifts the trust cancelled.
    pub cancelled: i64,
    /// Bank fills as a share of standing places, percent to one decimal place; null without any.
    pub fill_rate_percent: Option<f64>,
    /// Median time from posting to booking.
    pub median_time_to_fill: Option<FillTimeView>,
    /// 90th centile of time from posting to booking.
    pub p90_time_to_fill: Option<FillTimeView>,
    /// Late cancellations by workers.
    pub late_cancellations_worker: i64,
    /// Late cancellations by the trust.
    pub late_cancellations_trust: i64,
    /// Paid time, minutes (from pay lines).
    pub paid_minutes: i64,
    /// Pay before holiday pay: base, enhancements and premiums, pence.
    pub pay_pence: i64,
    /// Of that, the base rate for the hours paid, pence.
    pub base_pay_pence: i64,
    /// Of that, night, weekend and public holiday enhancements, pence.
    pub enhancements_pence: i64,
    /// Of that, discretionary premiums, pence.
    pub premiums_pence: i64,
    /// Of that, pay not itemised: adjustments and lines paid before itemising, pence.
    pub other_pay_pence: i64,
    /// Rolled-up holiday pay, pence.
    pub holiday_pay_pence: i64,
    /// Employer's pension contribution on the pay at the trust's rate, pence.
    pub employer_pension_pence: i64,
    /// Everything: pay, holiday pay and employer pension, pence.
    pub total_spend_pence: i64,
    /// Shifts posted with a premium above the bank's cap (a premium override).
    pub premium_overrides: i64,
}

impl From<&Figures> for InsightFigures {
    fn from(f: &Figures) -> Self {
        Self {
            shifts_posted: f.shifts,
            places: f.places,
            filled_own_bank: f.own_bank,
            filled_collaborative: f.collaborative,
            filled_agency: f.agency,
            unfilled: f.unfilled,
            cancelled: f.cancelled,
            fill_rate_percent: f.fill_rate_permille().map(|p| p as f64 / 10.0),
            median_time_to_fill: f.fill_time(50).map(Into::into),
            p90_time_to_fill: f.fill_time(90).map(Into::into),
            late_cancellations_worker: f.late_worker,
            late_cancellations_trust: f.late_trust,
            paid_minutes: f.paid_seconds / 60,
            pay_pence: f.pay_pence - f.holiday_pence,
            base_pay_pence: f.base_pence,
            enhancements_pence: f.enhancement_pence,
            premiums_pence: f.premium_pence,
            other_pay_pence: f.other_pay_pence(),
            holiday_pay_pence: f.holiday_pence,
            employer_pension_pence: f.pension_pence,
            total_spend_pence: f.pay_pence + f.pension_pence,
            premium_overrides: f.premium_overrides,
        }
    }
}

/// One group in a breakdown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightGroup {
    /// Its key: an id for wards, sites and trusts, a stable name otherwise.
    pub key: String,
    /// In words.
    pub name: String,
    /// Its figures.
    pub figures: InsightFigures,
}

/// The figures broken down one way.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightBreakdown {
    /// `ward`, `site`, `trust`, `staff_group`, `grade`, `time_of_day` or `week_part`.
    pub dimension: String,
    /// In words ("By ward").
    pub title: String,
    /// Its groups, most shifts first.
    pub groups: Vec<InsightGroup>,
}

/// One week's figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightWeek {
    /// Its first day (weeks run from the span's first day, the last cut short).
    pub week_from: NaiveDate,
    /// Its figures.
    pub figures: InsightFigures,
}

/// A worker's totals, under their pseudonym.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightWorkerView {
    /// Keyed pseudonym: the same worker is the same pseudonym in every report.
    pub pseudonym: String,
    /// Shifts they hold.
    pub shifts: i64,
    /// Paid time, minutes.
    pub paid_minutes: i64,
    /// Pay, pence.
    pub pay_pence: i64,
}

/// The dashboard of a trust, a bank or the platform over a span of days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsightDashboard {
    /// `trust`, `bank` or `platform`.
    pub scope: String,
    /// The trust's or bank's id; null for the platform.
    pub scope_id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// The whole span.
    pub totals: InsightFigures,
    /// Week by week.
    pub weeks: Vec<InsightWeek>,
    /// Breakdowns.
    pub breakdowns: Vec<InsightBreakdown>,
    /// Workers by pseudonym, most paid time first (a trust's dashboard only).
    pub workers: Vec<InsightWorkerView>,
    /// Upper edges of the time-to-fill buckets, minutes: the resolution of the centiles.
    pub fill_bucket_edges_minutes: Vec<i64>,
}

/// Which dashboard is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightOf {
    /// A trust's.
    Trust(OrgId),
    /// A bank's.
    Bank(BankId),
    /// The platform's.
    Platform,
}

/// Whether `who` reads a trust's dashboard: its bank office or auditors.
fn reads_trust(who: &Principal, org: OrgId) -> bool {
    who.booker_orgs().contains(&org) || who.orgs_as(Role::Auditor).contains(&org)
}

fn title(dimension: &str) -> &'static str {
    match dimension {
        "ward" => "By ward",
        "site" => "By site",
        "trust" => "By trust",
        "staff_group" => "By staff group",
        "grade" => "By grade",
        "time_of_day" => "Day or night",
        "week_part" => "Weekday or weekend",
        _ => "Other",
    }
}

const ORDER: [&str; 7] = [
    "trust",
    "site",
    "ward",
    "staff_group",
    "grade",
    "time_of_day",
    "week_part",
];

impl App {
    /// The span asked for, or else the 12 weeks to today.
    pub fn insight_period(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Period, AppError> {
        match (from, to) {
            (Some(from), Some(to)) => Period::new(from, to).map_err(|e| AppError::field("to", e)),
            (None, None) => {
                let today = self.now().with_timezone(&RULES_ZONE).date_naive();
                Period::new(today - Duration::days(83), today).map_err(|e| AppError::field("to", e))
            }
            (None, Some(_)) => Err(AppError::field("from", "give both from and to, or neither")),
            (Some(_), None) => Err(AppError::field("to", "give both from and to, or neither")),
        }
    }

    /// The banks a trust runs or belongs to (id and name), so its dashboard can link to theirs.
    pub async fn banks_of_trust(&self, org: OrgId) -> Result<Vec<(Uuid, String)>, AppError> {
        Ok(self
            .store
            .banks()
            .await?
            .into_iter()
            .filter(|b| b.lead_org_id == org || b.member_orgs.contains(&org))
            .map(|b| (b.id.0, b.name.to_string()))
            .collect())
    }

    /// The scope's name after checking `who` may read it: a trust's bank office and auditors
    /// (and platform admins); a bank's to the bank office and auditors of any of its trusts;
    /// the platform's to platform admins. A trust or bank others may not read is `NotFound`,
    /// as with every other trust report; the platform is `Forbidden`.
    async fn authorise_insight(&self, who: &Principal, of: InsightOf) -> Result<String, AppError> {
        match of {
            InsightOf::Trust(org) => {
                if !(reads_trust(who, org) || who.is_platform_admin()) {
                    return Err(AppError::NotFound);
                }
                let org = self.store.organisation(org).await?;
                Ok(org.ok_or(AppError::NotFound)?.name.to_string())
            }
            InsightOf::Bank(id) => {
                let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
                let member = bank
                    .member_orgs
                    .iter()
                    .chain(std::iter::once(&bank.lead_org_id))
                    .any(|org| reads_trust(who, *org));
                if !(member || who.is_platform_admin()) {
                    return Err(AppError::NotFound);
                }
                Ok(bank.name.to_string())
            }
            InsightOf::Platform => {
                who.require_platform_admin()?;
                Ok("All trusts".to_owned())
            }
        }
    }

    /// Names for the keys of a scope's breakdowns: its wards, sites and trusts.
    async fn insight_names(&self, of: InsightOf) -> Result<HashMap<String, String>, AppError> {
        let mut names = HashMap::new();
        let orgs = match of {
            InsightOf::Trust(org) => vec![org],
            InsightOf::Bank(id) => self
                .store
                .bank(id)
                .await?
                .map(|b| b.member_orgs)
                .unwrap_or_default(),
            InsightOf::Platform => Vec::new(),
        };
        for org in self.store.organisations().await? {
            names.insert(org.id.0.to_string(), org.name.to_string());
        }
        for org in orgs {
            for site in self.store.sites(org).await? {
                names.insert(site.id.0.to_string(), site.name.to_string());
            }
            for ward in self.store.wards(org).await? {
                names.insert(ward.id.0.to_string(), ward.name.to_string());
            }
        }
        Ok(names)
    }

    /// The dashboard of a trust, bank or the platform over `period`, after bringing the read
    /// model up to date.
    #[tracing::instrument(skip_all, fields(of = ?of))]
    pub async fn insight_dashboard(
        &self,
        who: &Principal,
        of: InsightOf,
        period: Period,
    ) -> Result<InsightDashboard, AppError> {
        let name = self.authorise_insight(who, of).await?;
        self.refresh_insight().await?;
        let (scope, scope_name, scope_id) = match of {
            InsightOf::Trust(org) => (InsightScope::Trust(org), "trust", Some(org.0)),
            InsightOf::Bank(bank) => (InsightScope::Bank(bank), "bank", Some(bank.0)),
            InsightOf::Platform => (InsightScope::Platform, "platform", None),
        };
        let rows = self
            .store
            .insight_days(scope, period.from(), period.to())
            .await?;
        let names = self.insight_names(of).await?;
        let workers = match of {
            InsightOf::Trust(org) => self
                .store
                .insight_workers(org, period.from(), period.to(), TOP_WORKERS)
                .await?
                .into_iter()
                .map(|w| InsightWorkerView {
                    pseudonym: w.pseudonym,
                    shifts: w.shifts,
                    paid_minutes: w.paid_seconds / 60,
                    pay_pence: w.pay_pence,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(assemble(
            &rows, period, &names, scope_name, scope_id, name, workers,
        ))
    }
}

/// What a group's key reads as.
fn group_name(dimension: &str, key: &str, names: &HashMap<String, String>) -> String {
    match dimension {
        "staff_group" => StaffGroup::parse(key)
            .map(|g| g.label().to_owned())
            .unwrap_or_else(|| key.to_owned()),
        "grade" => Grade::parse(key)
            .map(Grade::label)
            .unwrap_or_else(|| key.to_owned()),
        "time_of_day" => if key == "night" { "Night" } else { "Day" }.to_owned(),
        "week_part" => if key == "weekend" {
            "Weekend"
        } else {
            "Weekday"
        }
        .to_owned(),
        _ => names
            .get(key)
            .cloned()
            .unwrap_or_else(|| "Unknown".to_owned()),
    }
}

/// The dashboard from the read model's rows.
fn assemble(
    rows: &[InsightDay],
    period: Period,
    names: &HashMap<String, String>,
    scope: &str,
    scope_id: Option<Uuid>,
    name: String,
    workers: Vec<InsightWorkerView>,
) -> InsightDashboard {
    let mut totals = Figures::default();
    let weeks = period.weeks();
    let mut week_sums = vec![Figures::default(); weeks.len()];
    let mut groups: HashMap<&str, Vec<(&str, &Figures)>> = HashMap::new();
    for r in rows {
        if r.dimension == "all" {
            totals.add(&r.figures);
            let index = usize::try_from((r.day - period.from()).num_days() / 7).unwrap_or(0);
            if let Some(w) = week_sums.get_mut(index) {
                w.add(&r.figures);
            }
        } else {
            groups
                .entry(r.dimension.as_str())
                .or_default()
                .push((r.value.as_str(), &r.figures));
        }
    }
    let breakdowns = ORDER
        .iter()
        .filter_map(|dimension| {
            let mut parts = groups.remove(dimension)?;
            parts.sort_by(|a, b| b.1.shifts.cmp(&a.1.shifts).then(a.0.cmp(b.0)));
            Some(InsightBreakdown {
                dimension: (*dimension).to_owned(),
                title: title(dimension).to_owned(),
                groups: parts
                    .into_iter()
                    .map(|(key, f)| InsightGroup {
                        key: key.to_owned(),
                        name: group_name(dimension, key, names),
                        figures: f.into(),
                    })
                    .collect(),
            })
        })
        .collect();
    InsightDashboard {
        scope: scope.to_owned(),
        scope_id,
        name,
        from: period.from(),
        to: period.to(),
        totals: (&totals).into(),
        weeks: weeks
            .iter()
            .zip(week_sums.iter())
            .map(|(w, f)| InsightWeek {
                week_from: w.first_day,
                figures: f.into(),
            })
            .collect(),
        breakdowns,
        workers,
        fill_bucket_edges_minutes: FILL_BUCKET_EDGES.to_vec(),
    }
}
