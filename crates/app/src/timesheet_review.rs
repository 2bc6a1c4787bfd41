//! What a ward manager reads before deciding a timesheet: who worked, their grade, where, the
//! booked times beside the claimed ones, and what approving it would pay.

use chrono::{DateTime, Utc};
use staffbank_domain::grade::Grade;
use staffbank_domain::pay;
use staffbank_domain::timesheet::TimesheetState;

use crate::timesheets::TimesheetView;
use crate::{App, AppError, Principal};

/// A submitted timesheet with everything its decision needs, so the ward manager never
/// approves hours without seeing whose they are and what they cost.
#[derive(Debug, Clone)]
pub struct TimesheetReview {
    /// The timesheet as claimed.
    pub timesheet: TimesheetView,
    /// The worker's name.
    pub worker_name: String,
    /// Their grade, which sets the base rate.
    pub grade: Grade,
    /// The ward and its site, e.g. "Ward 5, Blackpool Victoria Hospital".
    pub ward: String,
    /// The shift's role title.
    pub role: String,
    /// The booked start and end, to compare with the claimed ones.
    pub booked: (DateTime<Utc>, DateTime<Utc>),
    /// What approving the claimed hours pays, by the same pay engine and rules approval uses;
    /// or why they cannot be paid as claimed.
    pub pay: Result<pay::PayLine, String>,
}

impl App {
    /// The timesheets waiting for `who` as ward manager, oldest first, each with its worker,
    /// ward, booked times and the pay approval would make.
    pub async fn timesheets_to_review(
        &self,
        who: &Principal,
    ) -> Result<Vec<TimesheetReview>, AppError> {
        let waiting = self.timesheets_to_decide(who).await?;
        let mut out = Vec::with_capacity(waiting.len());
        for t in waiting {
            let Some(stored) = self.store.timesheet(t.id).await? else {
                continue;
            };
            if stored.state != TimesheetState::Submitted {
                continue;
            }
            let shift = self
                .store
                .shift(stored.shift_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let worker = self
                .store
                .worker(stored.worker_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let ward = self.store.ward(shift.ward_id).await?;
            let site = match &ward {
                Some(w) => self.store.site(w.site_id).await?,
                None => None,
            };
            let ward = match (ward, site) {
                (Some(w), Some(s)) => format!("{}, {}", w.name.as_str(), s.name.as_str()),
                (Some(w), None) => w.name.as_str().to_owned(),
                _ => String::new(),
            };
            let hours = &stored.body.hours;
            let pay = self
                .price(
                    &shift,
                    &worker,
                    hours.start,
                    hours.end,
                    hours.breaks.clone(),
                )
                .await?
                .map_err(|e| e.to_string());
            out.push(TimesheetReview {
                worker_name: worker.display_name.as_str().to_owned(),
                grade: worker.grade,
                ward,
                role: shift.role.as_str().to_owned(),
                booked: (shift.window.start(), shift.window.end()),
                pay,
                timesheet: t,
            });
        }
        Ok(out)
    }
}
