//! Payroll: a trust's pay settings, corrections as adjusting lines, and pay runs. Closing a run
//! takes the trust's approved, unpaid lines and outstanding advances and queues its payroll file
//! in the same transaction (the outbox); the exporter (`exports`) then delivers each file once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::pay::{self, PaySettings};
use staffbank_domain::role::Role;
use staffbank_domain::text::Label;
use staffbank_domain::OrgId;
use staffbank_store::{PayExport, PayLineKind, PayLineRecord, PayRun};
use uuid::Uuid;

use crate::audit::Change;
use crate::timesheets::PayLineView;
use crate::views::OrganisationView;
use crate::{App, AppError, Principal};

/// A trust's pay settings as the API reads and writes them (see [`PaySettings`]).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaySettingsView {
    /// Weeks in a pay period: 1, 2 or 4.
    pub period_weeks: u8,
    /// Premium cap, percent of base rate.
    pub premium_cap: u32,
    /// Rolled-up holiday pay, basis points, or none.
    pub rolled_up_holiday: Option<u32>,
    /// Employer pension contribution shown on total rewards, basis points.
    pub employer_pension: u32,
    /// Share of approved, unpaid pay a worker may draw early, percent.
    pub advance_share: u32,
    /// Hours a submitted timesheet waits before it is escalated.
    pub timesheet_escalate_after_hours: u32,
    /// Hours after which a waiting timesheet is approved as submitted, or none.
    pub timesheet_auto_approve_after_hours: Option<u32>,
    /// Minutes after the start by which the booked worker must have signed on.
    pub sign_on_grace_minutes: u32,
    /// Whose bank holidays are paid as public holidays: `england-and-wales` (when absent),
    /// `scotland` or `northern-ireland`.
    #[serde(default = "default_nation")]
    pub nation: String,
}

fn default_nation() -> String {
    PaySettings::default().nation
}

impl From<PaySettings> for PaySettingsView {
    fn from(s: PaySettings) -> Self {
        Self {
            period_weeks: s.period_weeks,
            premium_cap: s.premium_cap,
            rolled_up_holiday: s.rolled_up_holiday,
            employer_pension: s.employer_pension,
            advance_share: s.advance_share,
            timesheet_escalate_after_hours: s.timesheet_escalate_after_hours,
            timesheet_auto_approve_after_hours: s.timesheet_auto_approve_after_hours,
            sign_on_grace_minutes: s.sign_on_grace_minutes,
            nation: s.nation,
        }
    }
}

impl From<PaySettingsView> for PaySettings {
    fn from(v: PaySettingsView) -> Self {
        Self {
            period_weeks: v.period_weeks,
            premium_cap: v.premium_cap,
            rolled_up_holiday: v.rolled_up_holiday,
            employer_pension: v.employer_pension,
            advance_share: v.advance_share,
            timesheet_escalate_after_hours: v.timesheet_escalate_after_hours,
            timesheet_auto_approve_after_hours: v.timesheet_auto_approve_after_hours,
            sign_on_grace_minutes: v.sign_on_grace_minutes,
            nation: v.nation,
        }
    }
}

/// A correction to an approved timesheet's pay.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustPay {
    /// Pence to add (negative to take back), not zero.
    pub amount_pence: i64,
    /// Why: shown on the payslip and kept in the ledger.
    pub reason: String,
}

/// Which period to close.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePayRun {
    /// The period's first day (a Monday that starts a period); the latest period that has
    /// ended when left out.
    #[serde(default)]
    pub first_day: Option<NaiveDate>,
}

/// A pay run and its export, as a payroll officer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayRunView {
    /// Identity.
    pub id: Uuid,
    /// The trust.
    pub org_id: Uuid,
    /// The period's first day.
    pub first_day: NaiveDate,
    /// Its last day.
    pub last_day: NaiveDate,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// Detail records in the file.
    pub lines: i64,
    /// Their total, pence.
    pub total_pence: i64,
    /// The same in pounds and pence.
    pub total: String,
    /// The payroll file's name.
    pub file_name: String,
    /// `queued` until the whole file is in place, then `delivered`.
    pub export: String,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The delivered file's SHA-256, hex.
    pub sha256: Option<String>,
    /// Its size in bytes.
    pub bytes: Option<i64>,
}

