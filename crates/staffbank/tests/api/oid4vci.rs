//! OpenID4VCI 1.0 over HTTP, with the test acting as a standards-based wallet app: it reads the
//! issuer's metadata, opens the worker's credential offer, redeems the pre-authorised code, takes
//! a nonce and proves possession of its own key, and gets an SD-JWT VC bound to that key that
//! verifies with the published keys. Codes, tokens, nonces and proofs that are wrong, stale,
//! spent or another issuer's are refused with the specification's error codes.

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_passport::jws::{self, Jwk};
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::sd_jwt::SdJwt;
use staffbank_passport::verify::{verify, Expectations};

use crate::helpers::TestApp;
use crate::passport::{officer, proof, published};

crate::both_backends!(a_wallet_app_collects_an_offered_credential_once);

/// Posts a form as a wallet app would.
async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.base))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Posts JSON with an optional bearer token, as a wallet app would.
async fn wallet_post(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app.http.post(format!("{}{path}", app.base)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A proof like [`proof`] whose header's `jwk` also carries the key's private part, `d`.
fn proof_with_private_part(key: &SigningKey, issuer: &str, nonce: &str, iat: i64) -> String {
    let mut jwk = serde_json::to_value(Jwk::from_key(key.verifying_key(), None)).unwrap();
    jwk["d"] = json!(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        key.to_bytes()
    ));
    let mut header = jws::header("openid4vci-proof+jwt", None);
    header.insert("jwk".into(), jwk);
    let claims = json!({"aud": issuer, "nonce": nonce, "iat": iat})
        .as_object()
        .cloned()
        .unwrap();
    jws::sign(header, &claims, key)
}

async fn a_wallet_app_collects_an_offered_credential_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    for (org, token) in [(&a.id, &a_officer), (&b.id, &b_officer)] {
        app.post(
            &format!("/api/v1/organisations/{org}/issuer-keys"),
            token,
            json!({}),
        )
        .await;
    }
    let claims = json!({"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});
    let offered = app
        .post(
            &format!("/api/v1/workers/{nurse_id}/passport-offers"),
            &a_officer,
            json!({"claims": claims}),
        )
        .await;
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let vct = offered.body["vct"].as_str().unwrap().to_owned();

    // The worker's offer, as a wallet app scans it; nobody else's.
    let offer = app
        .get(
            &format!("/api/v1/me/passport/{id}/credential-offer"),
            &nurse,
        )
        .await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert!(offer.body["uri"]
        .as_str()
        .unwrap()
        .starts_with("openid-credential-offer://?credential_offer=%7B"));
    let other = app.worker("other@a.test", &[&a.bank]).await;
    app.get(
        &format!("/api/v1/me/passport/{id}/credential-offer"),
        &other,
    )
    .await
    .assert_problem(404, "not-found");
    let credential_offer = &offer.body["credential_offer"];
    let issuer = credential_offer["credential_issuer"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        credential_offer["credential_configuration_ids"],
        json!(["professional_registration"])
    );
    let code = credential_offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        ["pre-authorized_code"]
        .as_str()
        .unwrap()
        .to_owned();

    // Metadata at the well-known addresses (the segment between host and issuer path).
    let meta = app
        .call(
            Method::GET,
            &format!("/.well-known/openid-credential-issuer/issuers/{}", a.id),
            None,
            None,
        )
        .await;
    assert_eq!(meta.body["credential_issuer"], json!(issuer));
    let config = &meta.body["credential_configurations_supported"]["professional_registration"];
    assert_eq!(config["format"], "dc+sd-jwt");
    assert_eq!(config["vct"], json!(vct));
    // The issuer's own URLs, on the server under test.
    let path = |url: &str| url[url.find("/issuers/").unwrap()..].to_owned();
    let credential_endpoint = path(meta.body["credential_endpoint"].as_str().unwrap());
    let nonce_endpoint = path(meta.body["nonce_endpoint"].as_str().unwrap());
    let auth = app
        .call(
            Method::GET,
            &format!("/.well-known/oauth-authorization-server/issuers/{}", a.id),
            None,
            None,
        )
        .await;
    let token_endpoint = path(auth.body["token_endpoint"].as_str().unwrap());
    app.call(
        Method::GET,
        &format!(
            "/.well-known/openid-credential-issuer/issuers/{}",
            uuid::Uuid::new_v4()
        ),
        None,
        None,
    )
    .await
    .assert_problem(404, "not-found");

    // The token endpoint: the right grant and code only, and only at this issuer.
    let grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    let (status, body) = form(
        &app,
        &token_endpoint,
        &[
            ("grant_type", "authorization_code"),
            ("pre-authorized_code", &code),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (status, body) = form(
        &app,
        &token_endpoint,
        &[("grant_type", grant), ("pre-authorized_code", "forged")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, body) = form(
        &app,
        &format!("/issuers/{}/token", b.id),
        &[("grant_type", grant), ("pre-authorized_code", &code)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, body) = form(
        &app,
        &token_endpoint,
        &[("grant_type", grant), ("pre-authorized_code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap().to_owned();
    // A code is redeemed once: a second redemption gets no second token.
    let (status, body) = form(
        &app,
        &token_endpoint,
        &[("grant_type", grant), ("pre-authorized_code", &code)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str(), body.get("access_token")),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"), None),
        "{body}"
    );

    // The credential endpoint: a token, the right configuration, and a proof over a nonce
    // from the nonce endpoint.
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let (_, nonce) = wallet_post(&app, &nonce_endpoint, None, json!({})).await;
    let c_nonce = nonce["c_nonce"].as_str().unwrap().to_owned();
    let now = chrono::Utc::now().timestamp();
    let request = |proof: String| json!({"credential_configuration_id": "professional_registration", "proofs": {"jwt": [proof]}});
    let good = request(proof(&key, &issuer, &c_nonce, now));
    let (status, body) = wallet_post(&app, &credential_endpoint, None, good.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    let (status, body) = wallet_post(&app, &credential_endpoint, Some(&code), good.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token")),
        "a code is not a token"
    );
    let (status, body) = wallet_post(
        &app,
        &credential_endpoint,
        Some(&access),
        request(proof(&key, &issuer, "made-up", now)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_nonce"))
    );
    let (status, body) = wallet_post(
        &app,
        &credential_endpoint,
        Some(&access),
        request(proof(&key, "https://elsewhere.test", &c_nonce, now)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_proof"))
    );
    let (status, body) = wallet_post(
        &app,
        &credential_endpoint,
        Some(&access),
        request(proof(&key, &issuer, &c_nonce, now - 3600)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_proof"))
    );
    // A key sent with its private part is exposed, so it proves nothing.
    let (status, body) = wallet_post(
        &app,
        &credential_endpoint,
        Some(&access),
        request(proof_with_private_part(&key, &issuer, &c_nonce, now)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_proof")),
        "{body}"
    );
    let (status, body) = wallet_post(&app, &credential_endpoint, Some(&access),
        json!({"credential_configuration_id": "dbs_check", "proofs": {"jwt": [proof(&key, &issuer, &c_nonce, now)]}})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_credential_configuration")
        )
    );
    // Nothing was issued by any of those.
    assert_eq!(
        app.get("/api/v1/me/passport", &nurse).await.body[0]["state"],
        "offered"
    );

    let (status, body) = wallet_post(&app, &credential_endpoint, Some(&access), good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let issued = body["credentials"][0]["credential"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bound to the app's key; verifies with the published keys and status list.
    let sd = SdJwt::parse(&issued).unwrap();
    let holder = Jwk::from_key(key.verifying_key(), None);
    let presented = bind(
        sd.disclosing(&["number"]),
        &Binding {
            aud: "https://verifier.test".into(),
            nonce: "n-1".into(),
            iat: now,
        },
        &key,
    );
    let expect = Expectations {
        now,
        audience: "https://verifier.test",
        nonce: "n-1",
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    };
    let report = verify(
        &presented.compact(),
        &expect,
        &published(&app, &a.id, &vct).await,
    );
    assert!(report.is_valid(), "{:?}", report.failed);
    let held = app.get("/api/v1/me/passport", &nurse).await;
    assert_eq!(held.body[0]["state"], "accepted");
    assert_eq!(held.body[0]["sd_jwt"], json!(issued));
    assert_eq!(
        serde_json::to_value(&holder).unwrap()["x"],
        report.credential.unwrap().claims["cnf"]["jwk"]["x"]
    );

    // Once: the code, the token and the offer are spent.
    let (status, body) = wallet_post(&app, &credential_endpoint, Some(&access), good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    let (status, body) = form(
        &app,
        &token_endpoint,
        &[("grant_type", grant), ("pre-authorized_code", &code)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    app.get(
        &format!("/api/v1/me/passport/{id}/credential-offer"),
        &nurse,
    )
    .await
    .assert_problem(409, "request-decided");
}
