//! The sweeps that keep a shift from being forgotten: a booked worker not signed on by their
//! trust's grace period is escalated as a no-show, and a submitted timesheet left waiting is
//! escalated, then approved as submitted if the trust allows it, so pay is never stuck. The same
//! loop counts the "super-bank" core tiers earned by hours worked once an hour, prunes old
//! refused sign-ins and expired sessions, and writes each bank's weekly fairness report to the
//! ledger once its week is over (`fairness_weekly`).

use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::json;
use staffbank_domain::timesheet::TimesheetState;

use crate::{App, AppError};

/// How often the sweeps run.
const TICK: StdDuration = StdDuration::from_secs(60);
/// How often the core tiers earned by hours worked are counted again.
const TIERS_EVERY: Duration = Duration::hours(1);
/// How far back the no-show sweep looks (a booking older than this was swept long ago).
const LOOK_BACK: Duration = Duration::days(1);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Bookings escalated as no-shows.
    pub no_shows: usize,
    /// Timesheets escalated for waiting.
    pub escalated: usize,
    /// Timesheets approved as submitted.
    pub auto_approved: usize,
}

impl App {
    /// One pass of both sweeps.
    pub async fn sweep(&self) -> Result<Swept, AppError> {
        let now = self.now();
        let mut swept = Swept::default();
        for id in self
            .store
            .unsigned_bookings(now - LOOK_BACK, now - Duration::minutes(1), 1_000)
            .await?
        {
            let Some(booking) = self.store.booking(id).await? else {
                continue;
            };
            let Some(shift) = self.store.shift(booking.shift_id).await? else {
                continue;
            };
            let grace = self
                .pay_settings_of(shift.org_id)
                .await?
                .sign_on_grace_minutes;
            if booking.window.start() + Duration::minutes(i64::from(grace)) > now {
                continue;
            }
            let name = self
                .store
                .worker(booking.worker_id)
                .await?
                .map(|w| w.display_name.as_str().to_owned())
                .unwrap_or_default();
            if self
                .escalate(
                    &booking,
                    shift.org_id,
                    shift.ward_id,
                    "no_show",
                    format!("{name} has not signed on {grace} minutes after the shift started"),
                    None,
                    json!({"grace_minutes": grace}),
                )
                .await?
            {
                swept.no_shows += 1;
            }
        }
        for t in self
            .store
            .waiting_timesheets(now - Duration::hours(1), 10_000)
            .await?
        {
            let settings = self.pay_settings_of(t.org_id).await?;
            let waiting_since = t.body.submitted_at.unwrap_or(t.updated_at);
            let hours = |h: u32| waiting_since + Duration::hours(i64::from(h));
            if let Some(after) = settings.timesheet_auto_approve_after_hours {
                if hours(after) <= now && t.state == TimesheetState::Submitted {
                    self.approve_and_pay(
                        &t,
                        None,
                        format!("approved as submitted after waiting {after} hours"),
                        "timesheet.auto_approved",
                    )
                    .await?;
                    swept.auto_approved += 1;
                    continue;
                }
            }
            let after = settings.timesheet_escalate_after_hours;
            if hours(after) <= now {
                let Some(booking) = self.store.booking(t.booking_id).await? else {
                    continue;
                };
                if self
                    .escalate(
                        &booking,
                        t.org_id,
                        t.ward_id,
                        "timesheet_waiting",
                        format!("a submitted timesheet has waited more than {after} hours"),
                        None,
                        json!({"timesheet": t.id}),
                    )
                    .await?
                {
                    swept.escalated += 1;
                }
            }
        }
        Ok(swept)
    }

    /// Runs the sweeps until the app stops. Errors are logged and retried.
    pub async fn run_sweeps(self) {
        let mut tiers_awarded_at = None;
        loop {
            match self.sweep().await {
                Ok(s) if s == Swept::default() => {}
                Ok(s) => tracing::info!(?s, "swept"),
                Err(e) => tracing::warn!(error = %e, "sweeping failed"),
            }
            // The dashboard's read model is refreshed on every read too; keeping it current
            // here keeps those reads quick.
            match self.refresh_insight().await {
                Ok(0) => {}
                Ok(cleared) => tracing::debug!(cleared, "insight refreshed"),
                Err(e) => tracing::warn!(error = %e, "refreshing insight failed"),
            }
            // Hours worked move slowly: the core tiers are counted again once an hour. Refused
            // sign-ins and expired sessions are pruned on the same beat.
            let now = self.now();
            if tiers_awarded_at.is_none_or(|at| now - at >= TIERS_EVERY) {
                match self.prune_sign_ins().await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(pruned, "old refused sign-ins and sessions"),
                    Err(e) => tracing::warn!(error = %e, "pruning sign-ins failed"),
                }
                match self.award_core_tiers().await {
                    Ok(0) => {}
                    Ok(changed) => tracing::info!(changed, "core tiers by hours worked"),
                    Err(e) => tracing::warn!(error = %e, "awarding core tiers failed"),
                }
                // Last week's fairness reports, once per bank: a no-op until Monday in UK time,
                // and safe on every server since each week is claimed in the database.
                match self.record_weekly_fairness().await {
                    Ok(0) => {}
                    Ok(recorded) => tracing::info!(recorded, "weekly fairness reports"),
                    Err(e) => tracing::warn!(error = %e, "weekly fairness reports failed"),
                }
                tiers_awarded_at = Some(now);
            }
            if !self.pause(TICK, None).await {
                return;
            }
        }
    }
}
