//! One wallet key answers for one person: a key that already holds one worker's credential is
//! refused when another worker accepts a credential with it, so a credential bound to it can
//! never verify as someone else's. The same worker may bind several credentials to one key.

use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::passport::{officer, proof};

crate::both_backends!(a_wallet_key_holds_one_persons_credentials_only);

/// Offers `worker` a registration credential and accepts it with `key`; the reply.
async fn accept_with(
    app: &TestApp,
    officer: &str,
    worker: &str,
    key: &SigningKey,
) -> crate::helpers::Reply {
    let worker_id = app.worker_id(worker).await.0;
    let offered = app
        .post(
            &format!("/api/v1/workers/{worker_id}/passport-offers"),
            officer,
            json!({"claims": {"type": "professional_registration", "regulator": "nmc",
                "number": "71A2998E", "registered": true, "renewal": "2027-03-31"}}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let id = offered.body["id"].as_str().unwrap();
    let issuer = offered.body["issuer"].as_str().unwrap();
    let mine = app.get("/api/v1/me/passport", worker).await;
    let nonce = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/me/passport/{id}/accept"),
        worker,
        json!({"proof": proof(key, issuer, &nonce, chrono::Utc::now().timestamp())}),
    )
    .await
}

async fn a_wallet_key_holds_one_persons_credentials_only(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    app.post(
        &format!("/api/v1/organisations/{}/issuer-keys", a.id),
        &a_officer,
        json!({}),
    )
    .await;
    let first = app.worker("first@a.test", &[&a.bank]).await;
    let second = app.worker("second@a.test", &[&a.bank]).await;
    let key = SigningKey::random(&mut rand::rngs::OsRng);

    let accepted = accept_with(&app, &a_officer, &first, &key).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    // The same worker binds a second credential to the same key.
    let again = accept_with(&app, &a_officer, &first, &key).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    // Another worker cannot: nothing is issued, the offer stays open for their own key.
    let refused = accept_with(&app, &a_officer, &second, &key).await;
    refused.assert_problem(409, "holder-key-taken");
    let theirs = app.get("/api/v1/me/passport", &second).await;
    assert_eq!(theirs.body[0]["state"], "offered", "{}", theirs.body);
    assert!(theirs.body[0]["sd_jwt"].is_null(), "{}", theirs.body);
    let own = SigningKey::random(&mut rand::rngs::OsRng);
    let nonce = theirs.body[0]["nonce"].as_str().unwrap();
    let id = theirs.body[0]["id"].as_str().unwrap();
    let issuer = theirs.body[0]["issuer"].as_str().unwrap();
    let with_own = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &second,
            json!({"proof": proof(&own, issuer, nonce, chrono::Utc::now().timestamp())}),
        )
        .await;
    assert_eq!(with_own.status, StatusCode::OK, "{}", with_own.body);
}
