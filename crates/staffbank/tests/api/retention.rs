//! Retention signals and nudges: three weeks of ignored offers and a regular booker gone quiet
//! are listed with their reasons in words; a nudge (a message, or a block of shifts through the
//! direct offer) is recorded and audited, and its outcome flips once the worker books again;
//! another trust sees a 404 and nothing.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::forecasts::nurse_until;
use crate::helpers::{post_at, TestApp, Trust};

crate::both_backends!(
    ignoring_offers_for_three_weeks_is_listed_with_its_reason,
    a_regular_booker_gone_quiet_is_listed_and_a_nudge_is_measured
);

/// The app clock's offset from real time, in hours, as the test moves it.
struct Clock {
    hours: i64,
}

impl Clock {
    fn advance(&mut self, app: &TestApp, hours: i64) {
        app.advance(Duration::hours(hours));
        self.hours += hours;
    }

    /// One 8-hour shift at `trust` starting two days from the app's now.
    async fn shift(&self, app: &TestApp, trust: &Trust) -> String {
        let base = Utc::now() + Duration::hours(self.hours);
        post_at(app, trust, base, &[48], 8).await.remove(0)
    }
}

fn listed<'a>(body: &'a Value, worker: &str) -> Option<&'a Value> {
    body["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["worker_id"] == worker)
}

async fn offer(app: &TestApp, trust: &Trust, shift: &str, worker: &str) {
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": worker}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
}

async fn ignoring_offers_for_three_weeks_is_listed_with_its_reason(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let (_, ignorer) = nurse_until(&app, &trust.bank, "Ivy Ignorer", None).await;
    let (taker_token, taker) = nurse_until(&app, &trust.bank, "Tom Taker", None).await;
    let (ignorer, taker) = (ignorer.0.to_string(), taker.0.to_string());
    let mut clock = Clock { hours: 0 };
    // One shift a week for three weeks, offered to both; the taker books the second week's.
    let mut offered = 0;
    for week in 0..3 {
        let shift = clock.shift(&app, &trust).await;
        offer(&app, &trust, &shift, &ignorer).await;
        offer(&app, &trust, &shift, &taker).await;
        offered += 1;
        if week == 1 {
            let booked = app.book(&taker_token, &shift, "k-taker").await;
            assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        }
        clock.advance(&app, if week < 2 { 7 * 24 } else { 1 });
    }

    let path = format!("/api/v1/trusts/{}/retention", trust.id);
    let reply = app.get(&path, &trust.booker).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let row = listed(&reply.body, &ignorer).expect("the ignorer is listed");
    assert_eq!(row["worker_name"], "Ivy Ignorer");
    assert_eq!(row["signals"][0]["signal"], "ignoring_offers");
    assert_eq!(
        row["signals"][0]["reason"],
        format!("Declined or ignored all {offered} shifts offered over the last 3 weeks")
    );
    assert!(listed(&reply.body, &taker).is_none(), "{}", reply.body);
    assert_eq!(reply.body["workers"].as_array().unwrap().len(), 1);

    // Tenancy: another trust's office gets a 404, and its own list is empty.
    app.get(&path, &other.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&path, &taker_token)
        .await
        .assert_problem(404, "not-found");
    let theirs = app
        .get(
            &format!("/api/v1/trusts/{}/retention", other.id),
            &other.booker,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.body["workers"], json!([]));
}

