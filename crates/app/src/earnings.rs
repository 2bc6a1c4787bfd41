//! A worker's side of pay: what they have earned and not yet been paid, advances on it
//! (earned-wage access), an itemised payslip per pay run, and a total-rewards summary.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::pay::{self, run::advance_available, run::employer_pension, Pence};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::OrgId;
use staffbank_store::{Advance, PayLineRecord};
use uuid::Uuid;

use crate::audit::Change;
use crate::timesheets::PayLineView;
use crate::{App, AppError, Principal};

/// What a worker may draw from one trust.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Earnings {
    /// The paying trust.
    pub org_id: Uuid,
    /// Its name.
    pub org_name: String,
    /// Approved pay no run has paid yet, pence.
    pub unpaid_pence: i64,
    /// Advances drawn and not yet recovered, pence.
    pub drawn_pence: i64,
    /// What may still be drawn, pence.
    pub available_pence: i64,
    /// The trust's share, percent.
    pub advance_share: u32,
    /// The three amounts in pounds and pence: unpaid, drawn, available.
    pub shown: [String; 3],
}

/// An advance to draw.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawAdvance {
    /// The trust whose approved pay it is drawn on.
    pub org_id: Uuid,
    /// Pence, more than nothing.
    pub amount_pence: i64,
}

/// An advance as the worker sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdvanceView {
    /// Identity.
    pub id: Uuid,
    /// The trust.
    pub org_id: Uuid,
    /// Pence.
    pub amount_pence: i64,
    /// In pounds and pence.
    pub amount: String,
    /// When it was drawn.
    pub drawn_at: DateTime<Utc>,
    /// The run that recovered it, once one has.
    pub pay_run_id: Option<Uuid>,
}

impl From<&Advance> for AdvanceView {
    fn from(a: &Advance) -> Self {
        Self {
            id: a.id,
            org_id: a.org_id.0,
            amount_pence: a.amount,
            amount: Pence(a.amount).to_string(),
            drawn_at: a.drawn_at,
            pay_run_id: a.pay_run_id,
        }
    }
}

/// One payslip: what one pay run paid the worker.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Payslip {
    /// The run.
    pub pay_run_id: Uuid,
    /// The paying trust.
    pub org_id: Uuid,
    /// The period's first and last day.
    pub period: (NaiveDate, NaiveDate),
    /// Each line paid, with how it was worked out.
    pub lines: Vec<PayLineView>,
    /// Advances recovered.
    pub advances: Vec<AdvanceView>,
    /// Gross pay, pence (lines).
    pub gross_pence: i64,
    /// Of which rolled-up holiday pay, pence.
    pub holiday_pence: i64,
    /// Advances recovered, pence.
    pub recovered_pence: i64,
    /// Paid in the run, pence (gross less advances).
    pub net_pence: i64,
    /// Gross, holiday pay, recovered and net in pounds and pence.
    pub shown: [String; 4],
}

/// Total rewards for the tax year so far: everything the bank work is worth.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalRewards {
    /// The tax year's first day (6 April).
    pub since: NaiveDate,
    /// Pay for hours worked (approved lines, holiday pay apart), pence.
    pub pay_pence: i64,
    /// Rolled-up holiday pay, pence.
    pub holiday_pence: i64,
    /// Employers' pension contributions on that pay, at each trust's rate, pence.
    pub employer_pension_pence: i64,
    /// All three, pence.
    pub total_pence: i64,
    /// Pay, holiday pay, pension and total in pounds and pence.
    pub shown: [String; 4],
}

/// The first day of the UK tax year holding a date (tax years start on 6 April).
fn tax_year_start(day: NaiveDate) -> NaiveDate {
    let year = if (day.month(), day.day()) >= (4, 6) {
        day.year()
    } else {
        day.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 6).unwrap_or(day)
}

impl App {
    /// What the signed-in worker may draw from each trust that owes them pay.
    pub async fn my_earnings(&self, who: &Principal) -> Result<Vec<Earnings>, AppError> {
        let worker = who.require_worker()?;
        let lines = self.store.pay_lines_of(worker.id).await?;
        let advances = self.store.advances_of(worker.id).await?;
        let mut by_org: BTreeMap<OrgId, (i64, i64)> = BTreeMap::new();
        for l in lines.iter().filter(|l| l.pay_run_id.is_none()) {
            by_org.entry(l.org_id).or_default().0 += l.amount;
        }
        for a in advances.iter().filter(|a| a.pay_run_id.is_none()) {
            by_org.entry(a.org_id).or_default().1 += a.amount;
        }
        let mut out = Vec::new();
        for (org, (unpaid, drawn)) in by_org {
            let share = self.pay_settings_of(org).await?.advance_share;
            let available = advance_available(unpaid, drawn, share);
            let name = self
                .store
                .organisation(org)
                .await?
                .map(|o| o.name.as_str().to_owned())
                .unwrap_or_default();
            out.push(Earnings {
                org_id: org.0,
                org_name: name,
                unpaid_pence: unpaid,
                drawn_pence: drawn,
                available_pence: available,
                advance_share: share,
                shown: [unpaid, drawn, available].map(|p| Pence(p).to_string()),
            });
        }
        Ok(out)
    }

