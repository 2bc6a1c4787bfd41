//! Pay the demo worker has already earned: two shifts a fortnight ago, paid in a closed pay
//! run (so payslips exist), and one last week, approved and waiting for the next run (so the
//! payroll officer has a run to preview and close, and the worker an advance to draw).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Europe::London;
use staffbank_app::App;
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::pay::PayPeriod;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::timesheet::{Hours, TimesheetState};
use staffbank_domain::*;
use staffbank_store::{
    Booking, PayLineKind, PayLineRecord, PayRun, Timesheet, TimesheetBody, Worker,
};

use super::id;
use super::organisations::World;
use super::shifts::demo_shift;

/// The demo's pay history for `worker`, at their own bank's trust.
pub(super) async fn seed_pay_history(
    app: &App,
    world: &World,
    worker: &Worker,
) -> anyhow::Result<()> {
    let store = app.store();
    let Some(bank) = world
        .own_banks
        .iter()
        .find(|b| worker.banks.contains(&b.id))
    else {
        return Ok(());
    };
    let Some(ward) = world.wards.iter().find(|w| w.org_id == bank.lead_org_id) else {
        return Ok(());
    };
    let Some(org) = world.orgs.iter().find(|o| o.id == bank.lead_org_id) else {
        return Ok(());
    };
    let manager = store
        .user_by_email("ward.manager@rxl.demo.staffbank.test")
        .await?
        .map_or(worker.user_id, |u| u.id);
    let officer = store
        .user_by_email("payroll@rxl.demo.staffbank.test")
        .await?
        .map_or(manager, |u| u.id);
    let today = Utc::now().with_timezone(&London).date_naive();
    let fortnight = PayPeriod::containing(Utc::now() - Duration::days(14), 1);
    let last_week = PayPeriod::containing(Utc::now() - Duration::days(7), 1);
    // A weekday long day and a Saturday (paid with its enhancement) a fortnight ago; a
    // weekday long day last week.
    for day in [
        fortnight.first_day + Duration::days(1),
        fortnight.first_day + Duration::days(5),
        last_week.first_day + Duration::days(2),
    ] {
        // Clear of the long day worked two days ago, and its rest.
        if day < today - Duration::days(3) {
            worked_and_approved(app, world, (ward, bank.id), worker, day, manager).await?;
        }
    }
    let last_day = fortnight.first_day + Duration::days(6);
    let run = PayRun {
        id: id(),
        org_id: org.id,
        first_day: fortnight.first_day,
        last_day,
        period_end: fortnight.end,
        closed_by: officer,
        closed_at: fortnight.end + Duration::hours(9),
        lines: 0,
        total: 0,
    };
    let file = format!(
        "payroll-{}-{}.csv",
        org.ods_code.as_str(),
        fortnight.first_day
    );
    store.close_pay_run(&run, &file, &[]).await?;
    Ok(())
}

/// A long day (07:30 to 20:00) on `day`, booked, worked as booked, and approved two hours
/// after it ended, with its pay line priced by the trust's rules.
async fn worked_and_approved(
    app: &App,
    world: &World,
    (ward, bank): (&staffbank_store::Ward, BankId),
    worker: &Worker,
    day: NaiveDate,
    manager: UserId,
) -> anyhow::Result<()> {
    let store = app.store();
    let (Some(start), Some(end)) = (
        NaiveTime::from_hms_opt(7, 30, 0),
        NaiveTime::from_hms_opt(20, 0, 0),
    ) else {
        return Ok(());
    };
    let window = ShiftWindow::from_london(day, start, end).map_err(|e| anyhow::anyhow!("{e}"))?;
    let grades = GradeRange::new(worker.staff_group, worker.grade, worker.grade)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let one = Places::new(1).ok_or_else(|| anyhow::anyhow!("places"))?;
    let shift = demo_shift(world, ward, bank, (worker.staff_group, grades), window, one)?;
    store.post_shifts(std::slice::from_ref(&shift), &[]).await?;
    let booking = Booking {
        id: BookingId(id()),
        shift_id: shift.id,
        worker_id: worker.id,
        window,
        status: BookingStatus::Active,
        idempotency_key: format!("demo-paid-{}", shift.id),
        created_at: window.start() - Duration::days(3),
        cancellation: None,
    };
    store.book(&booking, &[], None).await?;
    let (submitted, approved): (DateTime<Utc>, DateTime<Utc>) = (
        window.end() + Duration::minutes(30),
        window.end() + Duration::hours(2),
    );
    let waiting = Timesheet {
        id: id(),
        booking_id: booking.id,
        shift_id: shift.id,
        worker_id: worker.id,
        org_id: shift.org_id,
        ward_id: shift.ward_id,
        state: TimesheetState::Submitted,
        body: TimesheetBody {
            hours: Hours {
                start: window.start(),
                end: window.end(),
                breaks: vec![(
                    window.start() + Duration::hours(5),
                    window.start() + Duration::hours(5) + Duration::minutes(30),
                )],
                overrun_reason: None,
            },
            warnings: vec![],
            submitted_at: Some(submitted),
            decision: None,
        },
        updated_at: submitted,
    };
    let waiting = store.create_timesheet(&waiting, &[]).await?;
    let line = app
        .price(
            &shift,
            worker,
            window.start(),
            window.end(),
            waiting.body.hours.breaks.clone(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let decided = Timesheet {
        state: TimesheetState::Approved,
        body: TimesheetBody {
            decision: Some((manager, approved, String::new())),
            ..waiting.body.clone()
        },
        updated_at: approved,
        ..waiting.clone()
    };
    let pay = PayLineRecord {
        id: id(),
        timesheet_id: Some(waiting.id),
        shift_id: shift.id,
        worker_id: worker.id,
        org_id: shift.org_id,
        work_date: window.start().with_timezone(&RULES_ZONE).date_naive(),
        kind: PayLineKind::Pay,
        seconds: line.seconds,
        base_pay: line.itemised.base.0,
        enhancements: line.itemised.enhancements.0,
        premium: line.itemised.premium.0,
        holiday_pay: line.holiday_pay.0,
        amount: line.total.0,
        explanation: serde_json::to_string(&line.explain())?,
        created_at: approved,
        pay_run_id: None,
    };
    store.approve_timesheet(&decided, &pay, &[]).await?;
    Ok(())
}
