//! Agency spend against a trust's cap: setting the cap, the spend report with its forecast, and
//! what one more break-glass release would cost against the headroom left.
//!
//! Spend counts every shift of the trust released to agency (not cancelled) that starts in the
//! period: what has been worked ("spent") and what is released but still to come
//! ("committed"). The cap is measured against both, so headroom is what may still be released.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::agency::{
    default_cap_pence, fill_spend_pence, forecast_pence, percent_of_cap, AgencyRate,
    ForecastInputs, Period, DEFAULT_CAP_PERCENT, MAX_CAP_PENCE, RUN_RATE_DAYS,
};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{OrgId, ShiftId};
use staffbank_store::{AgencyCap, AgencyFill};
use uuid::Uuid;

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// Sets a trust's agency spend cap for a period of UK days.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAgencyCap {
    /// First day of the period, e.g. `2026-04-01`.
    pub from: NaiveDate,
    /// Last day of the period (included), e.g. `2027-03-31`; at most 366 days in all.
    pub to: NaiveDate,
    /// The cap, pence. Leave out for the default: 85% of the baseline period's agency spend.
    #[serde(default)]
    pub cap_pence: Option<i64>,
    /// First day of the baseline the default is worked from; leave out (with `baseline_to`) for
    /// the same-length period before `from`.
    #[serde(default)]
    pub baseline_from: Option<NaiveDate>,
    /// Last day of the baseline (included).
    #[serde(default)]
    pub baseline_to: Option<NaiveDate>,
}

/// The baseline a default cap is worked out from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BaselineView {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// True if the trust named it; false: the same-length period before the cap's.
    pub named: bool,
    /// Agency spend on shifts that started in it, pence.
    pub spend_pence: i64,
}

/// The cap that applies to a period, and where it comes from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyCapView {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period (included).
    pub to: NaiveDate,
    /// True if the trust set a cap for exactly this period; false: the default applies.
    pub set: bool,
    /// `figure` (the trust set the amount), `percent_of_baseline` (85% of the baseline's
    /// spend), or `none` (the default, with no agency spend in the baseline to cut from).
    pub basis: String,
    /// The cap, pence; null when the basis is `none`.
    pub cap_pence: Option<i64>,
    /// The share of the baseline a default cap is, percent (85).
    pub default_percent: i64,
    /// The baseline, unless the trust set a figure.
    pub baseline: Option<BaselineView>,
}

/// One week's agency spend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekSpend {
    /// Its first day (weeks run from the period's first day).
    pub week_from: NaiveDate,
    /// Spend on shifts starting in it, pence.
    pub spend_pence: i64,
    /// Spend from the period's start to the week's end, pence.
    pub cumulative_pence: i64,
}

/// Agency spend in one part of the trust: a ward or a staff group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpendPart {
    /// The ward's id, or the staff group's stable name.
    pub key: String,
    /// In words.
    pub name: String,
    /// Shifts released to agency.
    pub fills: u64,
    /// Their spend, pence.
    pub spend_pence: i64,
}

/// The forecast to the period's end and how it was made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpendForecast {
    /// Spend for the whole period, pence.
    pub forecast_pence: i64,
    /// Spend on shifts that started in the last 28 days before now, pence.
    pub recent_pence: i64,
    /// The days the run-rate is taken over (28).
    pub run_rate_days: i64,
    /// Days from now to the period's end (0 once it is over).
    pub remaining_days: i64,
    /// True if the forecast is over the cap.
    pub over_cap: bool,
    /// The method, in words.
    pub method: String,
}

/// A trust's agency spend against its cap for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencySpendReport {
    /// The trust.
    pub org_id: Uuid,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// The cap that applies.
    pub cap: AgencyCapView,
    /// Spend on released shifts that have started, pence.
    pub spent_pence: i64,
    /// Spend on released shifts still to come, pence.
    pub committed_pence: i64,
    /// Both: what is measured against the cap, pence.
    pub spend_pence: i64,
    /// Cap less spend, pence (negative when over); null with no cap.
    pub headroom_pence: Option<i64>,
    /// Spend as a percent of the cap, rounded down; null with no cap (or a cap of nothing).
    pub percent_of_cap: Option<i64>,
    /// Shifts released to agency in the period.
    pub fills: u64,
    /// Week by week.
    pub weeks: Vec<WeekSpend>,
    /// By ward, largest spend first.
    pub by_ward: Vec<SpendPart>,
    /// By staff group, largest spend first.
    pub by_staff_group: Vec<SpendPart>,
    /// To the period's end.
    pub forecast: SpendForecast,
}

