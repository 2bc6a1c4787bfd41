//! A real PostgreSQL streaming replica on this machine (`scripts/pg-replica-pair`): matching
//! reads go to it while it keeps up, and a replica made to lag (its replay paused) can show a
//! shift that has just filled but never book it, since every booking is judged on the primary.
//! Reads fall back to the primary once the replica is further behind than allowed. And a
//! failover: the primary dies, the replica is promoted, the service address moves to it, and the
//! `staffbank serve` process that was running all along carries on booking, with nothing lost.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;
use staffbank_app::App;
use staffbank_ledger::keys::MasterKey;
use staffbank_store_postgres::PgStore;

use crate::binary::{described, run, serve_command, start};
use crate::helpers::{serve_with, TestApp};
use crate::relay::Relay;

/// A primary and its streaming replica in a folder of their own, stopped and removed on drop.
struct ReplicaPair {
    dir: std::path::PathBuf,
    primary: String,
    replica: String,
}

impl ReplicaPair {
    fn script() -> Command {
        Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/pg-replica-pair"
        ))
    }

    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("staffbank-pair-{}", uuid::Uuid::new_v4()));
        let output = Self::script().arg("start").arg(&dir).output().unwrap();
        assert!(output.status.success(), "{}", {
            let _ = Self::script().arg("stop").arg(&dir).status();
            String::from_utf8_lossy(&output.stderr).into_owned()
        });
        let printed = String::from_utf8(output.stdout).unwrap();
        let url = |name: &str| {
            printed
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_owned()
        };
        Self {
            primary: url("primary"),
            replica: url("replica"),
            dir,
        }
    }

    /// The primary dies and the replica is promoted.
    fn promote(&self) {
        let status = Self::script()
            .arg("promote")
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Runs a statement on the replica as its administrator.
    async fn on_replica(&self, statement: &str) {
        let mut db = sqlx::PgConnection::connect(&self.replica).await.unwrap();
        sqlx::query(statement).execute(&mut db).await.unwrap();
    }
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        let _ = Self::script().arg("stop").arg(&self.dir).status();
    }
}