    /// Draws an advance on the signed-in worker's approved, unpaid pay from a trust, within
    /// the trust's share; the next pay run recovers it.
    pub async fn draw_advance(
        &self,
        who: &Principal,
        input: DrawAdvance,
    ) -> Result<AdvanceView, AppError> {
        let worker = who.require_worker()?;
        if input.amount_pence <= 0 {
            return Err(AppError::field("amount_pence", "must be more than nothing"));
        }
        let org = OrgId(input.org_id);
        let share = self.pay_settings_of(org).await?.advance_share;
        let advance = Advance {
            id: Uuid::now_v7(),
            worker_id: worker.id,
            org_id: org,
            amount: input.amount_pence,
            drawn_at: self.now(),
            pay_run_id: None,
        };
        let record = self
            .audit_record(Change {
                action: "advance.drawn",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: Some(who.user.id),
                facts: json!({"advance": advance.id, "org": org, "amount_pence": advance.amount,
                    "share": share}),
                personal: None,
            })
            .await?;
        self.store.draw_advance(&advance, share, &[record]).await?;
        Ok(AdvanceView::from(&advance))
    }

    /// The signed-in worker's payslips, newest run first.
    pub async fn my_payslips(&self, who: &Principal) -> Result<Vec<Payslip>, AppError> {
        let worker = who.require_worker()?;
        let lines = self.store.pay_lines_of(worker.id).await?;
        let advances = self.store.advances_of(worker.id).await?;
        let mut runs: BTreeMap<Uuid, (Vec<&PayLineRecord>, Vec<&Advance>)> = BTreeMap::new();
        for l in &lines {
            if let Some(run) = l.pay_run_id {
                runs.entry(run).or_default().0.push(l);
            }
        }
        for a in &advances {
            if let Some(run) = a.pay_run_id {
                runs.entry(run).or_default().1.push(a);
            }
        }
        let mut out = Vec::new();
        for (id, (lines, advances)) in runs {
            let Some((run, _)) = self.store.pay_run(id).await? else {
                continue;
            };
            let gross: i64 = lines.iter().map(|l| l.amount).sum();
            let holiday: i64 = lines.iter().map(|l| l.holiday_pay).sum();
            let recovered: i64 = advances.iter().map(|a| a.amount).sum();
            out.push(Payslip {
                pay_run_id: id,
                org_id: run.org_id.0,
                period: (run.first_day, run.last_day),
                lines: lines.iter().map(|l| PayLineView::from(*l)).collect(),
                advances: advances.iter().map(|a| AdvanceView::from(*a)).collect(),
                gross_pence: gross,
                holiday_pence: holiday,
                recovered_pence: recovered,
                net_pence: gross - recovered,
                shown: [gross, holiday, recovered, gross - recovered].map(|p| Pence(p).to_string()),
            });
        }
        out.sort_by_key(|p| std::cmp::Reverse(p.period.0));
        Ok(out)
    }

    /// The signed-in worker's total rewards for the tax year so far, from approved lines.
    pub async fn my_total_rewards(&self, who: &Principal) -> Result<TotalRewards, AppError> {
        let worker = who.require_worker()?;
        let since = tax_year_start(self.now().with_timezone(&RULES_ZONE).date_naive());
        let mut by_org: BTreeMap<OrgId, (i64, i64)> = BTreeMap::new();
        for l in self.store.pay_lines_of(worker.id).await? {
            if l.work_date >= since {
                let entry = by_org.entry(l.org_id).or_default();
                entry.0 += l.amount - l.holiday_pay;
                entry.1 += l.holiday_pay;
            }
        }
        let (mut pay, mut holiday, mut pension) = (0, 0, 0);
        for (org, (p, h)) in by_org {
            let rate = self.pay_settings_of(org).await?.employer_pension;
            pay += p;
            holiday += h;
            pension += employer_pension(p + h, rate);
        }
        let total = pay + holiday + pension;
        Ok(TotalRewards {
            since,
            pay_pence: pay,
            holiday_pence: holiday,
            employer_pension_pence: pension,
            total_pence: total,
            shown: [pay, holiday, pension, total].map(|p| pay::Pence(p).to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_years_start_on_the_sixth_of_april() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(tax_year_start(d(2026, 4, 5)), d(2025, 4, 6));
        assert_eq!(tax_year_start(d(2026, 4, 6)), d(2026, 4, 6));
        assert_eq!(tax_year_start(d(2026, 11, 21)), d(2026, 4, 6));
        assert_eq!(tax_year_start(d(2027, 1, 1)), d(2026, 4, 6));
    }
}
