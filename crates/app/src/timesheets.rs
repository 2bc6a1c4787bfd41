//! Timesheets: a worker states the hours they really worked on a booked shift (once it has
//! started), edits them until they submit, and the ward's manager approves, queries or rejects.
//! Approval pays the shift by the bank's pay rules, writing its pay line in the same step; a
//! shift is paid once per worker and date however often anyone asks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::pay::{self, PayRules, Worked};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::text::Label;
use staffbank_domain::timesheet::{Hours, TimesheetState};
use staffbank_domain::{BookingId, UserId};
use staffbank_store::{PayLineKind, PayLineRecord, Shift, Timesheet, TimesheetBody, Worker};
use uuid::Uuid;

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// The repository's default pay rules (`data/pay`): Agenda for Change 2025/26 England, the
/// default unsocial-hours table, England and Wales bank holidays, a 35% premium cap and no
/// rolled-up holiday pay. Read once. Per-bank rules replace these when banks set their own.
pub fn default_pay_rules() -> Result<&'static PayRules, AppError> {
    static RULES: std::sync::OnceLock<Result<PayRules, String>> = std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            PayRules::from_json(
                include_str!("../../../data/pay/afc-2025-26-england.json"),
                include_str!("../../../data/pay/unsocial-hours-default.json"),
                include_str!("../../../data/pay/bank-holidays-england-and-wales.json"),
                35,
                None,
            )
            .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("pay rules: {e}")))
}

/// A nation's bank holidays (`data/pay`), read once.
pub(crate) fn bank_holidays(nation: &str) -> Result<&'static pay::BankHolidays, AppError> {
    static CALENDARS: std::sync::OnceLock<Result<Vec<pay::BankHolidays>, String>> =
        std::sync::OnceLock::new();
    let calendars = CALENDARS
        .get_or_init(|| {
            [
                include_str!("../../../data/pay/bank-holidays-england-and-wales.json"),
                include_str!("../../../data/pay/bank-holidays-scotland.json"),
                include_str!("../../../data/pay/bank-holidays-northern-ireland.json"),
            ]
            .into_iter()
            .map(|file| serde_json::from_str(file).map_err(|e| e.to_string()))
            .collect()
        })
        .as_ref()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("bank holidays: {e}")))?;
    calendars
        .iter()
        .find(|c| c.nation == nation)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no bank holidays for {nation}")))
}

/// A break, from and to (RFC 3339).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakInput {
    /// From.
    pub start: String,
    /// To.
    pub end: String,
}

/// The hours a worker states.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateHours {
    /// Actual start (RFC 3339).
    pub start: String,
    /// Actual end (RFC 3339).
    pub end: String,
    /// Unpaid breaks.
    #[serde(default)]
    pub breaks: Vec<BreakInput>,
    /// Why the shift ran past its booked end, when it did.
    #[serde(default)]
    pub overrun_reason: Option<String>,
}

/// A ward manager's decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideTimesheet {
    /// `approve`, `query` or `reject`.
    pub decision: String,
    /// The question, or why it is rejected (required for those).
    #[serde(default)]
    pub note: String,
}

/// A timesheet as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimesheetView {
    /// Identity.
    pub id: Uuid,
    /// The booking.
    pub booking_id: Uuid,
    /// The shift.
    pub shift_id: Uuid,
    /// The worker.
    pub worker_id: Uuid,
    /// `draft`, `submitted`, `queried`, `approved` or `rejected`.
    pub state: String,
    /// Actual start.
    pub start: DateTime<Utc>,
    /// Actual end.
    pub end: DateTime<Utc>,
    /// Unpaid breaks.
    pub breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Why it overran.
    pub overrun_reason: Option<String>,
    /// What the ward manager should read.
    pub warnings: Vec<String>,
    /// The manager's note: the question, or why it was rejected.
    pub note: Option<String>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Timesheet> for TimesheetView {
    fn from(t: &Timesheet) -> Self {
        Self {
            id: t.id,
            booking_id: t.booking_id.0,
            shift_id: t.shift_id.0,
            worker_id: t.worker_id.0,
            state: t.state.as_str().to_owned(),
            start: t.body.hours.start,
            end: t.body.hours.end,
            breaks: t.body.hours.breaks.clone(),
            overrun_reason: t.body.hours.overrun_reason.clone(),
            warnings: t.body.warnings.clone(),
            note: t.body.decision.as_ref().map(|(_, _, note)| note.clone()),
            updated_at: t.updated_at,
        }
    }
}

