//! Web Push: a user subscribes their browsers, sees and turns off only their own, and an alert
//! sent to them reaches a real push endpoint, readable only with the browser's key; a gone
//! subscription is forgotten.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use reqwest::Method;
use serde_json::{json, Value};
use staffbank_app::push::{PushMessage, Urgency};
use staffbank_domain::role::Role;
use staffbank_store::PushSubscription;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(
    a_worker_sees_and_turns_off_only_their_own_browsers,
    bad_subscriptions_are_refused_and_change_nothing,
    an_alert_reaches_the_browser_and_gone_browsers_are_forgotten,
    an_offer_is_pushed_to_a_worker_who_chose_push
);

/// A browser's keys: the private key stays here to decrypt with.
pub(crate) fn browser() -> (p256::SecretKey, [u8; 16], Value) {
    let secret = p256::SecretKey::random(&mut OsRng);
    let mut auth = [0u8; 16];
    OsRng.fill_bytes(&mut auth);
    let keys = json!({
        "p256dh": URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes()),
        "auth": URL_SAFE_NO_PAD.encode(auth),
    });
    (secret, auth, keys)
}

fn subscription(endpoint: &str) -> Value {
    let (_, _, mut keys) = browser();
    keys["endpoint"] = json!(endpoint);
    keys
}

