//! Pay runs as a payroll officer reads them: the periods to pick from, a preview of what a
//! period's run would pay (with what is still waiting for the ward), an empty run refused, and
//! a closed run itemised; no other trust sees any of it.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use staffbank_domain::pay::PayPeriod;
use staffbank_domain::role::Role;
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::pay::approved_shift;

crate::both_backends!(a_run_is_previewed_then_closed_and_read_back_itemised);

async fn a_run_is_previewed_then_closed_and_read_back_itemised(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let payroll_b = app.staff("pay@b.test", Role::PayrollOfficer, &b).await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("other@a.test", &[&a.bank]).await;

    // A shift worked and submitted by another worker, but not yet approved: it waits.
    let shift = app.shift(&a, &a.bank, 24, 8, 1).await;
    let booked = app.book(&other, &shift, &Uuid::new_v4().to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let (_, amount) = approved_shift(&app, &a, &nurse, &manager).await;
    let week = PayPeriod::containing(app.app.now(), 1);
    let booking = booked.body["id"].as_str().unwrap();
    let started = app
        .post(
            &format!("/api/v1/bookings/{booking}/timesheet"),
            &other,
            json!({}),
        )
        .await;
    let timesheet = started.body["id"].as_str().unwrap().to_owned();
    let submitted = app
        .post(
            &format!("/api/v1/timesheets/{timesheet}/submit"),
            &other,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);

    let preview = format!("/api/v1/organisations/{}/pay-runs/preview", a.id);
    let this_week = format!("{preview}?first_day={}", week.first_day);
    // Before the week ends: what it would pay so far, not yet closable.
    let early = app.get(&this_week, &payroll).await;
    assert_eq!(early.status, StatusCode::OK, "{}", early.body);
    assert_eq!(early.body["period"]["ended"], false);
    assert_eq!(early.body["total_pence"], json!(amount));

    app.advance(Duration::days(8));
    let seen = app.get(&this_week, &payroll).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!(seen.body["period"]["ended"], true);
    assert_eq!(seen.body["worker_count"], 1);
    assert_eq!(seen.body["lines"], 1);
    assert_eq!(seen.body["total_pence"], json!(amount));
    let line = &seen.body["workers"][0]["lines"][0];
    assert_eq!(line["amount_pence"], json!(amount));
    assert!(!line["explanation"].as_array().unwrap().is_empty());
    assert_eq!(seen.body["waiting"][0]["timesheet_id"], json!(timesheet));
    assert_eq!(seen.body["waiting"][0]["state"], "submitted");

    // Only this trust's payroll officers see it; the period must be one that starts a period.
    app.get(&this_week, &payroll_b)
        .await
        .assert_problem(404, "not-found");
    app.get(&this_week, &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.get(
        &format!("{preview}?first_day={}", week.first_day + Duration::days(1)),
        &payroll,
    )
    .await
    .assert_problem(422, "validation-error");
    let garbled = app
        .get(&format!("{preview}?first_day=soon"), &payroll)
        .await;
    assert!(garbled.status.is_client_error(), "{}", garbled.body);

    // The periods to pick from, newest first; none closed yet.
    let periods = app
        .get(
            &format!("/api/v1/organisations/{}/pay-periods", a.id),
            &payroll,
        )
        .await;
    assert_eq!(periods.status, StatusCode::OK, "{}", periods.body);
    let listed = periods.body.as_array().unwrap();
    assert_eq!(listed[0]["ended"], false);
    assert!(listed
        .iter()
        .any(|p| p["first_day"] == json!(week.first_day) && p["pay_run_id"].is_null()));

    // An empty period is refused, and nothing is closed.
    let runs = format!("/api/v1/organisations/{}/pay-runs", a.id);
    app.post(
        &runs,
        &payroll,
        json!({"first_day": week.first_day - Duration::days(7)}),
    )
    .await
    .assert_problem(409, "pay-run-empty");
    assert_eq!(app.get(&runs, &payroll).await.body, json!([]));

    // Closed, then read back itemised; the preview now points at the run.
    let closed = app
        .post(&runs, &payroll, json!({"first_day": week.first_day}))
        .await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.body);
    let id = closed.body["id"].as_str().unwrap();
    let run = app.get(&format!("/api/v1/pay-runs/{id}"), &payroll).await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(run.body["run"]["total_pence"], json!(amount));
    assert_eq!(run.body["worker_count"], 1);
    let paid = &run.body["workers"][0]["lines"][0];
    assert_eq!(paid["id"], line["id"]);
    assert_eq!(paid["explanation"], line["explanation"]);
    assert_eq!(paid["pay_run_id"], json!(id));
    app.get(&format!("/api/v1/pay-runs/{id}"), &payroll_b)
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/pay-runs/{id}"), &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/pay-runs/{}", Uuid::new_v4()), &payroll)
        .await
        .assert_problem(404, "not-found");
    let after = app.get(&this_week, &payroll).await;
    assert_eq!(after.body["period"]["pay_run_id"], json!(id));
    assert_eq!(after.body["workers"], json!([]));
}
