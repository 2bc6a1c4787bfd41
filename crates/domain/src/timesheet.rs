//! Timesheets: the hours a worker really worked on a booked shift, which they write and submit
//! and the ward manager approves, queries or rejects. Only an approved timesheet is paid.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::breaks::missing_break;
use crate::shift::ShiftWindow;

/// How far actual times may be from the booked ones: a shift starts at most this early...
pub const EARLIEST_START: Duration = Duration::hours(2);
/// ...and ends at most this late (an overrun, which needs a reason).
pub const LATEST_END: Duration = Duration::hours(8);

/// Where a timesheet stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimesheetState {
    /// The worker is writing it.
    Draft,
    /// Waiting for the ward manager.
    Submitted,
    /// The ward manager asked a question; the worker edits and submits again.
    Queried,
    /// Approved: it is paid.
    Approved,
    /// Rejected, with a reason: nothing is paid.
    Rejected,
}

impl TimesheetState {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Queried => "queried",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Queried,
            Self::Approved,
            Self::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// Whether the worker may still change it.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Queried)
    }
}

/// The hours as the worker states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// Actual start.
    pub start: DateTime<Utc>,
    /// Actual end.
    pub end: DateTime<Utc>,
    /// Unpaid breaks: from and to.
    pub breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Why the shift ran past its booked end, when it did.
    pub overrun_reason: Option<String>,
}

/// Why stated hours cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct HoursError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong.
    pub problem: String,
}

fn refuse(field: &'static str, problem: impl Into<String>) -> HoursError {
    HoursError {
        field,
        problem: problem.into(),
    }
}

impl Hours {
    /// Checks the hours against the booked shift; the warnings a ward manager should read (a
    /// missing break), which do not stop submission.
    pub fn check(&self, booked: &ShiftWindow) -> Result<Vec<String>, HoursError> {
        if self.end <= self.start {
            return Err(refuse("end", "must be after the start"));
        }
        if self.start < booked.start() - EARLIEST_START || self.start >= booked.end() {
            return Err(refuse(
                "start",
                "must be within two hours before the booked start, and before the booked end",
            ));
        }
        if self.end > booked.end() + LATEST_END {
            return Err(refuse(
                "end",
                "at most eight hours after the booked end; longer needs a new booking",
            ));
        }
        let mut last = self.start;
        let mut breaks = self.breaks.clone();
        breaks.sort();
        for (from, to) in &breaks {
            if *from < last || *to > self.end || to <= from {
                return Err(refuse(
                    "breaks",
                    "each break must lie within the hours worked, one after another",
                ));
            }
            last = *to;
        }
        let overran = self.end > booked.end();
        let reason = self.overrun_reason.as_deref().map(str::trim).unwrap_or("");
        if overran && reason.is_empty() {
            return Err(refuse(
                "overrun_reason",
                "the shift ran past its booked end: say why, so the overrun is paid",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(refuse("overrun_reason", "at most 500 characters"));
        }
        Ok(missing_break(self.start, self.end, &breaks)
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 2, h, m, 0)
            .single()
            .unwrap_or_default()
    }

    fn booked() -> ShiftWindow {
        ShiftWindow::new(at(8, 0), at(16, 0)).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn hours(start: DateTime<Utc>, end: DateTime<Utc>) -> Hours {
        Hours {
            start,
            end,
            breaks: vec![(at(12, 0), at(12, 30))],
            overrun_reason: None,
        }
    }

    #[test]
    fn hours_are_checked_against_the_booking() {
        assert_eq!(hours(at(8, 0), at(16, 0)).check(&booked()), Ok(vec![]));
        assert_eq!(
            hours(at(8, 0), at(8, 0))
                .check(&booked())
                .map_err(|e| e.field),
            Err("end")
        );
        assert_eq!(
            hours(at(5, 0), at(16, 0))
                .check(&booked())
                .map_err(|e| e.field),
            Err("start")
        );
        // An overrun needs a reason, and is then accepted.
        let mut late = hours(at(8, 0), at(17, 30));
        assert_eq!(
            late.check(&booked()).map_err(|e| e.field),
            Err("overrun_reason")
        );
        late.overrun_reason = Some("Patient deteriorated at handover".into());
        assert_eq!(late.check(&booked()), Ok(vec![]));
        // A break outside the hours is refused.
        let mut stray = hours(at(8, 0), at(16, 0));
        stray.breaks = vec![(at(7, 0), at(7, 30))];
        assert_eq!(stray.check(&booked()).map_err(|e| e.field), Err("breaks"));
    }

    #[test]
    fn a_missing_break_is_a_warning_not_a_refusal() {
        let mut no_break = hours(at(8, 0), at(16, 0));
        no_break.breaks = vec![];
        let warnings = no_break.check(&booked()).unwrap_or_default();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("regulation 12"));
    }

    #[test]
    fn only_drafts_and_queried_timesheets_can_be_edited() {
        for state in [
            TimesheetState::Draft,
            TimesheetState::Submitted,
            TimesheetState::Queried,
            TimesheetState::Approved,
            TimesheetState::Rejected,
        ] {
            assert_eq!(TimesheetState::parse(state.as_str()), Some(state));
            assert_eq!(
                state.editable(),
                matches!(state, TimesheetState::Draft | TimesheetState::Queried)
            );
        }
    }
}