/// The shifts a worker's "shifts I can book" list offers them.
async fn bookable(base: &str, app: &TestApp, worker: &str) -> Vec<String> {
    let reply = app
        .http
        .get(format!("{base}/api/v1/me/shift-matches"))
        .bearer_auth(worker)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let body: Value = reply.json().await.unwrap();
    body["bookable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits (up to 20 s) until `done` holds for the worker's list at `base`.
async fn until_listed(base: &str, app: &TestApp, worker: &str, done: impl Fn(&[String]) -> bool) {
    let started = Instant::now();
    while !done(&bookable(base, app, worker).await) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the list never changed: {:?}",
            bookable(base, app, worker).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Active bookings of a shift, counted on the database at `url`.
async fn active_bookings(url: &str, shift: &str) -> i64 {
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM bookings WHERE shift_id = $1::uuid AND status = 'active'",
    )
    .bind(shift)
    .fetch_one(&mut db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lagging_replica_never_makes_a_filled_shift_bookable() {
    let pair = ReplicaPair::start();
    // Reads may lag by an hour here, so the replica is used however far behind it falls.
    let store = PgStore::connect(&pair.primary)
        .await
        .unwrap()
        .with_replica(&pair.replica, Duration::from_secs(3600))
        .unwrap();
    let app = TestApp::spawn_over(Arc::new(store), pair.primary.clone()).await;
    let trust = app.trust("RXR").await;
    let first = app.worker("first@replica.test", &[&trust.bank]).await;
    let second = app.worker("second@replica.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank, 48, 8, 1).await;
    until_listed(&app.base, &app, &second, |l| l.contains(&shift)).await;

    // The replica stops replaying: from now on it shows the database as it was.
    pair.on_replica("SELECT pg_wal_replay_pause()").await;
    assert_eq!(
        app.book(&first, &shift, "first").await.status,
        StatusCode::CREATED
    );
    // The second nurse's list is read on the replica, which has not seen the booking...
    assert!(bookable(&app.base, &app, &second).await.contains(&shift));
    // ...but booking from it is judged on the primary: refused, and nothing is written.
    app.book(&second, &shift, "second")
        .await
        .assert_problem(409, "shift-full");
    assert_eq!(active_bookings(&pair.primary, &shift).await, 1);

    // A server allowed only one second of lag stops reading the stalled replica: a shift posted
    // now shows there (read on the primary) while the lenient server's replica never shows it.
    let strict = PgStore::connect(&pair.primary)
        .await
        .unwrap()
        .with_replica(&pair.replica, Duration::from_secs(1))
        .unwrap();
    let strict = serve_with(
        App::new(
            Arc::new(strict),
            app.clock.clone(),
            MasterKey::from_base64(&app.master_text).unwrap(),
        ),
        false,
    )
    .await;
    let later = app.shift(&trust, &trust.bank, 72, 8, 1).await;
    until_listed(&strict, &app, &second, |l| {
        l.contains(&later) && !l.contains(&shift)
    })
    .await;
    assert!(!bookable(&app.base, &app, &second).await.contains(&later));

    // Replay resumes: the replica catches up and the filled shift leaves the list.
    pair.on_replica("SELECT pg_wal_replay_resume()").await;
    until_listed(&app.base, &app, &second, |l| {
        !l.contains(&shift) && l.contains(&later)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promoted_replica_takes_over_while_the_server_runs() {
    let pair = ReplicaPair::start();
    // The service address the servers use, as a virtual IP or a proxy following the primary
    // would be: first towards the primary.
    let primary = reqwest::Url::parse(&pair.primary).unwrap();
    let replica = reqwest::Url::parse(&pair.replica).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut service = primary.clone();
    service.set_port(Some(port)).unwrap();
    let relay = Relay::start(port, format!("127.0.0.1:{}", primary.port().unwrap())).await;

    let store = PgStore::connect(service.as_str()).await.unwrap();
    let app = TestApp::spawn_over(Arc::new(store), service.to_string()).await;
    let trust = app.trust("RXF").await;
    let nurse = app.worker("nurse@failover.test", &[&trust.bank]).await;
    let before = app.shift(&trust, &trust.bank, 48, 8, 1).await;
    let after = app.shift(&trust, &trust.bank, 96, 8, 1).await;
    let mut serve = serve_command(&app);
    serve.arg("--replica-url").arg(&pair.replica);
    let (_server, address, stderr) = start(serve).await;
    let base = format!("http://{address}");
    let book = |shift: String, key: &'static str| {
        let (http, base, nurse) = (app.http.clone(), base.clone(), nurse.clone());
        async move {
            http.post(format!("{base}/api/v1/shifts/{shift}/bookings"))
                .bearer_auth(nurse)
                .header("idempotency-key", key)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        book(before.clone(), "before").await.status(),
        StatusCode::CREATED
    );

    // The primary dies; the replica is promoted and the service address moves to it.
    pair.promote();
    drop(relay);
    let _relay = Relay::start(port, format!("127.0.0.1:{}", replica.port().unwrap())).await;

    // The same server process books again once its connections are renewed; meanwhile every
    // answer is a 503 asking to retry, never an error of its own.
    let started = Instant::now();
    loop {
        let reply = book(after.clone(), "after").await;
        match reply.status() {
            StatusCode::CREATED => break,
            StatusCode::SERVICE_UNAVAILABLE => {
                let body: Value = reply.json().await.unwrap();
                assert_eq!(body["type"], "/api/v1/problems/database-unavailable");
            }
            other => panic!(
                "{other}: {}\n{}",
                reply.text().await.unwrap(),
                stderr.lock().unwrap()
            ),
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no booking after the failover: {}",
            stderr.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Replication was synchronous: the booking made before the failover survived it, and the
    // ledger on the new primary is whole.
    assert_eq!(active_bookings(&pair.replica, &before).await, 1);
    assert_eq!(active_bookings(&pair.replica, &after).await, 1);
    let verified = run(&app, &["ledger", "verify", "--database-url", &pair.replica]).await;
    assert!(verified.status.success(), "{}", described(&verified));
}