/// A pay line as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayLineView {
    /// Identity.
    pub id: Uuid,
    /// The timesheet it pays (none for a late cancellation).
    pub timesheet_id: Option<Uuid>,
    /// The shift.
    pub shift_id: Uuid,
    /// The UK date the shift started.
    pub work_date: chrono::NaiveDate,
    /// `pay`, `adjustment` or `cancellation`.
    pub kind: String,
    /// Pence.
    pub amount_pence: i64,
    /// The same in pounds and pence.
    pub amount: String,
    /// How it was worked out, part by part, with each number's source.
    pub explanation: Vec<String>,
    /// The trust that pays it.
    pub org_id: Uuid,
    /// The pay run that paid it, once one has.
    pub pay_run_id: Option<Uuid>,
}

impl From<&PayLineRecord> for PayLineView {
    fn from(p: &PayLineRecord) -> Self {
        Self {
            id: p.id,
            timesheet_id: p.timesheet_id,
            shift_id: p.shift_id.0,
            work_date: p.work_date,
            kind: p.kind.as_str().to_owned(),
            amount_pence: p.amount,
            amount: pay::Pence(p.amount).to_string(),
            explanation: serde_json::from_str(&p.explanation).unwrap_or_default(),
            org_id: p.org_id.0,
            pay_run_id: p.pay_run_id,
        }
    }
}

fn instant(field: &str, raw: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| AppError::field(field, "an RFC 3339 date and time"))
}

impl App {
    /// Whether `who` manages the ward of a timesheet (its ward manager, or one for the trust).
    fn manages_timesheet(who: &Principal, t: &Timesheet) -> bool {
        Self::manages_ward(who, t.org_id, t.ward_id)
    }

    async fn my_timesheet(&self, who: &Principal, id: Uuid) -> Result<Timesheet, AppError> {
        let worker = who.require_worker()?;
        match self.store.timesheet(id).await? {
            Some(t) if t.worker_id == worker.id => Ok(t),
            _ => Err(AppError::NotFound),
        }
    }

    /// The signed-in worker's timesheet for their booking, if they have started one.
    pub async fn my_booking_timesheet(
        &self,
        who: &Principal,
        booking: BookingId,
    ) -> Result<Option<TimesheetView>, AppError> {
        let worker = who.require_worker()?;
        match self.store.booking(booking).await? {
            Some(b) if b.worker_id == worker.id => {}
            _ => return Err(AppError::NotFound),
        }
        Ok(self
            .store
            .timesheet_for_booking(booking)
            .await?
            .as_ref()
            .map(TimesheetView::from))
    }

