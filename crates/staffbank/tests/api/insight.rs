//! The operational dashboard: its figures match what the test did (shifts posted, booked,
//! cancelled late by each side, released to agency, worked and paid), counted here
//! independently; only the trust's bank office, its bank's trusts and platform admins see it;
//! its CSV carries no names or emails.

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use reqwest::StatusCode;
use serde_json::{json, Value};
use staffbank_domain::role::Role;

use crate::helpers::{TestApp, Trust};

crate::both_backends!(
    the_dashboard_adds_up_what_happened,
    only_the_trust_its_banks_trusts_and_platform_admins_see_it,
);

fn today() -> NaiveDate {
    Utc::now().with_timezone(&London).date_naive()
}

fn span() -> String {
    let from = today() - Duration::days(1);
    format!("from={from}&to={}", from + Duration::days(13))
}

async fn cancel(app: &TestApp, token: &str, booking: &str) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            token,
            json!({"reason": "Plans changed"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn booked(app: &TestApp, nurse: &str, shift: &str, key: &str) -> String {
    let reply = app.book(nurse, shift, key).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn dashboard(app: &TestApp, trust: &Trust, token: &str) -> Value {
    let reply = app
        .get(
            &format!("/api/v1/trusts/{}/insight/dashboard?{}", trust.id, span()),
            token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn the_dashboard_adds_up_what_happened(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.set_policy(&trust, json!({"cancellation_notice_hours": 24}))
        .await;
    let manager = app.staff("wm@rxl.test", Role::WardManager, &trust).await;
    let nurse = app.worker("kit@nurse.test", &[&trust.bank]).await;
    let worked = app.shift(&trust, &trust.bank, 24, 8, 2).await;
    let trust_cancels = app.shift(&trust, &trust.bank, 6, 4, 1).await;
    let unfilled = app.shift(&trust, &trust.bank, 72, 8, 1).await;
    let agency = app.shift(&trust, &trust.bank, 100, 8, 1).await;
    let worker_cancels = app.shift(&trust, &trust.bank, 50, 8, 1).await;
    let _ = unfilled;

    // Three hours after posting, the nurse books three shifts.
    app.advance(Duration::hours(3));
    let to_work = booked(&app, &nurse, &worked, "a").await;
    let by_trust = booked(&app, &nurse, &trust_cancels, "b").await;
    let by_worker = booked(&app, &nurse, &worker_cancels, "c").await;
    let late = cancel(&app, &trust.booker, &by_trust).await;
    assert_eq!(late["cancellation"]["late"], true);
    let released = app
        .post(
            &format!("/api/v1/shifts/{agency}/agency-release"),
            &trust.booker,
            json!({"reason": "Nobody from the bank", "rate_pence": 6_000,
                "agency_name": "Medics Direct"}),
        )
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    app.advance(Duration::hours(30));
    let approved = app.work_and_approve(&to_work, &nurse, &manager).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let late = cancel(&app, &nurse, &by_worker).await;
    assert_eq!(late["cancellation"]["late"], true);

    // What the nurse was paid, read back from the store: worked time and the trust's late
    // cancellation.
    let worker = app.worker_id(&nurse).await;
    let lines = app.store.pay_lines_of(worker).await.unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let paid_seconds: i64 = lines.iter().map(|l| l.seconds).sum();
    let pay: i64 = lines.iter().map(|l| l.amount).sum();
    let holiday: i64 = lines.iter().map(|l| l.holiday_pay).sum();

    let d = dashboard(&app, &trust, &trust.booker).await;
    let t = &d["totals"];
    for (key, want) in [
        ("shifts_posted", 5),
        ("places", 6),
        ("filled_own_bank", 1),
        ("filled_collaborative", 0),
        ("filled_agency", 1),
        // The worked shift's second place, and the three nobody holds now.
        ("unfilled", 4),
        ("cancelled", 0),
        ("late_cancellations_worker", 1),
        ("late_cancellations_trust", 1),
        ("paid_minutes", paid_seconds / 60),
        ("pay_pence", pay - holiday),
        ("holiday_pay_pence", holiday),
        ("premium_overrides", 0),
    ] {
        assert_eq!(t[key], want, "{key}: {t}");
    }
    assert!(paid_seconds > 0 && pay > 0);
    // Pay by what it pays for: the items add up to the pay, nothing is left unitemised, and
    // the base pay is the base rate the lines name times the hours paid (each line's base
    // within half a penny).
    let items =
        ["base_pay_pence", "enhancements_pence", "premiums_pence"].map(|k| t[k].as_i64().unwrap());
    assert_eq!(items.iter().sum::<i64>(), pay - holiday, "{t}");
    assert_eq!(t["other_pay_pence"], 0, "{t}");
    assert_eq!(t["premiums_pence"], 0, "{t}");
    let rate_of = |explanation: &str| -> i64 {
        let at = explanation.find("Base rate £").unwrap() + "Base rate £".len();
        let figure: String = explanation[at..]
            .chars()
            .take_while(|c| *c != '/')
            .collect();
        let (pounds, pence) = figure.split_once('.').unwrap();
        pounds.replace(',', "").parse::<i64>().unwrap() * 100 + pence.parse::<i64>().unwrap()
    };
    let base_exact: i64 = lines
        .iter()
        .map(|l| rate_of(&l.explanation) * l.seconds)
        .sum();
    assert!((items[0] * 3_600 - base_exact).abs() <= 1_800 * 2, "{t}");
    // One standing booking out of five bank-fillable places.
    assert_eq!(t["fill_rate_percent"], 16.6);
    // Booked three hours after posting: within the four-hour bucket.
    assert_eq!(t["median_time_to_fill"]["within_minutes"], 240);
    assert_eq!(t["p90_time_to_fill"]["within_minutes"], 240);
    // The pension is worked out per shift (each has one line here), half a penny up.
    let pension = t["employer_pension_pence"].as_i64().unwrap();
    let per_shift: i64 = lines
        .iter()
        .map(|l| (l.amount * 2370 + 5_000) / 10_000)
        .sum();
    assert_eq!(pension, per_shift);
    assert_eq!(t["total_spend_pence"], pay + pension);

    // The weeks and every breakdown add up to the totals.
    let weeks: i64 = d["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["figures"]["shifts_posted"].as_i64().unwrap())
        .sum();
    assert_eq!(weeks, 5);
    for b in d["breakdowns"].as_array().unwrap() {
        let places: i64 = b["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["figures"]["places"].as_i64().unwrap())
            .sum();
        assert_eq!(places, 6, "{}", b["dimension"]);
    }
    let wards = d["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == "ward")
        .unwrap();
    assert_eq!(wards["groups"][0]["name"], "Ward 1");
    // One worker, under a pseudonym.
    assert_eq!(d["workers"].as_array().unwrap().len(), 1);
    let pseudonym = d["workers"][0]["pseudonym"].as_str().unwrap().to_owned();
    assert!(pseudonym.starts_with("w-"));
    assert_eq!(d["workers"][0]["pay_pence"], pay);

    // The CSV has the same figures and no names, emails or ids of the worker.
    let csv = app
        .http
        .get(format!(
            "{}/api/v1/trusts/{}/insight/dashboard.csv?{}",
            app.base,
            trust.id,
            span()
        ))
        .bearer_auth(&trust.booker)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("Table,Group,Shifts posted"), "{text}");
    assert!(text.contains(&pseudonym));
    for secret in ["Nurse Test", "kit@nurse.test", &worker.0.to_string()] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let one = app
        .http
        .get(format!(
            "{}/api/v1/trusts/{}/insight/dashboard.csv?{}&table=ward",
            app.base,
            trust.id,
            span()
        ))
        .bearer_auth(&trust.booker)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(one.lines().count(), 2, "{one}");
    assert!(one.contains("By ward,Ward 1,5,6,1,0,1,4,0,16.6"), "{one}");

    // The bank's and the platform's dashboards hold the same shifts.
    let bank = app
        .get(
            &format!("/api/v1/banks/{}/insight/dashboard?{}", trust.bank, span()),
            &trust.booker,
        )
        .await;
    assert_eq!(bank.status, StatusCode::OK, "{}", bank.body);
    assert_eq!(bank.body["totals"]["places"], 6);
    let platform = app
        .get(
            &format!("/api/v1/platform/insight/dashboard?{}", span()),
            &app.admin,
        )
        .await;
    assert_eq!(platform.status, StatusCode::OK, "{}", platform.body);
    assert_eq!(platform.body["totals"]["places"], 6);
    assert_eq!(platform.body["workers"].as_array().unwrap().len(), 0);
}

async fn only_the_trust_its_banks_trusts_and_platform_admins_see_it(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    app.shift(&trust, &trust.bank, 24, 8, 1).await;
    let auditor = app.staff("audit@rxl.test", Role::Auditor, &trust).await;
    let nurse = app.worker("kit@nurse.test", &[&trust.bank]).await;

    assert_eq!(
        dashboard(&app, &trust, &auditor).await["totals"]["places"],
        1
    );
    let path = format!("/api/v1/trusts/{}/insight/dashboard?{}", trust.id, span());
    app.get(&path, &other.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&path, &nurse)
        .await
        .assert_problem(404, "not-found");
    let csv = format!(
        "/api/v1/trusts/{}/insight/dashboard.csv?{}",
        trust.id,
        span()
    );
    app.get(&csv, &other.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/banks/{}/insight/dashboard?{}", trust.bank, span()),
        &other.booker,
    )
    .await
    .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/platform/insight/dashboard?{}", span()),
        &trust.booker,
    )
    .await
    .assert_problem(403, "forbidden");
    // Another trust's dashboard is empty of this trust's shifts.
    assert_eq!(
        dashboard(&app, &other, &other.booker).await["totals"]["places"],
        0
    );
    // A span that ends before it starts is refused.
    app.get(
        &format!(
            "/api/v1/trusts/{}/insight/dashboard?from=2026-05-02&to=2026-05-01",
            trust.id
        ),
        &trust.booker,
    )
    .await
    .assert_problem(422, "validation-error");
}
