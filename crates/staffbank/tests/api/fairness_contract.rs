//! A member's contract, part-time or full-time: set by the bank office of the trust that runs
//! the bank, audited, and grouped by in the fairness report; kept to that bank.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{midnight_in_days, post_at, quick_worker, TestApp};

crate::both_backends!(contracts_are_set_by_the_bank_office_and_grouped);

async fn contracts_are_set_by_the_bank_office_and_grouped(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let mut part = Vec::new();
    let mut full = Vec::new();
    for n in 0..45 {
        let token = quick_worker(&app, &a.bank, n).await;
        let id = app.worker_id(&token).await;
        let contract = if n < 20 { "part_time" } else { "full_time" };
        let path = format!("/api/v1/banks/{}/members/{}/contract", a.bank, id.0);
        if n < 40 {
            let set = app
                .call(
                    Method::PUT,
                    &path,
                    Some(&a.booker),
                    Some(json!({ "contract": contract })),
                )
                .await;
            assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
        }
        if n < 20 {
            part.push((token, path));
        } else {
            full.push((token, path));
        }
    }

    // Part-time staff book 2 of 22 day shifts, full-time staff 20.
    let base = midnight_in_days(2);
    let offsets: Vec<i64> = (0..22).map(|d| d * 24 + 8).collect();
    let shifts = post_at(&app, &a, base, &offsets, 8).await;
    let bookers = part.iter().take(2).chain(full.iter().take(20));
    for (i, ((token, _), shift)) in bookers.zip(&shifts).enumerate() {
        let booked = app.book(token, shift, &format!("contract-{i}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    }
    let from = (base - Duration::hours(1)).to_rfc3339().replace('+', "%2B");
    let to = (base + Duration::days(30)).to_rfc3339().replace('+', "%2B");
    let report = app
        .get(
            &format!("/api/v1/banks/{}/fairness?from={from}&to={to}", a.bank),
            &a.booker,
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let contract = report.body["groupings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["grouping"] == "contract")
        .unwrap()
        .clone();
    let group = |name: &str| -> Value {
        contract["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(contract["members"], 45);
    let part_time = group("part_time");
    assert_eq!(part_time["members"], 20);
    let booked = part_time["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "booked")
        .unwrap()
        .clone();
    assert_eq!(
        (booked["count"].clone(), booked["total"].clone()),
        (json!(2), json!(22))
    );
    assert_eq!(booked["flagged"], true);
    assert_eq!(group("full_time")["members"], 20);
    // The five not recorded are too few to show.
    assert_eq!(group("not_recorded")["suppressed"], true);

    // Each change is on the ledger.
    let entries = app.ledger_entries("worker.contract").await;
    assert_eq!(entries.len(), 40);

    // A contract can be forgotten; a wrong value is refused.
    let (_, first) = &part[0];
    let cleared = app
        .call(
            Method::PUT,
            first,
            Some(&a.booker),
            Some(json!({ "contract": null })),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    app.call(
        Method::PUT,
        first,
        Some(&a.booker),
        Some(json!({ "contract": "zero_hours" })),
    )
    .await
    .assert_problem(422, "validation-error");

    // Another trust's bank office, and a worker, cannot set it; a non-member is not found.
    app.call(
        Method::PUT,
        first,
        Some(&b.booker),
        Some(json!({ "contract": "full_time" })),
    )
    .await
    .assert_problem(404, "not-found");
    app.call(
        Method::PUT,
        first,
        Some(&part[1].0),
        Some(json!({ "contract": "full_time" })),
    )
    .await
    .assert_problem(403, "forbidden");
    let outsider = quick_worker(&app, &b.bank, 99).await;
    let outsider = app.worker_id(&outsider).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/banks/{}/members/{}/contract", a.bank, outsider.0),
        Some(&a.booker),
        Some(json!({ "contract": "full_time" })),
    )
    .await
    .assert_problem(404, "not-found");
    app.call(
        Method::PUT,
        &format!(
            "/api/v1/banks/{}/members/{}/contract",
            Uuid::now_v7(),
            outsider.0
        ),
        Some(&a.booker),
        Some(json!({ "contract": "full_time" })),
    )
    .await
    .assert_problem(404, "not-found");
}
