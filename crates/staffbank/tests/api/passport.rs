//! The passport from issuer to wallet over HTTP: an offer, acceptance only with a proof of the
//! worker's own key, a credential that the verifier accepts with the published keys and status
//! list, revocation that the next fetched list shows, and nobody else's hands on any of it.

use std::cell::RefCell;
use std::collections::HashSet;

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::OrgId;
use staffbank_passport::jws::{self, Jwk};
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::sd_jwt::SdJwt;
use staffbank_passport::verify::{verify, Check, Expectations, Failure, Sources, TrustedIssuer};
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(
    a_credential_goes_from_offer_to_wallet_to_revocation,
    a_verifier_sees_every_check_and_the_worker_every_request,
    passport_credentials_count_for_bookings_at_once,
    after_a_key_rotation_each_credential_checks_against_its_own_keys_list
);

pub(crate) async fn officer(app: &TestApp, email: &str, org: &str) -> String {
    let org = OrgId(Uuid::parse_str(org).unwrap());
    app.user_with_session(
        email,
        vec![Grant {
            role: Role::ComplianceOfficer,
            scope: Scope::Organisation(org),
        }],
    )
    .await
}

/// An OpenID4VCI-style proof of possession of `key` for an offer.
pub(crate) fn proof(key: &SigningKey, issuer: &str, nonce: &str, iat: i64) -> String {
    let mut header = jws::header("openid4vci-proof+jwt", None);
    header.insert(
        "jwk".into(),
        serde_json::to_value(Jwk::from_key(key.verifying_key(), None)).unwrap(),
    );
    let claims: Map<String, Value> = json!({"aud": issuer, "nonce": nonce, "iat": iat})
        .as_object()
        .cloned()
        .unwrap();
    jws::sign(header, &claims, key)
}

pub(crate) struct Published {
    issuer: TrustedIssuer,
    list: String,
    used: RefCell<HashSet<String>>,
}

impl Sources for Published {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        (iss == self.issuer.iss).then(|| self.issuer.clone())
    }
    fn status_list(&self, _: &str) -> Option<String> {
        Some(self.list.clone())
    }
    fn use_nonce(&self, nonce: &str) -> bool {
        self.used.borrow_mut().insert(nonce.to_owned())
    }
}