/// What releasing a shift to agency at a rate would cost, and the headroom before and after.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyQuote {
    /// The shift.
    pub shift_id: Uuid,
    /// The agency rate asked about, pence an hour.
    pub rate_pence: i64,
    /// Places the release would cover: those unfilled now.
    pub places: u16,
    /// Paid time per place, minutes (the shift's whole length).
    pub paid_minutes: i64,
    /// Rate x paid hours x places, pence (half a penny up).
    pub cost_pence: i64,
    /// The cap that applies to the shift's day.
    pub cap: AgencyCapView,
    /// Headroom now, pence; null with no cap.
    pub headroom_before_pence: Option<i64>,
    /// Headroom after this release, pence; null with no cap.
    pub headroom_after_pence: Option<i64>,
    /// True if this release would take spend over the cap: a reason is then required.
    pub over_cap: bool,
}

/// The cap applying to a period, with the spend it is measured against.
pub(crate) struct Applied {
    pub(crate) view: AgencyCapView,
    pub(crate) fills: Vec<AgencyFill>,
}

impl Applied {
    /// Spend in the period, pence.
    pub(crate) fn spend(&self) -> i64 {
        self.fills.iter().map(|f| f.spend_pence).sum()
    }

    /// Cap less spend, if there is a cap.
    pub(crate) fn headroom(&self) -> Option<i64> {
        self.view.cap_pence.map(|cap| cap - self.spend())
    }
}

fn sum(fills: &[AgencyFill]) -> i64 {
    fills.iter().map(|f| f.spend_pence).sum()
}

impl App {
    /// Fails with `NotFound` unless `who` is the trust's bank office or a platform admin, and the
    /// trust exists: another trust is never told it is there.
    async fn require_agency_reader(&self, who: &Principal, org: OrgId) -> Result<(), AppError> {
        if !(who.booker_orgs().contains(&org) || who.is_platform_admin()) {
            return Err(AppError::NotFound);
        }
        self.store
            .organisation(org)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(())
    }

    async fn spend_in(&self, org: OrgId, period: Period) -> Result<Vec<AgencyFill>, AppError> {
        Ok(self
            .store
            .agency_fills(org, period.start(), period.end())
            .await?)
    }

    /// The cap applying to `period`: the trust's own if it set one for exactly this period,
    /// otherwise 85% of the same-length period before (none if nothing was spent in it).
    pub(crate) async fn cap_applying(
        &self,
        org: OrgId,
        period: Period,
    ) -> Result<Applied, AppError> {
        let stored = self
            .store
            .agency_cap(org)
            .await?
            .filter(|c| c.period == period);
        let fills = self.spend_in(org, period).await?;
        let (set, figure, named) = match &stored {
            Some(c) => (true, c.cap_pence, c.baseline),
            None => (false, None, None),
        };
        let (basis, cap_pence, baseline) = match figure {
            Some(cap) => ("figure", Some(cap), None),
            None => {
                let base = named.unwrap_or_else(|| period.preceding());
                let spend = sum(&self.spend_in(org, base).await?);
                let view = BaselineView {
                    from: base.from(),
                    to: base.to(),
                    named: named.is_some(),
                    spend_pence: spend,
                };
                if spend == 0 && !set {
                    ("none", None, Some(view))
                } else {
                    (
                        "percent_of_baseline",
                        Some(default_cap_pence(spend)),
                        Some(view),
                    )
                }
            }
        };
        Ok(Applied {
            view: AgencyCapView {
                from: period.from(),
                to: period.to(),
                set,
                basis: basis.to_owned(),
                cap_pence,
                default_percent: DEFAULT_CAP_PERCENT,
                baseline,
            },
            fills,
        })
    }