async fn a_regular_booker_gone_quiet_is_listed_and_a_nudge_is_measured(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let (regular_token, regular) = nurse_until(&app, &trust.bank, "Rae Regular", None).await;
    let (occasional_token, _) = nurse_until(&app, &trust.bank, "Oli Occasional", None).await;
    let regular_id = regular.0.to_string();
    let mut clock = Clock { hours: 0 };
    // Four bookings a week apart, then three weeks and an hour of nothing.
    let weeks_booked = 4;
    for week in 0..weeks_booked {
        let shift = clock.shift(&app, &trust).await;
        let booked = app.book(&regular_token, &shift, &format!("k-{week}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        if week == 0 {
            // An occasional booker: one booking only.
            let other_shift = clock.shift(&app, &trust).await;
            let once = app.book(&occasional_token, &other_shift, "k-once").await;
            assert_eq!(once.status, StatusCode::CREATED, "{}", once.body);
        }
        clock.advance(&app, if week < weeks_booked - 1 { 7 * 24 } else { 0 });
    }
    clock.advance(&app, 3 * 7 * 24 + 1);

    let path = format!("/api/v1/trusts/{}/retention", trust.id);
    let reply = app.get(&path, &trust.booker).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["workers"].as_array().unwrap().len(),
        1,
        "{}",
        reply.body
    );
    let row = listed(&reply.body, &regular_id).expect("the regular booker is listed");
    assert_eq!(row["signals"][0]["signal"], "stopped_booking");
    assert_eq!(
        row["signals"][0]["reason"],
        format!("Booked in {weeks_booked} of the 8 weeks before, but nothing in the last 3 weeks")
    );
    assert_eq!(row["last_nudged_at"], Value::Null);

    // Nudges: bad ones refused; another trust cannot nudge through this one, nor its own
    // office nudge someone outside its banks.
    let nudges = format!("/api/v1/trusts/{}/nudges", trust.id);
    app.post(
        &nudges,
        &trust.booker,
        json!({"worker_id": regular_id, "kind": "shout"}),
    )
    .await
    .assert_problem(422, "validation-error");
    app.post(
        &nudges,
        &trust.booker,
        json!({"worker_id": regular_id, "kind": "message", "message": "  "}),
    )
    .await
    .assert_problem(422, "validation-error");
    let hello = json!({"worker_id": regular_id, "kind": "message",
        "message": "We have missed you: there are weekend shifts on Ward 1."});
    app.post(&nudges, &other.booker, hello.clone())
        .await
        .assert_problem(404, "not-found");
    app.post(
        &format!("/api/v1/trusts/{}/nudges", other.id),
        &other.booker,
        hello.clone(),
    )
    .await
    .assert_problem(422, "validation-error");

    let audited = app.ledger_entries("worker.nudged").await.len();
    let sent = app.post(&nudges, &trust.booker, hello).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.body["outcome"], "waiting");

    // A guaranteed block: two shifts, offered through the direct offer to the worker's inbox.
    let block = [clock.shift(&app, &trust).await, {
        let base = Utc::now() + Duration::hours(clock.hours);
        post_at(&app, &trust, base, &[72], 8).await.remove(0)
    }];
    let offered = app
        .post(
            &nudges,
            &trust.booker,
            json!({"worker_id": regular_id, "kind": "shifts", "shift_ids": block}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let inbox = app.get("/api/v1/me/offers", &regular_token).await;
    for shift in &block {
        assert!(
            inbox.body["offers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["shift"]["id"] == shift.as_str()),
            "{}",
            inbox.body
        );
    }
    assert_eq!(app.ledger_entries("worker.nudged").await.len(), audited + 2);

    let list = app.get(&nudges, &trust.booker).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["nudges"].as_array().unwrap().len(), 2);
    assert_eq!(list.body["waiting"], 2);
    assert_eq!(list.body["booked_again"], 0);
    assert_eq!(list.body["rate_percent"], Value::Null);
    app.get(&nudges, &other.booker)
        .await
        .assert_problem(404, "not-found");
    let theirs = app
        .get(
            &format!("/api/v1/trusts/{}/nudges", other.id),
            &other.booker,
        )
        .await;
    assert_eq!(theirs.body["nudges"], json!([]));
    let again = app.get(&path, &trust.booker).await;
    assert!(listed(&again.body, &regular_id).unwrap()["last_nudged_at"].is_string());

    // They book one of the offered shifts: both nudges now count as booked again.
    clock.advance(&app, 2);
    let booked = app.book(&regular_token, &block[0], "k-back").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let list = app.get(&nudges, &trust.booker).await;
    assert_eq!(list.body["booked_again"], 2, "{}", list.body);
    assert_eq!(list.body["waiting"], 0);
    assert_eq!(list.body["rate_percent"], 100.0);
    for n in list.body["nudges"].as_array().unwrap() {
        assert_eq!(n["outcome"], "booked_again");
        assert_eq!(n["outcome_label"], "Booked again");
    }
}