/// What a verifier would fetch: the issuer's published keys and status list.
pub(crate) async fn published(app: &TestApp, org: &str, vct: &str) -> Published {
    let meta = app
        .call(
            Method::GET,
            &format!("/.well-known/jwt-vc-issuer/issuers/{org}"),
            None,
            None,
        )
        .await;
    let keys = meta.body["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| Jwk::from_value(k).unwrap())
        .collect();
    // The list signed by the current key, which signs what is issued now.
    let kid = meta.body["jwks"]["keys"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app
        .http
        .get(format!("{}/issuers/{org}/status-list?kid={kid}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers()["content-type"], "application/statuslist+jwt");
    Published {
        issuer: TrustedIssuer {
            iss: meta.body["issuer"].as_str().unwrap().to_owned(),
            keys,
            vcts: vec![vct.to_owned()],
        },
        list: list.text().await.unwrap(),
        used: RefCell::new(HashSet::new()),
    }
}

async fn a_credential_goes_from_offer_to_wallet_to_revocation(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("other@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let offers = format!("/api/v1/workers/{nurse_id}/passport-offers");
    let claims = json!({"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});

    // No issuer key yet; then one.
    app.post(&offers, &a_officer, json!({"claims": claims}))
        .await
        .assert_problem(422, "validation-error");
    let key = app
        .post(
            &format!("/api/v1/organisations/{}/issuer-keys", a.id),
            &a_officer,
            json!({}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    // Bad claims, a trust the nurse does not work with, a worker: refused, nothing offered.
    let bad = json!({"type": "professional_registration", "regulator": "nmc",
        "number": "12345", "registered": true, "renewal": "2027-03-31"});
    app.post(&offers, &a_officer, json!({"claims": bad}))
        .await
        .assert_problem(422, "validation-error");
    app.post(&offers, &b_officer, json!({"claims": claims}))
        .await
        .assert_problem(404, "not-found");
    app.post(&offers, &other, json!({"claims": claims}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.get("/api/v1/me/passport", &nurse).await.body, json!([]));

    let offered = app
        .post(
            &offers,
            &a_officer,
            json!({"claims": claims, "expires": "2027-03-31"}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    assert!(
        offered.body["nonce"].is_null(),
        "the nonce is for the worker"
    );
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let vct = offered.body["vct"].as_str().unwrap().to_owned();
    let issuer = offered.body["issuer"].as_str().unwrap().to_owned();
    let wallet = app.get("/api/v1/me/passport", &nurse).await;
    assert_eq!(wallet.body[0]["state"], "offered");
    let nonce = wallet.body[0]["nonce"].as_str().unwrap().to_owned();

    // Only the nurse, only with a good proof of their own key.
    let holder = SigningKey::random(&mut rand::rngs::OsRng);
    let now = chrono::Utc::now().timestamp();
    let accept = format!("/api/v1/me/passport/{id}/accept");
    app.post(
        &accept,
        &other,
        json!({"proof": proof(&holder, &issuer, &nonce, now)}),
    )
    .await
    .assert_problem(404, "not-found");
    for wrong in [
        proof(&holder, &issuer, "another nonce", now),
        proof(&holder, "https://elsewhere.test", &nonce, now),
        proof(&holder, &issuer, &nonce, now - 3600),
        "not.a.jwt".to_owned(),
    ] {
        app.post(&accept, &nurse, json!({"proof": wrong}))
            .await
            .assert_problem(422, "validation-error");
    }
    let accepted = app
        .post(
            &accept,
            &nurse,
            json!({"proof": proof(&holder, &issuer, &nonce, now)}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["state"], "accepted");
    app.post(
        &accept,
        &nurse,
        json!({"proof": proof(&holder, &issuer, &nonce, now)}),
    )
    .await
    .assert_problem(409, "request-decided");
    let sd = SdJwt::parse(accepted.body["sd_jwt"].as_str().unwrap()).unwrap();

    // A verifier with the published keys and list accepts what the nurse chooses to show.
    let present = |nonce: &str| {
        bind(
            sd.disclosing(&["number"]),
            &Binding {
                aud: "https://verifier.test".into(),
                nonce: nonce.into(),
                iat: chrono::Utc::now().timestamp(),
            },
            &holder,
        )
        .compact()
    };
    let expect = |nonce: &'static str| Expectations {
        now: chrono::Utc::now().timestamp(),
        audience: "https://verifier.test",
        nonce,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    };
    let sources = published(&app, &a.id, &vct).await;
    let report = verify(&present("v1"), &expect("v1"), &sources);
    assert!(report.is_valid(), "{report:?}");
    let shown = report.credential.unwrap().claims;
    assert_eq!(shown["number"], "71A2998E");
    assert!(shown.get("renewal").is_none());

    // Revocation: only the issuer's officers; suspended, reinstated, then revoked for good.
    let revocation = format!("/api/v1/passport-credentials/{id}/revocation");
    app.post(
        &revocation,
        &b_officer,
        json!({"state": "revoked", "reason": "x"}),
    )
    .await
    .assert_problem(404, "not-found");
    let suspended = app
        .post(
            &revocation,
            &a_officer,
            json!({"state": "suspended", "reason": "fitness to practise"}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.body);
    let sources = published(&app, &a.id, &vct).await;
    let report = verify(&present("v2"), &expect("v2"), &sources);
    assert_eq!(report.failed, Some((Check::Status, Failure::Suspended)));
    app.post(
        &revocation,
        &a_officer,
        json!({"state": "valid", "reason": "cleared"}),
    )
    .await;
    let sources = published(&app, &a.id, &vct).await;
    assert!(verify(&present("v3"), &expect("v3"), &sources).is_valid());
    app.post(
        &revocation,
        &a_officer,
        json!({"state": "revoked", "reason": "struck off"}),
    )
    .await;
    app.post(
        &revocation,
        &a_officer,
        json!({"state": "valid", "reason": "mistake"}),
    )
    .await
    .assert_problem(409, "already-revoked");
    let sources = published(&app, &a.id, &vct).await;
    let report = verify(&present("v4"), &expect("v4"), &sources);
    assert_eq!(report.failed, Some((Check::Status, Failure::Revoked)));

    // Turning down a second offer.
    let second = app
        .post(&offers, &a_officer, json!({"claims": claims}))
        .await;
    let second = second.body["id"].as_str().unwrap().to_owned();
    let rejected = app
        .post(
            &format!("/api/v1/me/passport/{second}/reject"),
            &nurse,
            json!({}),
        )
        .await;
    assert_eq!(rejected.body["state"], "rejected", "{}", rejected.body);
}

/// A nurse of `trust` holding an accepted registration credential; their token, key and SD-JWT.
pub(crate) async fn holder_with_credential(
    app: &TestApp,
    trust: &crate::helpers::Trust,
    officer: &str,
    email: &str,
) -> (String, SigningKey, SdJwt, String) {
    let nurse = app.worker(email, &[&trust.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let keys = app
        .call(
            Method::GET,
            &format!("/.well-known/jwt-vc-issuer/issuers/{}", trust.id),
            None,
            None,
        )
        .await;
    if keys.status != StatusCode::OK {
        app.post(
            &format!("/api/v1/organisations/{}/issuer-keys", trust.id),
            officer,
            json!({}),
        )
        .await;
    }
    let claims = json!({"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});
    let offered = app
        .post(
            &format!("/api/v1/workers/{nurse_id}/passport-offers"),
            officer,
            json!({"claims": claims}),
        )
        .await;
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let issuer = offered.body["issuer"].as_str().unwrap().to_owned();
    let vct = offered.body["vct"].as_str().unwrap().to_owned();
    let nonce = app.get("/api/v1/me/passport", &nurse).await.body[0]["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let now = chrono::Utc::now().timestamp();
    let accepted = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &nurse,
            json!({"proof": proof(&key, &issuer, &nonce, now)}),
        )
        .await;
    let sd = SdJwt::parse(accepted.body["sd_jwt"].as_str().unwrap()).unwrap();
    (nurse, key, sd, vct)
}

async fn a_verifier_sees_every_check_and_the_worker_every_request(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let (nurse, key, sd, vct) = holder_with_credential(&app, &a, &a_officer, "holder@a.test").await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let trust = |trusted: bool| json!({"org_id": a.id, "vct": vct, "trusted": trusted});
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(trust(true)),
    )
    .await;
    let requests = format!("/api/v1/workers/{nurse_id}/presentation-requests");
    let ask = |claims: Value| json!({"vct": vct, "claims": claims, "purpose": "Bank induction"});

    // B does not work with the nurse: it cannot ask.
    app.post(&requests, &b_officer, ask(json!(["number"])))
        .await
        .assert_problem(404, "not-found");
    let new_request = || async {
        let made = app
            .post(&requests, &a_officer, ask(json!(["number"])))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert!(made.body["nonce"].is_null());
        let id = made.body["id"].as_str().unwrap().to_owned();
        let log = app.get("/api/v1/me/presentation-requests", &nurse).await;
        let mine = log
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap()
            .clone();
        assert_eq!(mine["purpose"], "Bank induction");
        (
            id,
            mine["nonce"].as_str().unwrap().to_owned(),
            mine["audience"].as_str().unwrap().to_owned(),
        )
    };
    let present = |names: &[&str], aud: &str, nonce: &str| {
        bind(
            sd.disclosing(names),
            &Binding {
                aud: aud.into(),
                nonce: nonce.into(),
                iat: chrono::Utc::now().timestamp(),
            },
            &key,
        )
        .compact()
    };
    let answer = |id: &str, presentation: String| {
        let path = format!("/api/v1/me/presentation-requests/{id}/present");
        let nurse = nurse.clone();
        let app = &app;
        async move {
            app.post(&path, &nurse, json!({"presentation": presentation}))
                .await
        }
    };

    // Consent and a good presentation: verified, with exactly what was asked.
    let (id, nonce, aud) = new_request().await;
    let good = present(&["number"], &aud, &nonce);
    let done = answer(&id, good.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["state"], "verified", "{}", done.body);
    let seen = app
        .get(&format!("/api/v1/presentation-requests/{id}"), &a_officer)
        .await;
    assert_eq!(seen.body["result"]["valid"], true);
    assert_eq!(seen.body["result"]["disclosed"]["number"], "71A2998E");
    assert!(seen.body["result"]["disclosed"].get("renewal").is_none());
    assert_eq!(seen.body["result"]["passed"].as_array().unwrap().len(), 13);
    app.get(&format!("/api/v1/presentation-requests/{id}"), &b_officer)
        .await
        .assert_problem(404, "not-found");
    // The same presentation again: the request is answered and its nonce spent.
    answer(&id, good.clone())
        .await
        .assert_problem(409, "request-decided");

    // A replay of the old presentation to a new request fails on the nonce.
    let (id, _, _) = new_request().await;
    let replayed = answer(&id, good).await;
    assert_eq!(replayed.body["state"], "failed");
    assert_eq!(replayed.body["result"]["failed"]["check"], "nonce");

    // More than was asked: refused as over-disclosure.
    let (id, nonce, aud) = new_request().await;
    let over = answer(&id, present(&["number", "renewal"], &aud, &nonce)).await;
    assert_eq!(over.body["state"], "failed");
    assert_eq!(
        over.body["result"]["failed"]["failure"]["reason"],
        "over_disclosure"
    );
    assert!(over.body["result"]["disclosed"].is_null());

    // Another audience: refused.
    let (id, nonce, _) = new_request().await;
    let elsewhere = answer(&id, present(&["number"], "https://elsewhere.test", &nonce)).await;
    assert_eq!(elsewhere.body["result"]["failed"]["check"], "audience");

    // No longer trusted for the type: refused.
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(trust(false)),
    )
    .await;
    let (id, nonce, aud) = new_request().await;
    let untrusted = answer(&id, present(&["number"], &aud, &nonce)).await;
    assert_eq!(
        untrusted.body["result"]["failed"]["check"],
        "issuer_trusted"
    );

    // Declined: the verifier learns only that.
    let (id, _, _) = new_request().await;
    let declined = app
        .post(
            &format!("/api/v1/me/presentation-requests/{id}/decline"),
            &nurse,
            json!({}),
        )
        .await;
    assert_eq!(declined.body["state"], "declined", "{}", declined.body);
    assert!(declined.body["result"].is_null());

    // The access log holds every request, newest first.
    let log = app.get("/api/v1/me/presentation-requests", &nurse).await;
    let states: Vec<&str> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        vec!["declined", "failed", "failed", "failed", "failed", "verified"]
    );
}

async fn passport_credentials_count_for_bookings_at_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    // The nurse's recorded DBS check is revoked: they cannot book.
    let records = app
        .get(
            &format!("/api/v1/workers/{nurse_id}/credentials"),
            &a_officer,
        )
        .await;
    app.revoke_kind(&a_officer, &records.body, "dbs_check", "renewal due")
        .await;
    let first = app.shift(&a, &a.bank, 48, 8, 1).await;
    app.book(&nurse, &first, "k1")
        .await
        .assert_problem(422, "not-eligible");

    // A DBS check in the passport, accepted: it counts at once.
    app.post(
        &format!("/api/v1/organisations/{}/issuer-keys", a.id),
        &a_officer,
        json!({}),
    )
    .await;
    let claims = json!({"type": "dbs_check", "level": "enhanced_barred", "workforce": "adult",
        "certificate_date": "2025-03-01", "update_service": true});
    let offered = app
        .post(
            &format!("/api/v1/workers/{nurse_id}/passport-offers"),
            &a_officer,
            json!({"claims": claims}),
        )
        .await;
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let issuer = offered.body["issuer"].as_str().unwrap().to_owned();
    let nonce = app.get("/api/v1/me/passport", &nurse).await.body[0]["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let now = chrono::Utc::now().timestamp();
    let accepted = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &nurse,
            json!({"proof": proof(&key, &issuer, &nonce, now)}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let booked = app.book(&nurse, &first, "k2").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    // Suspended: it stops counting at once; reinstated: it counts again; revoked: for good.
    let revocation = format!("/api/v1/passport-credentials/{id}/revocation");
    let set = |state: &'static str| {
        let (app, revocation, officer) = (&app, revocation.clone(), a_officer.clone());
        async move {
            let reply = app
                .post(
                    &revocation,
                    &officer,
                    json!({"state": state, "reason": "review"}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
    };
    set("suspended").await;
    let second = app.shift(&a, &a.bank, 96, 8, 1).await;
    let refused = app.book(&nurse, &second, "k3").await;
    refused.assert_problem(422, "not-eligible");
    assert!(refused.body.to_string().contains("dbs"), "{}", refused.body);
    set("valid").await;
    let booked = app.book(&nurse, &second, "k4").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    set("revoked").await;
    let third = app.shift(&a, &a.bank, 144, 8, 1).await;
    app.book(&nurse, &third, "k5")
        .await
        .assert_problem(422, "not-eligible");
}

/// What a credential's issuer JWT says of itself: its `kid` and its status list URI and index.
fn status_of(sd: &SdJwt) -> (String, String) {
    let jwt = jws::Jws::parse(&sd.jwt).unwrap();
    let uri = jwt.claims["status"]["status_list"]["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    (jwt.kid().unwrap().to_owned(), uri)
}

async fn after_a_key_rotation_each_credential_checks_against_its_own_keys_list(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let (old_nurse, old_key, old_sd, vct) =
        holder_with_credential(&app, &a, &a_officer, "old@a.test").await;
    let rotated = app
        .post(
            &format!("/api/v1/organisations/{}/issuer-keys", a.id),
            &a_officer,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.body);
    let (new_nurse, new_key, new_sd, _) =
        holder_with_credential(&app, &a, &a_officer, "new@a.test").await;
    let (old_kid, old_uri) = status_of(&old_sd);
    let (new_kid, new_uri) = status_of(&new_sd);
    assert_ne!(old_kid, new_kid);
    assert_eq!(new_kid, rotated.body["kid"]);
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(json!({"org_id": a.id, "vct": vct, "trusted": true})),
    )
    .await;

    // Each credential points at a list that its own key signs.
    let meta = app
        .call(
            Method::GET,
            &format!("/.well-known/jwt-vc-issuer/issuers/{}", a.id),
            None,
            None,
        )
        .await;
    let keys: Vec<Jwk> = meta.body["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| Jwk::from_value(k).unwrap())
        .collect();
    let fetch = |uri: String| {
        let app = &app;
        async move {
            let path = uri.strip_prefix("http://localhost:8080").unwrap();
            let got = app
                .http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(got.status(), StatusCode::OK, "{uri}");
            got.text().await.unwrap()
        }
    };
    for (kid, uri) in [(&old_kid, &old_uri), (&new_kid, &new_uri)] {
        let token = jws::Jws::parse(&fetch(uri.clone()).await).unwrap();
        assert_eq!(token.kid(), Some(kid.as_str()), "the list at {uri}");
        assert_eq!(token.str_claim("sub"), Some(uri.as_str()));
        let own = keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid.as_str()))
            .unwrap();
        assert!(token.verifies_with(&own.key().unwrap()), "{uri}");
    }

    // A verifier that checks each list with the credential's own key (and only that key).
    let issuer_with = |kid: &str| TrustedIssuer {
        iss: meta.body["issuer"].as_str().unwrap().to_owned(),
        keys: keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .cloned()
            .collect(),
        vcts: vec![vct.clone()],
    };
    let present = |sd: &SdJwt, holder: &SigningKey, nonce: &str, aud: &str| {
        bind(
            sd.disclosing(&["number"]),
            &Binding {
                aud: aud.into(),
                nonce: nonce.into(),
                iat: chrono::Utc::now().timestamp(),
            },
            holder,
        )
        .compact()
    };
    let outside = |kid: String, uri: String, sd: SdJwt, holder: SigningKey, nonce: &'static str| {
        let issuer = issuer_with(&kid);
        let fetch = &fetch;
        async move {
            let sources = Published {
                issuer,
                list: fetch(uri).await,
                used: RefCell::new(HashSet::new()),
            };
            let expect = Expectations {
                now: chrono::Utc::now().timestamp(),
                audience: "https://verifier.test",
                nonce,
                iat_window: 300,
                leeway: 30,
                require_key_binding: true,
            };
            verify(
                &present(&sd, &holder, nonce, "https://verifier.test"),
                &expect,
                &sources,
            )
        }
    };
    let report = outside(
        old_kid.clone(),
        old_uri.clone(),
        old_sd.clone(),
        old_key.clone(),
        "o1",
    )
    .await;
    assert!(report.is_valid(), "{report:?}");
    let report = outside(
        new_kid.clone(),
        new_uri.clone(),
        new_sd.clone(),
        new_key.clone(),
        "n1",
    )
    .await;
    assert!(report.is_valid(), "{report:?}");

    // The platform's own verifier agrees, through a presentation request.
    let staffbank_verdict = |nurse: String, sd: SdJwt, holder: SigningKey| {
        let app = &app;
        let a_officer = &a_officer;
        let vct = &vct;
        async move {
            let worker = app.worker_id(&nurse).await.0;
            let made = app
                .post(
                    &format!("/api/v1/workers/{worker}/presentation-requests"),
                    a_officer,
                    json!({"vct": vct, "claims": ["number"], "purpose": "Induction"}),
                )
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
            let id = made.body["id"].as_str().unwrap().to_owned();
            let mine = app.get("/api/v1/me/presentation-requests", &nurse).await;
            let mine = mine
                .body
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == json!(id))
                .unwrap()
                .clone();
            let answered = app
                .post(
                    &format!("/api/v1/me/presentation-requests/{id}/present"),
                    &nurse,
                    json!({"presentation": present(
                        &sd,
                        &holder,
                        mine["nonce"].as_str().unwrap(),
                        mine["audience"].as_str().unwrap(),
                    )}),
                )
                .await;
            assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
            answered.body["result"].clone()
        }
    };
    let verdict = staffbank_verdict(old_nurse.clone(), old_sd.clone(), old_key.clone()).await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    let verdict = staffbank_verdict(new_nurse.clone(), new_sd.clone(), new_key.clone()).await;
    assert_eq!(verdict["valid"], true, "{verdict}");

    // Revoking the old-key credential shows in its own key's list, to both verifiers.
    let held = app.get("/api/v1/me/passport", &old_nurse).await;
    let credential = held.body[0]["id"].as_str().unwrap().to_owned();
    let revoked = app
        .post(
            &format!("/api/v1/passport-credentials/{credential}/revocation"),
            &a_officer,
            json!({"state": "revoked", "reason": "Struck off"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let report = outside(old_kid, old_uri, old_sd.clone(), old_key.clone(), "o2").await;
    assert_eq!(report.failed, Some((Check::Status, Failure::Revoked)));
    let verdict = staffbank_verdict(old_nurse, old_sd, old_key).await;
    assert_eq!(verdict["valid"], false, "{verdict}");
    assert_eq!(verdict["failed"]["check"], "status", "{verdict}");
    assert_eq!(
        verdict["failed"]["failure"]["reason"], "revoked",
        "{verdict}"
    );
    let report = outside(new_kid, new_uri, new_sd.clone(), new_key.clone(), "n2").await;
    assert!(report.is_valid(), "{report:?}");
}
