//! An offer with an expiry: one already past is refused when it is made, naming the field; one
//! whose expiry passes before the worker takes it reads as expired, and can no longer be accepted
//! or opened by a wallet app (refused, never a server error), so an expired credential is never
//! issued.

use chrono::{Duration, Utc};
use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::passport::{officer, proof};

crate::both_backends!(an_offer_past_its_expiry_is_refused_and_reads_as_expired);

async fn an_offer_past_its_expiry_is_refused_and_reads_as_expired(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    app.post(
        &format!("/api/v1/organisations/{}/issuer-keys", a.id),
        &a_officer,
        json!({}),
    )
    .await;
    let offers = format!("/api/v1/workers/{nurse_id}/passport-offers");
    let claims = json!({"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});

    // Already expired when offered: refused, naming the field; nothing is offered.
    for past in ["2020-01-01", "2020-01-01T09:00:00Z"] {
        let refused = app
            .post(
                &offers,
                &a_officer,
                json!({"claims": claims, "expires": past}),
            )
            .await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(
            refused.body["errors"][0]["field"], "expires",
            "{}",
            refused.body
        );
    }
    assert_eq!(app.get("/api/v1/me/passport", &nurse).await.body, json!([]));

    // Good for an hour; the hour passes before the worker takes it.
    let until = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let offered = app
        .post(
            &offers,
            &a_officer,
            json!({"claims": claims, "expires": until}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let issuer = offered.body["issuer"].as_str().unwrap().to_owned();
    let wallet = app.get("/api/v1/me/passport", &nurse).await;
    assert_eq!(wallet.body[0]["state"], "offered");
    let nonce = wallet.body[0]["nonce"].as_str().unwrap().to_owned();
    app.advance(Duration::hours(2));

    let wallet = app.get("/api/v1/me/passport", &nurse).await;
    assert_eq!(wallet.status, StatusCode::OK);
    assert_eq!(wallet.body[0]["state"], "expired");
    assert_eq!(wallet.body[0]["nonce"], Value::Null);
    let holder = SigningKey::random(&mut rand::rngs::OsRng);
    let now = (Utc::now() + Duration::hours(2)).timestamp();
    app.post(
        &format!("/api/v1/me/passport/{id}/accept"),
        &nurse,
        json!({"proof": proof(&holder, &issuer, &nonce, now)}),
    )
    .await
    .assert_problem(409, "request-decided");
    app.get(
        &format!("/api/v1/me/passport/{id}/credential-offer"),
        &nurse,
    )
    .await
    .assert_problem(409, "request-decided");
    // Nothing was issued.
    let wallet = app.get("/api/v1/me/passport", &nurse).await;
    assert_eq!(wallet.body[0]["state"], "expired");
    assert_eq!(wallet.body[0]["sd_jwt"], Value::Null);
}
