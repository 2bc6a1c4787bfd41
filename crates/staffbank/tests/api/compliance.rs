//! A compliance officer's and a credential issuer's view of workers over HTTP: finding workers by
//! part of a name, an email address or a registration number, only within the officer's trust;
//! each worker's compliance picture; and an issuer that is no longer trusted for a type cannot
//! change its credentials' revocation.

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::json;
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::passport::{officer, proof};

crate::both_backends!(
    officers_find_workers_of_their_own_trusts_only,
    the_compliance_picture_shows_each_requirement_within_its_trust,
    an_issuer_no_longer_trusted_for_a_type_cannot_revoke_it
);

const REGISTRATION: &str = "urn:staffbank:vct:professional_registration:1";

pub(crate) fn registration() -> serde_json::Value {
    json!({"claims": {"type": "professional_registration", "regulator": "nmc",
        "number": "71A2998E", "registered": true, "renewal": "2027-03-31"}})
}

/// An issuing body (an organisation that is not a trust) with a credential issuer; its id and
/// the issuer's token.
pub(crate) async fn issuing_body(app: &TestApp) -> (String, String) {
    let org = app
        .post(
            "/api/v1/organisations",
            &app.admin,
            json!({"ods_code": "NMC", "name": "Nursing and Midwifery Council", "kind": "issuer"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.body);
    let id = org.body["id"].as_str().unwrap().to_owned();
    let token = app
        .user_with_session(
            "registrar@nmc.test",
            vec![Grant {
                role: Role::CredentialIssuer,
                scope: Scope::Organisation(OrgId(Uuid::parse_str(&id).unwrap())),
            }],
        )
        .await;
    let key = app
        .post(
            &format!("/api/v1/organisations/{id}/issuer-keys"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    (id, token)
}

pub(crate) async fn trust_for(app: &TestApp, org: &str, trusted: bool) {
    let set = app
        .call(
            Method::PUT,
            "/api/v1/trust-framework",
            Some(&app.admin),
            Some(json!({"org_id": org, "vct": REGISTRATION, "trusted": trusted})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
}

async fn officers_find_workers_of_their_own_trusts_only(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let ada = app.worker("ada.okafor@a.test", &[&a.bank]).await;
    app.worker("bea.owusu@b.test", &[&b.bank]).await;
    let ada_id = app.worker_id(&ada).await.0.to_string();

    let found = app.get("/api/v1/workers?q=ADA.OK", &a_officer).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(found.body[0]["id"], ada_id.as_str());
    assert_eq!(found.body[0]["email"], "ada.okafor@a.test");
    assert_eq!(found.body[0]["staff_group"], "Nursing and midwifery");
    // Another trust's worker is not found; their own officer finds them.
    assert_eq!(
        app.get("/api/v1/workers?q=owusu", &a_officer).await.body,
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/workers?q=owusu", &b_officer).await.body[0]["email"],
        "bea.owusu@b.test"
    );
    // By the start of a registration number offered to them.
    let key = app
        .post(
            &format!("/api/v1/organisations/{}/issuer-keys", a.id),
            &a_officer,
            json!({}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    let offered = app
        .post(
            &format!("/api/v1/workers/{ada_id}/passport-offers"),
            &a_officer,
            registration(),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    assert_eq!(
        app.get("/api/v1/workers?q=71a29", &a_officer).await.body[0]["id"],
        ada_id.as_str()
    );
    assert_eq!(
        app.get("/api/v1/workers?q=71a29", &b_officer).await.body,
        json!([])
    );
    // Wildcards are characters; bad searches are problems, never errors of the server.
    assert_eq!(
        app.get("/api/v1/workers?q=%25%25", &a_officer).await.body,
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/workers?q=a_a", &a_officer).await.body,
        json!([])
    );
    for bad in [
        "/api/v1/workers",
        "/api/v1/workers?q=a",
        "/api/v1/workers?q=%20%20",
    ] {
        app.get(bad, &a_officer)
            .await
            .assert_problem(422, "validation-error");
    }
    let long = format!("/api/v1/workers?q={}", "x".repeat(101));
    app.get(&long, &a_officer)
        .await
        .assert_problem(422, "validation-error");
    app.get("/api/v1/workers?q=ada&other=1", &a_officer)
        .await
        .assert_problem(422, "validation-error");
    // Workers and bookers may not search; nobody without a session may.
    app.get("/api/v1/workers?q=ada", &ada)
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/workers?q=ada", &a.booker)
        .await
        .assert_problem(403, "forbidden");
    let anonymous = app
        .call(Method::GET, "/api/v1/workers?q=ada", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // An issuing body registers people wherever they work, so its issuer finds anyone.
    let (_, registrar) = issuing_body(&app).await;
    assert_eq!(
        app.get("/api/v1/workers?q=.test", &registrar)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn the_compliance_picture_shows_each_requirement_within_its_trust(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let b_officer = officer(&app, "co@b.test", &b.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let path = format!("/api/v1/workers/{nurse_id}/compliance");

    let picture = app.get(&path, &a_officer).await;
    assert_eq!(picture.status, StatusCode::OK, "{}", picture.body);
    let requirements = picture.body["requirements"].as_array().unwrap();
    assert_eq!(requirements.len(), 6, "{}", picture.body);
    assert!(requirements
        .iter()
        .all(|r| r["status"] == "held" && r["stops"].is_null()));
    assert!(requirements
        .iter()
        .any(|r| r["requirement"] == "dbs_check:enhanced_barred"
            && r["label"] == "DBS check (enhanced barred)"));
    assert_eq!(picture.body["may_offer"].as_array().unwrap().len(), 8);

    // Revoking the recorded registration shows it revoked and what that stops.
    let listed = app
        .get(
            &format!("/api/v1/workers/{nurse_id}/credentials"),
            &a_officer,
        )
        .await;
    app.revoke_kind(
        &a_officer,
        &listed.body,
        "professional_registration",
        "Lapsed",
    )
    .await;
    let picture = app.get(&path, &a_officer).await;
    let registration_row = picture.body["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["requirement"] == "professional_registration")
        .unwrap()
        .clone();
    assert_eq!(registration_row["status"], "revoked");
    assert!(registration_row["stops"]
        .as_str()
        .unwrap()
        .contains("nursing and midwifery shift"));
    // An offer waiting for the worker reads as offered.
    app.post(
        &format!("/api/v1/organisations/{}/issuer-keys", a.id),
        &a_officer,
        json!({}),
    )
    .await;
    let offered = app
        .post(
            &format!("/api/v1/workers/{nurse_id}/passport-offers"),
            &a_officer,
            registration(),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let picture = app.get(&path, &a_officer).await;
    assert!(picture.body["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["requirement"] == "professional_registration" && r["status"] == "offered"));
    assert_eq!(
        picture.body["passport"][0]["credential"]["state"],
        "offered"
    );
    assert_eq!(picture.body["passport"][0]["issuer_name"], "Trust RXL");

    // Another trust's officer, the worker, anyone for a worker that does not exist: refused.
    app.get(&path, &b_officer)
        .await
        .assert_problem(404, "not-found");
    app.get(&path, &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.get(
        &format!("/api/v1/workers/{}/compliance", Uuid::new_v4()),
        &a_officer,
    )
    .await
    .assert_problem(404, "not-found");
    app.get("/api/v1/workers/not-an-id/compliance", &a_officer)
        .await
        .assert_problem(404, "not-found");
}

async fn an_issuer_no_longer_trusted_for_a_type_cannot_revoke_it(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let (nmc, registrar) = issuing_body(&app).await;
    let offers = format!("/api/v1/workers/{nurse_id}/passport-offers");
    // Not trusted yet: no offer; trusted: offered and accepted.
    app.post(&offers, &registrar, registration())
        .await
        .assert_problem(422, "validation-error");
    trust_for(&app, &nmc, true).await;
    let offered = app.post(&offers, &registrar, registration()).await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let id = offered.body["id"].as_str().unwrap().to_owned();
    let issuer = offered.body["issuer"].as_str().unwrap().to_owned();
    let nonce = app.get("/api/v1/me/passport", &nurse).await.body[0]["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    let holder = SigningKey::random(&mut rand::rngs::OsRng);
    let accepted = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &nurse,
            json!({"proof": proof(&holder, &issuer, &nonce, chrono::Utc::now().timestamp())}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    // The issuer sees only what it issued, and no requirements.
    let picture = app
        .get(
            &format!("/api/v1/workers/{nurse_id}/compliance"),
            &registrar,
        )
        .await;
    assert_eq!(picture.status, StatusCode::OK, "{}", picture.body);
    assert_eq!(picture.body["requirements"], json!([]));
    assert_eq!(picture.body["passport"].as_array().unwrap().len(), 1);
    assert_eq!(picture.body["passport"][0]["manageable"], true);

    let revocation = format!("/api/v1/passport-credentials/{id}/revocation");
    let revoke = json!({"state": "suspended", "reason": "Fitness to practise hearing"});
    // The trust's officer did not issue it; the issuer, once untrusted, may not touch it.
    app.post(&revocation, &a_officer, revoke.clone())
        .await
        .assert_problem(404, "not-found");
    trust_for(&app, &nmc, false).await;
    app.post(&revocation, &registrar, revoke.clone())
        .await
        .assert_problem(403, "forbidden");
    let picture = app
        .get(
            &format!("/api/v1/workers/{nurse_id}/compliance"),
            &registrar,
        )
        .await;
    assert_eq!(
        picture.body["passport"][0]["credential"]["revocation"],
        "valid"
    );
    assert_eq!(picture.body["passport"][0]["manageable"], false);
    assert_eq!(picture.body["may_offer"], json!([]));
    // Trusted again: the change goes through.
    trust_for(&app, &nmc, true).await;
    let suspended = app.post(&revocation, &registrar, revoke).await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.body);
    assert_eq!(suspended.body["revocation"], "suspended");
}
