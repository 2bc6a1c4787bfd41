//! Issuers: keys generated and sealed by the platform, rotated by the trust's own officers only,
//! published (current and retired) as JWT VC issuer metadata and did:web documents with no
//! private part; the trust framework changed by platform administrators only and readable by all.

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::OrgId;
use staffbank_passport::jws::Jwk;
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(
    issuer_keys_are_rotated_by_their_trust_and_published_without_secrets,
    only_platform_admins_change_the_trust_framework,
    training_credentials_last_until_their_first_refresher,
    an_issuing_body_offers_only_the_types_it_is_trusted_for
);

async fn officer(app: &TestApp, email: &str, org: &str, role: Role) -> String {
    let org = OrgId(Uuid::parse_str(org).unwrap());
    app.user_with_session(
        email,
        vec![Grant {
            role,
            scope: Scope::Organisation(org),
        }],
    )
    .await
}

async fn issuer_keys_are_rotated_by_their_trust_and_published_without_secrets(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id, Role::ComplianceOfficer).await;
    let b_officer = officer(&app, "co@b.test", &b.id, Role::ComplianceOfficer).await;
    let worker = app.worker("nurse@a.test", &[&a.bank]).await;
    let rotate = format!("/api/v1/organisations/{}/issuer-keys", a.id);
    let metadata = format!("/.well-known/jwt-vc-issuer/issuers/{}", a.id);

    app.call(Method::GET, &metadata, None, None)
        .await
        .assert_problem(404, "not-found");
    // Another trust's officer, a worker, a booker and nobody at all cannot make A's keys.
    for token in [&b_officer, &worker, &a.booker] {
        app.post(&rotate, token, json!({}))
            .await
            .assert_problem(404, "not-found");
    }
    app.call(Method::POST, &rotate, None, None)
        .await
        .assert_problem(401, "unauthenticated");
    assert!(app
        .store
        .issuer_keys(OrgId(Uuid::parse_str(&a.id).unwrap()))
        .await
        .unwrap()
        .is_empty());

    let first = app.post(&rotate, &a_officer, json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = app.post(&rotate, &app.admin, json!({})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let issuer = format!("http://localhost:8080/issuers/{}", a.id);
    assert_eq!(second.body["issuer"], issuer);

    let published = app.call(Method::GET, &metadata, None, None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(published.body["issuer"], issuer);
    let keys = published.body["jwks"]["keys"].as_array().unwrap().clone();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(
        kids,
        vec![
            first.body["kid"].as_str().unwrap(),
            second.body["kid"].as_str().unwrap()
        ],
        "the retired key stays published"
    );
    for body in [&first.body, &second.body, &published.body] {
        assert!(
            !body.to_string().contains("\"d\""),
            "no private part: {body}"
        );
    }
    // B publishes nothing of A's.
    app.call(
        Method::GET,
        &format!("/.well-known/jwt-vc-issuer/issuers/{}", b.id),
        None,
        None,
    )
    .await
    .assert_problem(404, "not-found");

    // The sealed private key opens only with the master key, and is the published key's pair.
    let stored = app
        .store
        .issuer_keys(OrgId(Uuid::parse_str(&a.id).unwrap()))
        .await
        .unwrap();
    assert!(stored[0].retired_at.is_some() && stored[1].retired_at.is_none());
    for (key, jwk) in stored.iter().zip(&keys) {
        let data_key = app.master.unwrap(key.id, &key.wrapped_key).unwrap();
        let private = data_key.open(key.id, &key.sealed_private).unwrap();
        let signing = SigningKey::from_slice(&private).unwrap();
        let public = Jwk::from_value(jwk).unwrap().key().unwrap();
        assert_eq!(signing.verifying_key(), &public);
        assert!(data_key.open(Uuid::new_v4(), &key.sealed_private).is_err());
    }

    let did = app
        .call(
            Method::GET,
            &format!("/issuers/{}/did.json", a.id),
            None,
            None,
        )
        .await;
    assert_eq!(did.status, StatusCode::OK, "{}", did.body);
    let id = format!("did:web:localhost%3A8080:issuers:{}", a.id);
    assert_eq!(did.body["id"], id);
    let methods = did.body["verificationMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    assert_eq!(methods[1]["publicKeyJwk"], keys[1]);
    assert_eq!(
        did.body["assertionMethod"][0],
        Value::from(format!("{id}#{}", kids[0]))
    );
}

async fn only_platform_admins_change_the_trust_framework(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id, Role::ComplianceOfficer).await;
    let vct = "urn:staffbank:vct:dbs_check:1";
    let entry = json!({"org_id": a.id, "vct": vct, "trusted": true});
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&a_officer),
        Some(entry.clone()),
    )
    .await
    .assert_problem(403, "forbidden");
    let listed = app
        .call(Method::GET, "/api/v1/trust-framework", None, None)
        .await;
    assert_eq!(listed.body, json!([]));

    let added = app
        .call(
            Method::PUT,
            "/api/v1/trust-framework",
            Some(&app.admin),
            Some(entry.clone()),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let listed = app
        .call(Method::GET, "/api/v1/trust-framework", None, None)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["vct"], vct);
    assert_eq!(
        listed.body[0]["issuer"],
        format!("http://localhost:8080/issuers/{}", a.id)
    );

    for bad in [
        json!({"org_id": a.id, "vct": "", "trusted": true}),
        json!({"org_id": a.id, "vct": "has space", "trusted": true}),
        json!({"org_id": Uuid::new_v4(), "vct": vct, "trusted": true}),
    ] {
        app.call(
            Method::PUT,
            "/api/v1/trust-framework",
            Some(&app.admin),
            Some(bad),
        )
        .await
        .assert_problem(422, "validation-error");
    }
    let removed = app
        .call(
            Method::PUT,
            "/api/v1/trust-framework",
            Some(&app.admin),
            Some(json!({"org_id": a.id, "vct": vct, "trusted": false})),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let listed = app
        .call(Method::GET, "/api/v1/trust-framework", None, None)
        .await;
    assert_eq!(listed.body, json!([]));
}

async fn training_credentials_last_until_their_first_refresher(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id, Role::ComplianceOfficer).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    app.post(
        &format!("/api/v1/organisations/{}/issuer-keys", a.id),
        &a_officer,
        json!({}),
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    let months_ago = |m: u32| (today - chrono::Months::new(m)).to_string();
    let training = |fire: String, resus: String| {
        json!({"claims": {"type": "core_skills_training", "subjects": {
            "fire_safety": {"level": 1, "completed": fire},
            "resuscitation": {"level": 2, "completed": resus}}}})
    };
    let offers = format!("/api/v1/workers/{nurse_id}/passport-offers");
    let periods = "/api/v1/refresher-periods";

    // None is assumed: with no periods, training cannot be offered.
    let refused = app
        .post(&offers, &a_officer, training(months_ago(2), months_ago(6)))
        .await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(
        refused.body["errors"][0]["field"],
        "claims.subjects.fire_safety"
    );

    // Platform administrators only, and only sound periods; a refused change changes nothing.
    let good = json!([{"subject": "fire_safety", "level": 1, "months": 24},
        {"subject": "resuscitation", "level": 2, "months": 12}]);
    app.call(Method::PUT, periods, Some(&a_officer), Some(good.clone()))
        .await
        .assert_problem(403, "forbidden");
    let bad = json!([{"subject": "fire", "level": 4, "months": 0},
        {"subject": "resuscitation", "level": 2, "months": 12},
        {"subject": "resuscitation", "level": 2, "months": 6}]);
    let refused = app
        .call(Method::PUT, periods, Some(&app.admin), Some(bad))
        .await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(
        refused.body["errors"].as_array().unwrap().len(),
        4,
        "{}",
        refused.body
    );
    assert_eq!(
        app.call(Method::GET, periods, None, None).await.body,
        json!([])
    );
    let set = app
        .call(Method::PUT, periods, Some(&app.admin), Some(good))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        app.call(Method::GET, periods, None, None).await.body,
        set.body
    );

    // The credential lasts until its first refresher: resuscitation, 12 months after it was
    // done six months ago, at the start of that UK day.
    let offered = app
        .post(&offers, &a_officer, training(months_ago(2), months_ago(6)))
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let due = (today - chrono::Months::new(6)) + chrono::Months::new(12);
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(offered.body["expires_at"].clone()).unwrap();
    let uk = expires.with_timezone(&chrono_tz::Europe::London);
    assert_eq!((uk.date_naive(), uk.time()), (due, chrono::NaiveTime::MIN));

    // A refresher already due: refused.
    app.post(&offers, &a_officer, training(months_ago(2), months_ago(13)))
        .await
        .assert_problem(422, "validation-error");
}

