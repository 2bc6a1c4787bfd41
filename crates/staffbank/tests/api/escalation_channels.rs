//! Ward managers choose how escalations reach them: one who chose push only is alerted at their
//! subscribed browser (a real push endpoint, decrypted with the browser's key) within a minute and
//! is not emailed, while one who chose nothing is emailed as before. Their settings are channels
//! only; staff who neither work shifts nor manage a ward have none.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_app::notify::{Mailer, Notifier, RetryPolicy};
use staffbank_domain::role::Role;
use staffbank_store::PushSubscription;
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::notifications::{arrived, free_port, SmtpServer};
use crate::push::{browser, push_service};

crate::both_backends!(a_ward_manager_who_chose_push_is_pushed_not_emailed);

const SETTINGS: &str = "/api/v1/me/notification-settings";

async fn a_ward_manager_who_chose_push_is_pushed_not_emailed(app: TestApp) {
    let trust = app.trust("RXL").await;
    let pushed = app
        .staff("pushed@ward.test", Role::WardManager, &trust)
        .await;
    let _emailed = app
        .staff("emailed@ward.test", Role::WardManager, &trust)
        .await;

    // Default: email. Channels only; other staff have no settings.
    let channels_only = json!({"email": true, "push": false, "grades": null, "sites": null,
        "shift_times": null, "quiet_from": null, "quiet_until": null});
    let before = app.get(SETTINGS, &pushed).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body, channels_only);
    app.get(SETTINGS, &trust.booker)
        .await
        .assert_problem(403, "forbidden");
    let refused = app
        .call(
            Method::PUT,
            SETTINGS,
            Some(&pushed),
            Some(json!({"email": false, "push": true, "grades": ["band_5"],
                "quiet_from": "22:00"})),
        )
        .await;
    refused.assert_problem(422, "validation-error");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["grades", "quiet_from"], "{}", refused.body);
    assert_eq!(
        app.get(SETTINGS, &pushed).await.body,
        channels_only,
        "refused: unchanged"
    );
    let chose = app
        .call(
            Method::PUT,
            SETTINGS,
            Some(&pushed),
            Some(json!({"email": false, "push": true})),
        )
        .await;
    assert_eq!(chose.status, StatusCode::OK, "{}", chose.body);
    assert_eq!(chose.body["push"], true);
    assert_eq!(chose.body["email"], false);

    // The manager's browser (a local endpoint, so stored directly: the API takes https only).
    let user = app
        .store
        .user_by_email("pushed@ward.test")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (base, mut received) = push_service().await;
    let (secret, auth, keys) = browser();
    app.store
        .save_push_subscription(
            &PushSubscription {
                id: Uuid::now_v7(),
                user,
                endpoint: format!("{base}/ok/manager"),
                p256dh: keys["p256dh"].as_str().unwrap().to_owned(),
                auth: keys["auth"].as_str().unwrap().to_owned(),
                created_at: chrono::Utc::now(),
                last_success_at: None,
                last_failure_at: None,
            },
            &[],
        )
        .await
        .unwrap();

    let dir = std::env::temp_dir().join(format!("staffbank-smtp-{}", Uuid::new_v4()));
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
    let running = tokio::spawn(deliverer.run_notifications());

    let nurse = app.worker("absent@ward.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank, 2, 8, 1).await;
    let booked = app.book(&nurse, &shift, "absent").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    app.advance(Duration::hours(2) + Duration::minutes(46));
    assert_eq!(app.app.sweep().await.unwrap().no_shows, 1);

    let body = tokio::time::timeout(std::time::Duration::from_secs(60), received.recv())
        .await
        .expect("the escalation is pushed within a minute")
        .unwrap();
    let plain = web_push_native::decrypt(
        body,
        &secret,
        &web_push_native::Auth::clone_from_slice(&auth),
    )
    .unwrap();
    let shown: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        shown["title"],
        "A booked worker has not signed on for their shift"
    );
    assert_eq!(shown["url"], "/manage");

    // The manager who chose nothing is emailed; the one who chose push only is not.
    let started = std::time::Instant::now();
    while !arrived(&dir)
        .iter()
        .any(|m| m["to"] == json!(["emailed@ward.test"]))
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no escalation email within a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        !arrived(&dir)
            .iter()
            .any(|m| m["to"] == json!(["pushed@ward.test"])),
        "push only: no email"
    );
    running.abort();
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
