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
        timesheet_id: Some(t.id),
        shift_id: t.shift_id,
        worker_id: t.worker_id,
        org_id: t.org_id,
        work_date: t.body.hours.start.date_naive(),
        kind: PayLineKind::Pay,
        seconds: 8 * 3600,
        base_pay: amount,
        enhancements: 0,
        premium: 0,
        holiday_pay: 0,
        amount,
        explanation: "[]".into(),
        created_at: t.updated_at,
        pay_run_id: None,
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
        .cancel_booking(booking.id, &cancel, None, None, &[])
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

fn run(
    world: &World,
    org: staffbank_domain::OrgId,
    by: staffbank_domain::UserId,
    end_in_hours: i64,
) -> PayRun {
    let period_end = world.now + chrono::Duration::hours(end_in_hours);
    PayRun {
        id: new_id(),
        org_id: org,
        first_day: period_end.date_naive() - chrono::Duration::days(7),
        last_day: period_end.date_naive() - chrono::Duration::days(1),
        period_end,
        closed_by: by,
        closed_at: period_end,
        lines: 0,
        total: 0,
    }
}

/// A pay run takes each unpaid line and advance before its end once, with its export queued in
/// the same step; a period closes once; an export is recorded delivered once; and advances stay
/// within their share even when two are drawn at once.
pub async fn pay_runs_take_each_line_once_and_advances_keep_their_share(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Ola", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let booking = store
        .book(&world.booking(&shift, &worker, "p1"), &[], None)
        .await
        .unwrap()
        .booking;
    let approved = Timesheet {
        state: TimesheetState::Approved,
        ..timesheet(&world, &booking, &shift)
    };
    store
        .create_timesheet(
            &Timesheet {
                state: TimesheetState::Submitted,
                ..approved.clone()
            },
            &[],
        )
        .await
        .unwrap();
    store
        .approve_timesheet(&approved, &pay_line(&approved, 20_000), &[])
        .await
        .unwrap();
    let adjustment = PayLineRecord {
        kind: PayLineKind::Adjustment,
        seconds: 0,
        base_pay: 0,
        ..pay_line(&approved, 1_000)
    };
    store.add_adjustment(&adjustment, &[]).await.unwrap();

    // Half of the 210.00 unpaid may be drawn: two draws of 60.00 at once never both pass.
    let advance = |amount| Advance {
        id: new_id(),
        worker_id: worker.id,
        org_id: shift.org_id,
        amount,
        drawn_at: world.now,
        pay_run_id: None,
    };
    let (first, second) = (advance(6_000), advance(6_000));
    let (a, b) = tokio::join!(
        store.draw_advance(&first, 50, &[]),
        store.draw_advance(&second, 50, &[])
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    assert_eq!(
        conflict(if a.is_ok() { b } else { a }),
        Conflict::AdvanceTooLarge
    );
    let drawn = super::audit("advance.drawn", None, world.now);
    store
        .draw_advance(&advance(4_500), 50, std::slice::from_ref(&drawn))
        .await
        .unwrap();
    assert!(store.entry(drawn.id).await.unwrap().is_some());
    assert_eq!(
        conflict(store.draw_advance(&advance(1), 50, &[]).await),
        Conflict::AdvanceTooLarge
    );

    // A run whose period ended before the lines were approved would take nothing: it is
    // refused and leaves no trace, so the period can still be closed later.
    let early = run(&world, shift.org_id, worker.user_id, -24 * 7);
    let refused = super::audit("pay_run.closed", None, world.now);
    assert_eq!(
        conflict(
            store
                .close_pay_run(&early, "early.csv", std::slice::from_ref(&refused))
                .await
        ),
        Conflict::PayRunEmpty
    );
    assert!(store.entry(refused.id).await.unwrap().is_none());
    assert!(store.pay_run(early.id).await.unwrap().is_none());
    assert!(store
        .unpaid_pay_lines(shift.org_id, early.period_end)
        .await
        .unwrap()
        .is_empty());
    let week = run(&world, shift.org_id, worker.user_id, 1);
    let waiting = store
        .unpaid_pay_lines(shift.org_id, week.period_end)
        .await
        .unwrap();
    let owed = store
        .unpaid_advances(shift.org_id, week.period_end)
        .await
        .unwrap();
    assert_eq!((waiting.len(), owed.len()), (2, 2));

    let closing = super::audit("pay_run.closed", None, world.now);
    let closed = store
        .close_pay_run(&week, "week.csv", std::slice::from_ref(&closing))
        .await
        .unwrap();
    assert_eq!(
        (closed.lines, closed.total),
        (4, 20_000 + 1_000 - 6_000 - 4_500)
    );
    assert!(store.entry(closing.id).await.unwrap().is_some());
    let again = super::audit("pay_run.closed", None, world.now);
    assert_eq!(
        conflict(
            store
                .close_pay_run(
                    &PayRun {
                        id: new_id(),
                        ..week.clone()
                    },
                    "week-again.csv",
                    std::slice::from_ref(&again)
                )
                .await
        ),
        Conflict::RunClosed
    );
    assert!(store.entry(again.id).await.unwrap().is_none());
    assert!(store.pay_run(new_id()).await.unwrap().is_none());

    let lines = store.export_lines(week.id).await.unwrap();
    let elements: Vec<_> = lines.iter().map(|l| (l.element, l.amount)).collect();
    assert_eq!(elements.len(), 4);
    assert_eq!(elements.iter().map(|e| e.1).sum::<i64>(), closed.total);
    assert!(elements[..2].iter().all(|e| e.0 != "advance_recovery"));
    assert!(elements[2..]
        .iter()
        .all(|e| e.0 == "advance_recovery" && e.1 < 0));
    assert!(lines.iter().all(|l| l.staff_name == "Ola"));
    assert_eq!(store.run_pay_lines(week.id).await.unwrap(), {
        let mut taken = waiting.clone();
        for l in &mut taken {
            l.pay_run_id = Some(week.id);
        }
        taken
    });
    assert_eq!(store.run_advances(week.id).await.unwrap().len(), 2);
    assert!(store
        .unpaid_pay_lines(shift.org_id, week.period_end)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .pay_lines_of(worker.id)
        .await
        .unwrap()
        .iter()
        .all(|l| l.pay_run_id == Some(week.id)));
    assert!(store
        .advances_of(worker.id)
        .await
        .unwrap()
        .iter()
        .all(|a| a.pay_run_id == Some(week.id)));

    // The later run takes nothing already taken.
    let next = run(&world, shift.org_id, worker.user_id, 24 * 7 + 1);
    assert_eq!(
        conflict(store.close_pay_run(&next, "next.csv", &[]).await),
        Conflict::PayRunEmpty
    );
    assert_eq!(store.pay_runs_of(shift.org_id).await.unwrap().len(), 1);

    // Delivered once.
    let pending = store.pending_exports(10).await.unwrap();
    let queued = pending
        .iter()
        .map(|(_, e)| e)
        .find(|e| e.pay_run_id == week.id)
        .unwrap()
        .clone();
    assert_eq!(queued.file_name, "week.csv");
    let delivered = PayExport {
        delivered_at: Some(world.now),
        sha256: Some("ab".repeat(32)),
        bytes: Some(123),
        ..queued
    };
    let exported = super::audit("pay_run.exported", None, world.now);
    assert!(store
        .mark_exported(&delivered, std::slice::from_ref(&exported))
        .await
        .unwrap());
    let twice = super::audit("pay_run.exported", None, world.now);
    assert!(!store
        .mark_exported(&delivered, std::slice::from_ref(&twice))
        .await
        .unwrap());
    assert!(store.entry(twice.id).await.unwrap().is_none());
    assert_eq!(
        store.pay_run(week.id).await.unwrap().unwrap(),
        (closed.clone(), delivered)
    );
    assert!(store
        .pending_exports(10)
        .await
        .unwrap()
        .iter()
        .all(|(_, e)| e.pay_run_id != week.id));

    // Settings round-trip.
    assert_eq!(store.pay_settings(shift.org_id).await.unwrap(), None);
    let settings = staffbank_domain::pay::PaySettings {
        advance_share: 20,
        ..Default::default()
    };
    store
        .set_pay_settings(shift.org_id, &settings, &[])
        .await
        .unwrap();
    assert_eq!(
        store.pay_settings(shift.org_id).await.unwrap(),
        Some(settings)
    );

    // A bank's rate card: none until set, then replaced whole.
    assert_eq!(store.rate_card(shift.bank_id).await.unwrap(), None);
    let mut card = staffbank_domain::pay::RateCard {
        name: "Bank rates 2026".into(),
        source: "The bank's own card".into(),
        rates: [("band_5".to_owned(), vec![1_700, 2_000])].into(),
    };
    for _ in 0..2 {
        store
            .set_rate_card(shift.bank_id, &card, &[])
            .await
            .unwrap();
        assert_eq!(
            store.rate_card(shift.bank_id).await.unwrap(),
            Some(card.clone())
        );
        card.rates.insert("band_6".to_owned(), vec![2_100]);
    }
}

/// A challenge is good once and only until it expires; a booking is signed on once and off
/// once; an escalation is raised once per booking and kind, with its outbox event; the
/// grace-period sweep sees only bookings neither signed on nor already escalated; and a
/// smartcard belongs to one worker.
pub async fn sign_ons_and_escalations_happen_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Kit", &[world.banks[0].id]).await;
    let other = world.worker("Lou", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 2))
        .await;
    let booking = store
        .book(&world.booking(&shift, &worker, "s1"), &[], None)
        .await
        .unwrap()
        .booking;
    let second = store
        .book(&world.booking(&shift, &other, "s2"), &[], None)
        .await
        .unwrap()
        .booking;

    let challenge = SignOnChallenge {
        id: new_id(),
        booking_id: booking.id,
        org_id: shift.org_id,
        ward_id: shift.ward_id,
        nonce: "n-1".into(),
        created_by: worker.user_id,
        expires_at: world.now + chrono::Duration::minutes(5),
        used_at: None,
    };
    store
        .create_sign_on_challenge(&challenge, &[])
        .await
        .unwrap();
    let late = world.now + chrono::Duration::minutes(6);
    assert!(store
        .use_sign_on_challenge(challenge.id, late)
        .await
        .unwrap()
        .is_none());
    let used = store
        .use_sign_on_challenge(challenge.id, world.now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.nonce, "n-1");
    assert_eq!(used.used_at, Some(world.now));
    assert!(store
        .use_sign_on_challenge(challenge.id, world.now)
        .await
        .unwrap()
        .is_none());

    let signed = SignOn {
        booking_id: booking.id,
        worker_id: worker.id,
        org_id: shift.org_id,
        ward_id: shift.ward_id,
        method: "wallet".into(),
        signed_on_at: world.now,
        signed_off_at: None,
    };
    let entry = super::audit("sign_on.verified", None, world.now);
    store
        .record_sign_on(&signed, std::slice::from_ref(&entry))
        .await
        .unwrap();
    assert!(store.entry(entry.id).await.unwrap().is_some());
    assert_eq!(
        conflict(store.record_sign_on(&signed, &[]).await),
        Conflict::AlreadySignedOn
    );
    assert!(matches!(
        store.record_sign_off(second.id, world.now, &[]).await,
        Err(StoreError::NotFound)
    ));
    let off = world.now + chrono::Duration::hours(8);
    store.record_sign_off(booking.id, off, &[]).await.unwrap();
    assert_eq!(
        conflict(store.record_sign_off(booking.id, off, &[]).await),
        Conflict::AlreadySignedOn
    );
    assert_eq!(
        store
            .sign_on_of(booking.id)
            .await
            .unwrap()
            .unwrap()
            .signed_off_at,
        Some(off)
    );

    // The sweep: the booking signed on is not a no-show; the other is, until escalated.
    let (from, to) = (
        shift.window.start() - chrono::Duration::hours(1),
        shift.window.start() + chrono::Duration::hours(1),
    );
    assert_eq!(
        store.unsigned_bookings(from, to, 10).await.unwrap(),
        vec![second.id]
    );
    let escalation = Escalation {
        id: new_id(),
        booking_id: second.id,
        org_id: shift.org_id,
        ward_id: shift.ward_id,
        kind: "no_show".into(),
        detail: "Lou has not signed on".into(),
        raised_at: world.now,
        resolution: None,
    };
    let event = OutboxEvent {
        id: new_id(),
        topic: "sign_on.no_show".into(),
        worker_id: Some(other.id),
        payload: "{}".into(),
        created_at: world.now,
    };
    let before = store.outbox_after(0, 1000).await.unwrap().len();
    assert!(store
        .raise_escalation(&escalation, &event, &[])
        .await
        .unwrap());
    let again = Escalation {
        id: new_id(),
        ..escalation.clone()
    };
    let again_event = OutboxEvent {
        id: new_id(),
        ..event.clone()
    };
    assert!(!store
        .raise_escalation(&again, &again_event, &[])
        .await
        .unwrap());
    assert_eq!(store.outbox_after(0, 1000).await.unwrap().len(), before + 1);
    assert_eq!(
        store.escalations_of(shift.org_id).await.unwrap(),
        vec![escalation.clone()]
    );

    // Resolved once, by the ward manager, with what was done.
    let resolution = Resolution {
        by: world.booker.id,
        at: world.now + chrono::Duration::minutes(20),
        note: "Lou was stuck in traffic; signed on late".into(),
    };
    store
        .resolve_escalation(escalation.id, &resolution, &[])
        .await
        .unwrap();
    let second_note = Resolution {
        note: "again".into(),
        ..resolution.clone()
    };
    assert_eq!(
        conflict(
            store
                .resolve_escalation(escalation.id, &second_note, &[])
                .await
        ),
        Conflict::EscalationResolved
    );
    assert!(matches!(
        store.resolve_escalation(new_id(), &resolution, &[]).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.escalation(escalation.id).await.unwrap(),
        Some(Escalation {
            resolution: Some(resolution),
            ..escalation
        })
    );
    assert!(store
        .unsigned_bookings(from, to, 10)
        .await
        .unwrap()
        .is_empty());

    // Smartcards: one worker each.
    store
        .set_smartcard(worker.id, "555000111222", worker.user_id, world.now, &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(
            store
                .set_smartcard(other.id, "555000111222", other.user_id, world.now, &[])
                .await
        ),
        Conflict::SmartcardTaken
    );
    assert_eq!(
        store.smartcard_of(worker.id).await.unwrap().as_deref(),
        Some("555000111222")
    );
    assert_eq!(store.smartcard_of(other.id).await.unwrap(), None);
}
