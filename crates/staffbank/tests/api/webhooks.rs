//! A trust's bank office registers webhook subscribers; each receives the trust's events (never
//! another trust's), signed, in ledger order, at least once: a receiver answering 500 gets
//! retries with backoff until the subscriber is dead-lettered and tried again; a stopped
//! receiver, restarted, gets everything in order. Deliveries are driven by hand, with the
//! app's clock moved on for retries.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_app::webhook_delivery::{backoff, MOST_ATTEMPTS};
use staffbank_domain::role::Role;

use crate::helpers::{TestApp, Trust};
use crate::webhook_receiver::Receiver;

crate::both_backends!(
    a_trusts_events_arrive_signed_in_order_and_only_its_own,
    a_failing_receiver_gets_retries_then_is_dead_lettered_and_tried_again,
    a_stopped_receiver_restarted_gets_everything_in_order,
);

/// Registers a subscriber for `trust` wanting `types`; its id, with the receiver told the secret.
async fn register(app: &TestApp, trust: &Trust, receiver: &Receiver, types: Value) -> String {
    let reply = app
        .post(
            "/api/v1/webhooks",
            &trust.booker,
            json!({"url": receiver.url(), "types": types}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let secret = reply.body["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 6 + 64,
        "{secret}"
    );
    receiver.set_secret(secret);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Sequences everything written so far, then runs one delivery pass.
async fn deliver(app: &TestApp) -> usize {
    app.ledger_entries("none").await;
    app.app.deliver_webhooks().await.unwrap()
}

async fn a_trusts_events_arrive_signed_in_order_and_only_its_own(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let receiver = Receiver::start(200, app.clock.clone()).await;
    let other = Receiver::start(200, app.clock.clone()).await;

    // Refused: not a booker of a trust, a bad address, no or malformed types. Nothing changes.
    let worker = app.worker("kit@nurses.test", &[&a.bank]).await;
    let body = json!({"url": receiver.url(), "types": ["uk.nhs.staffbank.*"]});
    app.post("/api/v1/webhooks", &worker, body.clone())
        .await
        .assert_problem(403, "forbidden");
    for bad in [
        json!({"url": "ftp://example.nhs.uk/x", "types": ["uk.nhs.staffbank.*"]}),
        json!({"url": "not an address", "types": ["uk.nhs.staffbank.*"]}),
        json!({"url": receiver.url(), "types": []}),
        json!({"url": receiver.url(), "types": ["booking.made"]}),
        json!({"url": receiver.url(), "types": ["uk.nhs.staffbank.*"], "organisation_id": b.id}),
    ] {
        app.post("/api/v1/webhooks", &a.booker, bad.clone())
            .await
            .assert_problem(422, "validation-error");
    }
    let unknown = app
        .post("/api/v1/webhooks", &a.booker, json!({"url": 1}))
        .await;
    assert_eq!(unknown.status.as_u16(), 422, "{}", unknown.body);
    let listed = app.get("/api/v1/webhooks", &a.booker).await;
    assert_eq!(listed.body, json!([]));

    let hook = register(
        &app,
        &a,
        &receiver,
        json!(["uk.nhs.staffbank.shift.*", "uk.nhs.staffbank.booking.made"]),
    )
    .await;
    let b_hook = register(&app, &b, &other, json!(["uk.nhs.staffbank.*"])).await;

    // Listed without the secret; another trust's subscriber is not found.
    let listed = app.get("/api/v1/webhooks", &a.booker).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], hook.as_str());
    assert_eq!(listed.body[0]["state"], "delivering");
    assert!(listed.body[0].get("secret").is_none());
    assert!(!listed.body.to_string().contains("whsec_"));
    for (method, path) in [
        (Method::GET, format!("/api/v1/webhooks/{hook}")),
        (Method::DELETE, format!("/api/v1/webhooks/{hook}")),
        (Method::POST, format!("/api/v1/webhooks/{hook}/retry")),
    ] {
        app.call(method, &path, Some(&b.booker), None)
            .await
            .assert_problem(404, "not-found");
    }
    app.get("/api/v1/webhooks/not-an-id", &a.booker)
        .await
        .assert_problem(404, "not-found");

    // Changes at both trusts; A's subscriber gets A's wanted events, in ledger order.
    let shifts = [
        app.shift(&a, &a.bank, 48, 8, 1).await,
        app.shift(&a, &a.bank, 72, 8, 1).await,
    ];
    let b_shift = app.shift(&b, &b.bank, 48, 8, 1).await;
    let booked = app.book(&worker, &shifts[0], "k1").await;
    assert!(booked.status.is_success(), "{}", booked.body);
    let third = app.shift(&a, &a.bank, 96, 8, 1).await;
    assert!(deliver(&app).await >= 5);

    let arrived = receiver.arrivals();
    assert!(arrived.iter().all(|a| a.verified && a.answered == 200));
    let types: Vec<&str> = arrived
        .iter()
        .map(|a| a.event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "uk.nhs.staffbank.shift.posted",
            "uk.nhs.staffbank.shift.posted",
            "uk.nhs.staffbank.booking.made",
            "uk.nhs.staffbank.shift.posted"
        ]
    );
    let posted: Vec<&Value> = arrived
        .iter()
        .filter(|a| a.event["type"] == "uk.nhs.staffbank.shift.posted")
        .map(|a| &a.event["data"]["facts"])
        .collect();
    let text = serde_json::to_string(&posted).unwrap();
    for shift in shifts.iter().chain([&third]) {
        assert!(text.contains(shift.as_str()), "{text}");
    }
    assert!(!text.contains(&b_shift));
    for a_event in &arrived {
        assert_eq!(a_event.event["data"]["tenant"], a.id.as_str());
        assert_eq!(a_event.event["id"], a_event.event_id.as_str());
        assert_eq!(a_event.event["specversion"], "1.0");
    }
    let seqs: Vec<u64> = arrived
        .iter()
        .map(|a| a.event["sequence"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // B's subscriber got B's events only.
    let b_arrived = other.arrivals();
    assert!(!b_arrived.is_empty());
    assert!(b_arrived
        .iter()
        .all(|e| e.verified && e.event["data"]["tenant"] == b.id.as_str()));

    // A second pass sends nothing again.
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(receiver.arrivals().len(), 4);

    // Removed: nothing more arrives. Another trust's id stays not found.
    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{hook}"),
            Some(&a.booker),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    app.call(
        Method::DELETE,
        &format!("/api/v1/webhooks/{b_hook}"),
        Some(&a.booker),
        None,
    )
    .await
    .assert_problem(404, "not-found");
    app.shift(&a, &a.bank, 120, 8, 1).await;
    deliver(&app).await;
    assert_eq!(receiver.arrivals().len(), 4);
    assert_eq!(app.ledger_entries("webhook.removed").await.len(), 1);
}

async fn state_of(app: &TestApp, trust: &Trust, hook: &str) -> Value {
    let reply = app
        .get(&format!("/api/v1/webhooks/{hook}"), &trust.booker)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn a_failing_receiver_gets_retries_then_is_dead_lettered_and_tried_again(app: TestApp) {
    let a = app.trust("RXL").await;
    let receiver = Receiver::start(500, app.clock.clone()).await;
    let hook = register(
        &app,
        &a,
        &receiver,
        json!(["uk.nhs.staffbank.shift.posted"]),
    )
    .await;
    let first = app.shift(&a, &a.bank, 48, 8, 1).await;
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(receiver.arrivals().len(), 1);
    let state = state_of(&app, &a, &hook).await;
    assert_eq!(state["state"], "retrying", "{state}");
    assert_eq!(state["attempts"], 1);
    assert_eq!(state["last_error"], "answered HTTP 500");

    // Not again until the backoff has passed; then again, each wait longer.
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(receiver.arrivals().len(), 1);
    for failures in 1..MOST_ATTEMPTS {
        app.advance(backoff(failures) - Duration::seconds(1));
        deliver(&app).await;
        assert_eq!(receiver.arrivals().len() as u32, failures, "too early");
        app.advance(Duration::seconds(1));
        deliver(&app).await;
        assert_eq!(receiver.arrivals().len() as u32, failures + 1);
    }
    let state = state_of(&app, &a, &hook).await;
    assert_eq!(state["state"], "dead_lettered", "{state}");
    assert_eq!(state["attempts"], MOST_ATTEMPTS);
    assert!(state["dead_lettered_at"].is_string());

    // Dead-lettered: nothing more is sent, however long, and later events wait behind it.
    let second = app.shift(&a, &a.bank, 72, 8, 1).await;
    app.advance(Duration::days(1));
    deliver(&app).await;
    let arrived = receiver.arrivals();
    assert_eq!(arrived.len() as u32, MOST_ATTEMPTS);
    assert!(arrived.iter().all(|e| e.verified && e.answered == 500));
    let first_id = &arrived[0].event_id;
    assert!(
        arrived.iter().all(|e| &e.event_id == first_id),
        "the same event each time"
    );

    // Tried again once the receiver is mended: the waiting event, then the next, in order.
    receiver.answer(204);
    let retried = app
        .post(
            &format!("/api/v1/webhooks/{hook}/retry"),
            &a.booker,
            json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["state"], "delivering");
    assert_eq!(deliver(&app).await, 2);
    let delivered: Vec<Value> = receiver
        .arrivals()
        .iter()
        .filter(|e| e.answered == 204)
        .map(|e| e.event["data"]["facts"].clone())
        .collect();
    assert_eq!(delivered.len(), 2);
    assert!(delivered[0].to_string().contains(&first));
    assert!(delivered[1].to_string().contains(&second));
    let state = state_of(&app, &a, &hook).await;
    assert_eq!(
        (state["state"].clone(), state["attempts"].clone()),
        (json!("delivering"), json!(0))
    );
    assert_eq!(app.ledger_entries("webhook.retried").await.len(), 1);

    // Someone without a trust to book for cannot list or retry.
    let nurse = app
        .staff("payroll@rxl.test", Role::PayrollOfficer, &a)
        .await;
    app.get("/api/v1/webhooks", &nurse)
        .await
        .assert_problem(403, "forbidden");
}

async fn a_stopped_receiver_restarted_gets_everything_in_order(app: TestApp) {
    let a = app.trust("RXL").await;
    let mut receiver = Receiver::start(200, app.clock.clone()).await;
    register(
        &app,
        &a,
        &receiver,
        json!(["uk.nhs.staffbank.shift.posted"]),
    )
    .await;
    let mut posted = vec![app.shift(&a, &a.bank, 48, 8, 1).await];
    assert_eq!(deliver(&app).await, 1);

    receiver.stop().await;
    for hours in [72, 96, 120] {
        posted.push(app.shift(&a, &a.bank, hours, 8, 1).await);
    }
    assert_eq!(deliver(&app).await, 0);
    app.advance(backoff(1));
    assert_eq!(deliver(&app).await, 0);

    receiver.restart().await;
    app.advance(backoff(2));
    assert_eq!(deliver(&app).await, 3);
    let arrived = receiver.arrivals();
    assert!(arrived.iter().all(|e| e.verified && e.answered == 200));
    let shifts: Vec<String> = arrived
        .iter()
        .map(|e| {
            e.event["data"]["facts"]["shift"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(shifts, posted, "{arrived:?}");
}