    /// The period a cap or report is for: the one asked, else the trust's cap period, else the
    /// financial year holding today.
    async fn period_or_default(
        &self,
        org: OrgId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Period, AppError> {
        match (from, to) {
            (Some(from), Some(to)) => Period::new(from, to).map_err(|e| AppError::field("to", e)),
            (None, None) => Ok(match self.store.agency_cap(org).await? {
                Some(cap) => cap.period,
                None => {
                    Period::financial_year_of(self.now().with_timezone(&RULES_ZONE).date_naive())
                }
            }),
            (None, Some(_)) => Err(AppError::field("from", "give both from and to, or neither")),
            (Some(_), None) => Err(AppError::field("to", "give both from and to, or neither")),
        }
    }

    /// The trust's agency spend cap: the one it set, else the default for the current
    /// financial year (its bank office and platform admins).
    pub async fn agency_cap(&self, who: &Principal, org: OrgId) -> Result<AgencyCapView, AppError> {
        self.require_agency_reader(who, org).await?;
        let period = self.period_or_default(org, None, None).await?;
        Ok(self.cap_applying(org, period).await?.view)
    }

    /// Sets the trust's agency spend cap, replacing any it had; written to the ledger (its
    /// bank office and platform admins).
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub async fn set_agency_cap(
        &self,
        who: &Principal,
        org: OrgId,
        input: SetAgencyCap,
    ) -> Result<AgencyCapView, AppError> {
        self.require_agency_reader(who, org).await?;
        let mut fields = crate::error::Fields::default();
        let period = fields.take("to", Period::new(input.from, input.to));
        if let Some(cap) = input.cap_pence {
            if !(0..=MAX_CAP_PENCE).contains(&cap) {
                fields.push("cap_pence", "must be between 0 and 100000000000 pence");
            }
            if input.baseline_from.is_some() || input.baseline_to.is_some() {
                fields.push(
                    "baseline_from",
                    "a baseline is only used when no cap figure is given",
                );
            }
        }
        let baseline = match (input.baseline_from, input.baseline_to) {
            (Some(from), Some(to)) => fields.take("baseline_to", Period::new(from, to)),
            (None, None) => None,
            _ => {
                fields.push("baseline_to", "give both baseline_from and baseline_to");
                None
            }
        };
        if let (Some(p), Some(b)) = (period, baseline) {
            if b.to() >= p.from() {
                fields.push(
                    "baseline_to",
                    "the baseline must end before the period starts",
                );
            }
        }
        fields.finish()?;
        let period = period.ok_or_else(|| AppError::field("to", "invalid period"))?;
        let cap = AgencyCap {
            period,
            cap_pence: input.cap_pence,
            baseline,
            set_by: who.user.id,
            set_at: self.now(),
        };
        let record = self
            .audit_record(Change {
                action: "agency_cap.set",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"org": org, "from": period.from(), "to": period.to(),
                    "cap_pence": input.cap_pence,
                    "baseline": baseline.map(|b| json!({"from": b.from(), "to": b.to()}))}),
                personal: None,
            })
            .await?;
        self.store.set_agency_cap(org, &cap, &[record]).await?;
        Ok(self.cap_applying(org, period).await?.view)
    }

    /// Agency spend against the cap for a period (default: the trust's cap period, else the
    /// current financial year), week by week, by ward and staff group, with a forecast (its
    /// bank office and platform admins).
    pub async fn agency_spend(
        &self,
        who: &Principal,
        org: OrgId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<AgencySpendReport, AppError> {
        self.require_agency_reader(who, org).await?;
        let period = self.period_or_default(org, from, to).await?;
        let applied = self.cap_applying(org, period).await?;
        let now = self.now();
        let recent = self
            .store
            .agency_fills(org, now - Duration::days(RUN_RATE_DAYS), now)
            .await?;
        let spent: i64 = applied
            .fills
            .iter()
            .filter(|f| f.starts_at < now)
            .map(|f| f.spend_pence)
            .sum();
        let spend = applied.spend();
        let committed = spend - spent;
        let remaining = if now >= period.end() {
            Duration::zero()
        } else {
            period.end() - now.max(period.start())
        };
        let forecast = forecast_pence(ForecastInputs {
            to_date_pence: spent,
            committed_pence: committed,
            recent_pence: sum(&recent),
            remaining,
        });
        let cap = applied.view.cap_pence;
        let mut cumulative = 0;
        let weeks = period
            .weeks()
            .into_iter()
            .map(|w| {
                let spend: i64 = applied
                    .fills
                    .iter()
                    .filter(|f| f.starts_at >= w.start && f.starts_at < w.end)
                    .map(|f| f.spend_pence)
                    .sum();
                cumulative += spend;
                WeekSpend {
                    week_from: w.first_day,
                    spend_pence: spend,
                    cumulative_pence: cumulative,
                }
            })
            .collect();
        let wards = self.store.wards(org).await?;
        let by_ward = parts(&applied.fills, |f| {
            let name = wards
                .iter()
                .find(|w| w.id == f.ward_id)
                .map_or_else(|| "Unknown ward".to_owned(), |w| w.name.as_str().to_owned());
            (f.ward_id.0.to_string(), name)
        });
        let by_staff_group = parts(&applied.fills, |f| {
            (
                f.staff_group.as_str().to_owned(),
                f.staff_group.label().to_owned(),
            )
        });
        Ok(AgencySpendReport {
            org_id: org.0,
            from: period.from(),
            to: period.to(),
            spent_pence: spent,
            committed_pence: committed,
            spend_pence: spend,
            headroom_pence: applied.headroom(),
            percent_of_cap: cap.and_then(|c| percent_of_cap(spend, c)),
            fills: applied.fills.len() as u64,
            weeks,
            by_ward,
            by_staff_group,
            forecast: SpendForecast {
                forecast_pence: forecast,
                recent_pence: sum(&recent),
                run_rate_days: RUN_RATE_DAYS,
                remaining_days: (remaining.num_seconds() + 86_399) / 86_400,
                over_cap: cap.is_some_and(|c| forecast > c),
                method: format!(
                    "Spend to date, plus the larger of: agency fills already released for shifts \
                     still to come; or the spend of shifts that started in the last \
                     {RUN_RATE_DAYS} days, as a daily rate, times the time left in the period."
                ),
            },
            cap: applied.view,
        })
    }

    /// What releasing a shift to agency at `rate_pence` would cost now, against the headroom
    /// of the cap for the shift's day (its ward's bookers).
    pub async fn agency_quote(
        &self,
        who: &Principal,
        shift: ShiftId,
        rate_pence: i64,
    ) -> Result<AgencyQuote, AppError> {
        let found = self.store.shift(shift).await?.ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &found).await? {
            return Err(AppError::NotFound);
        }
        let rate = AgencyRate::parse(rate_pence).map_err(|e| AppError::field("rate_pence", e))?;
        Ok(self.quote(&found, rate).await?.0)
    }

    /// The quote for a shift the caller may release.
    /// What releasing `shift` at `rate` costs against its trust's cap, with the spend it was
    /// judged on (for the store to confirm under the trust's lock).
    pub(crate) async fn quote(
        &self,
        shift: &staffbank_store::Shift,
        rate: AgencyRate,
    ) -> Result<(AgencyQuote, staffbank_store::SpendSeen), AppError> {
        let places = shift.places.get().saturating_sub(shift.booked);
        let paid = shift.window.length();
        let cost = fill_spend_pence(rate, paid, places);
        let applied = self.cap_for_day(shift).await?;
        let before = applied.headroom();
        let period = Period::new(applied.view.from, applied.view.to)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cap period: {e}")))?;
        let seen = staffbank_store::SpendSeen {
            org: shift.org_id,
            from: period.start(),
            to: period.end(),
            pence: applied.spend(),
        };
        let quote = AgencyQuote {
            shift_id: shift.id.0,
            rate_pence: rate.pence(),
            places,
            paid_minutes: paid.num_minutes(),
            cost_pence: cost,
            headroom_before_pence: before,
            headroom_after_pence: before.map(|h| h - cost),
            over_cap: before.is_some_and(|h| cost > h),
            cap: applied.view,
        };
        Ok((quote, seen))
    }

    /// The cap for a shift's UK day: the trust's own if its period holds the day, else the
    /// default for the financial year holding it.
    async fn cap_for_day(&self, shift: &staffbank_store::Shift) -> Result<Applied, AppError> {
        let day = shift.window.start().with_timezone(&RULES_ZONE).date_naive();
        let period = match self.store.agency_cap(shift.org_id).await? {
            Some(cap) if cap.period.from() <= day && day <= cap.period.to() => cap.period,
            _ => Period::financial_year_of(day),
        };
        self.cap_applying(shift.org_id, period).await
    }
}

/// Fills grouped by `key`, largest spend first (then by name).
fn parts(fills: &[AgencyFill], key: impl Fn(&AgencyFill) -> (String, String)) -> Vec<SpendPart> {
    let mut out: Vec<SpendPart> = Vec::new();
    for fill in fills {
        let (key, name) = key(fill);
        match out.iter_mut().find(|p| p.key == key) {
            Some(part) => {
                part.fills += 1;
                part.spend_pence += fill.spend_pence;
            }
            None => out.push(SpendPart {
                key,
                name,
                fills: 1,
                spend_pence: fill.spend_pence,
            }),
        }
    }
    out.sort_by(|a, b| {
        b.spend_pence
            .cmp(&a.spend_pence)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}
