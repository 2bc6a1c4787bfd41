//! Workers choose which offers they hear about and when, and hear when one goes: through a real
//! SMTP server (aiosmtpd), an offer outside the chosen grades, sites or days/nights is never
//! emailed while one inside is; one in quiet hours waits for them to end without counting as a
//! failure; settings are refused whole when any field is bad; and a worker who was alerted about
//! a shift that someone else then booked is told once that it is no longer available.

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_app::notify::{Mailer, Notifier, RetryPolicy};
use staffbank_app::App;
use staffbank_domain::shift::RULES_ZONE;

use crate::helpers::{TestApp, Trust};
use crate::notifications::{arrived, free_port, SmtpServer};

crate::both_backends!(
    offers_outside_the_chosen_grades_sites_and_times_are_not_emailed,
    an_offer_in_quiet_hours_waits_for_them_to_end,
    a_worker_alerted_about_a_shift_filled_by_another_hears_once,
);

const SETTINGS: &str = "/api/v1/me/notification-settings";

/// A deliverer sending through an SMTP server on `port`, and a folder the server keeps mail in.
async fn mail(app: &TestApp) -> (App, SmtpServer, PathBuf) {
    let dir = std::env::temp_dir().join(format!("staffbank-smtp-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let server = SmtpServer::start(port, &dir).await;
    let deliverer = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Staffbank <bank@staffbank.test>",
        )
        .unwrap(),
        policy: RetryPolicy::default(),
    });
    (deliverer, server, dir)
}

