//! Prometheus metrics at `/metrics`: behind their bearer token; requests counted and timed by
//! route template (never the path with its ids); bookings made and refused by reason, offers
//! sent, and the queue gauges read from the database at scrape time.

use reqwest::StatusCode;

use crate::helpers::{TestApp, METRICS_TOKEN};

crate::both_backends!(metrics_count_bookings_by_route_template_behind_a_token);

/// The text exposition, scraped with the token.
async fn scrape(app: &TestApp) -> String {
    let reply = app
        .http
        .get(format!("{}/metrics", app.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    assert!(reply.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    reply.text().await.unwrap()
}

/// The sum of the samples of `name` carrying every one of `labels` (0 if none; `None` if the
/// metric has no sample at all with them).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
        if metric != name {
            continue;
        }
        if labels
            .iter()
            .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        {
            *found.get_or_insert(0.0) += value.parse::<f64>().unwrap();
        }
    }
    found
}

const BOOKINGS_ROUTE: &str = "/api/v1/shifts/{shift_id}/bookings";

async fn metrics_count_bookings_by_route_template_behind_a_token(app: TestApp) {
    // Without the token, or with another, nothing is told.
    let anonymous = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let guessed = app
        .http
        .get(format!("{}/metrics", app.base))
        .bearer_auth("metrics-token-for-the-test")
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::UNAUTHORIZED);
    assert!(!guessed.text().await.unwrap().contains("staffbank_"));

    let trust = app.trust("RXL").await;
    let first = app.worker("first@nurse.test", &[&trust.bank]).await;
    let second = app.worker("second@nurse.test", &[&trust.bank]).await;
    let offered = app.shift(&trust, &trust.bank, 120, 8, 2).await;
    let shift = app.shift(&trust, &trust.bank, 48, 8, 1).await;

    let before = scrape(&app).await;
    let made_before = sample(&before, "staffbank_bookings_made_total", &[]).unwrap_or(0.0);
    let full_before = sample(
        &before,
        "staffbank_bookings_refused_total",
        &[("reason", "shift-full")],
    )
    .unwrap_or(0.0);
    let offers_before = sample(&before, "staffbank_offers_sent_total", &[]).unwrap_or(0.0);
    let route_ok = [
        ("method", "POST"),
        ("route", BOOKINGS_ROUTE),
        ("status", "2xx"),
    ];
    let route_refused = [
        ("method", "POST"),
        ("route", BOOKINGS_ROUTE),
        ("status", "4xx"),
    ];
    let ok_before = sample(&before, "staffbank_http_requests_total", &route_ok).unwrap_or(0.0);
    let timed_before = sample(
        &before,
        "staffbank_http_request_duration_seconds_count",
        &route_ok,
    )
    .unwrap_or(0.0);
    let refused_before =
        sample(&before, "staffbank_http_requests_total", &route_refused).unwrap_or(0.0);

    let sent = app.app.send_due_offers().await.unwrap();
    assert!(sent >= 1, "the workers are offered the shift ahead");
    let booked = app.book(&first, &shift, "metrics-1").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let refused = app.book(&second, &shift, "metrics-2").await;
    refused.assert_problem(409, "shift-full");

    let after = scrape(&app).await;
    assert!(sample(&after, "staffbank_bookings_made_total", &[]).unwrap() >= made_before + 1.0);
    assert!(
        sample(
            &after,
            "staffbank_bookings_refused_total",
            &[("reason", "shift-full")]
        )
        .unwrap()
            >= full_before + 1.0
    );
    assert!(
        sample(&after, "staffbank_offers_sent_total", &[]).unwrap() >= offers_before + sent as f64
    );
    // Counted and timed under the route template, with the status class.
    assert!(sample(&after, "staffbank_http_requests_total", &route_ok).unwrap() >= ok_before + 1.0);
    assert!(
        sample(&after, "staffbank_http_requests_total", &route_refused).unwrap()
            >= refused_before + 1.0
    );
    assert!(
        sample(
            &after,
            "staffbank_http_request_duration_seconds_count",
            &route_ok
        )
        .unwrap()
            >= timed_before + 1.0
    );
    let mut le = route_ok.to_vec();
    le.push(("le", "+Inf"));
    assert!(
        sample(
            &after,
            "staffbank_http_request_duration_seconds_bucket",
            &le
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        sample(
            &after,
            "staffbank_http_errors_total",
            &[("route", BOOKINGS_ROUTE), ("status", "409")]
        )
        .unwrap()
            >= 1.0
    );
    // No path with its ids, nor any id at all, reaches a label.
    for id in [&shift, &offered, &trust.id, &trust.bank, &trust.ward] {
        assert!(!after.contains(id.as_str()), "{id} is in the metrics");
    }

    // The queue gauges are read at scrape time: every channel, the ledger and the pool.
    for channel in ["email", "push", "payroll"] {
        assert!(
            sample(&after, "staffbank_outbox_depth", &[("channel", channel)]).is_some(),
            "no {channel} depth"
        );
        assert!(sample(
            &after,
            "staffbank_outbox_oldest_age_seconds",
            &[("channel", channel)]
        )
        .is_some());
    }
    assert!(sample(&after, "staffbank_ledger_unsigned_entries", &[]).is_some());
    assert!(sample(&after, "staffbank_ledger_oldest_unsigned_age_seconds", &[]).is_some());
    assert!(sample(&after, "staffbank_db_pool_connections", &[]).unwrap() >= 1.0);
    assert!(sample(&after, "staffbank_db_pool_idle_connections", &[]).is_some());
}
