//! A booker offers a shift to one candidate: it reaches their inbox and the outbox once; only an
//! eligible candidate of an open shift of the booker's own trust, whom the shift suits by their
//! own availability, can be offered it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{midnight_in_days, post_at, TestApp};

crate::both_backends!(
    a_booker_offers_a_shift_to_one_eligible_candidate,
    a_worker_who_cannot_work_the_date_is_shown_as_not_available_and_not_offered_it
);

async fn a_booker_offers_a_shift_to_one_eligible_candidate(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let nurse = app.worker("nurse@offer.test", &[&trust.bank]).await;
    let outsider = app.worker("outsider@offer.test", &[&other.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0.to_string();
    let outsider_id = app.worker_id(&outsider).await.0.to_string();
    // Far enough ahead that no release round has offered it yet.
    let shift = app.shift(&trust, &trust.bank, 30 * 24 - 24 * 5, 8, 1).await;
    let path = format!("/api/v1/shifts/{shift}/offers");

    app.post(&path, &other.booker, json!({"worker_id": nurse_id}))
        .await
        .assert_problem(404, "not-found");
    app.post(&path, &trust.booker, json!({"worker_id": outsider_id}))
        .await
        .assert_problem(422, "validation-error");
    app.post(&path, &trust.booker, json!({"worker_id": "x"}))
        .await
        .assert_problem(422, "validation-error");
    let before = app.ledger_entries("shift.offered").await.len();

    let made = app
        .post(&path, &trust.booker, json!({"worker_id": nurse_id}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["new"], true);
    let inbox = app.get("/api/v1/me/offers", &nurse).await;
    assert!(
        inbox.body["offers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["shift"]["id"] == shift.as_str()),
        "{}",
        inbox.body
    );
    let again = app
        .post(&path, &trust.booker, json!({"worker_id": nurse_id}))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["new"], false, "sent once");
    assert_eq!(app.ledger_entries("shift.offered").await.len(), before + 1);

    // Filled: nobody else can be offered it.
    let booked = app.book(&nurse, &shift, "k").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    app.post(&path, &trust.booker, json!({"worker_id": nurse_id}))
        .await
        .assert_problem(409, "shift-not-open");
}

/// A nurse marks the shift's date as one she cannot work: the booker sees her as not available,
/// with the date in words, not among the eligible, and cannot offer her the shift; a nurse who
/// said nothing is offered it as before.
async fn a_worker_who_cannot_work_the_date_is_shown_as_not_available_and_not_offered_it(
    app: TestApp,
) {
    let trust = app.trust("RXL").await;
    let away = app.worker("away@offer.test", &[&trust.bank]).await;
    let free = app.worker("free@offer.test", &[&trust.bank]).await;
    let away_id = app.worker_id(&away).await.0.to_string();
    let free_id = app.worker_id(&free).await.0.to_string();
    let day = midnight_in_days(5);
    let marked = app
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&away),
            Some(json!({"max_travel_km": null, "shift_times": "any",
                "unavailable_dates": [day.date_naive().to_string()]})),
        )
        .await;
    assert_eq!(marked.status, StatusCode::NO_CONTENT, "{}", marked.body);
    let shift = post_at(&app, &trust, day, &[9], 8).await.remove(0);

    let reply = app
        .get(&format!("/api/v1/shifts/{shift}/candidates"), &trust.booker)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let eligible: Vec<&str> = reply.body["eligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["worker_id"].as_str().unwrap())
        .collect();
    assert_eq!(eligible, vec![free_id.as_str()], "{}", reply.body);
    let away_listed = &reply.body["not_available"];
    assert_eq!(away_listed.as_array().unwrap().len(), 1, "{}", reply.body);
    assert_eq!(away_listed[0]["worker_id"], away_id.as_str());
    let said = day
        .format("has said they cannot work on %a %-d %b")
        .to_string();
    assert_eq!(
        away_listed[0]["explanations"],
        json!([said]),
        "{}",
        reply.body
    );

    let path = format!("/api/v1/shifts/{shift}/offers");
    let before = app.ledger_entries("shift.offered").await.len();
    let refused = app
        .post(&path, &trust.booker, json!({"worker_id": away_id}))
        .await;
    refused.assert_problem(422, "validation-error");
    assert!(
        refused.body.to_string().contains("worker_id") && refused.body.to_string().contains(&said),
        "{}",
        refused.body
    );
    let inbox = app.get("/api/v1/me/offers", &away).await;
    assert_eq!(inbox.body["offers"], json!([]), "{}", inbox.body);
    assert_eq!(app.ledger_entries("shift.offered").await.len(), before);
    let made = app
        .post(&path, &trust.booker, json!({"worker_id": free_id}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
}
