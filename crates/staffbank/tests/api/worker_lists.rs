//! The worker's side of finding shifts: the pay a shift would bring before booking, by the same
//! engine and rate card that pay the approved timesheet; never for another trust's bank. Their
//! availability (days of the week, dates they cannot) keeps shifts that do not suit out of their
//! list and their offers.

use chrono::{Datelike, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{midnight_in_days, post_at, TestApp};

crate::both_backends!(
    a_worker_sees_what_a_shift_would_pay_before_booking,
    shifts_on_days_a_worker_is_unavailable_are_neither_listed_nor_offered,
    a_worker_withdraws_a_pending_request_once,
    a_workers_list_filters_pages_and_never_clashes_a_booking_with_itself,
    a_bookers_list_filters_and_pages_their_own_trusts_shifts_only
);

/// Midnight UTC on the first Wednesday at least two days away: a plain weekday.
fn next_wednesday() -> chrono::DateTime<chrono::Utc> {
    (2..10)
        .map(midnight_in_days)
        .find(|d| d.weekday() == Weekday::Wed)
        .unwrap()
}

async fn a_worker_sees_what_a_shift_would_pay_before_booking(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("nurse@b.test", &[&b.bank]).await;
    // 09:00 to 17:00 on a Wednesday in winter: plain time only; and a Thursday night.
    let shifts = post_at(&app, &a, next_wednesday(), &[9, 24 + 20], 8).await;
    let (day, night) = (&shifts[0], &shifts[1]);

    let card = app
        .get(&format!("/api/v1/banks/{}/rate-card", a.bank), &nurse)
        .await;
    let base = card.body["rates"]["band_5"][0].as_i64().unwrap();
    let estimate = app
        .get(&format!("/api/v1/me/shifts/{day}/pay-estimate"), &nurse)
        .await;
    assert_eq!(estimate.status, StatusCode::OK, "{}", estimate.body);
    assert_eq!(estimate.body["base_rate_pence"], base);
    assert_eq!(estimate.body["grade"], "Band 5");
    assert_eq!(estimate.body["seconds"], 8 * 3600);
    assert_eq!(estimate.body["premium_percent"], 0);
    let holiday = estimate.body["holiday_pence"].as_i64().unwrap();
    assert_eq!(
        estimate.body["total_pence"].as_i64().unwrap(),
        base * 8 + holiday,
        "{}",
        estimate.body
    );
    assert!(estimate.body["shown"][1].as_str().unwrap().starts_with('£'));

    // A premium raised by the booker is in the estimate; a Thursday night is enhanced.
    let raised = app
        .call(
            Method::PUT,
            &format!("/api/v1/shifts/{night}/premium"),
            Some(&a.booker),
            Some(json!({"premium_percent": 20})),
        )
        .await;
    assert_eq!(raised.status, StatusCode::OK, "{}", raised.body);
    let nightly = app
        .get(&format!("/api/v1/me/shifts/{night}/pay-estimate"), &nurse)
        .await;
    assert_eq!(nightly.status, StatusCode::OK, "{}", nightly.body);
    assert_eq!(nightly.body["premium_percent"], 20);
    let premium = nightly.body["premium_pence"].as_i64().unwrap();
    assert!((premium - base * 8 * 20 / 100).abs() <= 1, "{premium}");
    let parts = nightly.body["parts"].as_array().unwrap();
    assert!(
        parts
            .iter()
            .any(|p| p["enhancement_percent"].as_u64().unwrap() > 0),
        "{parts:?}"
    );
    assert!(
        nightly.body["total_pence"].as_i64().unwrap() > base * 8 * 120 / 100,
        "{}",
        nightly.body
    );

    // Another trust's worker, a booker with no worker record, a bad id, an unknown shift.
    app.get(&format!("/api/v1/me/shifts/{day}/pay-estimate"), &other)
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/me/shifts/{day}/pay-estimate"), &a.booker)
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/me/shifts/not-an-id/pay-estimate", &nurse)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/me/shifts/{}/pay-estimate", uuid::Uuid::new_v4()),
        &nurse,
    )
    .await
    .assert_problem(404, "not-found");
}

