//! Registration is confirmed by email: a new account gets a single-use link that expires (its
//! token stored only as a hash), and cannot sign in until the link is used; registering with an
//! address that already has an account is answered alike and tells that address instead. An
//! unconfirmed account whose link lapsed goes to the next registration of its address. The same
//! in the browser: "check your email", and a confirmation page that says the account is ready.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, TestApp};

crate::both_backends!(
    a_registration_signs_in_only_once_confirmed_by_email,
    an_unconfirmed_address_goes_to_the_next_registration_once_its_link_lapses,
    registering_in_the_browser_ends_with_an_account_that_is_ready
);

const PASSWORD: &str = "a long and unusual passphrase";
const TRIED: &str = "Someone tried to register with your email address";

async fn register(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(
        Method::POST,
        "/api/v1/workers",
        None,
        Some(
            json!({"email": email, "password": password, "display_name": "Hal Price",
            "staff_group": "nursing_and_midwifery", "grade": "band_5"}),
        ),
    )
    .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

async fn confirm(app: &TestApp, token: &str) -> Reply {
    app.call(
        Method::POST,
        "/api/v1/account-confirmations",
        None,
        Some(json!({ "token": token })),
    )
    .await
}

async fn a_registration_signs_in_only_once_confirmed_by_email(app: TestApp) {
    let email = "hal.price@rxl.nhs.test";
    let first = register(&app, email, PASSWORD).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let token = app.confirmation_token(email).await;

    // Not yet: answered exactly as a wrong password is.
    let early = sign_in(&app, email, PASSWORD).await;
    early.assert_problem(401, "unauthenticated");
    let wrong = sign_in(&app, email, "not the password at all").await;
    wrong.assert_problem(401, "unauthenticated");
    assert_eq!(early.body["detail"], wrong.body["detail"]);
    assert!(
        early.body["detail"]
            .as_str()
            .unwrap()
            .contains("not confirmed"),
        "{}",
        early.body
    );

    // Only the token's hash is kept.
    let now = chrono::Utc::now();
    let hash = staffbank_app::auth::token_hash(&token);
    assert!(app
        .store
        .account_to_confirm(&hash, now)
        .await
        .unwrap()
        .is_some());
    assert!(app
        .store
        .account_to_confirm(&token, now)
        .await
        .unwrap()
        .is_none());

    // Someone registers the same address: the same answer, and the address hears of it; no
    // second link is sent.
    let again = register(&app, email, "another quite unusual passphrase").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&first.body), keys(&again.body));
    assert_ne!(again.body["id"], first.body["id"]);
    let notice = app.email(email, TRIED).await;
    assert!(notice.contains("/sign-in"), "{notice}");
    assert!(!notice.contains("token="), "{notice}");
    assert_eq!(app.confirmation_token(email).await, token);
    assert_eq!(app.emails_to(email), 2);

    // A made-up link confirms nothing; the right one does, once.
    confirm(&app, "made-up")
        .await
        .assert_problem(422, "validation-error");
    confirm(&app, &"x".repeat(500))
        .await
        .assert_problem(422, "validation-error");
    let confirmed = confirm(&app, &token).await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.body
    );
    confirm(&app, &token)
        .await
        .assert_problem(422, "validation-error");

    // Now it signs in, with its own password only.
    let signed_in = sign_in(&app, email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::CREATED, "{}", signed_in.body);
    sign_in(&app, email, "another quite unusual passphrase")
        .await
        .assert_problem(401, "unauthenticated");

    // Registering a confirmed address again changes nothing either.
    let third = register(&app, email, "yet another unusual passphrase").await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    for _ in 0..200 {
        if app.emails_to(email) >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(app.emails_to(email), 3, "one more notice, and no new link");
    assert_eq!(app.confirmation_token(email).await, token);
    let signed_in = sign_in(&app, email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::CREATED, "{}", signed_in.body);
}

async fn an_unconfirmed_address_goes_to_the_next_registration_once_its_link_lapses(app: TestApp) {
    let email = "ivy.lane@rxl.nhs.test";
    let first = register(&app, email, "the squatter's own passphrase").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let lapsed = app.confirmation_token(email).await;

    // While its link works, the address is taken.
    register(&app, email, PASSWORD).await;
    app.email(email, TRIED).await;

    // A day later the link no longer works, and the account still cannot sign in.
    app.advance(Duration::hours(25));
    confirm(&app, &lapsed)
        .await
        .assert_problem(422, "validation-error");
    sign_in(&app, email, "the squatter's own passphrase")
        .await
        .assert_problem(401, "unauthenticated");

    // The next registration takes it over, with its own password and a new link.
    let next = register(&app, email, PASSWORD).await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    let mut token = app.confirmation_token(email).await;
    for _ in 0..200 {
        if token != lapsed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        token = app.confirmation_token(email).await;
    }
    assert_ne!(token, lapsed);
    confirm(&app, &lapsed)
        .await
        .assert_problem(422, "validation-error");
    let confirmed = confirm(&app, &token).await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.body
    );
    let signed_in = sign_in(&app, email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::CREATED, "{}", signed_in.body);
    sign_in(&app, email, "the squatter's own passphrase")
        .await
        .assert_problem(401, "unauthenticated");
    let me = app
        .get("/api/v1/me", signed_in.body["token"].as_str().unwrap())
        .await;
    assert_eq!(me.body["email"], email);
    assert_eq!(me.body["worker"]["grade"], "band_5");
}

async fn registering_in_the_browser_ends_with_an_account_that_is_ready(app: TestApp) {
    let email = "jo.marsh@rxl.nhs.test";
    let page = |path: &str| {
        let url = format!("{}{path}", app.base);
        let http = app.http.clone();
        async move {
            let reply = http.get(url).send().await.unwrap();
            (reply.status(), reply.text().await.unwrap())
        }
    };
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        let url = format!("{}{path}", app.base);
        let http = app.http.clone();
        async move {
            let reply = http.post(url).form(&form).send().await.unwrap();
            (reply.status(), reply.text().await.unwrap())
        }
    };
    let (status, sign_in_page) = page("/sign-in").await;
    assert_eq!(status, StatusCode::OK);
    assert!(sign_in_page.contains("href=\"/register\""));
    let (status, form) = page("/register").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Register as a bank worker"), "{form}");

    let filled = |password: &str| {
        vec![
            ("email", email.to_owned()),
            ("password", password.to_owned()),
            ("display_name", "Jo Marsh".to_owned()),
            ("staff_group", "nursing_and_midwifery".to_owned()),
            ("grade", "band_5".to_owned()),
        ]
    };
    let (status, refused) = post("/register", filled("short")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("There is a problem"), "{refused}");
    assert!(app.store.user_by_email(email).await.unwrap().is_none());

    let (status, check) = post("/register", filled(PASSWORD)).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert!(check.contains("Check your email"), "{check}");
    let token = app.confirmation_token(email).await;
    // The same page for an address that already has an account.
    let (status, again) = post("/register", filled(PASSWORD)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("Check your email"), "{again}");

    // The link opens a page whose button confirms; opening it alone confirms nothing.
    let (status, opened) = page(&format!("/confirm-email?token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(opened.contains(&token), "{opened}");
    sign_in(&app, email, PASSWORD)
        .await
        .assert_problem(401, "unauthenticated");
    let (status, ready) = post("/confirm-email", vec![("token", token.clone())]).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert!(ready.contains("Your account is ready"), "{ready}");
    let (status, used) = post("/confirm-email", vec![("token", token)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(used.contains("This link does not work"), "{used}");
    let signed_in = sign_in(&app, email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::CREATED, "{}", signed_in.body);
}
