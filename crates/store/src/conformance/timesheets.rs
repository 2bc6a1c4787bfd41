//! Conformance case for timesheets and pay lines.

use std::sync::Arc;

use staffbank_domain::booking::CancelledBy;
use staffbank_domain::text::Label;
use staffbank_domain::timesheet::{Hours, TimesheetState};

use super::{conflict, new_id, World};
use crate::*;

fn timesheet(world: &World, booking: &Booking, shift: &Shift) -> Timesheet {
    Timesheet {
        id: new_id(),
        booking_id: booking.id,
        shift_id: shift.id,
        worker_id: booking.worker_id,
        org_id: shift.org_id,
        ward_id: shift.ward_id,
        state: TimesheetState::Draft,
        body: TimesheetBody {
            hours: Hours {
                start: shift.window.start(),
                end: shift.window.end(),
                breaks: vec![],
                overrun_reason: None,
            },
            warnings: vec![],
            submitted_at: None,
            decision: None,
        },
        updated_at: world.now,
    }
}

fn pay_line(t: &Timesheet, amount: i64) -> PayLineRecord {
    PayLineRecord {
        id: new_id(),
        timesheet_id: t.id,
        shift_id: t.shift_id,
        worker_id: t.worker_id,
        work_date: t.body.hours.start.date_naive(),
        kind: PayLineKind::Pay,
        amount,
        explanation: "[]".into(),
        created_at: t.updated_at,
    }
}

/// One timesheet per booking; edits only while editable; approved once, with its pay line in
/// the same step, even when two approvals race; and a shift, worker and date paid once, even
/// through a second booking's timesheet.
pub async fn timesheets_are_decided_once_and_paid_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Tam", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let booking = store
        .book(&world.booking(&shift, &worker, "t1"), &[], None)
        .await
        .unwrap()
        .booking;

    let first = timesheet(&world, &booking, &shift);
    let made = super::audit("timesheet.created", None, world.now);
    assert_eq!(
        store
            .create_timesheet(&first, std::slice::from_ref(&made))
            .await
            .unwrap(),
        first
    );
    assert!(store.entry(made.id).await.unwrap().is_some());
    let again = timesheet(&world, &booking, &shift);
    assert_eq!(
        store.create_timesheet(&again, &[]).await.unwrap().id,
        first.id
    );
    assert_eq!(
        store.timesheet_for_booking(booking.id).await.unwrap(),
        Some(first.clone())
    );

    let editable = [TimesheetState::Draft, TimesheetState::Queried];
    let submitted = Timesheet {
        state: TimesheetState::Submitted,
        ..first.clone()
    };
    store
        .update_timesheet(&submitted, &editable, &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(store.update_timesheet(&submitted, &editable, &[]).await),
        Conflict::RequestDecided
    );
    assert!(matches!(
        store
            .update_timesheet(
                &Timesheet {
                    id: new_id(),
                    ..submitted.clone()
                },
                &editable,
                &[]
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .timesheets_of_org(shift.org_id, TimesheetState::Submitted)
            .await
            .unwrap(),
        vec![submitted.clone()]
    );

    // Two approvals at once: one wins, one line is paid.
    let approved = Timesheet {
        state: TimesheetState::Approved,
        ..submitted.clone()
    };
    let (line_a, line_b) = (pay_line(&approved, 12_345), pay_line(&approved, 12_345));
    let (a, b) = tokio::join!(
        store.approve_timesheet(&approved, &line_a, &[]),
        store.approve_timesheet(&approved, &line_b, &[])
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    assert_eq!(
        conflict(if a.is_ok() { b } else { a }),
        Conflict::RequestDecided
    );
    let lines = store.pay_lines_of(worker.id).await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].amount, lines[0].kind), (12_345, PayLineKind::Pay));

    // The booking cancelled and the shift booked again: its timesheet cannot pay the same shift,
    // worker and date a second time, and nothing of that approval stays.
    let cancel = CancellationRecord {
        by: CancelledBy::Worker,
        by_user: worker.user_id,
        reason: Label::parse("Rebooked", 200).unwrap(),
        at: world.now,
        late: false,
    };
    store
        .cancel_booking(booking.id, &cancel, None, &[])
        .await
        .unwrap();
    let rebooked = store
        .book(&world.booking(&shift, &worker, "t2"), &[], None)
        .await
        .unwrap()
        .booking;
    let second = Timesheet {
        state: TimesheetState::Submitted,
        ..timesheet(&world, &rebooked, &shift)
    };
    store.create_timesheet(&second, &[]).await.unwrap();
    let second_approved = Timesheet {
        state: TimesheetState::Approved,
        ..second.clone()
    };
    let paid_twice = super::audit("timesheet.approved", None, world.now);
    assert_eq!(
        conflict(
            store
                .approve_timesheet(
                    &second_approved,
                    &pay_line(&second_approved, 1),
                    std::slice::from_ref(&paid_twice)
                )
                .await
        ),
        Conflict::AlreadyPaid
    );
    assert_eq!(
        store.timesheet(second.id).await.unwrap().unwrap().state,
        TimesheetState::Submitted
    );
    assert!(store.entry(paid_twice.id).await.unwrap().is_none());
    assert_eq!(store.pay_lines_of(worker.id).await.unwrap().len(), 1);
}
