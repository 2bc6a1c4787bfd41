//! Notifications reach people by email through a real SMTP server (aiosmtpd, started by the
//! test): an offer arrives in words with its idempotency key; while the server is down the
//! delivery is retried with backoff and arrives once it is back; a deliverer that died after
//! sending but before recording it sends again with the same key; a delivery that keeps failing
//! is dead-lettered after the last allowed attempt.

use std::path::PathBuf;
use std::process::Stdio;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};
use staffbank_app::notify::{Mailer, Notifier, RetryPolicy};
use staffbank_app::App;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::TestApp;

crate::both_backends!(
    an_offer_is_emailed_at_least_once_with_its_key,
    a_ward_manager_is_emailed_an_escalation_within_a_minute,
    a_worker_who_turns_email_off_gets_none,
);

/// A real SMTP server on `port`, keeping what it accepts in `dir`.
pub(crate) struct SmtpServer {
    child: Child,
}

impl SmtpServer {
    pub(crate) async fn start(port: u16, dir: &PathBuf) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs (scripts/setup --test installs aiosmtpd)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP server starts")
            .unwrap();
        assert_eq!(ready.as_deref(), Some("ready"));
        Self { child }
    }

    pub(crate) async fn stop(mut self) {
        self.child.kill().await.unwrap();
        self.child.wait().await.unwrap();
    }
}