impl From<&(PayRun, PayExport)> for PayRunView {
    fn from((run, export): &(PayRun, PayExport)) -> Self {
        Self {
            id: run.id,
            org_id: run.org_id.0,
            first_day: run.first_day,
            last_day: run.last_day,
            closed_at: run.closed_at,
            lines: run.lines,
            total_pence: run.total,
            total: pay::Pence(run.total).to_string(),
            file_name: export.file_name.clone(),
            export: if export.delivered_at.is_some() {
                "delivered"
            } else {
                "queued"
            }
            .into(),
            delivered_at: export.delivered_at,
            sha256: export.sha256.clone(),
            bytes: export.bytes,
        }
    }
}

impl App {
    /// Refuses anyone but a payroll officer of the trust (another trust's officer is told it
    /// does not exist).
    /// Refuses anyone who is no payroll officer anywhere, before any object is looked up, so
    /// the answer for a real id of another trust is the same as for an id that does not exist.
    fn require_payroll_role(who: &Principal) -> Result<(), AppError> {
        if who.has_role(Role::PayrollOfficer) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub(crate) fn require_payroll_of(who: &Principal, org: OrgId) -> Result<(), AppError> {
        if who.orgs_as(Role::PayrollOfficer).contains(&org) {
            Ok(())
        } else if who.has_role(Role::PayrollOfficer) {
            Err(AppError::NotFound)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A trust's pay settings: its own, or the defaults.
    pub(crate) async fn pay_settings_of(&self, org: OrgId) -> Result<PaySettings, AppError> {
        Ok(self.store.pay_settings(org).await?.unwrap_or_default())
    }

    /// A trust's pay settings (its payroll officers).
    pub async fn pay_settings(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<PaySettingsView, AppError> {
        Self::require_payroll_of(who, org)?;
        Ok(self.pay_settings_of(org).await?.into())
    }

    /// Sets a trust's pay settings (its payroll officers).
    pub async fn set_pay_settings(
        &self,
        who: &Principal,
        org: OrgId,
        input: PaySettingsView,
    ) -> Result<PaySettingsView, AppError> {
        Self::require_payroll_of(who, org)?;
        let settings = PaySettings::from(input);
        settings
            .check()
            .map_err(|(field, problem)| AppError::field(field, problem))?;
        let record = self
            .audit_record(Change {
                action: "pay_settings.set",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"org": org, "settings": PaySettingsView::from(settings.clone())}),
                personal: None,
            })
            .await?;
        self.store
            .set_pay_settings(org, &settings, &[record])
            .await?;
        Ok(settings.into())
    }

    /// Corrects an approved timesheet's pay with a new adjusting line (its trust's payroll
    /// officers); the approved line is never edited.
    pub async fn adjust_pay(
        &self,
        who: &Principal,
        timesheet: Uuid,
        input: AdjustPay,
    ) -> Result<PayLineView, AppError> {
        Self::require_payroll_role(who)?;
        let t = self
            .store
            .timesheet(timesheet)
            .await?
            .ok_or(AppError::NotFound)?;
        Self::require_payroll_of(who, t.org_id)?;
        if t.state != staffbank_domain::timesheet::TimesheetState::Approved {
            return Err(AppError::field(
                "timesheet",
                "only an approved timesheet's pay can be corrected",
            ));
        }
        if input.amount_pence == 0 || input.amount_pence.unsigned_abs() > 10_000_000 {
            return Err(AppError::field(
                "amount_pence",
                "must be a non-zero number of pence, at most £100,000 either way",
            ));
        }
        let reason = Label::parse(input.reason.trim(), 500)
            .map_err(|e| AppError::field("reason", e))?
            .as_str()
            .to_owned();
        let worker = self
            .store
            .worker(t.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let line = PayLineRecord {
            id: Uuid::now_v7(),
            timesheet_id: Some(t.id),
            shift_id: t.shift_id,
            worker_id: t.worker_id,
            org_id: t.org_id,
            work_date: t
                .body
                .hours
                .start
                .with_timezone(&staffbank_domain::shift::RULES_ZONE)
                .date_naive(),
            kind: PayLineKind::Adjustment,
            seconds: 0,
            base_pay: 0,
            enhancements: 0,
            premium: 0,
            holiday_pay: 0,
            amount: input.amount_pence,
            explanation: serde_json::to_string(&[format!(
                "Adjustment of {} by payroll: {reason}",
                pay::Pence(input.amount_pence)
            )])
            .map_err(|e| AppError::Unexpected(e.into()))?,
            created_at: self.now(),
            pay_run_id: None,
        };
        let record = self
            .audit_record(Change {
                action: "pay_line.adjusted",
                actor: Some(who.user.id),
                tenant: Some(t.org_id),
                subject: Some(worker.user_id),
                facts: json!({"pay_line": line.id, "timesheet": t.id, "shift": t.shift_id,
                    "amount_pence": line.amount, "reason": reason}),
                personal: None,
            })
            .await?;
        self.store.add_adjustment(&line, &[record]).await?;
        Ok(PayLineView::from(&line))
    }

    /// Closes a trust's pay run for a period that has ended (its payroll officers): every
    /// approved, unpaid line and outstanding advance up to the period's end is taken, and the
    /// payroll file is queued for the exporter. A period closes once.
    pub async fn close_pay_run(
        &self,
        who: &Principal,
        org: OrgId,
        input: ClosePayRun,
    ) -> Result<PayRunView, AppError> {
        Self::require_payroll_of(who, org)?;
        let now = self.now();
        let (period, last_day) = self.pay_period(org, input.first_day).await?;
        if period.end > now {
            return Err(AppError::field(
                "first_day",
                format!(
                    "the period has not ended: it runs to the end of {}",
                    last_day.format("%-d %B %Y")
                ),
            ));
        }
        let organisation = self
            .store
            .organisation(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let run = PayRun {
            id: Uuid::now_v7(),
            org_id: org,
            first_day: period.first_day,
            last_day,
            period_end: period.end,
            closed_by: who.user.id,
            closed_at: now,
            lines: 0,
            total: 0,
        };
        let file_name = format!(
            "payroll-{}-{}.csv",
            organisation.ods_code.as_str(),
            period.first_day
        );
        let record = self
            .audit_record(Change {
                action: "pay_run.closed",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"pay_run": run.id, "org": org, "first_day": run.first_day,
                    "last_day": run.last_day, "file": file_name}),
                personal: None,
            })
            .await?;
        let closed = self
            .store
            .close_pay_run(&run, &file_name, &[record])
            .await?;
        metrics::counter!(crate::measures::PAY_RUNS_FINISHED).increment(1);
        self.exports_waiting.notify_one();
        let export = PayExport {
            pay_run_id: closed.id,
            file_name,
            created_at: now,
            delivered_at: None,
            sha256: None,
            bytes: None,
        };
        Ok(PayRunView::from(&(closed, export)))
    }

    /// A trust its payroll officers close pay runs for, as their pay runs page names it (`None`
    /// if it is gone).
    pub async fn payroll_organisation(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<Option<OrganisationView>, AppError> {
        Self::require_payroll_of(who, org)?;
        Ok(self
            .store
            .organisation(org)
            .await?
            .as_ref()
            .map(OrganisationView::from))
    }

    /// A trust's pay runs, newest first, with their exports (its payroll officers).
    pub async fn pay_runs(&self, who: &Principal, org: OrgId) -> Result<Vec<PayRunView>, AppError> {
        Self::require_payroll_of(who, org)?;
        Ok(self
            .store
            .pay_runs_of(org)
            .await?
            .iter()
            .map(PayRunView::from)
            .collect())
    }

    /// One pay run's payroll file (its trust's payroll officers), as delivered: built again
    /// from the run's lines, which never change once the run is closed.
    pub async fn pay_run_file(
        &self,
        who: &Principal,
        run: Uuid,
    ) -> Result<(String, String), AppError> {
        Self::require_payroll_role(who)?;
        let found = self.store.pay_run(run).await?.ok_or(AppError::NotFound)?;
        Self::require_payroll_of(who, found.0.org_id)?;
        let file = self.payroll_file(&found.0).await?;
        Ok((found.1.file_name, file))
    }
}
