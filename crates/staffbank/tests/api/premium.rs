//! A bank's discretionary premium over HTTP: within the trust's cap a booker sets it freely;
//! above the cap only by breaking glass with a reason, which the ledger keeps; a premium only
//! ever rises; the worker is paid it on top of the base rate; no other trust can touch it.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_domain::role::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, Trust};

crate::both_backends!(
    a_premium_is_capped_unless_glass_is_broken_and_is_paid,
    the_pay_engine_pays_a_premium_only_within_the_cap_it_was_agreed_under,
);

/// One band 5-6 nursing shift a day from now, eight hours long, with `extra` fields.
fn posting(trust: &Trust, extra: Value) -> Value {
    let start = Utc::now() + Duration::hours(24);
    let mut shift = json!({"ward_id": trust.ward, "bank_id": trust.bank, "role": "Staff nurse",
        "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_6",
        "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(8)).to_rfc3339()});
    for (key, value) in extra.as_object().unwrap() {
        shift[key] = value.clone();
    }
    json!({ "shifts": [shift] })
}

async fn posted_count(app: &TestApp, trust: &Trust) -> usize {
    let listed = app.get("/api/v1/shifts", &trust.booker).await;
    listed.body["items"].as_array().unwrap().len()
}

async fn a_premium_is_capped_unless_glass_is_broken_and_is_paid(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;

    // Above the trust's 35% cap without a reason, or beyond 200% at all: refused, nothing posted.
    let over = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            posting(&a, json!({"premium_percent": 36})),
        )
        .await;
    over.assert_problem(422, "validation-error");
    assert_eq!(
        over.body["errors"][0]["field"],
        "shifts[0].premium_override_reason"
    );
    assert!(over.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("above the cap of 35%"));
    for bad in [json!(-1), json!(201)] {
        let refused = app
            .post(
                "/api/v1/shifts",
                &a.booker,
                posting(
                    &a,
                    json!({"premium_percent": bad, "premium_override_reason": "x"}),
                ),
            )
            .await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(
            refused.body["errors"][0]["field"],
            "shifts[0].premium_percent"
        );
    }
    assert_eq!(posted_count(&app, &a).await, 0);
    assert!(app
        .ledger_entries("shift.premium_override")
        .await
        .is_empty());

    // At the cap it needs no reason; above it, a reason breaks glass and the ledger keeps it.
    let capped = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            posting(&a, json!({"premium_percent": 35})),
        )
        .await;
    assert_eq!(capped.status, StatusCode::CREATED, "{}", capped.body);
    assert_eq!(capped.body[0]["premium_percent"], 35);
    let reason = "Third release unfilled; ICU short of two nurses";
    let glass = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            posting(
                &a,
                json!({"premium_percent": 50, "premium_override_reason": reason}),
            ),
        )
        .await;
    assert_eq!(glass.status, StatusCode::CREATED, "{}", glass.body);
    let overrides = app.ledger_entries("shift.premium_override").await;
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    assert_eq!(overrides[0]["facts"]["reason"], reason);
    assert_eq!(overrides[0]["facts"]["premium_percent"], 50);
    assert_eq!(overrides[0]["facts"]["cap_percent"], 35);
    assert_eq!(overrides[0]["facts"]["shift"], glass.body[0]["id"]);

    // Raising: only the shift's own bookers, only upwards, above the cap only with a reason.
    let shift = app.shift(&a, &a.bank, 24, 8, 1).await;
    let premium = format!("/api/v1/shifts/{shift}/premium");
    let raise = |token: &str, body: Value| {
        let token = token.to_owned();
        let path = premium.clone();
        let app = &app;
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    raise(&b.booker, json!({"premium_percent": 20}))
        .await
        .assert_problem(404, "not-found");
    raise(&nurse, json!({"premium_percent": 20}))
        .await
        .assert_problem(404, "not-found");
    let raised = raise(&a.booker, json!({"premium_percent": 20})).await;
    assert_eq!(raised.status, StatusCode::OK, "{}", raised.body);
    assert_eq!(raised.body["premium_percent"], 20);
    raise(&a.booker, json!({"premium_percent": 20}))
        .await
        .assert_problem(409, "premium-not-raised");
    raise(&a.booker, json!({"premium_percent": 10}))
        .await
        .assert_problem(409, "premium-not-raised");
    raise(&a.booker, json!({"premium_percent": 60}))
        .await
        .assert_problem(422, "validation-error");
    raise(&a.booker, json!({"premium_percent": "lots"}))
        .await
        .assert_problem(422, "validation-error");
    let glass = raise(
        &a.booker,
        json!({"premium_percent": 60, "premium_override_reason": reason}),
    )
    .await;
    assert_eq!(glass.status, StatusCode::OK, "{}", glass.body);
    assert_eq!(app.ledger_entries("shift.premium_override").await.len(), 2);
    assert_eq!(app.ledger_entries("shift.premium_raised").await.len(), 2);
    let seen = app.get(&format!("/api/v1/shifts/{shift}"), &nurse).await;
    assert_eq!(
        seen.body["premium_percent"], 60,
        "the worker sees the premium"
    );

    // Worked and approved: the premium is paid on the base rate for every hour, beside any
    // enhancement. A band 5 nurse at the entry point is paid £15.88 an hour (AfC 2025/26), so
    // 60% for eight hours is 1588 × 8 × 0.6 = 7622.4 pence, shown as £76.22.
    let booked = app.book(&nurse, &shift, &Uuid::new_v4().to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    app.advance(Duration::hours(33));
    app.call(
        Method::PUT,
        &premium,
        Some(&a.booker),
        Some(json!({"premium_percent": 70})),
    )
    .await
    .assert_problem(409, "shift-started");
    let approved = app.work_and_approve(&booking, &nurse, &manager).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let rows: Vec<&str> = approved.body["pay_line"]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    // Every row's amount is its last figure; the rows before the closing one add up to the
    // line's total to the penny.
    let pence = |row: &str| -> i64 {
        let figure = row
            .rsplit("£")
            .next()
            .unwrap()
            .trim_end_matches(|c: char| !c.is_ascii_digit());
        let figure: String = figure
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let (pounds, p) = figure.split_once('.').unwrap();
        pounds.parse::<i64>().unwrap() * 100 + p.parse::<i64>().unwrap()
    };
    let (closing, items) = rows.split_last().unwrap();
    assert_eq!(
        items.iter().map(|r| pence(r)).sum::<i64>(),
        approved.body["pay_line"]["amount_pence"].as_i64().unwrap(),
        "{rows:?}"
    );
    assert!(closing.starts_with("Base rate £15.88/h"), "{rows:?}");
    // The premium is 60% of £15.88 for every hour paid: the shift's ends are read from the
    // clock a moment apart, so it is a moment under 8 hours (shown as 7h 59m), and 1588 x 0.6
    // x 8 = 7622.4 pence, shown within a penny.
    let premium = items
        .iter()
        .find(|r| r.starts_with("Premium: 60% of £15.88/h for 7h 59m"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!((pence(premium) * 10 - 76_224).abs() <= 15, "{premium}");
}

/// The pay engine itself judges the premium: one agreed within the cap is paid even after the
/// trust lowers its cap, and one that reached the records without an override (written straight
/// into the database) is refused at approval, with nothing paid.
async fn the_pay_engine_pays_a_premium_only_within_the_cap_it_was_agreed_under(app: TestApp) {
    let a = app.trust("RXL").await;
    let manager = app.staff("wm@a.test", Role::WardManager, &a).await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let posted = |hours: i64| {
        let start = Utc::now() + Duration::hours(hours);
        json!({"shifts": [{"ward_id": a.ward, "bank_id": a.bank, "role": "Staff nurse",
            "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_6",
            "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(8)).to_rfc3339(),
            "premium_percent": 30}]})
    };
    let mut bookings = Vec::new();
    for hours in [24, 48] {
        let shift = app.post("/api/v1/shifts", &a.booker, posted(hours)).await;
        assert_eq!(shift.status, StatusCode::CREATED, "{}", shift.body);
        let id = shift.body[0]["id"].as_str().unwrap().to_owned();
        let booked = app.book(&nurse, &id, &Uuid::new_v4().to_string()).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        bookings.push((id, booked.body["id"].as_str().unwrap().to_owned()));
    }

    // The trust lowers its cap to 20% after agreeing 30%.
    let settings = format!("/api/v1/organisations/{}/pay-settings", a.id);
    let mut lowered = app.get(&settings, &payroll).await.body;
    lowered["premium_cap"] = json!(20);
    let put = app
        .call(Method::PUT, &settings, Some(&payroll), Some(lowered))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    // And someone with database access raises the second shift's premium to 90%, no override.
    // (The later of the two shifts: ids are stored differently by each database.)
    app.sql(
        "UPDATE shifts SET premium_percent = 90 \
         WHERE starts_at = (SELECT MAX(starts_at) FROM shifts)",
    )
    .await;
    let seen = app
        .get(&format!("/api/v1/shifts/{}", bookings[1].0), &a.booker)
        .await;
    assert_eq!(seen.body["premium_percent"], 90, "{}", seen.body);

    app.advance(Duration::hours(57));
    let promised = app.work_and_approve(&bookings[0].1, &nurse, &manager).await;
    assert_eq!(promised.status, StatusCode::OK, "{}", promised.body);
    let rows = promised.body["pay_line"]["explanation"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r.as_str().unwrap().starts_with("Premium: 30% of £15.88/h")),
        "{rows:?}"
    );
    let tampered = app.work_and_approve(&bookings[1].1, &nurse, &manager).await;
    tampered.assert_problem(422, "validation-error");
    assert!(
        tampered.body.to_string().contains("above the cap of 35%"),
        "{}",
        tampered.body
    );
    let worker = app.worker_id(&nurse).await;
    let lines = app.store.pay_lines_of(worker).await.unwrap();
    assert_eq!(
        lines.len(),
        1,
        "only the promised premium is paid: {lines:?}"
    );
}
