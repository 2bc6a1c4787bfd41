//! Online password guessing is slowed: after five refusals an account is locked for a while that
//! doubles, answered 429 with Retry-After before the password is checked (so even the right one
//! waits), the same for an email with no account (nothing tells them apart); an address that
//! keeps failing is turned away whichever accounts it tries; the right password after the lock
//! clears the count; and no refusal grows the ledger. New accounts refuse blank, common and
//! personal passwords, naming the field and creating nothing. The sign-in form is taken only with
//! the token its own page set (no login CSRF). Sessions end after an hour unused, and after 14
//! hours however busy.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use staffbank_app::sign_in_guard::{ADDRESS_TRIES, FREE_TRIES};
use staffbank_domain::role::Role;

use crate::helpers::{Reply, TestApp};

crate::both_backends!(
    an_account_is_locked_after_five_refusals_whether_or_not_it_exists,
    an_address_that_keeps_failing_is_turned_away,
    blank_common_and_personal_passwords_are_refused_for_new_accounts,
    the_sign_in_form_takes_only_the_token_its_page_gave,
    sessions_slide_with_use_and_end_when_idle_or_after_fourteen_hours,
    registration_answers_alike_whether_or_not_the_email_has_an_account,
);

const PASSWORD: &str = "a long and unusual passphrase";

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

/// The ledger's size, once everything written so far is sequenced.
async fn ledger_size(app: &TestApp) -> u64 {
    let head = app
        .call(Method::POST, "/api/v1/ledger/heads", Some(&app.admin), None)
        .await;
    assert_eq!(head.status, StatusCode::CREATED, "{}", head.body);
    head.body["size"].as_u64().unwrap()
}

fn retry_after(reply: &Reply) -> i64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After header: {:?}", reply.headers))
}

