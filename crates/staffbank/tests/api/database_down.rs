//! When PostgreSQL goes away (a restart, a failover), requests are answered at once with 503
//! `database-unavailable` and Retry-After, not an opaque 500 after a long wait, and the service
//! carries on by itself once the database is back. The outage is real: the server reaches
//! PostgreSQL through a TCP relay that the test cuts, dropping every open connection and
//! refusing new ones, then restores on the same port.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use staffbank_app::{App, SystemClock};
use staffbank_store_postgres::PgStore;

use crate::helpers::{serve_with, Backend, TestApp};
use crate::relay::Relay;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_database_is_503_with_retry_after_and_recovers() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let url = reqwest::Url::parse(&app.database_url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut relayed = url.clone();
    relayed.set_host(Some("127.0.0.1")).unwrap();
    relayed.set_port(Some(port)).unwrap();

    let relay = Relay::start(port, upstream.clone()).await;
    let store = Arc::new(PgStore::connect(relayed.as_str()).await.unwrap());
    let server = App::new(
        store,
        Arc::new(SystemClock),
        staffbank_ledger::keys::MasterKey::from_base64(&app.master_text).unwrap(),
    );
    let base = serve_with(server, false).await;
    let me = || async {
        app.http
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&app.admin)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(me().await.status(), StatusCode::OK);

    // The database goes away: open connections drop, new ones are refused.
    drop(relay);
    for _ in 0..3 {
        let started = Instant::now();
        let answer = me().await;
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer.headers()["retry-after"], "5");
        assert_eq!(answer.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["type"], "/api/v1/problems/database-unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "failed fast: {:?}",
            started.elapsed()
        );
    }

    // It comes back on the same address: the next request is served, with nobody restarting
    // anything.
    let _relay = Relay::start(port, upstream).await;
    let mut recovered = false;
    for _ in 0..20 {
        if me().await.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "the service recovers once the database is back");
}
