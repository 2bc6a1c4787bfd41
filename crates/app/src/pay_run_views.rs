//! What a payroll officer reads before and after closing a pay run: the periods to choose
//! from, a preview of what closing one would pay (and what is still waiting for a ward
//! manager), and a closed run itemised worker by worker.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use staffbank_domain::pay::{PayPeriod, Pence};
use staffbank_domain::timesheet::TimesheetState;
use staffbank_domain::{OrgId, WorkerId};
use staffbank_store::{Advance, PayLineRecord};
use uuid::Uuid;

use crate::earnings::AdvanceView;
use crate::payroll::PayRunView;
use crate::timesheets::PayLineView;
use crate::{App, AppError, Principal};

/// How many past periods the period picker offers.
const PERIODS_OFFERED: usize = 12;

/// One pay period a payroll officer may pick.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayPeriodView {
    /// Its first day (what `first_day` names when previewing or closing it).
    pub first_day: NaiveDate,
    /// Its last day.
    pub last_day: NaiveDate,
    /// Whether it has ended, so may be closed.
    pub ended: bool,
    /// The run that closed it, if one has.
    pub pay_run_id: Option<Uuid>,
}

/// Which period to preview.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// The period's first day; the latest period that has ended when left out.
    #[serde(default)]
    pub first_day: Option<NaiveDate>,
}

/// What one worker is paid in a run: each line with how it was worked out, and advances
/// recovered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkerPay {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub name: String,
    /// Pay, corrections and late-cancellation payments.
    pub lines: Vec<PayLineView>,
    /// Advances taken back.
    pub advances: Vec<AdvanceView>,
    /// Lines less advances, pence.
    pub total_pence: i64,
    /// The same in pounds and pence.
    pub total: String,
}

/// A timesheet in the period that a ward manager has not approved yet: closing now leaves it
/// for a later run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaitingTimesheet {
    /// The timesheet.
    pub timesheet_id: Uuid,
    /// Whose it is.
    pub worker_name: String,
    /// `submitted` (waiting for approval) or `queried` (the ward asked a question).
    pub state: String,
    /// When the hours started.
    pub started_at: DateTime<Utc>,
    /// When they ended.
    pub ended_at: DateTime<Utc>,
}

/// What closing a period would pay, before it is closed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayRunPreview {
    /// The trust.
    pub org_id: Uuid,
    /// The period.
    pub period: PayPeriodView,
    /// Each worker paid, by name.
    pub workers: Vec<WorkerPay>,
    /// How many workers are paid.
    pub worker_count: usize,
    /// How many lines the file would hold (pay lines and advance recoveries).
    pub lines: usize,
    /// The run's total, pence.
    pub total_pence: i64,
    /// The same in pounds and pence.
    pub total: String,
    /// Timesheets in the period still waiting for approval or queried.
    pub waiting: Vec<WaitingTimesheet>,
}

/// A closed run, itemised.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayRunDetail {
    /// The run and its export.
    pub run: PayRunView,
    /// Each worker paid, by name.
    pub workers: Vec<WorkerPay>,
    /// How many workers were paid.
    pub worker_count: usize,
}

impl App {
    /// The period of the trust's length starting on `first_day`, or the latest that has
    /// ended; a day no period starts on is a validation error on `first_day`.
    pub(crate) async fn pay_period(
        &self,
        org: OrgId,
        first_day: Option<NaiveDate>,
    ) -> Result<(PayPeriod, NaiveDate), AppError> {
        let weeks = self.pay_settings_of(org).await?.period_weeks;
        let period = match first_day {
            Some(day) => PayPeriod::starting_on(day, weeks).ok_or_else(|| {
                AppError::field(
                    "first_day",
                    format!(
                        "no {weeks}-week pay period starts on {}",
                        day.format("%-d %B %Y")
                    ),
                )
            })?,
            None => {
                let current = PayPeriod::containing(self.now(), weeks);
                PayPeriod::containing(current.start - chrono::Duration::seconds(1), weeks)
            }
        };
        let last_day = period.first_day + chrono::Duration::days(i64::from(weeks) * 7 - 1);
        Ok((period, last_day))
    }