    /// Starts the signed-in worker's timesheet for their booking (once the shift has started),
    /// with the booked hours; the existing one if there is one.
    pub async fn start_timesheet(
        &self,
        who: &Principal,
        booking: BookingId,
    ) -> Result<TimesheetView, AppError> {
        let worker = who.require_worker()?;
        let booking = match self.store.booking(booking).await? {
            Some(b) if b.worker_id == worker.id => b,
            _ => return Err(AppError::NotFound),
        };
        if booking.status != staffbank_domain::booking::BookingStatus::Active {
            return Err(AppError::field("booking", "the booking is cancelled"));
        }
        if self.now() < booking.window.start() {
            return Err(AppError::field("booking", "the shift has not started yet"));
        }
        let shift = self
            .store
            .shift(booking.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let timesheet = Timesheet {
            id: Uuid::now_v7(),
            booking_id: booking.id,
            shift_id: shift.id,
            worker_id: worker.id,
            org_id: shift.org_id,
            ward_id: shift.ward_id,
            state: TimesheetState::Draft,
            body: TimesheetBody {
                hours: Hours {
                    start: booking.window.start(),
                    end: booking.window.end(),
                    breaks: vec![],
                    overrun_reason: None,
                },
                warnings: vec![],
                submitted_at: None,
                decision: None,
            },
            updated_at: now,
        };
        let record = self
            .audit_record(Change {
                action: "timesheet.started",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(who.user.id),
                facts: json!({"timesheet": timesheet.id, "booking": booking.id}),
                personal: None,
            })
            .await?;
        let stored = self.store.create_timesheet(&timesheet, &[record]).await?;
        Ok(TimesheetView::from(&stored))
    }

    /// Changes the hours of the signed-in worker's timesheet while it is a draft or queried.
    pub async fn state_hours(
        &self,
        who: &Principal,
        id: Uuid,
        input: StateHours,
    ) -> Result<TimesheetView, AppError> {
        let current = self.my_timesheet(who, id).await?;
        if !current.state.editable() {
            return Err(AppError::Conflict(
                staffbank_store::Conflict::RequestDecided,
                "the timesheet is submitted or decided".into(),
            ));
        }
        let mut breaks = Vec::new();
        for (i, b) in input.breaks.iter().enumerate() {
            breaks.push((
                instant(&format!("breaks[{i}].start"), &b.start)?,
                instant(&format!("breaks[{i}].end"), &b.end)?,
            ));
        }
        let hours = Hours {
            start: instant("start", &input.start)?,
            end: instant("end", &input.end)?,
            breaks,
            overrun_reason: input
                .overrun_reason
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
        };
        let booking = self
            .store
            .booking(current.booking_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let warnings = hours
            .check(&booking.window)
            .map_err(|e| AppError::field(e.field, e.problem))?;
        let changed = Timesheet {
            body: TimesheetBody {
                hours,
                warnings,
                ..current.body.clone()
            },
            updated_at: self.now(),
            ..current.clone()
        };
        let record = self
            .audit_record(Change {
                action: "timesheet.hours_stated",
                actor: Some(who.user.id),
                tenant: Some(current.org_id),
                subject: Some(who.user.id),
                facts: json!({"timesheet": id, "start": changed.body.hours.start,
                    "end": changed.body.hours.end, "breaks": changed.body.hours.breaks}),
                personal: None,
            })
            .await?;
        self.store
            .update_timesheet(&changed, &[current.state], &[record])
            .await?;
        Ok(TimesheetView::from(&changed))
    }

    /// Submits the signed-in worker's timesheet to the ward manager.
    pub async fn submit_timesheet(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<TimesheetView, AppError> {
        let current = self.my_timesheet(who, id).await?;
        let now = self.now();
        let submitted = Timesheet {
            state: TimesheetState::Submitted,
            body: TimesheetBody {
                submitted_at: Some(now),
                ..current.body.clone()
            },
            updated_at: now,
            ..current.clone()
        };
        let record = self
            .audit_record(Change {
                action: "timesheet.submitted",
                actor: Some(who.user.id),
                tenant: Some(current.org_id),
                subject: Some(who.user.id),
                facts: json!({"timesheet": id, "warnings": current.body.warnings}),
                personal: None,
            })
            .await?;
        self.store
            .update_timesheet(
                &submitted,
                &[TimesheetState::Draft, TimesheetState::Queried],
                &[record],
            )
            .await?;
        Ok(TimesheetView::from(&submitted))
    }

    /// The timesheets waiting for `who` as ward manager, oldest first.
    pub async fn timesheets_to_decide(
        &self,
        who: &Principal,
    ) -> Result<Vec<TimesheetView>, AppError> {
        let scopes: Vec<Scope> = who
            .user
            .grants
            .iter()
            .filter(|g| g.role == Role::WardManager)
            .map(|g| g.scope)
            .collect();
        if scopes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut out = Vec::new();
        for scope in scopes {
            let (org, ward) = match scope {
                Scope::Organisation(org) => (org, None),
                Scope::Ward(ward) => match self.store.ward(ward).await? {
                    Some(w) => (w.org_id, Some(ward)),
                    None => continue,
                },
                _ => continue,
            };
            for t in self
                .store
                .timesheets_of_org(org, TimesheetState::Submitted)
                .await?
                .iter()
                .filter(|t| ward.is_none_or(|w| t.ward_id == w))
            {
                if !out.iter().any(|v: &TimesheetView| v.id == t.id) {
                    out.push(TimesheetView::from(t));
                }
            }
        }
        Ok(out)
    }

    /// The ward manager's decision on a submitted timesheet. Approving pays it: one pay line,
    /// worked out by the pay rules, in the same step.
    pub async fn decide_timesheet(
        &self,
        who: &Principal,
        id: Uuid,
        input: DecideTimesheet,
    ) -> Result<(TimesheetView, Option<PayLineView>), AppError> {
        let current = self
            .store
            .timesheet(id)
            .await?
            .filter(|t| Self::manages_timesheet(who, t))
            .ok_or(AppError::NotFound)?;
        let state = match input.decision.as_str() {
            "approve" => TimesheetState::Approved,
            "query" => TimesheetState::Queried,
            "reject" => TimesheetState::Rejected,
            _ => {
                return Err(AppError::field(
                    "decision",
                    "must be approve, query or reject",
                ))
            }
        };
        let note = input.note.trim();
        if state != TimesheetState::Approved && note.is_empty() {
            return Err(AppError::field(
                "note",
                "say what the question is, or why it is rejected",
            ));
        }
        let note = if note.is_empty() {
            String::new()
        } else {
            Label::parse(note, 500)
                .map_err(|e| AppError::field("note", e))?
                .as_str()
                .to_owned()
        };
        if state == TimesheetState::Approved {
            let (decided, line) = self
                .approve_and_pay(&current, Some(who.user.id), note, "timesheet.approved")
                .await?;
            return Ok((TimesheetView::from(&decided), Some(line)));
        }
        let now = self.now();
        let decided = Timesheet {
            state,
            body: TimesheetBody {
                decision: Some((who.user.id, now, note.clone())),
                ..current.body.clone()
            },
            updated_at: now,
            ..current.clone()
        };
        let worker = self
            .store
            .worker(current.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: if state == TimesheetState::Queried {
                    "timesheet.queried"
                } else {
                    "timesheet.rejected"
                },
                actor: Some(who.user.id),
                tenant: Some(current.org_id),
                subject: Some(worker.user_id),
                facts: json!({"timesheet": id, "note": note}),
                personal: None,
            })
            .await?;
        self.store
            .update_timesheet(&decided, &[TimesheetState::Submitted], &[record])
            .await?;
        Ok((TimesheetView::from(&decided), None))
    }

    /// Approves a submitted timesheet and pays it by its trust's rules, in one step: by a ward
    /// manager (`actor`), or by the platform when the trust auto-approves waiting timesheets
    /// (`actor` none, action `timesheet.auto_approved`).
    /// The pay for time on a shift (`start` to `end` less `breaks`) at the worker's grade and
    /// pay point, with the shift's agreed premium, by the trust's rules; the engine's refusal
    /// (no rate for the grade, times out of order) is the caller's to report.
    pub async fn price(
        &self,
        shift: &Shift,
        worker: &Worker,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Result<pay::PayLine, pay::PayError>, AppError> {
        let rules = self.pay_rules_for(shift).await?;
        Ok(pay::pay(
            &Worked {
                grade: worker.grade,
                pay_point: worker.pay_point,
                start,
                end,
                breaks,
                // Judged against the cap it was agreed under: a cap lowered since does not cut it.
                premium: shift.premium.clone(),
            },
            &rules,
        ))
    }

    pub(crate) async fn approve_and_pay(
        &self,
        current: &Timesheet,
        actor: Option<UserId>,
        note: String,
        action: &'static str,
    ) -> Result<(Timesheet, PayLineView), AppError> {
        let id = current.id;
        let now = self.now();
        let worker = self
            .store
            .worker(current.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let decided = Timesheet {
            state: TimesheetState::Approved,
            body: TimesheetBody {
                decision: Some((actor.unwrap_or(worker.user_id), now, note.clone())),
                ..current.body.clone()
            },
            updated_at: now,
            ..current.clone()
        };
        let record = self
            .audit_record(Change {
                action,
                actor,
                tenant: Some(current.org_id),
                subject: Some(worker.user_id),
                facts: json!({"timesheet": id, "note": note}),
                personal: None,
            })
            .await?;
        let hours = &current.body.hours;
        let shift = self
            .store
            .shift(current.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let line = self
            .price(
                &shift,
                &worker,
                hours.start,
                hours.end,
                hours.breaks.clone(),
            )
            .await?
            .map_err(|e| AppError::field("timesheet", e))?;
        let pay_line = PayLineRecord {
            id: Uuid::now_v7(),
            timesheet_id: Some(id),
            shift_id: current.shift_id,
            worker_id: current.worker_id,
            org_id: current.org_id,
            work_date: hours.start.with_timezone(&RULES_ZONE).date_naive(),
            kind: PayLineKind::Pay,
            seconds: line.seconds,
            base_pay: line.itemised.base.0,
            enhancements: line.itemised.enhancements.0,
            premium: line.itemised.premium.0,
            holiday_pay: line.holiday_pay.0,
            amount: line.total.0,
            explanation: serde_json::to_string(&line.explain())
                .map_err(|e| AppError::Unexpected(e.into()))?,
            created_at: now,
            pay_run_id: None,
        };
        let paid = self
            .audit_record(Change {
                action: "pay_line.created",
                actor,
                tenant: Some(current.org_id),
                subject: Some(worker.user_id),
                facts: json!({"pay_line": pay_line.id, "timesheet": id, "shift": current.shift_id,
                    "work_date": pay_line.work_date, "amount_pence": pay_line.amount,
                    "explanation": line.explain()}),
                personal: None,
            })
            .await?;
        self.store
            .approve_timesheet(&decided, &pay_line, &[record, paid])
            .await?;
        Ok((decided, PayLineView::from(&pay_line)))
    }

    /// The signed-in worker's pay lines, newest first.
    pub async fn my_pay_lines(&self, who: &Principal) -> Result<Vec<PayLineView>, AppError> {
        let worker = who.require_worker()?;
        Ok(self
            .store
            .pay_lines_of(worker.id)
            .await?
            .iter()
            .map(PayLineView::from)
            .collect())
    }
}
