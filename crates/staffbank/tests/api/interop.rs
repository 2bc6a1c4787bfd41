//! The running product against an independent SD-JWT VC implementation, the OpenWallet
//! Foundation's sd-jwt-js (through `interop/sd-jwt-vc.mjs`): it verifies a credential the server
//! issued, with the keys and status list the server publishes; and presentations it builds,
//! good, over-disclosing, replayed, for another audience, forged or revoked, get the right
//! verdict from the server.

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_passport::jws::Jwk;
use staffbank_passport::sd_jwt::SdJwt;

use crate::helpers::TestApp;
use crate::passport::{holder_with_credential, officer};

crate::both_backends!(the_product_and_an_independent_implementation_agree);

/// Asks the independent implementation to `mode` with `input`; its answer.
fn independent(mode: &str, input: Value) -> Value {
    use std::io::Write;
    let mut child = std::process::Command::new("node")
        .args(["interop/sd-jwt-vc.mjs", mode])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node, with the npm packages of scripts/setup --test");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.to_string().as_bytes()).unwrap();
    drop(stdin);
    let done = child.wait_with_output().unwrap();
    let answer: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert!(done.status.success(), "{mode}: {answer}");
    answer
}

/// The holder's private key as a JWK, for the independent implementation to sign with.
fn private_jwk(key: &SigningKey) -> Value {
    use base64::Engine;
    let mut jwk = serde_json::to_value(Jwk::from_key(key.verifying_key(), None)).unwrap();
    jwk["d"] = json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_bytes()));
    jwk
}

async fn the_product_and_an_independent_implementation_agree(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let (nurse, key, sd, vct) = holder_with_credential(&app, &a, &a_officer, "holder@a.test").await;
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(json!({"org_id": a.id, "vct": vct, "trusted": true})),
    )
    .await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let credential = sd.compact();
    let issuer_meta = app
        .call(
            Method::GET,
            &format!("/.well-known/jwt-vc-issuer/issuers/{}", a.id),
            None,
            None,
        )
        .await;
    let issuer_jwk = issuer_meta.body["jwks"]["keys"][0].clone();
    let status_list = || async {
        app.http
            .get(format!(
                "{}/issuers/{}/status-list?kid={}",
                app.base,
                a.id,
                issuer_jwk["kid"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    // It verifies what the server issued, with what the server publishes.
    let presented = independent(
        "present",
        json!({"credential": credential, "holder_jwk": private_jwk(&key),
        "disclose": ["number"], "nonce": "n-0", "aud": "https://verifier.test"}),
    );
    let verdict = independent(
        "verify",
        json!({"presentation": presented["presentation"], "issuer_jwk": issuer_jwk,
        "nonce": "n-0", "aud": "https://verifier.test", "status_list_token": status_list().await}),
    );
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert_eq!(verdict["claims"]["number"], "71A2998E");
    assert!(verdict["claims"].get("renewal").is_none());

    // The server's verdicts on presentations it built: each request asks for the number.
    let ask = || async {
        let made = app
            .post(
                &format!("/api/v1/workers/{nurse_id}/presentation-requests"),
                &a_officer,
                json!({"vct": vct, "claims": ["number"], "purpose": "Interop"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let id = made.body["id"].as_str().unwrap().to_owned();
        let pending = app.get("/api/v1/me/presentation-requests", &nurse).await;
        let mine = pending
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .unwrap()
            .clone();
        (
            id,
            mine["nonce"].as_str().unwrap().to_owned(),
            mine["audience"].as_str().unwrap().to_owned(),
        )
    };
    let build = |disclose: &[&str], nonce: &str, aud: &str| {
        independent(
            "present",
            json!({"credential": credential, "holder_jwk": private_jwk(&key),
            "disclose": disclose, "nonce": nonce, "aud": aud}),
        )["presentation"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let verdict = |id: String, presentation: String| {
        let nurse = nurse.clone();
        let app = &app;
        async move {
            let answered = app
                .post(
                    &format!("/api/v1/me/presentation-requests/{id}/present"),
                    &nurse,
                    json!({"presentation": presentation}),
                )
                .await;
            assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
            let result = &answered.body["result"];
            (
                result["valid"].as_bool().unwrap(),
                result["failed"]["check"].as_str().unwrap_or("").to_owned(),
                result["failed"]["failure"]["reason"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        }
    };

    let (id, nonce, aud) = ask().await;
    let good = build(&["number"], &nonce, &aud);
    assert_eq!(
        verdict(id, good.clone()).await,
        (true, String::new(), String::new())
    );

    let (id, nonce, aud) = ask().await;
    let over = build(&["number", "renewal"], &nonce, &aud);
    assert_eq!(
        verdict(id, over).await,
        (false, "request".into(), "over_disclosure".into())
    );

    let (id, _, _) = ask().await;
    assert_eq!(
        verdict(id, good).await.1,
        "nonce",
        "a replayed presentation"
    );

    let (id, nonce, _) = ask().await;
    let elsewhere = build(
        &["number"],
        &nonce,
        &format!("{}/verifiers/{}", app.base, b.id),
    );
    assert_eq!(verdict(id, elsewhere).await.1, "audience");

    // A credential it forged in the trust's name, with its own key.
    let (id, nonce, aud) = ask().await;
    let iss = SdJwt::parse(&credential)
        .ok()
        .and_then(|s| staffbank_passport::jws::Jws::parse(&s.jwt).ok())
        .and_then(|j| j.str_claim("iss").map(str::to_owned))
        .unwrap();
    let forged = independent(
        "issue",
        json!({"iss": iss, "vct": vct,
        "claims": {"regulator": "nmc", "number": "71A2998E", "registered": true, "renewal": "2027-03-31"},
        "disclosable": ["number"], "disclose": ["number"], "nonce": nonce, "aud": aud,
        "status": {"uri": format!("{iss}/status-list"), "idx": 7}, "status_bits": 2}),
    );
    let forged = forged["presentation"].as_str().unwrap().to_owned();
    assert_eq!(verdict(id, forged).await.1, "issuer_signature");

    // Revoked by its issuer: the next presentation fails on the status list.
    let held = app.get("/api/v1/me/passport", &nurse).await;
    let credential_id = held.body[0]["id"].as_str().unwrap().to_owned();
    let revoked = app
        .post(
            &format!("/api/v1/passport-credentials/{credential_id}/revocation"),
            &a_officer,
            json!({"state": "revoked", "reason": "Lapsed"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let (id, nonce, aud) = ask().await;
    assert_eq!(
        verdict(id, build(&["number"], &nonce, &aud)).await.1,
        "status"
    );
    // And the independent implementation reads the server's new list the same way.
    let presented = build(&["number"], "n-1", "https://verifier.test");
    let verdict = independent(
        "verify",
        json!({"presentation": presented, "issuer_jwk": issuer_jwk,
        "nonce": "n-1", "aud": "https://verifier.test", "status_list_token": status_list().await}),
    );
    assert_eq!(verdict["ok"], false, "{verdict}");
}