async fn an_account_is_locked_after_five_refusals_whether_or_not_it_exists(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.staff("ann@rxl.nhs.test", Role::Booker, &trust).await;
    let made = app
        .post(
            "/api/v1/users",
            &app.admin,
            json!({"email": "dan@rxl.nhs.test", "display_name": "Dan", "password": PASSWORD,
                   "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let ledger_before = ledger_size(&app).await;

    for email in ["dan@rxl.nhs.test", "nobody@rxl.nhs.test"] {
        for _ in 0..FREE_TRIES {
            sign_in(&app, email, "not the password")
                .await
                .assert_problem(401, "unauthenticated");
        }
        // Locked: even the right password waits, and an unknown email is answered alike.
        let locked = sign_in(&app, email, PASSWORD).await;
        locked.assert_problem(429, "too-many-requests");
        let wait = retry_after(&locked);
        assert!((1..=30).contains(&wait), "the first lock is 30 s: {wait}");
    }
    assert_eq!(
        ledger_size(&app).await,
        ledger_before,
        "no refused sign-in reaches the ledger"
    );
    // Another person's account is not locked by Dan's refusals.
    let other = app
        .post(
            "/api/v1/users",
            &app.admin,
            json!({"email": "eve@rxl.nhs.test", "display_name": "Eve", "password": PASSWORD,
                   "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    assert_eq!(
        sign_in(&app, "eve@rxl.nhs.test", PASSWORD).await.status,
        StatusCode::CREATED
    );

    // After the lock, one more wrong password locks it again for twice as long.
    app.advance(Duration::seconds(31));
    sign_in(&app, "dan@rxl.nhs.test", "still not it")
        .await
        .assert_problem(401, "unauthenticated");
    let longer = sign_in(&app, "dan@rxl.nhs.test", PASSWORD).await;
    longer.assert_problem(429, "too-many-requests");
    assert!(retry_after(&longer) > 30, "the lock doubled");

    // Once that passes, the right password signs in and the count starts again.
    app.advance(Duration::seconds(61));
    assert_eq!(
        sign_in(&app, "dan@rxl.nhs.test", PASSWORD).await.status,
        StatusCode::CREATED
    );
    sign_in(&app, "dan@rxl.nhs.test", "wrong again")
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(
        sign_in(&app, "dan@rxl.nhs.test", PASSWORD).await.status,
        StatusCode::CREATED,
        "one refusal after a good sign-in does not lock"
    );
}

async fn an_address_that_keeps_failing_is_turned_away(app: TestApp) {
    let trust = app.trust("RXL").await;
    let made = app
        .post(
            "/api/v1/users",
            &app.admin,
            json!({"email": "fay@rxl.nhs.test", "display_name": "Fay", "password": PASSWORD,
                   "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // A different email each time, so no account lock is reached: only the address's count.
    for n in 0..ADDRESS_TRIES {
        sign_in(&app, &format!("guess{n}@rxl.nhs.test"), "password1234")
            .await
            .assert_problem(401, "unauthenticated");
    }
    let turned_away = sign_in(&app, "fay@rxl.nhs.test", PASSWORD).await;
    turned_away.assert_problem(429, "too-many-requests");
    assert!(retry_after(&turned_away) > 60);
    // The window passes and the address may sign in again.
    app.advance(Duration::minutes(16));
    assert_eq!(
        sign_in(&app, "fay@rxl.nhs.test", PASSWORD).await.status,
        StatusCode::CREATED
    );
}

async fn blank_common_and_personal_passwords_are_refused_for_new_accounts(app: TestApp) {
    let trust = app.trust("RXL").await;
    for password in ["          ", "password123", "qwertyuiop", "gwen.jones@rxl"] {
        let registered = app
            .call(
                Method::POST,
                "/api/v1/workers",
                None,
                Some(
                    json!({"email": "gwen.jones@rxl.nhs.test", "password": password,
                    "display_name": "Gwen Jones", "staff_group": "nursing_and_midwifery",
                    "grade": "band_5"}),
                ),
            )
            .await;
        registered.assert_problem(422, "validation-error");
        assert_eq!(
            registered.body["errors"][0]["field"], "password",
            "{password:?}"
        );
        let staff = app
            .post(
                "/api/v1/users",
                &app.admin,
                json!({"email": "gwen.jones@rxl.nhs.test", "display_name": "Gwen Jones",
                       "password": password,
                       "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
            )
            .await;
        staff.assert_problem(422, "validation-error");
    }
    // Nothing was created: the email is still free for a good password.
    let good = app
        .call(
            Method::POST,
            "/api/v1/workers",
            None,
            Some(
                json!({"email": "gwen.jones@rxl.nhs.test", "password": PASSWORD,
                "display_name": "Gwen Jones", "staff_group": "nursing_and_midwifery",
                "grade": "band_5"}),
            ),
        )
        .await;
    assert_eq!(good.status, StatusCode::CREATED, "{}", good.body);
}

/// A cookie's value from a response's Set-Cookie headers.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

async fn the_sign_in_form_takes_only_the_token_its_page_gave(app: TestApp) {
    let trust = app.trust("RXL").await;
    let made = app
        .post(
            "/api/v1/users",
            &app.admin,
            json!({"email": "hal@rxl.nhs.test", "display_name": "Hal", "password": PASSWORD,
                   "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/sign-in", app.base);
    let post = |cookie: Option<String>, token: &str| {
        let mut request = browser.post(&url).form(&[
            ("form_token", token),
            ("email", "hal@rxl.nhs.test"),
            ("password", PASSWORD),
        ]);
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("staffbank_sign_in={cookie}"));
        }
        request.send()
    };

    // Another site's form, posted from the victim's browser: no token of ours, so no session.
    let forged = post(None, "made-up").await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(set_cookie(&forged, "staffbank_session"), None);

    // The page's own form: its token matches the cookie set with it.
    let page = browser.get(&url).send().await.unwrap();
    let cookie = set_cookie(&page, "staffbank_sign_in").expect("the page sets its token");
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries its token")
        .to_owned();
    assert_eq!(token, cookie);

    // A token from one page with another page's cookie is refused too.
    let other = browser.get(&url).send().await.unwrap();
    let other_cookie = set_cookie(&other, "staffbank_sign_in").unwrap();
    let mixed = post(Some(other_cookie), &token).await.unwrap();
    assert_eq!(mixed.status(), StatusCode::FORBIDDEN);

    let signed_in = post(Some(cookie), &token).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&signed_in, "staffbank_session").is_some());
}

async fn sessions_slide_with_use_and_end_when_idle_or_after_fourteen_hours(app: TestApp) {
    let trust = app.trust("RXL").await;
    let made = app
        .post(
            "/api/v1/users",
            &app.admin,
            json!({"email": "ivy@rxl.nhs.test", "display_name": "Ivy", "password": PASSWORD,
                   "grants": [{"role": "booker", "scope": "organisation", "scope_id": trust.id}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let token = |reply: Reply| reply.body["token"].as_str().unwrap().to_owned();
    let me = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/me", &token).await.status }
    };

    // Left alone for just over an hour, a session ends.
    let idle = token(sign_in(&app, "ivy@rxl.nhs.test", PASSWORD).await);
    app.advance(Duration::minutes(61));
    assert_eq!(me(idle).await, StatusCode::UNAUTHORIZED);

    // Used every 50 minutes, it carries on past the first hour...
    let busy = token(sign_in(&app, "ivy@rxl.nhs.test", PASSWORD).await);
    let mut used = Duration::zero();
    while used + Duration::minutes(50) < Duration::hours(14) {
        app.advance(Duration::minutes(50));
        used += Duration::minutes(50);
        assert_eq!(me(busy.clone()).await, StatusCode::OK, "after {used}");
    }
    // ...but never past 14 hours from signing in.
    app.advance(Duration::hours(14) - used + Duration::minutes(1));
    assert_eq!(me(busy).await, StatusCode::UNAUTHORIZED);
}

async fn registration_answers_alike_whether_or_not_the_email_has_an_account(app: TestApp) {
    let register = |email: &'static str, password: &'static str| {
        app.call(
            Method::POST,
            "/api/v1/workers",
            None,
            Some(
                json!({"email": email, "password": password, "display_name": "Hal Price",
                "staff_group": "nursing_and_midwifery", "grade": "band_5"}),
            ),
        )
    };
    let first = register("hal.price@rxl.nhs.test", PASSWORD).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    app.confirm_email("hal.price@rxl.nhs.test").await;
    let ledger_before = ledger_size(&app).await;
    // Someone else tries the same email: the same answer, in the same shape...
    let again = register("hal.price@rxl.nhs.test", "another quite unusual passphrase").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&first.body), keys(&again.body));
    assert_eq!(again.body["email"], first.body["email"]);
    // ...but nothing changed: the account keeps its own password, and nothing was recorded.
    assert_eq!(ledger_size(&app).await, ledger_before);
    assert_eq!(
        sign_in(&app, "hal.price@rxl.nhs.test", PASSWORD)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_ne!(
        sign_in(
            &app,
            "hal.price@rxl.nhs.test",
            "another quite unusual passphrase"
        )
        .await
        .status,
        StatusCode::CREATED
    );
}
