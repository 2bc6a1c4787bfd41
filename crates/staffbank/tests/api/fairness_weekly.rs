//! The weekly fairness run: each bank's previous ISO week written to the ledger once, as
//! aggregates and flags with no one named, however often and on however many servers it runs.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use staffbank_app::fairness_weekly::{previous_week, ACTION};
use staffbank_app::App;
use staffbank_ledger::keys::MasterKey;

use crate::helpers::{midnight_in_days, post_at, quick_worker, TestApp};

crate::both_backends!(each_bank_s_week_is_recorded_once);

/// The booked figures of the tier grouping's groups in an entry, summed.
fn booked_total(entry: &Value) -> u64 {
    let tier = entry["facts"]["groupings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["grouping"] == "tier")
        .unwrap();
    tier["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["measures"].as_array())
        .flat_map(|ms| ms.iter())
        .filter(|m| m["measure"] == "booked")
        .map(|m| m["count"].as_u64().unwrap())
        .max()
        .unwrap_or(0)
}

async fn each_bank_s_week_is_recorded_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let mut workers = Vec::new();
    for n in 0..20 {
        workers.push(quick_worker(&app, &a.bank, n).await);
    }
    // One day shift a day for ten days from the day after tomorrow, each booked.
    let base = midnight_in_days(2);
    let offsets: Vec<i64> = (0..10).map(|d| d * 24 + 8).collect();
    let shifts = post_at(&app, &a, base, &offsets, 8).await;
    for (i, (token, shift)) in workers.iter().zip(&shifts).enumerate() {
        let booked = app.book(token, shift, &format!("weekly-{i}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    }

    // A fortnight on, last week holds some of those shifts.
    app.advance(Duration::days(14));
    let (week, from, to) = previous_week(app.app.now());
    let in_week = offsets
        .iter()
        .map(|h| base + Duration::hours(*h))
        .filter(|start| *start >= from && *start < to)
        .count() as u64;
    assert_eq!(
        app.app.record_weekly_fairness().await.unwrap(),
        2,
        "one per bank"
    );
    assert_eq!(
        app.app.record_weekly_fairness().await.unwrap(),
        0,
        "once only"
    );
    let entries = app.ledger_entries(ACTION).await;
    assert_eq!(entries.len(), 2);
    let ours = entries
        .iter()
        .find(|e| e["facts"]["bank"] == a.bank.as_str())
        .unwrap();
    assert_eq!(ours["facts"]["week"], week.as_str());
    assert!(ours["facts"]["test"].as_str().unwrap().contains("binomial"));
    assert!(ours["facts"]["flags"].is_array());
    // Every member is in no tier: one group of 20, whose bookings are all of last week's.
    assert_eq!(booked_total(ours), in_week);
    let text = ours.to_string();
    for token in &workers {
        let id = app.worker_id(token).await;
        assert!(!text.contains(&id.0.to_string()), "a worker id leaked");
    }
    assert!(entries
        .iter()
        .any(|e| e["facts"]["bank"] == b.bank.as_str()));

    // The next week, two servers sweeping at once still record each bank once.
    app.advance(Duration::days(7));
    let second = App::new(
        app.store.clone(),
        app.clock.clone(),
        MasterKey::from_base64(&app.master_text).unwrap(),
    );
    let (one, two) = tokio::join!(
        app.app.record_weekly_fairness(),
        second.record_weekly_fairness()
    );
    assert_eq!(one.unwrap() + two.unwrap(), 2);
    let entries = app.ledger_entries(ACTION).await;
    assert_eq!(entries.len(), 4);
    for bank in [&a.bank, &b.bank] {
        let mut weeks: Vec<&str> = entries
            .iter()
            .filter(|e| e["facts"]["bank"] == bank.as_str())
            .map(|e| e["facts"]["week"].as_str().unwrap())
            .collect();
        weeks.sort_unstable();
        weeks.dedup();
        assert_eq!(weeks.len(), 2, "two weeks for {bank}");
    }
}
