//! Organisations' OpenID Connect providers through the API: only platform administrators
//! configure them, the client secret goes in sealed and never comes out, subjects link only to
//! accounts of the provider's organisation (another trust's account is a 404), an
//! organisation that turns passwords off refuses its staff's password sign-in, and removing the
//! provider gives the passwords back. (The sign-in
//! flow itself, against a real provider, is in the browser test `e2e/oidc.test.mjs`.)

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use staffbank_domain::role::Role;

use crate::helpers::TestApp;

crate::both_backends!(
    providers_are_admin_only_and_never_show_their_secret,
    links_stay_within_the_providers_organisation,
    passwords_off_refuses_the_organisations_password_sign_in,
);

const SECRET: &str = "a-client-secret-nobody-may-read";

fn provider_body(org: &str) -> Value {
    json!({
        "org_id": org, "issuer_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "staffbank-client", "client_secret": SECRET,
        "display_name": "Sign in with NHSmail", "passwords_off": false,
    })
}

async fn providers_are_admin_only_and_never_show_their_secret(app: TestApp) {
    let a = app.trust("RXL").await;
    // Not for a booker, nor anyone signed out.
    app.post("/api/v1/oidc-providers", &a.booker, provider_body(&a.id))
        .await
        .assert_problem(403, "forbidden");
    let anonymous = app
        .call(Method::GET, "/api/v1/oidc-providers", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Bad fields are all named, and nothing is stored.
    let bad = app
        .post(
            "/api/v1/oidc-providers",
            &app.admin,
            json!({"org_id": Uuid::new_v4(), "issuer_url": "http://evil.example/", "client_id": "",
                   "display_name": " ", "client_secret": ""}),
        )
        .await;
    bad.assert_problem(422, "validation-error");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "issuer_url",
        "client_id",
        "display_name",
        "client_secret",
        "org_id",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let listed = app.get("/api/v1/oidc-providers", &app.admin).await;
    assert_eq!(listed.body, json!([]));

    let added = app
        .post("/api/v1/oidc-providers", &app.admin, provider_body(&a.id))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let id = added.body["id"].as_str().unwrap().to_owned();
    assert!(!added.body.to_string().contains(SECRET));
    assert!(added.body.get("client_secret").is_none());

    // Stored sealed, not in the clear; and the ledger entry does not carry it either.
    let stored = app
        .store
        .oidc_provider(Uuid::parse_str(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!String::from_utf8_lossy(&stored.sealed_secret).contains(SECRET));
    let entries = app.ledger_entries("oidc_provider.added").await;
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].to_string().contains(SECRET));

    // A change without a secret keeps the sealed one; the answer never shows it.
    let mut change = provider_body(&a.id);
    change["client_secret"] = Value::Null;
    change["display_name"] = json!("Sign in with NHS CIS2");
    let changed = app
        .call(
            Method::PUT,
            &format!("/api/v1/oidc-providers/{id}"),
            Some(&app.admin),
            Some(change),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["display_name"], "Sign in with NHS CIS2");
    let after = app
        .store
        .oidc_provider(Uuid::parse_str(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.sealed_secret, stored.sealed_secret);
    let one = app
        .get(&format!("/api/v1/oidc-providers/{id}"), &app.admin)
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(!one.body.to_string().contains(SECRET));
    app.get(
        &format!("/api/v1/oidc-providers/{}", Uuid::new_v4()),
        &app.admin,
    )
    .await
    .assert_problem(404, "not-found");
    app.get("/api/v1/oidc-providers/not-an-id", &app.admin)
        .await
        .assert_problem(404, "not-found");

    // The sign-in page shows its button.
    let page = app
        .http
        .get(format!("{}/sign-in", app.base))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Sign in with NHS CIS2"));
    assert!(html.contains(&format!("/sign-in/oidc/{id}")));
}

async fn links_stay_within_the_providers_organisation(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let added = app
        .post("/api/v1/oidc-providers", &app.admin, provider_body(&a.id))
        .await;
    let id = added.body["id"].as_str().unwrap().to_owned();
    let org_a = staffbank_domain::OrgId(Uuid::parse_str(&a.id).unwrap());
    let org_b = staffbank_domain::OrgId(Uuid::parse_str(&b.id).unwrap());
    let (ours, _) = app
        .user_and_session(
            "ours@rxl.nhs.test",
            vec![staffbank_domain::role::Grant {
                role: staffbank_domain::role::Role::Booker,
                scope: staffbank_domain::role::Scope::Organisation(org_a),
            }],
        )
        .await;
    let (theirs, _) = app
        .user_and_session(
            "theirs@rxn.nhs.test",
            vec![staffbank_domain::role::Grant {
                role: staffbank_domain::role::Role::Booker,
                scope: staffbank_domain::role::Scope::Organisation(org_b),
            }],
        )
        .await;
    let link = |user: Uuid, subject: &str| {
        let app = &app;
        let path = format!("/api/v1/oidc-providers/{id}/links");
        let body = json!({"user_id": user, "subject": subject});
        async move { app.post(&path, &app.admin, body).await }
    };

    // Another trust's account is as good as absent, and nothing is linked.
    link(theirs.0, "subject-b")
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.store
            .oidc_linked_user(Uuid::parse_str(&id).unwrap(), "subject-b")
            .await
            .unwrap(),
        None
    );
    link(Uuid::new_v4(), "subject-x")
        .await
        .assert_problem(404, "not-found");
    link(ours.0, "  ")
        .await
        .assert_problem(422, "validation-error");
    // Not for a booker, even of the provider's own trust.
    app.post(
        &format!("/api/v1/oidc-providers/{id}/links"),
        &a.booker,
        json!({"user_id": ours.0, "subject": "subject-a"}),
    )
    .await
    .assert_problem(403, "forbidden");

    let linked = link(ours.0, "subject-a").await;
    assert_eq!(linked.status, StatusCode::NO_CONTENT, "{}", linked.body);
    assert_eq!(
        app.store
            .oidc_linked_user(Uuid::parse_str(&id).unwrap(), "subject-a")
            .await
            .unwrap(),
        Some(ours)
    );
    assert!(app.store.user_in_org(ours, org_a).await.unwrap());
    assert!(!app.store.user_in_org(ours, org_b).await.unwrap());
    assert!(!app.store.user_in_org(app.admin_id, org_a).await.unwrap());
    assert!(!app.store.user_in_org(theirs, org_a).await.unwrap());
}