/// The messages the server accepted, in arrival order.
pub(crate) fn arrived(dir: &PathBuf) -> Vec<Value> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn an_offer_is_emailed_at_least_once_with_its_key(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("staffbank-smtp-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let policy = RetryPolicy {
        first_wait: Duration::seconds(30),
        max_wait: Duration::minutes(2),
        attempts: 4,
        lease: Duration::minutes(2),
    };
    let deliverer: App = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Staffbank <bank@staffbank.test>",
        )
        .unwrap(),
        policy,
    });

    let trust = app.trust("RXL").await;
    let nurse = app.worker("nurse@notify.test", &[&trust.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0.to_string();
    let shift = app
        .shift(&trust, &trust.bank, 30 * 24 - 24 * 5, 12, 1)
        .await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": nurse_id}),
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

    // The server is down: the attempt fails and waits for its backoff.
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    let delivery = app.store.deliveries_of(event.id).await.unwrap().remove(0);
    assert_eq!(delivery.recipient, "nurse@notify.test");
    assert_eq!(
        app.store.delivery_status(delivery.id).await.unwrap(),
        Some(("pending".to_owned(), 1))
    );
    let server = SmtpServer::start(port, &dir).await;
    assert_eq!(
        deliverer.deliver_notifications().await.unwrap(),
        0,
        "not tried again before its backoff"
    );
    assert!(arrived(&dir).is_empty());
    app.advance(Duration::seconds(31));
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let mail = arrived(&dir);
    assert_eq!(mail.len(), 1, "{mail:?}");
    let shift_view = app
        .get(&format!("/api/v1/shifts/{shift}"), &trust.booker)
        .await
        .body;
    let when = staffbank_app::notify::words::shift_time(
        serde_json::from_value(shift_view["starts_at"].clone()).unwrap(),
        serde_json::from_value(shift_view["ends_at"].clone()).unwrap(),
    );
    let expected = format!(
        "Staff nurse, {}, {}, {when} — book it: {}/shifts/{shift}",
        shift_view["ward_name"].as_str().unwrap(),
        shift_view["site_name"].as_str().unwrap(),
        deliverer.public_url()
    );
    let body = mail[0]["body"].as_str().unwrap();
    assert!(body.starts_with(&expected), "{body}\nwanted: {expected}");
    assert_eq!(mail[0]["to"], json!(["nurse@notify.test"]));
    assert_eq!(mail[0]["idempotency_key"], event.id.to_string());
    assert_eq!(
        mail[0]["message_id"],
        format!("<{}@staffbank.test>", event.id)
    );
    assert_eq!(
        app.store.delivery_status(delivery.id).await.unwrap(),
        Some(("sent".to_owned(), 1))
    );
    assert_eq!(
        deliverer.deliver_notifications().await.unwrap(),
        0,
        "sent once"
    );

    // A deliverer killed after the server accepted but before recording it: the delivery is
    // still pending under a lease; once the lease runs out the same message goes again.
    let second = app.trust("RXN").await;
    let other = app.worker("other@notify.test", &[&second.bank]).await;
    let other_id = app.worker_id(&other).await.0.to_string();
    let shift2 = app
        .shift(&second, &second.bank, 30 * 24 - 24 * 5, 8, 1)
        .await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift2}/offers"),
            &second.booker,
            json!({"worker_id": other_id}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let event2 = app
        .store
        .outbox_after(0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .1;
    let now = app.app.now();
    app.store.fan_out(now, now).await.unwrap();
    let claimed = app
        .store
        .claim_deliveries(now, now + policy.lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // ... it was sent (by the same mailer the deliverer uses) and then the process died.
    let message =
        staffbank_app::notify::words::message(&claimed[0].event, deliverer.public_url()).unwrap();
    Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Staffbank <bank@staffbank.test>",
    )
    .unwrap()
    .send(event2.id, &claimed[0].recipient, &message)
    .await
    .unwrap();
    assert_eq!(
        deliverer.deliver_notifications().await.unwrap(),
        0,
        "held by the dead deliverer's lease"
    );
    app.advance(Duration::minutes(3));
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let mail = arrived(&dir);
    let keys: Vec<&Value> = mail.iter().map(|m| &m["idempotency_key"]).collect();
    assert_eq!(
        keys.iter()
            .filter(|k| **k == &json!(event2.id.to_string()))
            .count(),
        2,
        "sent again, with the same key: {keys:?}"
    );

    // The server goes away for good: attempts back off, then the delivery is dead-lettered.
    server.stop().await;
    let shift3 = app.shift(&trust, &trust.bank, 30 * 24 - 24 * 4, 8, 1).await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift3}/offers"),
            &trust.booker,
            json!({"worker_id": nurse_id}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let event3 = app
        .store
        .outbox_after(0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .1;
    for _ in 0..policy.attempts {
        deliverer.deliver_notifications().await.unwrap();
        app.advance(policy.max_wait + Duration::seconds(1));
    }
    let dead = app.store.deliveries_of(event3.id).await.unwrap().remove(0);
    assert_eq!(
        app.store.delivery_status(dead.id).await.unwrap(),
        Some(("dead".to_owned(), policy.attempts))
    );
    let letters = app
        .store
        .dead_letters(
            staffbank_domain::OrgId(uuid::Uuid::parse_str(&trust.id).unwrap()),
            10,
        )
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0].last_error.contains("mail server"),
        "{}",
        letters[0].last_error
    );

    // The bank office sees it in words and can try it again; another trust never can.
    let listed = app.get("/api/v1/undelivered-messages", &trust.booker).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.body);
    let letter = &listed.body[0];
    assert_eq!(letter["recipient"], "nurse@notify.test");
    assert_eq!(
        letter["what"],
        "Shift offered: Staff nurse, ".to_owned() + shift_view["ward_name"].as_str().unwrap()
    );
    assert_eq!(letter["attempts"], policy.attempts);
    let retry = format!("/api/v1/undelivered-messages/{}/retry", dead.id);
    assert_eq!(
        app.get("/api/v1/undelivered-messages", &second.booker)
            .await
            .body,
        json!([])
    );
    app.post(&retry, &second.booker, json!({}))
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/undelivered-messages", &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.post(
        &format!(
            "/api/v1/undelivered-messages/{}/retry",
            uuid::Uuid::new_v4()
        ),
        &trust.booker,
        json!({}),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(
        app.store.delivery_status(dead.id).await.unwrap(),
        Some(("dead".to_owned(), policy.attempts)),
        "a refused retry changes nothing"
    );
    let retried = app.post(&retry, &trust.booker, json!({})).await;
    assert_eq!(retried.status, StatusCode::NO_CONTENT, "{}", retried.body);
    assert_eq!(
        app.store.delivery_status(dead.id).await.unwrap(),
        Some(("pending".to_owned(), 0))
    );
    let server = SmtpServer::start(port, &dir).await;
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    assert_eq!(
        arrived(&dir).last().unwrap()["idempotency_key"],
        event3.id.to_string()
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A ward manager hears of a no-show by email within a minute, from the running deliverer.
async fn a_ward_manager_is_emailed_an_escalation_within_a_minute(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("staffbank-smtp-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let _server = SmtpServer::start(port, &dir).await;
    let deliverer: App = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Staffbank <bank@staffbank.test>",
        )
        .unwrap(),
        policy: RetryPolicy::default(),
    });
    let running = tokio::spawn(deliverer.run_notifications());

    let trust = app.trust("RXL").await;
    let _manager = app
        .staff(
            "manager@notify.test",
            staffbank_domain::role::Role::WardManager,
            &trust,
        )
        .await;
    let nurse = app.worker("absent@notify.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank, 2, 8, 1).await;
    let booked = app.book(&nurse, &shift, "absent").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    app.advance(Duration::hours(2) + Duration::minutes(46));
    let raised = std::time::Instant::now();
    assert_eq!(app.app.sweep().await.unwrap().no_shows, 1);

    let mail = loop {
        let mail: Vec<Value> = arrived(&dir)
            .into_iter()
            .filter(|m| m["to"] == json!(["manager@notify.test"]))
            .collect();
        if !mail.is_empty() {
            break mail;
        }
        assert!(
            raised.elapsed() < std::time::Duration::from_secs(60),
            "no escalation email within a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0]["subject"],
        "A booked worker has not signed on for their shift"
    );
    assert!(
        mail[0]["body"].as_str().unwrap().contains("/manage"),
        "{}",
        mail[0]["body"]
    );
    running.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A worker who turns email off is sent no email about offers; the settings are theirs alone.
async fn a_worker_who_turns_email_off_gets_none(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("quiet@notify.test", &[&trust.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0.to_string();
    let path = "/api/v1/me/notification-settings";
    let before = app.get(path, &nurse).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(
        before.body,
        json!({"email": true, "push": false, "grades": null, "sites": null,
            "shift_times": "any", "quiet_from": null, "quiet_until": null})
    );
    app.get(path, &trust.booker)
        .await
        .assert_problem(403, "forbidden");
    app.call(
        reqwest::Method::PUT,
        path,
        Some(&nurse),
        Some(json!({"email": "no"})),
    )
    .await
    .assert_problem(422, "validation-error");
    assert_eq!(
        app.get(path, &nurse).await.body,
        before.body,
        "refused: unchanged"
    );
    let set = app
        .call(
            reqwest::Method::PUT,
            path,
            Some(&nurse),
            Some(json!({"email": false, "push": true})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        app.get(path, &nurse).await.body,
        json!({"email": false, "push": true, "grades": null, "sites": null,
            "shift_times": "any", "quiet_from": null, "quiet_until": null})
    );

    let shift = app.shift(&trust, &trust.bank, 30 * 24 - 24 * 5, 8, 1).await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": nurse_id}),
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
    let now = app.app.now();
    app.store.fan_out(now, now).await.unwrap();
    assert!(
        app.store.deliveries_of(event.id).await.unwrap().is_empty(),
        "no email for a worker who turned it off"
    );

    // Email back on; an offer whose shift can no longer be booked (here: it has started) before
    // it goes out is never sent (the
    // deliverer's server is not even running: trying would have failed and counted an attempt).
    let on = app
        .call(
            reqwest::Method::PUT,
            path,
            Some(&nurse),
            Some(json!({"email": true, "push": false})),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let shift2 = app.shift(&trust, &trust.bank, 30 * 24 - 24 * 4, 8, 1).await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift2}/offers"),
            &trust.booker,
            json!({"worker_id": nurse_id}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let event2 = app
        .store
        .outbox_after(0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .1;
    app.advance(Duration::days(27));
    let deliverer = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::new(
            &format!("smtp://127.0.0.1:{}", free_port()),
            "Staffbank <bank@staffbank.test>",
        )
        .unwrap(),
        policy: RetryPolicy::default(),
    });
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    let d = app.store.deliveries_of(event2.id).await.unwrap().remove(0);
    assert_eq!(
        app.store.delivery_status(d.id).await.unwrap(),
        Some(("sent".to_owned(), 0)),
        "done with, never attempted"
    );
}
