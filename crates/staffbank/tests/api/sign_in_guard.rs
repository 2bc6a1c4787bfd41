//! Online password guessing is slowed: after five refusals an account is locked for a while that
//! doubles, answered 429 with Retry-After before the password is checked (so even the right one
//! waits), the same for an email with no account (nothing tells them apart); an address that
//! keeps failing is turned away whichever accounts it tries; the right password after the lock
//! clears the count; and no refusal grows the ledger. New accounts refuse blank, common and
//! personal passwords, naming the field and creating nothing.

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