    /// The trust's latest periods, newest first, the current one included, each with the run
    /// that closed it (its payroll officers).
    pub async fn pay_periods(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<Vec<PayPeriodView>, AppError> {
        Self::require_payroll_of(who, org)?;
        let runs = self.store.pay_runs_of(org).await?;
        let weeks = self.pay_settings_of(org).await?.period_weeks;
        let length = chrono::Duration::days(i64::from(weeks) * 7);
        let mut period = PayPeriod::containing(self.now(), weeks);
        let mut periods = Vec::with_capacity(PERIODS_OFFERED + 1);
        for _ in 0..=PERIODS_OFFERED {
            periods.push(PayPeriodView {
                first_day: period.first_day,
                last_day: period.first_day + length - chrono::Duration::days(1),
                ended: period.end <= self.now(),
                pay_run_id: runs
                    .iter()
                    .find(|(r, _)| r.first_day == period.first_day)
                    .map(|(r, _)| r.id),
            });
            period = PayPeriod::containing(period.start - chrono::Duration::seconds(1), weeks);
        }
        Ok(periods)
    }

    /// What closing the period would pay now, worker by worker, and which of its timesheets
    /// are still waiting (its payroll officers). Changes nothing.
    pub async fn pay_run_preview(
        &self,
        who: &Principal,
        org: OrgId,
        query: PreviewQuery,
    ) -> Result<PayRunPreview, AppError> {
        Self::require_payroll_of(who, org)?;
        let (period, last_day) = self.pay_period(org, query.first_day).await?;
        let closed = self
            .store
            .pay_runs_of(org)
            .await?
            .into_iter()
            .find(|(r, _)| r.first_day == period.first_day)
            .map(|(r, _)| r.id);
        let (lines, advances) = if closed.is_some() {
            (vec![], vec![])
        } else {
            (
                self.store.unpaid_pay_lines(org, period.end).await?,
                self.store.unpaid_advances(org, period.end).await?,
            )
        };
        let workers = self.by_worker(&lines, &advances).await?;
        let mut waiting = Vec::new();
        for state in [TimesheetState::Submitted, TimesheetState::Queried] {
            for t in self.store.timesheets_of_org(org, state).await? {
                if t.body.hours.start < period.end {
                    waiting.push(WaitingTimesheet {
                        timesheet_id: t.id,
                        worker_name: self.worker_name(t.worker_id).await?,
                        state: state.as_str().to_owned(),
                        started_at: t.body.hours.start,
                        ended_at: t.body.hours.end,
                    });
                }
            }
        }
        waiting.sort_by_key(|w| w.started_at);
        let total_pence = workers.iter().map(|w| w.total_pence).sum();
        Ok(PayRunPreview {
            org_id: org.0,
            period: PayPeriodView {
                first_day: period.first_day,
                last_day,
                ended: period.end <= self.now(),
                pay_run_id: closed,
            },
            worker_count: workers.len(),
            lines: lines.len() + advances.len(),
            total_pence,
            total: Pence(total_pence).to_string(),
            workers,
            waiting,
        })
    }

    /// A closed run, each worker's lines and recovered advances set out (its trust's payroll
    /// officers; another trust's officer is told it does not exist).
    pub async fn pay_run_detail(
        &self,
        who: &Principal,
        run: Uuid,
    ) -> Result<PayRunDetail, AppError> {
        let found = self.store.pay_run(run).await?.ok_or(AppError::NotFound)?;
        Self::require_payroll_of(who, found.0.org_id)?;
        let lines = self.store.run_pay_lines(run).await?;
        let advances = self.store.run_advances(run).await?;
        let workers = self.by_worker(&lines, &advances).await?;
        Ok(PayRunDetail {
            run: PayRunView::from(&found),
            worker_count: workers.len(),
            workers,
        })
    }

    async fn worker_name(&self, id: WorkerId) -> Result<String, AppError> {
        Ok(self.store.worker(id).await?.map_or_else(
            || "A former worker".to_owned(),
            |w| w.display_name.to_string(),
        ))
    }

    /// Lines and advances grouped by worker, ordered by name.
    async fn by_worker(
        &self,
        lines: &[PayLineRecord],
        advances: &[Advance],
    ) -> Result<Vec<WorkerPay>, AppError> {
        let mut grouped: BTreeMap<WorkerId, (Vec<PayLineView>, Vec<AdvanceView>, i64)> =
            BTreeMap::new();
        for l in lines {
            let entry = grouped.entry(l.worker_id).or_default();
            entry.0.push(PayLineView::from(l));
            entry.2 += l.amount;
        }
        for a in advances {
            let entry = grouped.entry(a.worker_id).or_default();
            entry.1.push(AdvanceView::from(a));
            entry.2 -= a.amount;
        }
        let mut workers = Vec::with_capacity(grouped.len());
        for (id, (lines, advances, total)) in grouped {
            workers.push(WorkerPay {
                worker_id: id.0,
                name: self.worker_name(id).await?,
                lines,
                advances,
                total_pence: total,
                total: Pence(total).to_string(),
            });
        }
        workers.sort_by(|a, b| a.name.cmp(&b.name).then(a.worker_id.cmp(&b.worker_id)));
        Ok(workers)
    }
}
