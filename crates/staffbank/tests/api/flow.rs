//! The first flow end to end: sign in, post, find, book (exactly once), list, cancel.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(
    sign_in_issues_a_token_that_works_until_signed_out,
    post_find_book_retry_and_cancel,
    a_collaborative_bank_shares_shifts_and_own_bank_shifts_cascade_to_it
);

async fn sign_in_issues_a_token_that_works_until_signed_out(app: TestApp) {
    let _ = app.worker("sign.in@nurse.test", &[]).await;
    let wrong = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "sign.in@nurse.test", "password": "not the password"})),
        )
        .await;
    wrong.assert_problem(401, "unauthenticated");
    let unknown = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "nobody@nurse.test", "password": "correct horse battery"})),
        )
        .await;
    unknown.assert_problem(401, "unauthenticated");
    assert_eq!(
        wrong.body["detail"], unknown.body["detail"],
        "no hint which part was wrong"
    );
    let ok = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "Sign.In@Nurse.test", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let token = ok.body["token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.body["email"], "sign.in@nurse.test");
    assert_eq!(me.body["worker"]["grade"], "band_5");
    // A booking reads its session together with the shift: signed in, there is no such shift;
    // signed out, there is no such caller.
    let nowhere = uuid::Uuid::new_v4().to_string();
    app.book(&token, &nowhere, "k")
        .await
        .assert_problem(404, "not-found");
    let out = app
        .call(Method::DELETE, "/api/v1/auth/token", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    app.get("/api/v1/me", &token)
        .await
        .assert_problem(401, "unauthenticated");
    app.book(&token, &nowhere, "k")
        .await
        .assert_problem(401, "unauthenticated");
}

async fn post_find_book_retry_and_cancel(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("asha@nurse.test", &[&trust.bank]).await;
    let other = app.worker("ben@nurse.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank.clone(), 48, 12, 1).await;
    let later = app.shift(&trust, &trust.bank.clone(), 96, 12, 2).await;

    let open = app.get("/api/v1/me/open-shifts", &nurse).await;
    let ids: Vec<&str> = open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![shift.as_str(), later.as_str()]);

    let first = app.book(&nurse, &shift, "attempt-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let retry = app.book(&nurse, &shift, "attempt-1").await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(
        retry.body["id"], first.body["id"],
        "a retry returns the original booking"
    );
    app.book(&nurse, &later, "attempt-1")
        .await
        .assert_problem(422, "idempotency-key-reused");

    // Filled: gone from every search, and refused.
    let open_to_other = app.get("/api/v1/me/open-shifts", &other).await;
    assert!(!open_to_other.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == shift.as_str()));
    app.book(&other, &shift, "k")
        .await
        .assert_problem(409, "shift-full");

    let mine = app.get("/api/v1/me/bookings", &nurse).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    let by_shift = app
        .get(&format!("/api/v1/shifts/{shift}/bookings"), &trust.booker)
        .await;
    assert_eq!(by_shift.body.as_array().unwrap().len(), 1);
    assert_eq!(by_shift.body[0]["worker_name"], "Nurse Test");

    let booking = first.body["id"].as_str().unwrap();
    let blank = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            &nurse,
            json!({"reason": "  "}),
        )
        .await;
    blank.assert_problem(422, "validation-error");
    assert_eq!(blank.body["errors"][0]["field"], "reason");
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            &nurse,
            json!({"reason": "Childcare fell through"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["cancellation"]["by"], "worker");
    app.post(
        &format!("/api/v1/bookings/{booking}/cancel"),
        &nurse,
        json!({"reason": "again"}),
    )
    .await
    .assert_problem(409, "already-cancelled");

    // The place is re-released at once.
    let shown = app
        .get(&format!("/api/v1/shifts/{shift}"), &trust.booker)
        .await;
    assert_eq!(
        (shown.body["booked"].as_i64(), shown.body["status"].as_str()),
        (Some(0), Some("open"))
    );
    let rebooked = app.book(&other, &shift, "k").await;
    assert_eq!(rebooked.status, StatusCode::CREATED, "{}", rebooked.body);
    let by_trust = app
        .post(
            &format!(
                "/api/v1/bookings/{}/cancel",
                rebooked.body["id"].as_str().unwrap()
            ),
            &trust.booker,
            json!({"reason": "Ward closed"}),
        )
        .await;
    assert_eq!(by_trust.body["cancellation"]["by"], "trust");
}

async fn a_collaborative_bank_shares_shifts_and_own_bank_shifts_cascade_to_it(app: TestApp) {
    let a = app.trust("RXN").await;
    let b = app.trust("RXR").await;
    let collaborative = app
        .post("/api/v1/banks", &app.admin, json!({"name": "ICS bank", "kind": "collaborative", "lead_org_id": a.id, "member_org_ids": [b.id]}))
        .await;
    assert_eq!(
        collaborative.status,
        StatusCode::CREATED,
        "{}",
        collaborative.body
    );
    let shared = collaborative.body["id"].as_str().unwrap().to_owned();
    let from_b = app.shift(&b, &shared, 30, 8, 1).await;
    // Ten days ahead, B's own-bank shift cascades to the collaborative bank after B's 24 hours.
    let only_b = app.shift(&b, &b.bank.clone(), 240, 8, 1).await;
    let nurse_of_a = app.worker("cai@nurse.test", &[&a.bank, &shared]).await;
    let open = app.get("/api/v1/me/open-shifts", &nurse_of_a).await;
    let ids: Vec<&str> = open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![from_b.as_str()],
        "sees the shared shift, not B's own-bank shift"
    );
    app.get(&format!("/api/v1/shifts/{only_b}"), &nurse_of_a)
        .await
        .assert_problem(404, "not-found");
    app.book(&nurse_of_a, &only_b, "k1")
        .await
        .assert_problem(404, "not-found");
    let booked = app.book(&nurse_of_a, &from_b, "k2").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    app.advance(chrono::Duration::hours(23));
    app.book(&nurse_of_a, &only_b, "k1")
        .await
        .assert_problem(404, "not-found");
    app.advance(chrono::Duration::hours(1));
    let shown = app
        .get(&format!("/api/v1/shifts/{only_b}"), &nurse_of_a)
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body["collaborative_bank_id"], shared.as_str());
    let cascaded = app.book(&nurse_of_a, &only_b, "k1").await;
    assert_eq!(cascaded.status, StatusCode::CREATED, "{}", cascaded.body);
}
