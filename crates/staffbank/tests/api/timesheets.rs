//! Timesheets over HTTP: a worker states the hours of a shift once it has started (an overrun
//! with its reason, breaks, a missing break flagged), submits, and the ward's manager approves,
//! which pays the shift once, at the rate the pay engine works out; nobody else sees or decides
//! it, and a second approval pays nothing.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use staffbank_domain::pay::{pay, Worked};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::{Grade, OrgId};
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(a_timesheet_is_stated_submitted_and_paid_once);

async fn ward_manager(app: &TestApp, email: &str, org: &str) -> String {
    let org = OrgId(Uuid::parse_str(org).unwrap());
    app.user_with_session(
        email,
        vec![Grant {
            role: Role::WardManager,
            scope: Scope::Organisation(org),
        }],
    )
    .await
}

async fn put(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
    token: &str,
) -> crate::helpers::Reply {
    app.call(reqwest::Method::PUT, path, Some(token), Some(body))
        .await
}

async fn a_timesheet_is_stated_submitted_and_paid_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let manager = ward_manager(&app, "wm@a.test", &a.id).await;
    let elsewhere = ward_manager(&app, "wm@b.test", &b.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("other@a.test", &[&a.bank]).await;
    let shift = app.shift(&a, &a.bank, 24, 8, 1).await;
    let booked = app.book(&nurse, &shift, "k1").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    let start_path = format!("/api/v1/bookings/{booking}/timesheet");

    // Not before the shift starts; then once, for the booked worker only.
    app.post(&start_path, &nurse, json!({}))
        .await
        .assert_problem(422, "validation-error");
    app.advance(Duration::hours(33));
    let started = app.post(&start_path, &nurse, json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let id = started.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(&start_path, &nurse, json!({})).await.body["id"],
        json!(id)
    );
    app.post(&start_path, &other, json!({}))
        .await
        .assert_problem(404, "not-found");

    // Hours: an overrun needs its reason; eight and a half hours with no break is flagged.
    let booked_start: DateTime<Utc> =
        serde_json::from_value(started.body["start"].clone()).unwrap();
    let booked_end: DateTime<Utc> = serde_json::from_value(started.body["end"].clone()).unwrap();
    let late = booked_end + Duration::minutes(30);
    let hours = format!("/api/v1/timesheets/{id}/hours");
    let stated = |reason: Option<&str>, breaks: serde_json::Value| {
        json!({"start": booked_start.to_rfc3339(), "end": late.to_rfc3339(),
            "breaks": breaks, "overrun_reason": reason})
    };
    let refused = put(&app, &hours, stated(None, json!([])), &nurse).await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(refused.body["errors"][0]["field"], "overrun_reason");
    let flagged = put(
        &app,
        &hours,
        stated(Some("Handover ran late"), json!([])),
        &nurse,
    )
    .await;
    assert_eq!(flagged.status, StatusCode::OK, "{}", flagged.body);
    assert!(flagged.body["warnings"][0]
        .as_str()
        .unwrap()
        .contains("regulation 12"));
    let lunch = booked_start + Duration::hours(4);
    let with_break =
        json!([{"start": lunch.to_rfc3339(), "end": (lunch + Duration::minutes(30)).to_rfc3339()}]);
    let fine = put(
        &app,
        &hours,
        stated(Some("Handover ran late"), with_break),
        &nurse,
    )
    .await;
    assert_eq!(fine.body["warnings"], json!([]), "{}", fine.body);
    put(&app, &hours, stated(Some("x"), json!([])), &other)
        .await
        .assert_problem(404, "not-found");

    // Submitted: no more edits; only this trust's ward manager decides.
    let submitted = app
        .post(
            &format!("/api/v1/timesheets/{id}/submit"),
            &nurse,
            json!({}),
        )
        .await;
    assert_eq!(submitted.body["state"], "submitted", "{}", submitted.body);
    put(&app, &hours, stated(Some("Later still"), json!([])), &nurse)
        .await
        .assert_problem(409, "request-decided");
    let queue = app.get("/api/v1/timesheets", &manager).await;
    assert_eq!(queue.body.as_array().unwrap().len(), 1, "{}", queue.body);
    assert_eq!(
        app.get("/api/v1/timesheets", &elsewhere).await.body,
        json!([])
    );
    app.get("/api/v1/timesheets", &nurse)
        .await
        .assert_problem(403, "forbidden");
    let decide = format!("/api/v1/timesheets/{id}/decision");
    app.post(&decide, &elsewhere, json!({"decision": "approve"}))
        .await
        .assert_problem(404, "not-found");
    app.post(&decide, &nurse, json!({"decision": "approve"}))
        .await
        .assert_problem(404, "not-found");
    app.post(&decide, &manager, json!({"decision": "query"}))
        .await
        .assert_problem(422, "validation-error");

    // Approved: paid once, at what the pay engine works out for the stated hours.
    let approved = app
        .post(&decide, &manager, json!({"decision": "approve"}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let expected = pay(
        &Worked {
            grade: Grade::parse("band_5").unwrap(),
            pay_point: 1,
            start: booked_start,
            end: late,
            breaks: vec![(lunch, lunch + Duration::minutes(30))],
            premium: staffbank_domain::pay::Premium::none(),
        },
        staffbank_app::timesheets::default_pay_rules().unwrap(),
    )
    .unwrap();
    assert_eq!(
        approved.body["pay_line"]["amount_pence"],
        json!(expected.total.0)
    );
    assert!(
        expected.total.0 >= 8 * 1588,
        "at least eight hours at £15.88"
    );
    app.post(&decide, &manager, json!({"decision": "approve"}))
        .await
        .assert_problem(409, "request-decided");
    let lines = app.get("/api/v1/me/pay-lines", &nurse).await;
    assert_eq!(lines.body.as_array().unwrap().len(), 1, "{}", lines.body);
    assert!(lines.body[0]["explanation"].as_array().unwrap().len() >= 2);
    assert_eq!(
        app.get("/api/v1/me/pay-lines", &other).await.body,
        json!([])
    );
}
