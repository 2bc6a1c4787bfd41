//! Ghost shifts over HTTP: only the booked worker, signing the ward's one-time challenge with the
//! key bound to their passport (or presenting their smartcard), is signed on. Anyone else is
//! refused and the shift flagged unfulfilled, escalated to the ward manager with an outbox event;
//! a booked worker not signed on by the grace period is escalated too. Sign-off starts the
//! timesheet from the two times, and a timesheet left waiting is escalated, then approved.

use chrono::Duration;
use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use staffbank_domain::role::Role;
use staffbank_passport::jws::{self, Jwk};
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::passport::{holder_with_credential, officer as compliance};

crate::both_backends!(nobody_but_the_booked_worker_signs_on_unflagged);

fn proof(key: &SigningKey, aud: &str, nonce: &str, iat: i64) -> String {
    let mut header = jws::header(staffbank_app::sign_on::PROOF_TYPE, None);
    header.insert(
        "jwk".into(),
        serde_json::to_value(Jwk::from_key(key.verifying_key(), None)).unwrap(),
    );
    let claims: Map<String, Value> = json!({"aud": aud, "nonce": nonce, "iat": iat})
        .as_object()
        .cloned()
        .unwrap();
    jws::sign(header, &claims, key)
}

async fn nobody_but_the_booked_worker_signs_on_unflagged(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let officer = compliance(&app, "co@a.test", &a.id).await;
    let wm = app.staff("wm@a.test", Role::WardManager, &a).await;
    let wm_b = app.staff("wm@b.test", Role::WardManager, &b).await;
    let payroll = app.staff("pay@a.test", Role::PayrollOfficer, &a).await;
    let (nurse, key, _, _) = holder_with_credential(&app, &a, &officer, "nurse@a.test").await;
    let (impostor, impostor_key, _, _) =
        holder_with_credential(&app, &a, &officer, "impostor@a.test").await;
    let carded = app.worker("card@a.test", &[&a.bank]).await;
    let absent = app.worker("absent@a.test", &[&a.bank]).await;
    let shift = app.shift(&a, &a.bank, 24, 8, 4).await;
    let mut bookings = Vec::new();
    for who in [&nurse, &carded, &absent] {
        let booked = app.book(who, &shift, &Uuid::new_v4().to_string()).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        bookings.push(booked.body["id"].as_str().unwrap().to_owned());
    }
    let (booking, carded_booking) = (bookings[0].clone(), bookings[1].clone());
    let challenge_path = format!("/api/v1/bookings/{booking}/sign-on-challenges");

    // Not yet: sign-on opens two hours before the start.
    app.post(&challenge_path, &wm, json!({}))
        .await
        .assert_problem(422, "validation-error");
    app.advance(Duration::hours(23) + Duration::minutes(30));
    app.post(&challenge_path, &wm_b, json!({}))
        .await
        .assert_problem(404, "not-found");
    app.post(&challenge_path, &nurse, json!({}))
        .await
        .assert_problem(403, "forbidden");
    let new_challenge = || async {
        let made = app.post(&challenge_path, &wm, json!({})).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert!(!made.body["worker_name"].as_str().unwrap().is_empty());
        (
            made.body["id"].as_str().unwrap().to_owned(),
            made.body["audience"].as_str().unwrap().to_owned(),
            made.body["nonce"].as_str().unwrap().to_owned(),
        )
    };
    let answer = |challenge: String, who: String, proof: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/sign-on-challenges/{challenge}/proof"),
                &who,
                json!({"proof": proof}),
            )
            .await
        }
    };
    let now = || app.app.now().timestamp();
    let outbox_before = app.store.outbox_after(0, 10_000).await.unwrap().len();

    // Someone else, with their own genuine passport key: refused, and the shift flagged.
    let (id, aud, nonce) = new_challenge().await;
    answer(
        id.clone(),
        impostor.clone(),
        proof(&impostor_key, &aud, &nonce, now()),
    )
    .await
    .assert_problem(409, "not-booked-worker");
    // The challenge was used: good once.
    answer(id, nurse.clone(), proof(&key, &aud, &nonce, now()))
        .await
        .assert_problem(422, "validation-error");
    let flags = app.get("/api/v1/escalations", &wm).await;
    assert_eq!(flags.body.as_array().unwrap().len(), 1, "{}", flags.body);
    assert_eq!(flags.body[0]["kind"], "not_booked_worker");
    assert_eq!(flags.body[0]["booking_id"], json!(booking));
    assert_eq!(app.get("/api/v1/escalations", &wm_b).await.body, json!([]));
    let events = app.store.outbox_after(0, 10_000).await.unwrap();
    assert_eq!(events.len(), outbox_before + 1);
    assert_eq!(
        events[outbox_before].1.topic,
        "escalation.not_booked_worker"
    );

    // The ward manager resolves it once, saying what was done; no one else can.
    let resolve = format!(
        "/api/v1/escalations/{}/resolution",
        flags.body[0]["id"].as_str().unwrap()
    );
    let note = json!({"note": "Agency nurse turned away; booked nurse arrived at 07:40"});
    app.post(&resolve, &wm_b, note.clone())
        .await
        .assert_problem(404, "not-found");
    app.post(&resolve, &nurse, note.clone())
        .await
        .assert_problem(404, "not-found");
    app.post(&resolve, &wm, json!({"note": "  "}))
        .await
        .assert_problem(422, "validation-error");
    let resolved = app.post(&resolve, &wm, note.clone()).await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    assert_eq!(resolved.body["resolution"], note["note"]);
    app.post(&resolve, &wm, note.clone())
        .await
        .assert_problem(409, "escalation-resolved");
    let flags = app.get("/api/v1/escalations", &wm).await;
    assert_eq!(flags.body[0]["resolution"], note["note"], "{}", flags.body);
    assert_eq!(app.ledger_entries("escalation.resolved").await.len(), 1);

    // The booked worker's account with a key their passport does not hold: refused, flagged.
    let (id, aud, nonce) = new_challenge().await;
    let stranger = SigningKey::random(&mut rand::rngs::OsRng);
    answer(id, nurse.clone(), proof(&stranger, &aud, &nonce, now()))
        .await
        .assert_problem(409, "not-booked-worker");

    // Forgeries and mistakes change nothing.
    let (id, aud, nonce) = new_challenge().await;
    answer(
        id.clone(),
        nurse.clone(),
        proof(&key, "https://elsewhere", &nonce, now()),
    )
    .await
    .assert_problem(422, "validation-error");
    answer(
        id.clone(),
        nurse.clone(),
        proof(&key, &aud, &nonce, now() - 3600),
    )
    .await
    .assert_problem(422, "validation-error");
    let mut forged = proof(&key, &aud, &nonce, now());
    forged.push('A');
    answer(id.clone(), nurse.clone(), forged)
        .await
        .assert_problem(422, "validation-error");
    answer(id.clone(), nurse.clone(), "not a jwt".into())
        .await
        .assert_problem(422, "validation-error");
    answer(
        id.clone(),
        nurse.clone(),
        proof(&key, &aud, "wrong nonce", now()),
    )
    .await
    .assert_problem(422, "validation-error");

    // The booked worker, with their passport's key: signed on, once.
    let (id, aud, nonce) = new_challenge().await;
    let signed = answer(id, nurse.clone(), proof(&key, &aud, &nonce, now())).await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    assert_eq!(signed.body["method"], "wallet");
    let (id, aud, nonce) = new_challenge().await;
    answer(id, nurse.clone(), proof(&key, &aud, &nonce, now()))
        .await
        .assert_problem(409, "already-signed-on");

    // Smartcard: the card recorded for the booked worker signs them on; another card is flagged.
    let carded_id = app.worker_id(&carded).await.0;
    let card_path = format!("/api/v1/workers/{carded_id}/smartcard");
    let set = app
        .call(
            Method::PUT,
            &card_path,
            Some(&officer),
            Some(json!({"card": "5550 0011 1222"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    app.call(
        Method::PUT,
        &card_path,
        Some(&officer),
        Some(json!({"card": "12"})),
    )
    .await
    .assert_problem(422, "validation-error");
    let by_card = format!("/api/v1/bookings/{carded_booking}/smartcard-sign-on");
    app.post(&by_card, &wm, json!({"card": "999999999999"}))
        .await
        .assert_problem(409, "not-booked-worker");
    let carded_on = app
        .post(&by_card, &wm, json!({"card": "555000111222"}))
        .await;
    assert_eq!(carded_on.status, StatusCode::CREATED, "{}", carded_on.body);
    assert_eq!(carded_on.body["method"], "smartcard");

    // The grace period: the absent worker is escalated once, the others not at all.
    assert_eq!(app.app.sweep().await.unwrap().no_shows, 0);
    app.advance(Duration::minutes(46));
    assert_eq!(app.app.sweep().await.unwrap().no_shows, 1);
    assert_eq!(app.app.sweep().await.unwrap().no_shows, 0);
    let flags = app.get("/api/v1/escalations", &wm).await;
    let kinds: Vec<&str> = flags
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "no_show").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "not_booked_worker").count(),
        2
    );

    // Sign-off starts the timesheet from the two times.
    app.advance(Duration::hours(7) + Duration::minutes(30));
    let off = app
        .post(
            &format!("/api/v1/bookings/{booking}/sign-off"),
            &nurse,
            json!({}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        off.body["timesheet"]["start"],
        off.body["sign_on"]["signed_on_at"]
    );
    assert_eq!(
        off.body["timesheet"]["end"],
        off.body["sign_on"]["signed_off_at"]
    );
    app.post(
        &format!("/api/v1/bookings/{booking}/sign-off"),
        &nurse,
        json!({}),
    )
    .await
    .assert_problem(409, "already-signed-on");
    app.post(
        &format!("/api/v1/bookings/{booking}/sign-off"),
        &impostor,
        json!({}),
    )
    .await
    .assert_problem(404, "not-found");

    // A timesheet left waiting is escalated, then approved as submitted: pay is never stuck.
    let settings = format!("/api/v1/organisations/{}/pay-settings", a.id);
    let mut changed = app.get(&settings, &payroll).await.body;
    changed["timesheet_escalate_after_hours"] = json!(48);
    changed["timesheet_auto_approve_after_hours"] = json!(72);
    let set = app
        .call(Method::PUT, &settings, Some(&payroll), Some(changed))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let timesheet = off.body["timesheet"]["id"].as_str().unwrap();
    let submitted = app
        .post(
            &format!("/api/v1/timesheets/{timesheet}/submit"),
            &nurse,
            json!({}),
        )
        .await;
    assert_eq!(submitted.body["state"], "submitted", "{}", submitted.body);
    app.advance(Duration::hours(47));
    assert_eq!(app.app.sweep().await.unwrap().escalated, 0);
    app.advance(Duration::hours(2));
    let swept = app.app.sweep().await.unwrap();
    assert_eq!((swept.escalated, swept.auto_approved), (1, 0));
    assert_eq!(app.app.sweep().await.unwrap().escalated, 0);
    assert!(app.get("/api/v1/me/pay-lines", &nurse).await.body == json!([]));
    app.advance(Duration::hours(24));
    assert_eq!(app.app.sweep().await.unwrap().auto_approved, 1);
    let lines = app.get("/api/v1/me/pay-lines", &nurse).await;
    assert_eq!(lines.body.as_array().unwrap().len(), 1, "{}", lines.body);
    assert_eq!(app.app.sweep().await.unwrap().auto_approved, 0);
}