async fn passwords_off_refuses_the_organisations_password_sign_in(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let password = "correct horse battery";
    for (email, org) in [("ann@rxl.nhs.test", &a.id), ("bob@rxn.nhs.test", &b.id)] {
        let made = app
            .post(
                "/api/v1/users",
                &app.admin,
                json!({"email": email, "display_name": "Staff", "password": password,
                       "grants": [{"role": "booker", "scope": "organisation", "scope_id": org}]}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    let sign_in = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await
        }
    };
    assert_eq!(
        sign_in("ann@rxl.nhs.test", password).await.status,
        StatusCode::CREATED
    );

    let mut body = provider_body(&a.id);
    body["passwords_off"] = json!(true);
    let added = app.post("/api/v1/oidc-providers", &app.admin, body).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    // The right password is refused for the organisation's staff; a wrong one is still a 401,
    // so the refusal tells nothing to someone who does not know the password.
    sign_in("ann@rxl.nhs.test", password)
        .await
        .assert_problem(403, "forbidden");
    sign_in("ann@rxl.nhs.test", "wrong password!")
        .await
        .assert_problem(401, "unauthenticated");
    // Another trust's staff are untouched.
    assert_eq!(
        sign_in("bob@rxn.nhs.test", password).await.status,
        StatusCode::CREATED
    );

    // Only an administrator removes the provider; once removed, its button and its refusal go.
    let provider = added.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/oidc-providers/{provider}");
    let booker = app.staff("carol@rxl.nhs.test", Role::Booker, &a).await;
    app.call(Method::DELETE, &path, Some(&booker), None)
        .await
        .assert_problem(403, "forbidden");
    let removed = app
        .call(Method::DELETE, &path, Some(&app.admin), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    app.get(&path, &app.admin)
        .await
        .assert_problem(404, "not-found");
    app.call(Method::DELETE, &path, Some(&app.admin), None)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        sign_in("ann@rxl.nhs.test", password).await.status,
        StatusCode::CREATED,
        "the organisation's passwords work again"
    );
    assert_eq!(app.ledger_entries("oidc_provider.removed").await.len(), 1);
}
