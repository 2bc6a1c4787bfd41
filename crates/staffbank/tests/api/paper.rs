//! The paper passport over HTTP: a worker's copy of each credential carries every claim, their
//! name and no holder key; any trust's compliance officer checks it with every check but key
//! binding, and each check joins the worker's access log.

use reqwest::Method;
use serde_json::{json, Value};
use staffbank_passport::jws::Jws;
use staffbank_passport::sd_jwt::SdJwt;

use crate::helpers::TestApp;
use crate::passport::{holder_with_credential, officer};

crate::both_backends!(a_paper_passport_passes_every_check_but_key_binding);

async fn check(app: &TestApp, token: &str, credential: &str) -> crate::helpers::Reply {
    app.post(
        "/api/v1/paper-checks",
        token,
        json!({"credential": credential}),
    )
    .await
}

fn failed_check(result: &Value) -> &str {
    result["failed"]["check"].as_str().unwrap_or("none")
}

async fn a_paper_passport_passes_every_check_but_key_binding(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let (nurse, _key, held, vct) =
        holder_with_credential(&app, &a, &a_officer, "holder@a.test").await;
    let trust = |trusted: bool| json!({"org_id": a.id, "vct": vct, "trusted": trusted});
    let set_trust = |trusted: bool| {
        app.call(
            Method::PUT,
            "/api/v1/trust-framework",
            Some(&app.admin),
            Some(trust(trusted)),
        )
    };
    set_trust(true).await;

    // The worker's copy: every claim disclosed, their name, no holder key.
    let paper = app.get("/api/v1/me/paper-passport", &nurse).await;
    assert_eq!(paper.status, 200, "{}", paper.body);
    let text = paper.body[0]["text"].as_str().unwrap().to_owned();
    let sd = SdJwt::parse(&text).unwrap();
    assert_eq!(sd.disclosures.len(), 3);
    assert!(sd.kb_jwt.is_none());
    let jwt = Jws::parse(&sd.jwt).unwrap();
    assert!(jwt.claims.get("cnf").is_none());
    assert_eq!(jwt.str_claim("holder_name"), Some("Nurse Test"));
    app.get("/api/v1/me/paper-passport", &a_officer)
        .await
        .assert_problem(403, "forbidden");

    // Officers only; any trust's officer may check.
    check(&app, &nurse, &text)
        .await
        .assert_problem(403, "forbidden");
    check(&app, &b_officer, "")
        .await
        .assert_problem(422, "validation-error");
    check(&app, &b_officer, &"x".repeat(9000))
        .await
        .assert_problem(422, "validation-error");
    let passed = check(&app, &b_officer, &text).await;
    assert_eq!(passed.status, 200, "{}", passed.body);
    assert_eq!(passed.body["valid"], true, "{}", passed.body);
    assert_eq!(passed.body["disclosed"]["number"], "71A2998E");
    let checks: Vec<&str> = passed.body["passed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(checks.contains(&"status") && checks.contains(&"issuer_signature"));
    assert!(!checks.contains(&"key_binding"));

    // Only the whole text: cut short anywhere, or with anything after it, it fails.
    let cut_disclosure = text[..text.len() - 1]
        .rsplit_once('~')
        .unwrap()
        .0
        .to_owned()
        + "~";
    for (broken, failing) in [
        (format!("{text}extra"), "key_binding"),
        (format!("{text}~"), "format"),
        (text[..text.len() - 1].to_owned(), "disclosures"),
        (text[..text.len() - 5].to_owned(), "disclosures"),
        (cut_disclosure, "disclosures"),
    ] {
        let refused = check(&app, &b_officer, &broken).await;
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert_eq!(refused.body["valid"], false, "{broken}: {}", refused.body);
        assert_eq!(failed_check(&refused.body), failing, "{}", refused.body);
    }

    // A forged signature, a key-bound credential without its binding, an untrusted issuer and
    // a revoked credential each fail on their own check.
    let mut forged = text.clone().into_bytes();
    let at = sd.jwt.len() - 20;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        failed_check(&check(&app, &b_officer, &forged).await.body),
        "issuer_signature"
    );
    let unbound = held.without_kb();
    assert_eq!(
        failed_check(&check(&app, &b_officer, &unbound).await.body),
        "key_binding"
    );
    set_trust(false).await;
    assert_eq!(
        failed_check(&check(&app, &b_officer, &text).await.body),
        "issuer_trusted"
    );
    set_trust(true).await;
    let id = paper.body[0]["id"].as_str().unwrap();
    let revoked = app
        .post(
            &format!("/api/v1/passport-credentials/{id}/revocation"),
            &a_officer,
            json!({"state": "revoked", "reason": "Struck off"}),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        failed_check(&check(&app, &b_officer, &text).await.body),
        "status"
    );
    // Nothing valid is left to print.
    let paper = app.get("/api/v1/me/paper-passport", &nurse).await;
    assert_eq!(paper.body.as_array().unwrap().len(), 0);

    // The worker's access log has each check whose issuer signature showed it was theirs: the
    // valid one and the revoked one (not the forgery, nor the untrusted issuer's, whose
    // signature was never reached, nor the unbound credential, which names no paper copy).
    let log = app.get("/api/v1/me/presentation-requests", &nurse).await;
    let paper_checks: Vec<&Value> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["purpose"]
                .as_str()
                .unwrap_or("")
                .starts_with("Paper passport")
        })
        .collect();
    let states: Vec<&str> = paper_checks
        .iter()
        .filter_map(|r| r["state"].as_str())
        .collect();
    // The good check, the revoked one and the four cut or extended copies whose issuer
    // signature held (the unreadable one names nobody).
    assert_eq!(states.len(), 6, "{}", log.body);
    assert_eq!(states.iter().filter(|s| **s == "verified").count(), 1);
    assert!(paper_checks
        .iter()
        .all(|r| r["verifier_org_id"] == json!(b.id) && r["nonce"].is_null()));
}
