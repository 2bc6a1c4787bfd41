//! Many simultaneous requests: never over-booked, never overlapping.

use futures::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{quick_worker, TestApp};

crate::both_backends!(
    two_hundred_requests_for_three_places,
    one_worker_two_trusts_same_instant,
    the_same_key_at_the_same_moment_gets_one_answer
);

async fn two_hundred_requests_for_three_places(app: TestApp) {
    let trust = app.trust("RXL").await;
    let shift = app.shift(&trust, &trust.bank.clone(), 24, 12, 3).await;
    let mut tokens = Vec::new();
    for n in 0..200 {
        tokens.push(quick_worker(&app, &trust.bank, n).await);
    }
    let replies = join_all(tokens.iter().map(|t| app.book(t, &shift, "burst"))).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let full: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(created, 3);
    assert_eq!(full.len(), 197);
    for reply in full {
        reply.assert_problem(409, "shift-full");
    }
    let shown = app
        .get(&format!("/api/v1/shifts/{shift}"), &trust.booker)
        .await;
    assert_eq!(shown.body["booked"], 3);
    assert_eq!(shown.body["status"], "filled");
    let bookings = app
        .get(&format!("/api/v1/shifts/{shift}/bookings"), &trust.booker)
        .await;
    assert_eq!(bookings.body.as_array().unwrap().len(), 3);
}

async fn one_worker_two_trusts_same_instant(app: TestApp) {
    let a = app.trust("RXN").await;
    let b = app.trust("RXR").await;
    for round in 0..10 {
        let nurse = app
            .worker(&format!("eve{round}@nurse.test"), &[&a.bank, &b.bank])
            .await;
        let at_a = app.shift(&a, &a.bank.clone(), 24 + round * 24, 12, 2).await;
        let at_b = app.shift(&b, &b.bank.clone(), 30 + round * 24, 12, 2).await;
        let (one, two) = tokio::join!(app.book(&nurse, &at_a, "a"), app.book(&nurse, &at_b, "b"));
        let created = [&one, &two]
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "round {round}: {} / {}", one.body, two.body);
        let refused = if one.status == StatusCode::CREATED {
            &two
        } else {
            &one
        };
        refused.assert_problem(409, "overlapping-booking");
        let mine = app.get("/api/v1/me/bookings", &nurse).await;
        assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    }
}

/// A client that sends the same booking twice at once (say, retrying on another server while
/// the first is still in flight) gets the one booking both times, never a booking and a
/// refusal: the last place goes to the first, and the second answers with it.
async fn the_same_key_at_the_same_moment_gets_one_answer(app: TestApp) {
    let trust = app.trust("RXQ").await;
    for round in 0..12 {
        let shift = app
            .shift(&trust, &trust.bank.clone(), 24 + round * 24, 12, 1)
            .await;
        let nurse = quick_worker(&app, &trust.bank, 1000 + round as usize).await;
        let key = format!("retry-{round}");
        let replies = join_all((0..4).map(|_| app.book(&nurse, &shift, &key))).await;
        for reply in &replies {
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "round {round}: {}",
                reply.body
            );
            assert_eq!(reply.body["id"], replies[0].body["id"], "round {round}");
        }
        let bookings = app
            .get(&format!("/api/v1/shifts/{shift}/bookings"), &trust.booker)
            .await;
        assert_eq!(bookings.body.as_array().unwrap().len(), 1);
    }
}
