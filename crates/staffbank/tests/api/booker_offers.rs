//! A booker offers a shift to one candidate: it reaches their inbox and the outbox once; only an
//! eligible candidate of an open shift of the booker's own trust can be offered it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(a_booker_offers_a_shift_to_one_eligible_candidate);

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
