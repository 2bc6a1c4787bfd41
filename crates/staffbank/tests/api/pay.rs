//! Pay over HTTP: a trust's payroll officer sets its pay settings and corrects an approved
//! timesheet with a new line; the worker draws an advance within the trust's share; closing the
//! week's run takes the pay, the correction and the advance once, and the exporter delivers one
//! file that adds up; the worker's payslip and total rewards show it; no other trust sees any of
//! it.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2_reference::{Digest, Sha256};
use staffbank_domain::pay::PayPeriod;
use staffbank_domain::role::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, Trust};

crate::both_backends!(
    a_week_is_paid_once_with_corrections_and_advances,
    a_late_cancellation_by_the_trust_is_paid_as_the_shift_would_be,
    a_bank_pays_by_its_own_rate_card,
    payroll_corrects_a_pay_point_to_one_the_card_has
);

/// Books, works, submits and approves an eight-hour shift starting in a day; the approved pay
/// line's amount.
pub(crate) async fn approved_shift(
    app: &TestApp,
    trust: &Trust,
    nurse: &str,
    manager: &str,
) -> (String, i64) {
    let shift = app.shift(trust, &trust.bank, 24, 8, 1).await;
    let booked = app.book(nurse, &shift, &Uuid::new_v4().to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    app.advance(Duration::hours(33));
    let approved = app.work_and_approve(&booking, nurse, manager).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    (
        approved.body["timesheet"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        approved.body["pay_line"]["amount_pence"].as_i64().unwrap(),
    )
}

async fn a_week_is_paid_once_with_corrections_and_advances(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let payroll_b = app.staff("pay@b.test", Role::PayrollOfficer, &b).await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;

    // Settings: checked, set by this trust's payroll officer only.
    let settings = format!("/api/v1/organisations/{}/pay-settings", a.id);
    let defaults = app.get(&settings, &payroll).await;
    assert_eq!(defaults.body["period_weeks"], 1, "{}", defaults.body);
    assert_eq!(defaults.body["premium_cap"], 35);
    let mut changed = defaults.body.clone();
    changed["period_weeks"] = json!(3);
    app.call(
        reqwest::Method::PUT,
        &settings,
        Some(&payroll),
        Some(changed.clone()),
    )
    .await
    .assert_problem(422, "validation-error");
    changed["period_weeks"] = json!(1);
    assert_eq!(defaults.body["nation"], "england-and-wales");
    changed["nation"] = json!("wales");
    app.call(
        reqwest::Method::PUT,
        &settings,
        Some(&payroll),
        Some(changed.clone()),
    )
    .await
    .assert_problem(422, "validation-error");
    changed["nation"] = json!("scotland");
    changed["rolled_up_holiday"] = json!(1207);
    changed["advance_share"] = json!(40);
    let set = app
        .call(
            reqwest::Method::PUT,
            &settings,
            Some(&payroll),
            Some(changed.clone()),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        app.get(&settings, &payroll).await.body["nation"],
        "scotland"
    );
    app.call(
        reqwest::Method::PUT,
        &settings,
        Some(&payroll_b),
        Some(changed),
    )
    .await
    .assert_problem(404, "not-found");
    app.get(&settings, &nurse)
        .await
        .assert_problem(403, "forbidden");

    // A shift worked and approved, paid with the trust's holiday pay; a correction on top.
    let (timesheet, paid) = approved_shift(&app, &a, &nurse, &manager).await;
    let week = PayPeriod::containing(app.app.now(), 1);
    let lines = app.get("/api/v1/me/pay-lines", &nurse).await;
    assert!(lines.body[0]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().to_lowercase().contains("holiday")));
    let adjust = format!("/api/v1/timesheets/{timesheet}/adjustments");
    app.post(&adjust, &payroll, json!({"amount_pence": 0, "reason": "x"}))
        .await
        .assert_problem(422, "validation-error");
    app.post(
        &adjust,
        &payroll_b,
        json!({"amount_pence": 500, "reason": "x"}),
    )
    .await
    .assert_problem(404, "not-found");
    for path in [
        adjust.clone(),
        format!("/api/v1/timesheets/{}/adjustments", Uuid::new_v4()),
    ] {
        app.post(
            &path,
            &a.booker,
            json!({"amount_pence": 500, "reason": "x"}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let corrected = app
        .post(
            &adjust,
            &payroll,
            json!({"amount_pence": 1_250, "reason": "Missed handover"}),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::CREATED, "{}", corrected.body);
    assert_eq!(corrected.body["kind"], "adjustment");

    // Earned-wage access: 40% of what is approved and unpaid, less what is drawn.
    let earnings = app.get("/api/v1/me/earnings", &nurse).await;
    let unpaid = paid + 1_250;
    assert_eq!(
        earnings.body[0]["unpaid_pence"],
        json!(unpaid),
        "{}",
        earnings.body
    );
    let available = unpaid * 40 / 100;
    assert_eq!(earnings.body[0]["available_pence"], json!(available));
    let draw = |amount: i64| json!({"org_id": a.id, "amount_pence": amount});
    app.post("/api/v1/me/advances", &nurse, draw(available + 1))
        .await
        .assert_problem(409, "advance-too-large");
    app.post("/api/v1/me/advances", &nurse, draw(-5))
        .await
        .assert_problem(422, "validation-error");
    let drawn = app.post("/api/v1/me/advances", &nurse, draw(3_000)).await;
    assert_eq!(drawn.status, StatusCode::CREATED, "{}", drawn.body);
    let earnings = app.get("/api/v1/me/earnings", &nurse).await;
    assert_eq!(
        earnings.body[0]["available_pence"],
        json!(available - 3_000)
    );

    // The run: not before the week ends; then once, taking pay, correction and advance.
    let runs = format!("/api/v1/organisations/{}/pay-runs", a.id);
    let this_week = json!({"first_day": week.first_day});
    app.post(&runs, &payroll, this_week.clone())
        .await
        .assert_problem(422, "validation-error");
    app.post(
        &runs,
        &payroll,
        json!({"first_day": week.first_day + Duration::days(1)}),
    )
    .await
    .assert_problem(422, "validation-error");
    app.advance(Duration::days(8));
    app.post(&runs, &payroll_b, this_week.clone())
        .await
        .assert_problem(404, "not-found");
    app.post(&runs, &nurse, this_week.clone())
        .await
        .assert_problem(403, "forbidden");
    let closed = app.post(&runs, &payroll, this_week.clone()).await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.body);
    assert_eq!(closed.body["lines"], 3);
    assert_eq!(closed.body["total_pence"], json!(unpaid - 3_000));
    assert_eq!(closed.body["export"], "queued");
    app.post(&runs, &payroll, this_week)
        .await
        .assert_problem(409, "pay-run-closed");
    let run_id = closed.body["id"].as_str().unwrap().to_owned();

    // Delivered once to the directory: a whole file that adds up, as the API serves it.
    let dir = std::env::temp_dir().join(format!("staffbank-payroll-{}", Uuid::new_v4()));
    let exporter = app.app.clone().with_export_target(
        staffbank_app::exports::ExportTarget::connect(dir.clone(), None)
            .await
            .unwrap(),
    );
    assert_eq!(exporter.deliver_exports().await.unwrap(), 1);
    assert_eq!(exporter.deliver_exports().await.unwrap(), 0);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let name = closed.body["file_name"].as_str().unwrap();
    assert_eq!(files, vec![name.to_owned()]);
    let file = std::fs::read_to_string(dir.join(name)).unwrap();
    let records: Vec<&str> = file.lines().collect();
    assert_eq!(records.len(), 5, "{file}");
    assert!(
        records[4].starts_with("T,") && records[4].contains(&format!(",3,,,,,{},", unpaid - 3_000))
    );
    assert!(records[3].contains(",advance_recovery,") && records[3].contains(",-3000,-30.00"));
    let listed = app.get(&runs, &payroll).await;
    assert_eq!(listed.body[0]["export"], "delivered", "{}", listed.body);
    let digest: String = Sha256::digest(file.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(listed.body[0]["sha256"], json!(digest));
    let served = app
        .http
        .get(format!("{}/api/v1/pay-runs/{run_id}/file", app.base))
        .bearer_auth(&payroll)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.text().await.unwrap(), file);
    app.get(&format!("/api/v1/pay-runs/{run_id}/file"), &payroll_b)
        .await
        .assert_problem(404, "not-found");
    // Someone who keeps no payroll gets the same answer for a real run as for none at all.
    for id in [run_id.to_string(), Uuid::new_v4().to_string()] {
        app.get(&format!("/api/v1/pay-runs/{id}/file"), &nurse)
            .await
            .assert_problem(403, "forbidden");
    }

    // The worker's payslip and total rewards.
    let slips = app.get("/api/v1/me/payslips", &nurse).await;
    assert_eq!(slips.body.as_array().unwrap().len(), 1, "{}", slips.body);
    assert_eq!(slips.body[0]["gross_pence"], json!(unpaid));
    assert_eq!(slips.body[0]["recovered_pence"], 3_000);
    assert_eq!(slips.body[0]["net_pence"], json!(unpaid - 3_000));
    assert_eq!(slips.body[0]["lines"].as_array().unwrap().len(), 2);
    let holiday = slips.body[0]["holiday_pence"].as_i64().unwrap();
    assert!(holiday > 0);
    let rewards = app.get("/api/v1/me/total-rewards", &nurse).await;
    assert_eq!(
        rewards.body["holiday_pence"],
        json!(holiday),
        "{}",
        rewards.body
    );
    assert_eq!(rewards.body["pay_pence"], json!(unpaid - holiday));
    // 23.7% of everything paid, rounded half up once.
    assert_eq!(
        rewards.body["employer_pension_pence"],
        json!((unpaid * 2370 + 5_000) / 10_000)
    );
    let earnings = app.get("/api/v1/me/earnings", &nurse).await;
    assert_eq!(
        earnings.body,
        json!([]),
        "nothing is owed once the run has paid it"
    );
    app.get("/api/v1/me/payslips", &payroll)
        .await
        .assert_problem(403, "forbidden");
    std::fs::remove_dir_all(dir).ok();
}

async fn cancel(app: &TestApp, booking: &str, token: &str) {
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            token,
            json!({"reason": "Ward closed for deep cleaning"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
}

async fn a_late_cancellation_by_the_trust_is_paid_as_the_shift_would_be(app: TestApp) {
    let a = app.trust("RXL").await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let cancelled_nurse = app.worker("cancelled@a.test", &[&a.bank]).await;
    let working_nurse = app.worker("worked@a.test", &[&a.bank]).await;

    // Cancelled by the trust with four days' notice (more than its 48 hours), or by the worker
    // inside it: nothing is owed.
    let early = app.shift(&a, &a.bank, 96, 8, 1).await;
    let booked = app.book(&cancelled_nurse, &early, "early").await;
    cancel(&app, booked.body["id"].as_str().unwrap(), &a.booker).await;
    let own = app.shift(&a, &a.bank, 60, 8, 1).await;
    let booked = app.book(&working_nurse, &own, "own").await;
    cancel(&app, booked.body["id"].as_str().unwrap(), &working_nurse).await;
    for nurse in [&cancelled_nurse, &working_nurse] {
        let lines = app.get("/api/v1/me/pay-lines", nurse).await;
        assert_eq!(lines.body, json!([]), "nothing owed: {}", lines.body);
    }

    // Two nurses book the same shift a day away; the trust cancels one of them.
    let shift = app.shift(&a, &a.bank, 24, 8, 2).await;
    let cancelled = app.book(&cancelled_nurse, &shift, "late").await;
    let worked = app.book(&working_nurse, &shift, "works").await;
    cancel(&app, cancelled.body["id"].as_str().unwrap(), &a.booker).await;
    let cancelled_at = app.app.now();
    let lines = app.get("/api/v1/me/pay-lines", &cancelled_nurse).await;
    let owed = lines.body.as_array().unwrap();
    assert_eq!(owed.len(), 1, "{}", lines.body);
    assert_eq!(owed[0]["kind"], "cancellation");
    assert_eq!(owed[0]["timesheet_id"], Value::Null);
    assert!(owed[0]["explanation"][0]
        .as_str()
        .unwrap()
        .starts_with("Cancelled by the trust"));
    let owed_pence = owed[0]["amount_pence"].as_i64().unwrap();

    // The other works it as booked: the cancelled nurse is owed exactly what she is paid.
    app.advance(Duration::hours(33));
    let approved = app
        .work_and_approve(
            worked.body["id"].as_str().unwrap(),
            &working_nurse,
            &manager,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["pay_line"]["amount_pence"], json!(owed_pence));

    // It is owed now (an advance may be drawn on it) and the next run pays it once.
    let earnings = app.get("/api/v1/me/earnings", &cancelled_nurse).await;
    assert_eq!(earnings.body[0]["unpaid_pence"], json!(owed_pence));
    let week = PayPeriod::containing(cancelled_at, 1);
    let worked_same_week = PayPeriod::containing(app.app.now(), 1) == week;
    app.advance(Duration::days(8));
    let closed = app
        .post(
            &format!("/api/v1/organisations/{}/pay-runs", a.id),
            &payroll,
            json!({"first_day": week.first_day}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.body);
    let (lines, total) = if worked_same_week {
        (2, 2 * owed_pence)
    } else {
        (1, owed_pence)
    };
    assert_eq!(closed.body["lines"], lines);
    assert_eq!(closed.body["total_pence"], json!(total));
    let file = app
        .http
        .get(format!(
            "{}/api/v1/pay-runs/{}/file",
            app.base,
            closed.body["id"].as_str().unwrap()
        ))
        .bearer_auth(&payroll)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cancellation_records: Vec<&str> = file
        .lines()
        .filter(|l| l.contains(",cancellation_payment,"))
        .collect();
    assert_eq!(cancellation_records.len(), 1, "{file}");
    assert!(cancellation_records[0].contains(owed[0]["id"].as_str().unwrap()));
    let earnings = app.get("/api/v1/me/earnings", &cancelled_nurse).await;
    assert_eq!(earnings.body, json!([]), "paid once");
}

async fn a_bank_pays_by_its_own_rate_card(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let payroll_b = app.staff("pay@b.test", Role::PayrollOfficer, &b).await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let card = format!("/api/v1/banks/{}/rate-card", a.bank);

    // Until the bank sets its own, the default card: its workers and trusts can read it.
    let default = app.get(&card, &nurse).await;
    assert_eq!(default.status, StatusCode::OK, "{}", default.body);
    assert_eq!(default.body["own"], false);
    assert_eq!(default.body["rates"]["band_5"], json!([1588, 1713, 1933]));
    app.get(&card, &payroll_b)
        .await
        .assert_problem(404, "not-found");

    // Only the payroll officers of the trust that runs the bank set it; a bad card is refused
    // field by field and changes nothing.
    let ours = json!({"name": "RXL bank rates 2026", "source": "Trust board, 1 April 2026",
        "rates": {"band_5": [2000, 2100], "band_6": [2300]}});
    let put = |token: &str, body: Value| {
        let (token, path, app) = (token.to_owned(), card.clone(), &app);
        async move {
            app.call(reqwest::Method::PUT, &path, Some(&token), Some(body))
                .await
        }
    };
    put(&nurse, ours.clone())
        .await
        .assert_problem(403, "forbidden");
    put(&payroll_b, ours.clone())
        .await
        .assert_problem(404, "not-found");
    let bad = put(
        &payroll,
        json!({"name": "x", "source": "y", "rates": {"band_5": [2100, 2000], "band_99": [1]}}),
    )
    .await;
    bad.assert_problem(422, "validation-error");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rates.band_5", "rates.band_99"]);
    assert_eq!(app.get(&card, &nurse).await.body["own"], false);
    let set = put(&payroll, ours).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["own"], true);
    let logged = app.ledger_entries("rate_card.set").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["facts"]["rates"]["band_5"], json!([2000, 2100]));

    // Pay from now on is priced by it, and says so.
    approved_shift(&app, &a, &nurse, &manager).await;
    let lines = app.get("/api/v1/me/pay-lines", &nurse).await;
    let rows = lines.body[0]["explanation"].as_array().unwrap();
    assert!(
        rows.last()
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("Base rate £20.00/h from RXL bank rates 2026;"),
        "{rows:?}"
    );
}

async fn payroll_corrects_a_pay_point_to_one_the_card_has(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let payroll_b = app.staff("pay@b.test", Role::PayrollOfficer, &b).await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let elsewhere = app.worker("nurse@b.test", &[&b.bank]).await;
    let path = |worker: staffbank_domain::WorkerId| {
        format!("/api/v1/banks/{}/members/{}/pay-point", a.bank, worker.0)
    };
    let ours = path(app.worker_id(&nurse).await);
    let put = |token: &str, path: &str, point: i64| {
        let (token, path, app) = (token.to_owned(), path.to_owned(), &app);
        async move {
            app.call(
                reqwest::Method::PUT,
                &path,
                Some(&token),
                Some(json!({ "pay_point": point })),
            )
            .await
        }
    };
    let point = || async {
        app.get("/api/v1/me", &nurse).await.body["worker"]["pay_point"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(point().await, 1);

    // Only the payroll officers of the trust that runs the bank: its booker may not, another
    // trust's payroll learns nothing, nor about a worker outside the bank.
    put(&a.booker, &ours, 3)
        .await
        .assert_problem(403, "forbidden");
    put(&payroll_b, &ours, 3)
        .await
        .assert_problem(404, "not-found");
    put(&payroll, &path(app.worker_id(&elsewhere).await), 3)
        .await
        .assert_problem(404, "not-found");
    // Band 5 has three points on the default card: a fourth, or none, is refused.
    for wrong in [4, 0] {
        let refused = put(&payroll, &ours, wrong).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.body["errors"][0]["field"], "pay_point");
    }
    assert_eq!(point().await, 1, "a refused correction changes nothing");
    assert!(app.ledger_entries("worker.pay_point").await.is_empty());

    let corrected = put(&payroll, &ours, 3).await;
    assert_eq!(
        corrected.status,
        StatusCode::NO_CONTENT,
        "{}",
        corrected.body
    );
    assert_eq!(point().await, 3);
    let logged = app.ledger_entries("worker.pay_point").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["facts"]["before"], 1);
    assert_eq!(logged[0]["facts"]["after"], 3);

    // The next shift is paid at the corrected point: band 5's top, £19.33 an hour.
    approved_shift(&app, &a, &nurse, &manager).await;
    let lines = app.get("/api/v1/me/pay-lines", &nurse).await;
    let rows = lines.body[0]["explanation"].as_array().unwrap();
    assert!(
        rows.last()
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("Base rate £19.33/h"),
        "{rows:?}"
    );
}