/// The UK wall-clock time `days` days from now at `h:m`, as UTC.
fn uk(app: &TestApp, days: i64, h: u32, m: u32) -> DateTime<Utc> {
    let day = (app.app.now() + Duration::days(days))
        .with_timezone(&RULES_ZONE)
        .date_naive();
    RULES_ZONE
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// Posts a nursing shift on `ward` from `start`, `hours` long, accepting `min` to `max`.
async fn post_shift(
    app: &TestApp,
    trust: &Trust,
    ward: &str,
    start: DateTime<Utc>,
    hours: i64,
    (min, max): (&str, &str),
) -> String {
    let reply = app
        .post(
            "/api/v1/shifts",
            &trust.booker,
            json!({"shifts": [{"ward_id": ward, "bank_id": trust.bank, "role": "Staff nurse",
                "staff_group": "nursing_and_midwifery", "grade_min": min, "grade_max": max,
                "starts_at": start, "ends_at": start + Duration::hours(hours), "places": 1}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body[0]["id"].as_str().unwrap().to_owned()
}

/// Offers `shift` to the worker signed in as `worker`.
async fn offer(app: &TestApp, trust: &Trust, shift: &str, worker: &str) {
    let id = app.worker_id(worker).await.0.to_string();
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": id}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
}

/// The mail sent to `to`.
fn mail_to(dir: &PathBuf, to: &str) -> Vec<Value> {
    arrived(dir)
        .into_iter()
        .filter(|m| m["to"] == json!([to]))
        .collect()
}

async fn set(app: &TestApp, worker: &str, settings: Value) -> crate::helpers::Reply {
    app.call(Method::PUT, SETTINGS, Some(worker), Some(settings))
        .await
}

async fn offers_outside_the_chosen_grades_sites_and_times_are_not_emailed(app: TestApp) {
    let trust = app.trust("RXL").await;
    let site2 = app
        .post(
            &format!("/api/v1/organisations/{}/sites", trust.id),
            &app.admin,
            json!({"name": "Chorley", "lat": 53.65, "lon": -2.63}),
        )
        .await;
    assert_eq!(site2.status, StatusCode::CREATED, "{}", site2.body);
    let site2 = site2.body["id"].as_str().unwrap().to_owned();
    let ward2 = app
        .post(
            &format!("/api/v1/sites/{site2}/wards"),
            &app.admin,
            json!({"name": "Ward 2"}),
        )
        .await;
    assert_eq!(ward2.status, StatusCode::CREATED, "{}", ward2.body);
    let ward2 = ward2.body["id"].as_str().unwrap().to_owned();
    let other = app.trust("RXN").await;
    let elsewhere = post_shift(
        &app,
        &other,
        &other.ward,
        uk(&app, 20, 7, 30),
        12,
        ("band_5", "band_6"),
    )
    .await;
    let elsewhere_site = app
        .get(&format!("/api/v1/shifts/{elsewhere}"), &other.booker)
        .await
        .body["site_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let nurse = app.worker("choosy@alerts.test", &[&trust.bank]).await;

    // The wanted shift, then one of each kind not asked for.
    let wanted = post_shift(
        &app,
        &trust,
        &trust.ward,
        uk(&app, 25, 7, 30),
        12,
        ("band_5", "band_6"),
    )
    .await;
    let site1 = app
        .get(&format!("/api/v1/shifts/{wanted}"), &trust.booker)
        .await
        .body["site_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_grade = post_shift(
        &app,
        &trust,
        &trust.ward,
        uk(&app, 24, 7, 30),
        12,
        ("band_5", "band_5"),
    )
    .await;
    let wrong_site = post_shift(
        &app,
        &trust,
        &ward2,
        uk(&app, 23, 7, 30),
        12,
        ("band_5", "band_6"),
    )
    .await;
    let night = post_shift(
        &app,
        &trust,
        &trust.ward,
        uk(&app, 22, 19, 30),
        12,
        ("band_5", "band_6"),
    )
    .await;

    // Every bad field is named; nothing is stored.
    let before = app.get(SETTINGS, &nurse).await.body;
    let refused = set(
        &app,
        &nurse,
        json!({"email": true, "push": false, "grades": ["band_99"],
            "sites": [elsewhere_site, "nowhere"], "shift_times": "evenings",
            "quiet_from": "25:00"}),
    )
    .await;
    refused.assert_problem(422, "validation-error");
    let mut fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "grades[0]",
            "quiet_from",
            "quiet_until",
            "shift_times",
            "sites[0]",
            "sites[1]"
        ],
        "{}",
        refused.body
    );
    set(
        &app,
        &nurse,
        json!({"email": true, "push": false, "grades": ["band_6"], "sites": [site1],
            "shift_times": "days", "quiet_from": "22:00", "quiet_until": "22:00"}),
    )
    .await
    .assert_problem(422, "validation-error");
    assert_eq!(
        app.get(SETTINGS, &nurse).await.body,
        before,
        "refused: unchanged"
    );
    let chosen = json!({"email": true, "push": false, "grades": ["band_6"], "sites": [site1],
        "shift_times": "days", "quiet_from": null, "quiet_until": null});
    let saved = set(&app, &nurse, chosen.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(app.get(SETTINGS, &nurse).await.body, chosen);

    for shift in [&wanted, &wrong_grade, &wrong_site, &night] {
        offer(&app, &trust, shift, &nurse).await;
    }
    let (deliverer, server, dir) = mail(&app).await;
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let mail = mail_to(&dir, "choosy@alerts.test");
    assert_eq!(mail.len(), 1, "{mail:?}");
    let body = mail[0]["body"].as_str().unwrap();
    assert!(body.contains(&format!("/shifts/{wanted}")), "{body}");
    assert_eq!(
        deliverer.deliver_notifications().await.unwrap(),
        0,
        "the rest are done with, unsent"
    );
    assert_eq!(mail_to(&dir, "choosy@alerts.test").len(), 1);

    // With the filters cleared, a new offer of the same kind is sent.
    let all = set(&app, &nurse, json!({"email": true, "push": false})).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let another_night = post_shift(
        &app,
        &trust,
        &ward2,
        uk(&app, 21, 19, 30),
        12,
        ("band_5", "band_5"),
    )
    .await;
    offer(&app, &trust, &another_night, &nurse).await;
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    assert_eq!(mail_to(&dir, "choosy@alerts.test").len(), 2);
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn an_offer_in_quiet_hours_waits_for_them_to_end(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("sleepy@alerts.test", &[&trust.bank]).await;
    let now = app.app.now();
    let hhmm = |t: DateTime<Utc>| t.with_timezone(&RULES_ZONE).format("%H:%M").to_string();
    // Quiet from an hour ago until an hour from now (to the minute).
    let quiet = json!({"email": true, "push": false,
        "quiet_from": hhmm(now - Duration::hours(1)), "quiet_until": hhmm(now + Duration::hours(1))});
    let saved = set(&app, &nurse, quiet).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let shift = app
        .shift(&trust, &trust.bank, 30 * 24 - 24 * 5, 12, 1)
        .await;
    offer(&app, &trust, &shift, &nurse).await;
    let event = app
        .store
        .outbox_after(0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .1;
    let (deliverer, server, dir) = mail(&app).await;
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    let delivery = app.store.deliveries_of(event.id).await.unwrap().remove(0);
    assert_eq!(
        app.store.delivery_status(delivery.id).await.unwrap(),
        Some(("pending".to_owned(), 0)),
        "held back, not a failed attempt"
    );
    app.advance(Duration::minutes(58));
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    assert!(
        mail_to(&dir, "sleepy@alerts.test").is_empty(),
        "not before they end"
    );
    app.advance(Duration::minutes(3));
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    assert_eq!(mail_to(&dir, "sleepy@alerts.test").len(), 1);
    assert_eq!(
        app.store.delivery_status(delivery.id).await.unwrap(),
        Some(("sent".to_owned(), 0))
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn a_worker_alerted_about_a_shift_filled_by_another_hears_once(app: TestApp) {
    let trust = app.trust("RXL").await;
    let alerted = app.worker("alerted@alerts.test", &[&trust.bank]).await;
    let booker = app.worker("quick@alerts.test", &[&trust.bank]).await;
    let filtered = app.worker("filtered@alerts.test", &[&trust.bank]).await;
    let saved = set(
        &app,
        &filtered,
        json!({"email": true, "push": false, "grades": ["band_8a"]}),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (deliverer, server, dir) = mail(&app).await;

    let shift = app
        .shift(&trust, &trust.bank, 30 * 24 - 24 * 5, 12, 1)
        .await;
    for worker in [&alerted, &booker, &filtered] {
        offer(&app, &trust, &shift, worker).await;
    }
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 2);
    assert!(mail_to(&dir, "filtered@alerts.test").is_empty());
    let booked = app.book(&booker, &shift, "quick").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let mail = mail_to(&dir, "alerted@alerts.test");
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert_eq!(
        mail[1]["subject"],
        "Shift no longer available: Staff nurse, Ward 1"
    );
    let body = mail[1]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Shift no longer available: Staff nurse, Ward 1, ")
            && body.contains(" — it has been filled"),
        "{body}"
    );
    assert_eq!(
        deliverer.deliver_notifications().await.unwrap(),
        0,
        "a second pass adds nothing"
    );
    assert_eq!(mail_to(&dir, "alerted@alerts.test").len(), 2);
    assert_eq!(
        mail_to(&dir, "quick@alerts.test").len(),
        1,
        "the booker: no withdrawal"
    );
    assert!(
        mail_to(&dir, "filtered@alerts.test").is_empty(),
        "never alerted: no withdrawal"
    );

    // Filled before the offer went out: neither the offer nor a withdrawal is sent.
    let shift2 = app
        .shift(&trust, &trust.bank, 30 * 24 - 24 * 4, 12, 1)
        .await;
    offer(&app, &trust, &shift2, &alerted).await;
    let booked = app.book(&booker, &shift2, "quick2").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    assert_eq!(mail_to(&dir, "alerted@alerts.test").len(), 2);
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
