//! Agency spend against a trust's cap: releases carry a rate and cost rate x hours x places; the
//! spend report adds up by week, ward and staff group with a forecast; the default cap is 85% of
//! the baseline; over the cap a release needs a reason; only the trust's bank office sees it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, Trust};

crate::both_backends!(
    spend_adds_up_by_week_ward_and_staff_group_with_a_forecast,
    the_default_cap_is_85_percent_of_the_baseline,
    over_the_cap_a_release_needs_a_reason_and_a_refused_one_changes_nothing,
    releases_at_the_same_moment_never_share_the_headroom,
    only_the_trusts_bank_office_sees_its_agency_spend,
);

/// A shift the test released, with what it computed the release costs.
struct Released {
    starts_at: DateTime<Utc>,
    cost: i64,
    group: &'static str,
}

/// Posts a shift of `group` (`nursing_and_midwifery` or `healthcare_support`).
async fn post(
    app: &TestApp,
    trust: &Trust,
    ahead: i64,
    hours: i64,
    places: i64,
    group: &str,
) -> String {
    let start = Utc::now() + Duration::hours(ahead);
    let end = start + Duration::hours(hours);
    let (min, max) = if group == "healthcare_support" {
        ("band_2", "band_3")
    } else {
        ("band_5", "band_6")
    };
    let reply = app
        .post(
            "/api/v1/shifts",
            &trust.booker,
            json!({"shifts": [{"ward_id": trust.ward, "bank_id": trust.bank, "role": "Nurse",
                "staff_group": group, "grade_min": min, "grade_max": max,
                "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(), "places": places}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body[0]["id"].as_str().unwrap().to_owned()
}

async fn release(
    app: &TestApp,
    trust: &Trust,
    shift: &str,
    rate: i64,
    over: Option<&str>,
) -> crate::helpers::Reply {
    let mut body = json!({"reason": "No bank staff after two hours", "rate_pence": rate,
        "agency_name": "Medics Direct"});
    if let Some(why) = over {
        body["over_cap_reason"] = json!(why);
    }
    app.post(
        &format!("/api/v1/shifts/{shift}/agency-release"),
        &trust.booker,
        body,
    )
    .await
}

/// Posts and releases a shift; the cost is worked out here as rate x hours x places.
#[allow(clippy::too_many_arguments)]
async fn released(
    app: &TestApp,
    trust: &Trust,
    ahead: i64,
    hours: i64,
    places: i64,
    rate: i64,
    group: &'static str,
) -> Released {
    let shift = post(app, trust, ahead, hours, places, group).await;
    let reply = release(app, trust, &shift, rate, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let starts_at = reply.body["starts_at"].as_str().unwrap().parse().unwrap();
    Released {
        starts_at,
        cost: rate * hours * places,
        group,
    }
}

fn uk_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

async fn spend(app: &TestApp, trust: &Trust, token: &str, from: NaiveDate, to: NaiveDate) -> Value {
    let reply = app
        .get(
            &format!(
                "/api/v1/trusts/{}/agency-spend?from={from}&to={to}",
                trust.id
            ),
            token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn put_cap(app: &TestApp, trust: &Trust, token: &str, body: Value) -> crate::helpers::Reply {
    app.call(
        Method::PUT,
        &format!("/api/v1/trusts/{}/agency-cap", trust.id),
        Some(token),
        Some(body),
    )
    .await
}

async fn spend_adds_up_by_week_ward_and_staff_group_with_a_forecast(app: TestApp) {
    let trust = app.trust("RXL").await;
    let shifts = [
        released(&app, &trust, 30, 12, 2, 6_000, "nursing_and_midwifery").await,
        released(&app, &trust, 50, 8, 1, 4_550, "healthcare_support").await,
        // The large one starts in the second week and is still to come at the end.
        released(&app, &trust, 200, 12, 5, 9_999, "nursing_and_midwifery").await,
    ];
    let from = uk_day(Utc::now()) - Duration::days(1);
    let to = from + Duration::days(13);
    let cap = 2_000_000;
    let set = put_cap(
        &app,
        &trust,
        &trust.booker,
        json!({"from": from, "to": to, "cap_pence": cap}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["basis"], "figure");
    assert_eq!(set.body["set"], true);

    let total: i64 = shifts.iter().map(|s| s.cost).sum();
    let report = spend(&app, &trust, &trust.booker, from, to).await;
    assert_eq!(report["cap"]["cap_pence"], cap);
    assert_eq!(report["spend_pence"], total);
    assert_eq!(report["spent_pence"], 0);
    assert_eq!(report["committed_pence"], total);
    assert_eq!(report["headroom_pence"], cap - total);
    assert_eq!(report["percent_of_cap"], total * 100 / cap);
    assert_eq!(report["fills"], 3);
    // Week by week: each shift in the week holding its UK start day.
    let weeks = report["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 2);
    let mut cumulative = 0;
    for week in weeks {
        let first: NaiveDate = week["week_from"].as_str().unwrap().parse().unwrap();
        let expected: i64 = shifts
            .iter()
            .filter(|s| {
                uk_day(s.starts_at) >= first && uk_day(s.starts_at) < first + Duration::days(7)
            })
            .map(|s| s.cost)
            .sum();
        cumulative += expected;
        assert_eq!(week["spend_pence"], expected, "{week}");
        assert_eq!(week["cumulative_pence"], cumulative);
    }
    assert_eq!(cumulative, total);
    // One ward holds it all; staff groups split it.
    assert_eq!(report["by_ward"][0]["key"], trust.ward);
    assert_eq!(report["by_ward"][0]["spend_pence"], total);
    for group in ["nursing_and_midwifery", "healthcare_support"] {
        let expected: i64 = shifts
            .iter()
            .filter(|s| s.group == group)
            .map(|s| s.cost)
            .sum();
        let part = report["by_staff_group"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == group)
            .unwrap();
        assert_eq!(part["spend_pence"], expected);
    }

    // Once the first two have started: they are spent, the third committed. The committed
    // fill is more than the run-rate would bring in the week or so left, so it is the forecast.
    app.advance(Duration::hours(60));
    let report = spend(&app, &trust, &trust.booker, from, to).await;
    let spent = shifts[0].cost + shifts[1].cost;
    assert_eq!(report["spent_pence"], spent);
    assert_eq!(report["committed_pence"], shifts[2].cost);
    assert_eq!(report["forecast"]["recent_pence"], spent);
    let remaining = report["forecast"]["remaining_days"].as_i64().unwrap();
    assert!(spent * remaining / 28 < shifts[2].cost);
    assert_eq!(report["forecast"]["forecast_pence"], total);
    assert_eq!(report["forecast"]["over_cap"], false);

    // The CSV says the same.
    let csv = app
        .http
        .get(format!(
            "{}/api/v1/trusts/{}/agency-spend.csv?from={from}&to={to}",
            app.base, trust.id
        ))
        .bearer_auth(&trust.booker)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("Section,Item,Fills,Pence\r\n"), "{text}");
    assert!(
        text.contains(&format!("Summary,Spent,3,{spent}\r\n")),
        "{text}"
    );
    assert!(text.contains(&format!("Summary,Cap,,{cap}\r\n")), "{text}");

    // A rate must be positive and sane.
    let more = post(&app, &trust, 100, 8, 1, "nursing_and_midwifery").await;
    for rate in [0, -100, 50_001] {
        release(&app, &trust, &more, rate, None)
            .await
            .assert_problem(422, "validation-error");
    }
    let missing = app
        .post(
            &format!("/api/v1/shifts/{more}/agency-release"),
            &trust.booker,
            json!({"reason": "No one"}),
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
}

async fn the_default_cap_is_85_percent_of_the_baseline(app: TestApp) {
    let trust = app.trust("RXL").await;
    let fresh = app.trust("RXN").await;
    // Nothing spent before: no cap to cut from.
    let none = app
        .get(
            &format!("/api/v1/trusts/{}/agency-cap", fresh.id),
            &fresh.booker,
        )
        .await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.body);
    assert_eq!(none.body["basis"], "none");
    assert_eq!(none.body["set"], false);
    assert!(none.body["cap_pence"].is_null());

    let today = uk_day(Utc::now());
    let a = released(&app, &trust, 30, 12, 1, 7_001, "nursing_and_midwifery").await;
    let b = released(&app, &trust, 55, 10, 3, 6_333, "nursing_and_midwifery").await;
    let baseline_spend = a.cost + b.cost;
    let expected_cap = baseline_spend * 85 / 100;
    app.advance(Duration::days(20));

    // The period after: its baseline is the 14 days before it, which hold both shifts.
    let from = today + Duration::days(10);
    let to = from + Duration::days(13);
    let report = spend(&app, &trust, &trust.booker, from, to).await;
    assert_eq!(report["cap"]["set"], false);
    assert_eq!(report["cap"]["basis"], "percent_of_baseline");
    assert_eq!(report["cap"]["default_percent"], 85);
    assert_eq!(
        report["cap"]["baseline"]["from"],
        (from - Duration::days(14)).to_string()
    );
    assert_eq!(
        report["cap"]["baseline"]["to"],
        (from - Duration::days(1)).to_string()
    );
    assert_eq!(report["cap"]["baseline"]["named"], false);
    assert_eq!(report["cap"]["baseline"]["spend_pence"], baseline_spend);
    assert_eq!(report["cap"]["cap_pence"], expected_cap);
    assert_eq!(report["spend_pence"], 0);
    assert_eq!(report["headroom_pence"], expected_cap);

    // A named baseline holding only the first shift's day.
    let named_from = uk_day(a.starts_at);
    let set = put_cap(
        &app,
        &trust,
        &trust.booker,
        json!({"from": from, "to": to, "baseline_from": named_from, "baseline_to": named_from}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["set"], true);
    assert_eq!(set.body["basis"], "percent_of_baseline");
    assert_eq!(set.body["baseline"]["named"], true);
    let on_day: i64 = [&a, &b]
        .iter()
        .filter(|s| uk_day(s.starts_at) == named_from)
        .map(|s| s.cost)
        .sum();
    assert_eq!(set.body["baseline"]["spend_pence"], on_day);
    assert_eq!(set.body["cap_pence"], on_day * 85 / 100);
    let read = app
        .get(
            &format!("/api/v1/trusts/{}/agency-cap", trust.id),
            &trust.booker,
        )
        .await;
    assert_eq!(read.body["from"], from.to_string());
    assert_eq!(read.body["cap_pence"], on_day * 85 / 100);
    assert_eq!(app.ledger_entries("agency_cap.set").await.len(), 1);

    // Bad periods and figures are refused, naming the field.
    for (body, field) in [
        (json!({"from": to, "to": from}), "to"),
        (
            json!({"from": from, "to": from + Duration::days(400)}),
            "to",
        ),
        (
            json!({"from": from, "to": to, "cap_pence": -1}),
            "cap_pence",
        ),
        (
            json!({"from": from, "to": to, "baseline_from": from, "baseline_to": to}),
            "baseline_to",
        ),
    ] {
        let refused = put_cap(&app, &trust, &trust.booker, body).await;
        refused.assert_problem(422, "validation-error");
        assert!(refused.body.to_string().contains(field), "{}", refused.body);
    }
}

async fn over_the_cap_a_release_needs_a_reason_and_a_refused_one_changes_nothing(app: TestApp) {
    let trust = app.trust("RXL").await;
    let today = uk_day(Utc::now());
    let (from, to) = (today - Duration::days(1), today + Duration::days(30));
    let cap = 100_000;
    let set = put_cap(
        &app,
        &trust,
        &trust.booker,
        json!({"from": from, "to": to, "cap_pence": cap}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let first = released(&app, &trust, 30, 12, 1, 5_000, "nursing_and_midwifery").await;
    assert_eq!(first.cost, 60_000);

    let second = post(&app, &trust, 60, 12, 1, "nursing_and_midwifery").await;
    let quote = app
        .get(
            &format!("/api/v1/shifts/{second}/agency-quote?rate_pence=5000"),
            &trust.booker,
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.body);
    assert_eq!(quote.body["cost_pence"], 60_000);
    assert_eq!(quote.body["places"], 1);
    assert_eq!(quote.body["paid_minutes"], 720);
    assert_eq!(quote.body["headroom_before_pence"], cap - 60_000);
    assert_eq!(quote.body["headroom_after_pence"], cap - 120_000);
    assert_eq!(quote.body["over_cap"], true);

    let before = spend(&app, &trust, &trust.booker, from, to).await;
    let refused = release(&app, &trust, &second, 5_000, None).await;
    refused.assert_problem(422, "over-agency-cap");
    let blank = release(&app, &trust, &second, 5_000, Some("   ")).await;
    blank.assert_problem(422, "over-agency-cap");
    let shift = app
        .get(&format!("/api/v1/shifts/{second}"), &trust.booker)
        .await;
    assert!(shift.body["agency_at"].is_null(), "{}", shift.body);
    assert_eq!(spend(&app, &trust, &trust.booker, from, to).await, before);
    assert!(app
        .ledger_entries("shift.break_glass_over_cap")
        .await
        .is_empty());

    let why = "Two nurses off sick on ITU; patient safety";
    let done = release(&app, &trust, &second, 5_000, Some(why)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let after = spend(&app, &trust, &trust.booker, from, to).await;
    assert_eq!(after["spend_pence"], 120_000);
    assert_eq!(after["headroom_pence"], cap - 120_000);
    let over = app.ledger_entries("shift.break_glass_over_cap").await;
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["facts"]["over_cap"]["reason"], why);
    assert_eq!(over[0]["facts"]["cost_pence"], 60_000);
    assert_eq!(over[0]["facts"]["rate_pence"], 5_000);
    // Within the cap, the ordinary entry.
    assert_eq!(app.ledger_entries("shift.break_glass").await.len(), 1);
}

/// Headroom for one release: several sent at once, each fitting on its own, and exactly one goes
/// ahead without a reason; the rest are refused as over the cap and change nothing.
async fn releases_at_the_same_moment_never_share_the_headroom(app: TestApp) {
    let trust = app.trust("RXL").await;
    let today = uk_day(Utc::now());
    let (from, to) = (today - Duration::days(1), today + Duration::days(30));
    // Each release costs £50 x 12 h = £600.00; the cap leaves room for one and a half.
    let cap = 90_000;
    let set = put_cap(
        &app,
        &trust,
        &trust.booker,
        json!({"from": from, "to": to, "cap_pence": cap}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let mut shifts = Vec::new();
    for i in 0..4 {
        shifts.push(post(&app, &trust, 30 + 20 * i, 12, 1, "nursing_and_midwifery").await);
    }
    let replies =
        futures::future::join_all(shifts.iter().map(|s| release(&app, &trust, s, 5_000, None)))
            .await;
    let done = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(
        done,
        1,
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for refused in replies.iter().filter(|r| r.status != StatusCode::OK) {
        refused.assert_problem(422, "over-agency-cap");
    }
    let after = spend(&app, &trust, &trust.booker, from, to).await;
    assert_eq!(after["spend_pence"], 60_000);
    assert_eq!(after["headroom_pence"], cap - 60_000);
    assert_eq!(app.ledger_entries("shift.break_glass").await.len(), 1);
}

async fn only_the_trusts_bank_office_sees_its_agency_spend(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let shift = post(&app, &a, 30, 8, 1, "nursing_and_midwifery").await;
    let paths = [
        format!("/api/v1/trusts/{}/agency-cap", a.id),
        format!("/api/v1/trusts/{}/agency-spend", a.id),
        format!("/api/v1/trusts/{}/agency-spend.csv", a.id),
        format!("/api/v1/shifts/{shift}/agency-quote?rate_pence=5000"),
    ];
    let worker = app.worker("w@agency.test", &[&a.bank]).await;
    for path in &paths {
        app.get(path, &b.booker)
            .await
            .assert_problem(404, "not-found");
        app.get(path, &worker)
            .await
            .assert_problem(404, "not-found");
        let own = app.get(path, &a.booker).await;
        assert_eq!(own.status, StatusCode::OK, "{path}: {}", own.body);
    }
    put_cap(
        &app,
        &a,
        &b.booker,
        json!({"from": "2026-04-01", "to": "2027-03-31", "cap_pence": 5}),
    )
    .await
    .assert_problem(404, "not-found");
    // Platform admins may read and set it.
    let admin = app.get(&paths[1], &app.admin).await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.body);
    let set = put_cap(
        &app,
        &a,
        &app.admin,
        json!({"from": "2026-04-01", "to": "2027-03-31", "cap_pence": 5}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    // Another trust's booker cannot release its shift either.
    release(&app, &b, &shift, 5_000, Some("no"))
        .await
        .assert_problem(404, "not-found");
}
