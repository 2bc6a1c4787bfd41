//! Offers: only workers who may book a shift are offered it, stage by stage; a filled shift's
//! offers disappear and come back when a place is freed; every offer can be booked.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(offers_reach_only_those_who_may_book_and_follow_the_shift);

/// The shift ids in a worker's inbox.
async fn inbox(app: &TestApp, token: &str) -> Vec<String> {
    let reply = app.get("/api/v1/me/offers", token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn shift_id(id: &str) -> staffbank_domain::ShiftId {
    staffbank_domain::ShiftId(uuid::Uuid::parse_str(id).unwrap())
}

async fn book_ok(app: &TestApp, token: &str, shift: &str, key: &str) -> String {
    let reply = app.book(token, shift, key).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn offers_reach_only_those_who_may_book_and_follow_the_shift(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let ics = app
        .post(
            "/api/v1/banks",
            &app.admin,
            json!({"name": "ICS bank", "kind": "collaborative", "lead_org_id": a.id,
                "member_org_ids": [b.id]}),
        )
        .await;
    assert_eq!(ics.status, StatusCode::CREATED, "{}", ics.body);
    let ics = ics.body["id"].as_str().unwrap().to_owned();

    let first = app.worker("first@nurse.test", &[&a.bank]).await;
    let second = app.worker("second@nurse.test", &[&a.bank]).await;
    let busy = app.worker("busy@nurse.test", &[&a.bank]).await;
    let collaborator = app.worker("ics@nurse.test", &[&ics]).await;
    let outsider = app.worker("out@nurse.test", &[&b.bank]).await;
    // Registered without a single credential.
    let unchecked = app.worker("unchecked@nurse.test", &[]).await;
    let joined = app
        .post("/api/v1/me/banks", &unchecked, json!({"bank_id": a.bank}))
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);

    // The busy nurse already works the same hours elsewhere in the trust.
    let elsewhere = app.shift(&a, &a.bank, 120, 8, 1).await;
    book_ok(&app, &busy, &elsewhere, "busy").await;
    // Five days ahead, two places: the ICS bank sees it after the 24-hour delay.
    let shift = app.shift(&a, &a.bank, 120, 8, 2).await;
    let outbox_before = app.store.outbox_after(0, 1000).await.unwrap().len();

    let made = app.app.send_due_offers().await.unwrap();
    assert_eq!(made, 2, "only the two who may book are offered it");
    assert_eq!(inbox(&app, &first).await, [shift.as_str()]);
    assert_eq!(inbox(&app, &second).await, [shift.as_str()]);
    for (who, token) in [
        ("busy", &busy),
        ("unchecked", &unchecked),
        ("collaborator", &collaborator),
        ("outsider", &outsider),
    ] {
        assert!(inbox(&app, token).await.is_empty(), "{who} was offered it");
    }
    let events = app.store.outbox_after(0, 1000).await.unwrap();
    let offered: Vec<_> = events[outbox_before..]
        .iter()
        .filter(|(_, e)| e.topic == "offer.made")
        .map(|(_, e)| e.worker_id.unwrap())
        .collect();
    assert_eq!(offered.len(), 2);
    assert!(offered.contains(&app.worker_id(&first).await));
    assert!(offered.contains(&app.worker_id(&second).await));
    let payload: serde_json::Value =
        serde_json::from_str(&events.last().unwrap().1.payload).unwrap();
    assert_eq!(payload["shift"]["id"], shift.as_str());
    assert_eq!(
        app.app.send_due_offers().await.unwrap(),
        0,
        "a round is sent once"
    );

    // The collaborative stage opens: its member is offered the shift then, not before.
    app.advance(Duration::hours(24) + Duration::minutes(1));
    assert_eq!(app.app.send_due_offers().await.unwrap(), 1);
    assert_eq!(inbox(&app, &collaborator).await, [shift.as_str()]);
    assert!(inbox(&app, &outsider).await.is_empty());

    // An offer the worker can no longer take leaves their inbox, and comes back with the rule.
    let clash = app.shift(&a, &a.bank, 118, 8, 1).await;
    let clash_booking = book_ok(&app, &second, &clash, "clash").await;
    assert!(inbox(&app, &second).await.is_empty());
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{clash_booking}/cancel"),
            &second,
            json!({"reason": "swapped"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(inbox(&app, &second).await, [shift.as_str()]);

    // Filled: the shift leaves every inbox at once.
    let first_booking = book_ok(&app, &first, &shift, "first").await;
    book_ok(&app, &collaborator, &shift, "ics").await;
    assert!(inbox(&app, &second).await.is_empty());
    assert!(inbox(&app, &first).await.is_empty());
    // A place freed is re-released at once: the offer is back, and it can be booked.
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{first_booking}/cancel"),
            &first,
            json!({"reason": "unwell"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(inbox(&app, &second).await, [shift.as_str()]);
    app.app.send_due_offers().await.unwrap();
    assert_eq!(
        app.store
            .offered_workers(shift_id(&shift))
            .await
            .unwrap()
            .len(),
        3,
        "everyone who may book was offered it already"
    );
    book_ok(&app, &second, &shift, "second").await;
}
