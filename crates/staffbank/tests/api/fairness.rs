//! The fairness auditor: group shares and flags against counts this test makes itself, the
//! bank's definition of a desirable shift, consent for equality declarations, and tenancy.

use chrono::{Datelike, Duration, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_domain::release::Tier;
use staffbank_domain::BankId;
use uuid::Uuid;

use crate::helpers::{midnight_in_days, post_at, quick_worker, TestApp};

crate::both_backends!(groups_are_measured_flagged_and_kept_to_their_bank);

/// The figures of `group` in `grouping` for `measure`.
fn figures<'a>(report: &'a Value, grouping: &str, group: &str) -> &'a Value {
    report["groupings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["grouping"] == grouping)
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == group)
        .unwrap()
}

fn measure<'a>(group: &'a Value, name: &str) -> &'a Value {
    group["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == name)
        .unwrap()
}

async fn groups_are_measured_flagged_and_kept_to_their_bank(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let bank = BankId(Uuid::parse_str(&a.bank).unwrap());

    // 20 core-tier members and 20 without a tier.
    let mut core = Vec::new();
    let mut plain = Vec::new();
    for n in 0..40 {
        let token = quick_worker(&app, &a.bank, n).await;
        if n < 20 {
            let id = app.worker_id(&token).await;
            app.store
                .set_tier(id, bank, Some(Tier::Core), &[])
                .await
                .unwrap();
            core.push(token);
        } else {
            plain.push(token);
        }
    }

    // 24 day shifts on consecutive days at 08:00 UTC (08:00 in London in winter or 09:00 in
    // summer: a day shift either way). Every core member books one, four of the others do.
    let base = midnight_in_days(2);
    let offsets: Vec<i64> = (0..24).map(|d| d * 24 + 8).collect();
    let shifts = post_at(&app, &a, base, &offsets, 8).await;
    let bookers: Vec<&String> = core.iter().chain(plain.iter().take(4)).collect();
    let mut weekday_bookings = 0;
    for (i, (token, shift)) in bookers.iter().zip(&shifts).enumerate() {
        let booked = app.book(token, shift, &format!("fair-{i}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        let start = base + Duration::hours(offsets[i]);
        let day = start.with_timezone(&chrono_tz::Europe::London).weekday();
        if !matches!(day, Weekday::Sat | Weekday::Sun) {
            weekday_bookings += 1;
        }
    }
    let (core_booked, plain_booked, total) = (20u64, 4u64, 24u64);
    let weekday_core = (0..20)
        .filter(|i| {
            let day = (base + Duration::hours(offsets[*i]))
                .with_timezone(&chrono_tz::Europe::London)
                .weekday();
            !matches!(day, Weekday::Sat | Weekday::Sun)
        })
        .count() as u64;

    let from = (base - Duration::hours(1)).to_rfc3339();
    let to = (base + Duration::days(30)).to_rfc3339();
    let query = format!("from={}&to={}", urlencoding(&from), urlencoding(&to));
    let path = format!("/api/v1/banks/{}/fairness?{query}", a.bank);
    let report = app.get(&path, &a.booker).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let body = &report.body;
    assert!(body["test"].as_str().unwrap().contains("binomial"));
    assert!(body["suppression"].as_str().unwrap().contains("20"));
    let text = body.to_string();
    for token in core.iter().chain(&plain) {
        let id = app.worker_id(token).await;
        assert!(!text.contains(&id.0.to_string()), "a worker id leaked");
    }

    let tiers = figures(body, "tier", "core");
    assert_eq!(tiers["members"], 20);
    assert_eq!(tiers["member_share"], 0.5);
    let booked = measure(tiers, "booked");
    assert_eq!(booked["count"], core_booked);
    assert_eq!(booked["total"], total);
    let share = core_booked as f64 / total as f64;
    assert!((booked["share"].as_f64().unwrap() - share).abs() < 1e-9);
    // 2 * P(X >= 20) for X ~ Bin(24, 0.5) = 2 * 12951 / 2^24
    let p = 2.0 * 12951.0 / 16_777_216.0;
    assert!((booked["p_value"].as_f64().unwrap() - p).abs() < 1e-9);
    assert_eq!(booked["flagged"], true);
    let none = figures(body, "tier", "none");
    assert_eq!(measure(none, "booked")["count"], plain_booked);
    assert_eq!(measure(none, "booked")["flagged"], true);
    // The default desirable shift is a weekday day shift.
    let desirable = measure(tiers, "desirable");
    assert_eq!(desirable["count"], weekday_core);
    assert_eq!(desirable["total"], weekday_bookings);
    // One staff group holds everyone: share equals member share, nothing flagged.
    let nurses = figures(body, "staff_group", "nursing_and_midwifery");
    assert_eq!(nurses["members"], 40);
    assert_eq!(measure(nurses, "booked")["flagged"], false);

    // The CSV carries the same figures.
    let csv = app
        .http
        .get(format!(
            "{}{}",
            app.base,
            path.replace("/fairness?", "/fairness.csv?")
        ))
        .bearer_auth(&a.booker)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains(&format!(
            "tier,core,20,0.5000,booked,{core_booked},{total},"
        )),
        "{csv}"
    );

    // Protected characteristics count only those who declared, with consent.
    assert!(
        body["groupings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["grouping"] == "sex")
            .unwrap()["members"]
            == 0
    );
    let declaration = json!({"consent": true, "sex": "female", "ethnic_group": "prefer_not_to_say",
        "disability": "not_disabled", "age_band": "35_44"});
    let refused = app
        .call(
            Method::PUT,
            "/api/v1/me/equality",
            Some(&core[0]),
            Some(
                json!({"consent": false, "sex": "female", "ethnic_group": "white",
                "disability": "not_disabled", "age_band": "35_44"}),
            ),
        )
        .await;
    refused.assert_problem(422, "validation-error");
    let bad = app
        .call(
            Method::PUT,
            "/api/v1/me/equality",
            Some(&core[0]),
            Some(
                json!({"consent": true, "sex": "female", "ethnic_group": "white",
                "disability": "not_disabled", "age_band": "36"}),
            ),
        )
        .await;
    bad.assert_problem(422, "validation-error");
    for token in &core {
        let saved = app
            .call(
                Method::PUT,
                "/api/v1/me/equality",
                Some(token),
                Some(declaration.clone()),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    let mine = app.get("/api/v1/me/equality", &core[0]).await;
    assert_eq!(mine.body["declared"], true);
    assert_eq!(mine.body["declaration"]["sex"], "female");
    let report = app.get(&path, &a.booker).await;
    let female = figures(&report.body, "sex", "female");
    assert_eq!(female["members"], 20);
    assert_eq!(female["member_share"], 1.0);
    assert_eq!(measure(female, "booked")["count"], core_booked);
    // The ledger says a declaration was made, never what it said.
    let entries = app.ledger_entries("equality.declared").await;
    assert_eq!(entries.len(), 20);
    assert!(!Value::Array(entries).to_string().contains("female"));

    // Withdrawing deletes: 19 left, under the minimum, so the group is suppressed.
    let gone = app
        .call(Method::DELETE, "/api/v1/me/equality", Some(&core[0]), None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let mine = app.get("/api/v1/me/equality", &core[0]).await;
    assert_eq!(mine.body["declared"], false);
    assert_eq!(mine.body["declaration"], Value::Null);
    app.call(Method::DELETE, "/api/v1/me/equality", Some(&core[0]), None)
        .await
        .assert_problem(404, "not-found");
    let report = app.get(&path, &a.booker).await;
    let female = figures(&report.body, "sex", "female");
    assert_eq!(female["suppressed"], true);
    assert_eq!(female["members"], Value::Null);

    // The bank's own definition: every shift desirable.
    let settings = format!("/api/v1/banks/{}/fairness/settings", a.bank);
    let default = app.get(&settings, &a.booker).await;
    assert_eq!(default.body["day_shifts_only"], true);
    assert_eq!(default.body["own"], false);
    let set = app
        .call(
            Method::PUT,
            &settings,
            Some(&a.booker),
            Some(json!({"day_shifts_only": false, "exclude_weekends": false,
                "low_acuity_wards": [a.ward]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let report = app.get(&path, &a.booker).await;
    let tiers = figures(&report.body, "tier", "core");
    assert_eq!(measure(tiers, "desirable")["count"], core_booked);
    assert_eq!(measure(tiers, "desirable")["total"], total);
    app.call(
        Method::PUT,
        &settings,
        Some(&a.booker),
        Some(json!({"day_shifts_only": true, "exclude_weekends": true,
            "low_acuity_wards": [b.ward]})),
    )
    .await
    .assert_problem(422, "validation-error");

    // Another trust sees none of it; a worker neither.
    app.get(&path, &b.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&settings, &b.booker)
        .await
        .assert_problem(404, "not-found");
    app.call(
        Method::PUT,
        &settings,
        Some(&b.booker),
        Some(json!({"day_shifts_only": true, "exclude_weekends": true, "low_acuity_wards": []})),
    )
    .await
    .assert_problem(404, "not-found");
    app.get(&path, &core[1])
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/banks/{}/fairness", Uuid::now_v7()),
        &a.booker,
    )
    .await
    .assert_problem(404, "not-found");
    // A period the wrong way round is refused.
    app.get(
        &format!(
            "/api/v1/banks/{}/fairness?from={}&to={}",
            a.bank,
            urlencoding(&to),
            urlencoding(&from)
        ),
        &a.booker,
    )
    .await
    .assert_problem(422, "validation-error");
}

/// Percent-encodes the `+` and `:` of an RFC 3339 instant for a query string.
fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
