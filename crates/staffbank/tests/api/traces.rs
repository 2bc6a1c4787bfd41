//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, `staffbank serve` exports its spans (each request's,
//! with its request id) to the collector over OTLP/HTTP, and flushes them when stopped.

use std::sync::{Arc, Mutex};

use crate::binary::{serve_command, sigterm, start};
use crate::helpers::TestApp;

crate::both_backends!(traces_are_exported_to_an_otlp_collector);

/// What the collector was sent: each export's content type and body.
type Exports = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

async fn traces_are_exported_to_an_otlp_collector(app: TestApp) {
    use axum::body::Bytes;
    use axum::http::HeaderMap;

    // A collector that keeps every OTLP/HTTP trace export it is sent.
    let received: Exports = Arc::default();
    let kept = received.clone();
    let collector = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let kept = kept.clone();
            async move {
                let kind = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                kept.lock().unwrap().push((kind, body.to_vec()));
                ""
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let mut command = serve_command(&app);
    command.env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint);
    let (mut child, address, stderr) = start(command).await;
    let answer = app
        .http
        .get(format!("http://{address}/api/v1/ledger/public-key"))
        .header("x-request-id", "traced-request-7")
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
    // Spans are batched; stopping flushes them.
    sigterm(&child);
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{}", stderr.lock().unwrap());

    let received = received.lock().unwrap();
    assert!(!received.is_empty(), "no traces were exported");
    let (kind, _) = &received[0];
    assert_eq!(kind, "application/x-protobuf");
    let all: Vec<u8> = received.iter().flat_map(|(_, b)| b.clone()).collect();
    let has = |text: &str| all.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(has("staffbank"), "the service is not named");
    assert!(
        has("traced-request-7"),
        "the request's span was not exported"
    );
    assert!(has("/api/v1/ledger/public-key"));
}
