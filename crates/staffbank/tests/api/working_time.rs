//! The Working Time Regulations through the API, counted across trusts.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{midnight_in_days, post_at, TestApp};

crate::both_backends!(
    combined_hours_at_two_trusts_break_the_average_though_neither_alone_does,
    short_rest_after_a_shift_at_another_trust_is_refused_with_the_reason
);

async fn combined_hours_at_two_trusts_break_the_average_though_neither_alone_does(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    for trust in [&a, &b] {
        app.set_policy(trust, json!({"horizon_days": 140})).await;
    }
    let nurse = app.worker("pat@nurse.test", &[&a.bank, &b.bank]).await;
    let base = midnight_in_days(2);
    // 17 weeks of four 12-hour days (08:00-20:00 UTC): two at trust A, two at trust B, 48 hours a week.
    let at_a: Vec<i64> = (0..17).flat_map(|w| [w * 168 + 8, w * 168 + 32]).collect();
    let at_b: Vec<i64> = (0..17).flat_map(|w| [w * 168 + 56, w * 168 + 80]).collect();
    for id in post_at(&app, &a, base, &at_a, 12)
        .await
        .iter()
        .chain(post_at(&app, &b, base, &at_b, 12).await.iter())
    {
        let booked = app.book(&nurse, id, &format!("k-{id}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    }
    // Each trust alone sees 24 hours a week; together they reach exactly 48: one more hour breaks it.
    let extra = post_at(&app, &a, base, &[16 * 168 + 5 * 24 + 8], 4).await;
    let refused = app.book(&nurse, &extra[0], "extra").await;
    refused.assert_problem(422, "not-eligible");
    assert_eq!(refused.body["reasons"][0]["reason"], "working_time");
    assert_eq!(refused.body["reasons"][0]["rule"], "weekly_average");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("average week"),
        "{}",
        refused.body
    );
    let open = app.get("/api/v1/me/open-shifts?limit=200", &nurse).await;
    assert!(
        !open.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == extra[0].as_str()),
        "not offered either"
    );

    // A recorded opt-out lifts the average limit (and is in the ledger).
    let opted = app
        .post(
            "/api/v1/me/working-time",
            &nurse,
            json!({"weekly_limit_opt_out": true}),
        )
        .await;
    assert_eq!(opted.body["worker"]["weekly_limit_opt_out"], true);
    let booked = app.book(&nurse, &extra[0], "extra-2").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
}

async fn short_rest_after_a_shift_at_another_trust_is_refused_with_the_reason(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let nurse = app.worker("quinn@nurse.test", &[&a.bank, &b.bank]).await;
    let base = midnight_in_days(3);
    let day_at_b = post_at(&app, &b, base, &[8], 12).await; // 08:00-20:00
    let early_at_a = post_at(&app, &a, base, &[29], 8).await; // 05:00 next day: 9 hours' rest
    let fine_at_a = post_at(&app, &a, base, &[31], 8).await; // 07:00 next day: 11 hours' rest
    assert_eq!(
        app.book(&nurse, &day_at_b[0], "b").await.status,
        StatusCode::CREATED
    );
    let refused = app.book(&nurse, &early_at_a[0], "a").await;
    refused.assert_problem(422, "not-eligible");
    assert_eq!(
        refused.body["detail"],
        "would leave 9h 00m rest after a shift at another trust (at least 11h 00m is required in every 24 hours)"
    );
    assert_eq!(refused.body["reasons"][0]["rule"], "daily_rest");
    assert_eq!(refused.body["reasons"][0]["rest_minutes"], 540);
    assert_eq!(
        app.book(&nurse, &fine_at_a[0], "a2").await.status,
        StatusCode::CREATED
    );
}