async fn an_issuing_body_offers_only_the_types_it_is_trusted_for(app: TestApp) {
    let a = app.trust("RXL").await;
    let nmc = app
        .post(
            "/api/v1/organisations",
            &app.admin,
            json!({"ods_code": "NMC", "name": "Nursing and Midwifery Council", "kind": "issuer"}),
        )
        .await;
    let nmc_id = nmc.body["id"].as_str().unwrap().to_owned();
    let registrar = officer(&app, "registrar@nmc.test", &nmc_id, Role::CredentialIssuer).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let key = app
        .post(
            &format!("/api/v1/organisations/{nmc_id}/issuer-keys"),
            &registrar,
            json!({}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    let offers = format!("/api/v1/workers/{nurse_id}/passport-offers");
    let registration = json!({"claims": {"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"}});

    // Not trusted for the type yet: refused, nothing offered.
    let refused = app.post(&offers, &registrar, registration.clone()).await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(refused.body["errors"][0]["field"], "claims.type");
    let vct = "urn:staffbank:vct:professional_registration:1";
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(json!({"org_id": nmc_id, "vct": vct, "trusted": true})),
    )
    .await;
    let offered = app.post(&offers, &registrar, registration).await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    assert_eq!(offered.body["org_id"], json!(nmc_id));
    assert!(offered.body["issuer"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/issuers/{nmc_id}")));
    // Only the types it is trusted for.
    let dbs = json!({"claims": {"type": "dbs_check", "level": "enhanced_barred", "workforce": "adult",
        "certificate_date": "2025-03-01", "update_service": true}});
    app.post(&offers, &registrar, dbs)
        .await
        .assert_problem(422, "validation-error");
    // The nurse accepts; the body revokes what it issued.
    let id = offered.body["id"].as_str().unwrap();
    let nonce = app.get("/api/v1/me/passport", &nurse).await.body[0]["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    let holder = SigningKey::random(&mut rand::rngs::OsRng);
    let issuer = offered.body["issuer"].as_str().unwrap();
    let proof = crate::passport::proof(&holder, issuer, &nonce, chrono::Utc::now().timestamp());
    let accepted = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &nurse,
            json!({"proof": proof}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let revoked = app
        .post(
            &format!("/api/v1/passport-credentials/{id}/revocation"),
            &registrar,
            json!({"state": "revoked", "reason": "Removed from the register"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(
        app.get("/api/v1/me/passport", &nurse)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