async fn a_worker_sees_and_turns_off_only_their_own_browsers(app: TestApp) {
    let trust = app.trust("RXL").await;
    let ann = app.worker("ann@nurse.test", &[&trust.bank]).await;
    let bob = app.worker("bob@nurse.test", &[&trust.bank]).await;

    let key = app
        .call(Method::GET, "/api/v1/push/vapid-public-key", None, None)
        .await;
    assert_eq!(key.status, 200);
    let key = key.body["public_key"].as_str().unwrap().to_owned();
    assert_eq!(URL_SAFE_NO_PAD.decode(&key).unwrap().len(), 65);
    // Every server of the platform presents the same key, or subscriptions would break.
    let other = app.another_server().await;
    let again: Value = app
        .http
        .get(format!("{other}/api/v1/push/vapid-public-key"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["public_key"], key);

    let added = app
        .post(
            "/api/v1/me/push-subscriptions",
            &ann,
            subscription("https://push.example.net/send/ann-phone"),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.body["id"].as_str().unwrap().to_owned();
    assert!(added.body.get("p256dh").is_none(), "keys are not echoed");

    let mine = app.get("/api/v1/me/push-subscriptions", &ann).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    assert_eq!(
        mine.body[0]["endpoint"],
        "https://push.example.net/send/ann-phone"
    );
    let theirs = app.get("/api/v1/me/push-subscriptions", &bob).await;
    assert_eq!(theirs.body, json!([]));

    let path = format!("/api/v1/me/push-subscriptions/{id}");
    app.call(Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/me/push-subscriptions", &ann)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let removed = app.call(Method::DELETE, &path, Some(&ann), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(
        app.get("/api/v1/me/push-subscriptions", &ann).await.body,
        json!([])
    );
    app.call(Method::DELETE, &path, Some(&ann), None)
        .await
        .assert_problem(404, "not-found");

    // Any signed-in user may subscribe a browser (ward managers are alerted of escalations
    // there); each still sees only their own.
    let booker = app.staff("booker2@rxl.test", Role::Booker, &trust).await;
    let staff = app
        .post(
            "/api/v1/me/push-subscriptions",
            &booker,
            subscription("https://push.example.net/send/b"),
        )
        .await;
    assert_eq!(staff.status, 201, "{}", staff.body);
    assert_eq!(
        app.get("/api/v1/me/push-subscriptions", &booker)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/me/push-subscriptions", &ann).await.body,
        json!([])
    );
    let anonymous = app
        .call(Method::GET, "/api/v1/me/push-subscriptions", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
}

async fn bad_subscriptions_are_refused_and_change_nothing(app: TestApp) {
    let trust = app.trust("RXL").await;
    let ann = app.worker("ann@nurse.test", &[&trust.bank]).await;
    let cases = [
        (subscription("http://push.example.net/x"), "endpoint"),
        (subscription("http://127.0.0.1:9/x"), "endpoint"),
        (subscription("nonsense"), "endpoint"),
        (
            {
                let mut s = subscription("https://push.example.net/x");
                s["p256dh"] = json!("AAAA");
                s
            },
            "p256dh",
        ),
        (
            {
                let mut s = subscription("https://push.example.net/x");
                s["auth"] = json!("not base64!");
                s
            },
            "auth",
        ),
    ];
    for (body, field) in cases {
        let refused = app.post("/api/v1/me/push-subscriptions", &ann, body).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(
            refused.body["errors"][0]["field"], field,
            "{}",
            refused.body
        );
    }
    let missing = app
        .post(
            "/api/v1/me/push-subscriptions",
            &ann,
            json!({"endpoint": "https://push.example.net/x"}),
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert_eq!(
        app.get("/api/v1/me/push-subscriptions", &ann).await.body,
        json!([])
    );
    app.call(
        Method::DELETE,
        "/api/v1/me/push-subscriptions/not-a-uuid",
        Some(&ann),
        None,
    )
    .await
    .assert_problem(404, "not-found");
}

/// A push endpoint on 127.0.0.1: `/ok/…` accepts (201) and hands over the body, `/gone/…` says
/// the subscription has gone (410).
pub(crate) async fn push_service() -> (String, mpsc::UnboundedReceiver<Vec<u8>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let router = axum::Router::new()
        .route(
            "/ok/{token}",
            post(move |body: Bytes| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(body.to_vec());
                    StatusCode::CREATED
                }
            }),
        )
        .route("/gone/{token}", post(|| async { StatusCode::GONE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, rx)
}

async fn an_alert_reaches_the_browser_and_gone_browsers_are_forgotten(app: TestApp) {
    let trust = app.trust("RXL").await;
    let ann = app.worker("ann@nurse.test", &[&trust.bank]).await;
    let worker = app.worker_id(&ann).await;
    let (base, mut received) = push_service().await;
    let (secret, auth, keys) = browser();
    // Stored directly: the API accepts only https endpoints, and this one is local http.
    for (name, keys) in [("ok", keys.clone()), ("gone", browser().2)] {
        app.store
            .save_push_subscription(
                &PushSubscription {
                    id: Uuid::now_v7(),
                    user: app.store.worker(worker).await.unwrap().unwrap().user_id,
                    endpoint: format!("{base}/{name}/abc"),
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
    }
    let message = PushMessage {
        id: Uuid::now_v7(),
        title: "Shift offered: Ward 7, Tue 8 Dec".to_owned(),
        body: "A night shift from 19:30 to 07:30.".to_owned(),
        url: "/me/offers".to_owned(),
    };
    let report = app
        .app
        .send_push(worker, &message, Urgency::High)
        .await
        .unwrap();
    assert_eq!((report.delivered, report.gone, report.failed), (1, 1, 0));
    assert!(!report.retry);

    let body = received.recv().await.unwrap();
    let plain = web_push_native::decrypt(
        body,
        &secret,
        &web_push_native::Auth::clone_from_slice(&auth),
    )
    .unwrap();
    let shown: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(shown["title"], "Shift offered: Ward 7, Tue 8 Dec");
    assert_eq!(shown["url"], "/me/offers");
    assert_eq!(shown["id"], message.id.to_string());

    let left = app.get("/api/v1/me/push-subscriptions", &ann).await;
    let left = left.body.as_array().unwrap();
    assert_eq!(left.len(), 1, "the gone one is deleted");
    assert_eq!(left[0]["endpoint"], format!("{base}/ok/abc"));
    assert!(left[0]["last_success_at"].is_string());
}

async fn an_offer_is_pushed_to_a_worker_who_chose_push(app: TestApp) {
    use staffbank_app::notify::{Mailer, Notifier, RetryPolicy};
    let trust = app.trust("RXL").await;
    let ann = app.worker("ann@nurse.test", &[&trust.bank]).await;
    let worker = app.worker_id(&ann).await;
    let (base, mut received) = push_service().await;
    let (secret, auth, keys) = browser();
    app.store
        .save_push_subscription(
            &PushSubscription {
                id: Uuid::now_v7(),
                user: app.store.worker(worker).await.unwrap().unwrap().user_id,
                endpoint: format!("{base}/ok/ann"),
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
    let chose = app
        .call(
            Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&ann),
            Some(json!({"email": false, "push": true})),
        )
        .await;
    assert_eq!(chose.status, StatusCode::OK, "{}", chose.body);
    let shift = app.shift(&trust, &trust.bank, 24 * 5, 8, 1).await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": worker.0}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let event = app
        .store
        .outbox_after(0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .1;

    // No SMTP server answers: only the push channel can deliver, and it must.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let smtp = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let deliverer = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::new(&smtp, "Staffbank <bank@staffbank.test>").unwrap(),
        policy: RetryPolicy::default(),
    });
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let deliveries = app.store.deliveries_of(event.id).await.unwrap();
    assert_eq!(deliveries.len(), 1, "push only: email is off");
    assert_eq!(deliveries[0].recipient, worker.0.to_string());

    let plain = web_push_native::decrypt(
        received.recv().await.unwrap(),
        &secret,
        &web_push_native::Auth::clone_from_slice(&auth),
    )
    .unwrap();
    let shown: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(shown["title"], "Shift offered: Staff nurse, Ward 1");
    assert_eq!(shown["url"], format!("/shifts/{shift}"));
    assert_eq!(shown["id"], event.id.to_string());
    assert!(
        !shown["body"].as_str().unwrap().contains("book it"),
        "{shown}"
    );
    // Sent is sent: another pass sends nothing again.
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
}