/// The shift ids a worker's search finds bookable.
async fn bookable(app: &TestApp, token: &str) -> Vec<String> {
    let reply = app.get("/api/v1/me/shift-matches", token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["bookable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn shifts_on_days_a_worker_is_unavailable_are_neither_listed_nor_offered(app: TestApp) {
    let a = app.trust("RXL").await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("other@a.test", &[&a.bank]).await;
    let wednesday = next_wednesday();
    // Wednesday, Thursday and Saturday days, 09:00 to 17:00.
    let shifts = post_at(&app, &a, wednesday, &[9, 24 + 9, 72 + 9], 8).await;
    let (wed, thu, sat) = (&shifts[0], &shifts[1], &shifts[2]);

    let defaults = app.get("/api/v1/me/preferences", &nurse).await;
    assert_eq!(defaults.status, StatusCode::OK, "{}", defaults.body);
    assert_eq!(defaults.body["days"].as_array().unwrap().len(), 7);
    assert_eq!(defaults.body["unavailable_dates"], json!([]));
    assert_eq!(defaults.body["shift_times"], "any");

    let put = |token: &str, body: serde_json::Value| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    // Weekdays only, and not the Thursday.
    let thursday = (wednesday + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let weekdays = json!({"max_travel_km": null, "shift_times": "any",
        "days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        "unavailable_dates": [thursday]});
    let set = put(&nurse, weekdays.clone()).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    let read = app.get("/api/v1/me/preferences", &nurse).await;
    assert_eq!(read.body["days"], weekdays["days"]);
    assert_eq!(
        read.body["unavailable_dates"],
        weekdays["unavailable_dates"]
    );
    assert_eq!(app.ledger_entries("worker.preferences").await.len(), 1);

    assert_eq!(bookable(&app, &nurse).await, [wed.as_str()]);
    let mut everyone = bookable(&app, &other).await;
    everyone.sort();
    let mut all = vec![wed.clone(), thu.clone(), sat.clone()];
    all.sort();
    assert_eq!(everyone, all, "one worker's availability is theirs alone");

    // Offers go only to those the shift suits.
    app.app.send_due_offers().await.unwrap();
    let offered = |token: String| {
        let app = &app;
        async move {
            let reply = app.get("/api/v1/me/offers", &token).await;
            let mut ids: Vec<String> = reply.body["offers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(offered(nurse.clone()).await, [wed.as_str()]);
    assert_eq!(offered(other.clone()).await, all);
    let sent = app.store.outbox_after(0, 1000).await.unwrap();
    let to_nurse = sent
        .iter()
        .filter(|(_, e)| e.payload.contains(thu.as_str()) || e.payload.contains(sat.as_str()))
        .count();
    assert_eq!(
        to_nurse, 2,
        "the Thursday and Saturday went to the other nurse only"
    );

    // Refused whole, every bad field named, nothing changed.
    for bad in [
        json!({"max_travel_km": null, "shift_times": "any", "days": []}),
        json!({"max_travel_km": null, "shift_times": "any", "days": ["funday"]}),
        json!({"max_travel_km": null, "shift_times": "any", "unavailable_dates": ["31/02/2027"]}),
        json!({"max_travel_km": 0, "shift_times": "any"}),
        json!({"max_travel_km": null, "shift_times": "sometimes"}),
        json!({"max_travel_km": null, "shift_times": "any", "days": "monday"}),
    ] {
        put(&nurse, bad)
            .await
            .assert_problem(422, "validation-error");
    }
    let after = app.get("/api/v1/me/preferences", &nurse).await;
    assert_eq!(after.body, read.body);
    app.get("/api/v1/me/preferences", &a.booker)
        .await
        .assert_problem(403, "forbidden");
}

async fn a_worker_withdraws_a_pending_request_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let other = app.worker("other@a.test", &[&a.bank]).await;
    let mode = app
        .call(
            Method::PUT,
            &format!("/api/v1/wards/{}/booking-mode", a.ward),
            Some(&a.booker),
            Some(json!({"instant_booking": false})),
        )
        .await;
    assert_eq!(mode.status, StatusCode::NO_CONTENT, "{}", mode.body);
    let shift = app.shift(&a, &a.bank, 48, 8, 1).await;
    let asked = app
        .call_with(
            Method::POST,
            &format!("/api/v1/shifts/{shift}/requests"),
            Some(&nurse),
            None,
            &[("idempotency-key", "ask-1")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let id = asked.body["id"].as_str().unwrap().to_owned();
    let withdraw = format!("/api/v1/me/requests/{id}/withdraw");

    // Nobody else may withdraw it: another worker, the booker, a made-up id.
    app.post(&withdraw, &other, json!({}))
        .await
        .assert_problem(404, "not-found");
    app.post(&withdraw, &a.booker, json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/me/requests/{}/withdraw", uuid::Uuid::new_v4()),
        &nurse,
        json!({}),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/approvals", &a.booker).await.body[0]["id"],
        id.as_str()
    );

    let done = app.post(&withdraw, &nurse, json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "withdrawn");
    assert!(done.body["decided_at"].is_string());
    let queue = app.get("/api/v1/approvals", &a.booker).await;
    assert_eq!(queue.body, json!([]), "it leaves the approvals queue");
    let entries = app.ledger_entries("booking.request_withdrawn").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["facts"]["request"], id.as_str());

    // Once only; nor can a booker approve it now; nothing changes.
    app.post(&withdraw, &nurse, json!({}))
        .await
        .assert_problem(409, "request-decided");
    app.post(
        &format!("/api/v1/requests/{id}/approve"),
        &a.booker,
        json!({}),
    )
    .await
    .assert_problem(409, "request-decided");
    let mine = app.get("/api/v1/me/requests", &nurse).await;
    assert_eq!(mine.body[0]["status"], "withdrawn");
    assert_eq!(
        app.ledger_entries("booking.request_withdrawn").await.len(),
        1
    );
}

async fn a_workers_list_filters_pages_and_never_clashes_a_booking_with_itself(app: TestApp) {
    let a = app.trust("RXL").await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let wednesday = next_wednesday();
    let shifts = post_at(&app, &a, wednesday, &[9, 24 + 9, 48 + 9], 8).await;
    let (wed, thu, fri) = (&shifts[0], &shifts[1], &shifts[2]);
    let thursday = (wednesday + chrono::Duration::days(1)).date_naive();
    let found = |query: String| {
        let (app, nurse) = (&app, &nurse);
        async move {
            let reply = app
                .get(&format!("/api/v1/me/shift-matches?{query}"), nurse)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
            let mut ids: Vec<String> = reply.body["bookable"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            (ids, reply.body["more"].as_bool().unwrap())
        }
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        found(format!("from={thursday}")).await.0,
        sorted(vec![thu, fri])
    );
    assert_eq!(
        found(format!("to={thursday}")).await.0,
        sorted(vec![wed, thu])
    );
    assert_eq!(
        found(format!("from={thursday}&to={thursday}")).await.0,
        [thu.as_str()]
    );
    assert_eq!(found("search=WARD%201%20staff".into()).await.0.len(), 3);
    assert!(found("search=theatres".into()).await.0.is_empty());
    assert_eq!(found(format!("ward={}", a.ward)).await.0.len(), 3);
    assert!(found(format!("ward={}", uuid::Uuid::new_v4()))
        .await
        .0
        .is_empty());
    // Grade: shifts open to it (these take bands 5 and 6), and with the ward and site.
    assert_eq!(found("grade=band_6".into()).await.0.len(), 3);
    assert!(found("grade=band_7".into()).await.0.is_empty());
    let wards = app.get("/api/v1/wards", &a.booker).await;
    let site = wards.body.as_array().unwrap()[0]["site_id"]
        .as_str()
        .unwrap();
    assert_eq!(
        found(format!("site={site}&ward={}&grade=band_5", a.ward))
            .await
            .0
            .len(),
        3
    );
    // Pages: one a page here, in rank order; the last says there is no more.
    let (first, more) = found("limit=1&page=1".into()).await;
    assert_eq!((first.len(), more), (1, true));
    let (third, more) = found("limit=1&page=3".into()).await;
    assert_eq!((third.len(), more), (1, false));
    assert_ne!(first, third);
    assert!(found("limit=1&page=4".into()).await.0.is_empty());
    for bad in [
        format!("from={thursday}&to={}", wednesday.date_naive()),
        "from=tomorrow".to_owned(),
        "page=0".to_owned(),
        "grade=band_99".to_owned(),
        format!("search={}", "x".repeat(101)),
    ] {
        app.get(&format!("/api/v1/me/shift-matches?{bad}"), &nurse)
            .await
            .assert_problem(422, "validation-error");
    }

    // Booked on a two-place shift: it is neither bookable nor a clash with itself; another shift
    // at the same hours is a clash, with the reason.
    let two = app.shift(&a, &a.bank, 24 * 20, 8, 2).await;
    let same_hours = app.shift(&a, &a.bank, 24 * 20, 8, 1).await;
    let booked = app.book(&nurse, &two, "two").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reply = app.get("/api/v1/me/shift-matches", &nurse).await;
    let listed = |key: &str| -> Vec<String> {
        reply.body[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!listed("bookable").contains(&two));
    assert!(!listed("not_bookable").contains(&two), "{}", reply.body);
    assert!(
        listed("not_bookable").contains(&same_hours),
        "{}",
        reply.body
    );
}

async fn a_bookers_list_filters_and_pages_their_own_trusts_shifts_only(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let nurse = app.worker("nurse@a.test", &[&a.bank]).await;
    let wednesday = next_wednesday();
    // Wednesday and Thursday days, a Thursday night; and one at the other trust.
    let ours = post_at(&app, &a, wednesday, &[9, 24 + 9, 24 + 20], 8).await;
    let theirs = post_at(&app, &b, wednesday, &[9], 8).await;
    let thursday = (wednesday + chrono::Duration::days(1)).date_naive();
    let list = |token: String, query: String| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!("/api/v1/trust-shifts?{query}"), &token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
            let ids: Vec<String> = reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, reply.body)
        }
    };
    let booker = a.booker.clone();
    assert_eq!(list(booker.clone(), String::new()).await.0, ours);
    assert_eq!(list(b.booker.clone(), String::new()).await.0, theirs);
    assert_eq!(
        list(booker.clone(), format!("from={thursday}")).await.0,
        ours[1..]
    );
    assert_eq!(
        list(booker.clone(), format!("to={}", wednesday.date_naive()))
            .await
            .0,
        ours[..1]
    );
    assert_eq!(
        list(booker.clone(), "times=nights".into()).await.0,
        ours[2..]
    );
    assert_eq!(list(booker.clone(), "times=days".into()).await.0, ours[..2]);
    assert_eq!(list(booker.clone(), "grade=band_6".into()).await.0, ours);
    assert!(list(booker.clone(), "grade=band_7".into())
        .await
        .0
        .is_empty());
    assert_eq!(
        list(booker.clone(), "search=staff%20NURSE".into()).await.0,
        ours
    );
    assert!(list(booker.clone(), "search=RXN".into()).await.0.is_empty());
    assert_eq!(
        list(booker.clone(), format!("ward={}", a.ward)).await.0,
        ours
    );
    assert!(list(booker.clone(), format!("ward={}", b.ward))
        .await
        .0
        .is_empty());
    let (_, body) = list(booker.clone(), "page=1".into()).await;
    assert_eq!(
        (body["total"].as_u64(), body["more"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(list(booker.clone(), "page=2".into()).await.0.is_empty());

    for bad in [
        "grade=band_99".to_owned(),
        "times=sometimes".to_owned(),
        "page=0".to_owned(),
        "from=soon".to_owned(),
        format!("from={thursday}&to={}", wednesday.date_naive()),
    ] {
        app.get(&format!("/api/v1/trust-shifts?{bad}"), &a.booker)
            .await
            .assert_problem(422, "validation-error");
    }
    app.get("/api/v1/trust-shifts", &nurse)
        .await
        .assert_problem(403, "forbidden");
}
