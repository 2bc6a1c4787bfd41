//! Timesheets and pay lines as the store keeps them. A timesheet's changing part (the hours,
//! warnings and decisions) is kept as one JSON body beside the columns the store queries by.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use staffbank_domain::timesheet::{Hours, TimesheetState};
use staffbank_domain::{BookingId, OrgId, ShiftId, UserId, WardId, WorkerId};
use uuid::Uuid;

use crate::StoreError;

/// A worker's timesheet for one booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timesheet {
    /// Identity.
    pub id: Uuid,
    /// The booking it is for (one timesheet per booking).
    pub booking_id: BookingId,
    /// The shift.
    pub shift_id: ShiftId,
    /// The worker.
    pub worker_id: WorkerId,
    /// The trust whose shift it was.
    pub org_id: OrgId,
    /// The ward, whose manager decides.
    pub ward_id: WardId,
    /// Where it stands.
    pub state: TimesheetState,
    /// The hours, breaks, decisions and warnings.
    pub body: TimesheetBody,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a timesheet says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesheetBody {
    /// The hours as the worker states them.
    pub hours: Hours,
    /// What the ward manager should read (a missing break).
    pub warnings: Vec<String>,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who decided it, when, and their note (the question, or why it was rejected).
    pub decision: Option<(UserId, DateTime<Utc>, String)>,
}

impl TimesheetBody {
    /// The body as stored.
    pub fn encode(&self) -> Result<String, StoreError> {
        serde_json::to_string(self).map_err(|e| StoreError::Unexpected(e.into()))
    }

    /// The body from storage.
    pub fn decode(text: &str) -> Result<Self, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::Unexpected(e.into()))
    }
}

/// Whether a pay line pays for worked time or corrects an earlier line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayLineKind {
    /// Pay for an approved timesheet: one per shift, worker and date.
    Pay,
    /// A correction after approval: a new line, never an edit.
    Adjustment,
    /// Pay for a shift the trust cancelled inside its notice period: one per shift, worker and
    /// date, with no timesheet.
    Cancellation,
}
crate::issuers::stable_names!(PayLineKind {
    Pay => "pay",
    Adjustment => "adjustment",
    Cancellation => "cancellation"
});

/// One line of pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLineRecord {
    /// Identity.
    pub id: Uuid,
    /// The timesheet it pays (none for a late cancellation, where nothing was worked).
    pub timesheet_id: Option<Uuid>,
    /// The shift.
    pub shift_id: ShiftId,
    /// The worker paid.
    pub worker_id: WorkerId,
    /// The trust that pays it.
    pub org_id: OrgId,
    /// The UK date the shift started on.
    pub work_date: NaiveDate,
    /// Pay, adjustment or cancellation.
    pub kind: PayLineKind,
    /// Seconds paid (none for an adjustment of money alone).
    pub seconds: i64,
    /// The part of `amount` that is the base rate for the hours paid, pence (none for an
    /// adjustment, which is money alone). Base pay, enhancements, premium and holiday pay add up
    /// to `amount` on every pay and cancellation line, so reports can say where money goes.
    pub base_pay: i64,
    /// The part of `amount` that is night, weekend and holiday enhancements, pence.
    pub enhancements: i64,
    /// The part of `amount` that is a discretionary premium, pence.
    pub premium: i64,
    /// The part of `amount` that is rolled-up holiday pay, pence.
    pub holiday_pay: i64,
    /// Pence.
    pub amount: i64,
    /// How it was worked out, line by line (JSON).
    pub explanation: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// The pay run that paid it, once one has.
    pub pay_run_id: Option<Uuid>,
}
