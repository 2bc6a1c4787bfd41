//! A SIGTERM stops `staffbank serve` gracefully: no new connections, the request in flight
//! answered, the background work stopped after its current step, exit status 0; and the
//! request's log lines carry its request id.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::binary::{serve_command, sigterm, start};
use crate::helpers::TestApp;

crate::both_backends!(sigterm_finishes_the_request_in_flight_then_exits_0);

async fn sigterm_finishes_the_request_in_flight_then_exits_0(app: TestApp) {
    let mut command = serve_command(&app);
    command.env("RUST_LOG", "info,tower_http=debug");
    let (mut child, address, stderr) = start(command).await;

    // A sign-in whose body is still arriving when the signal comes.
    let body = br#"{"email": "nobody@nurse.test", "password": "not the password"}"#;
    let (first, rest) = body.split_at(10);
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nx-request-id: in-flight-at-shutdown\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    sigterm(&child);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server exited with a request in flight"
    );
    // No new connections are taken.
    assert!(
        tokio::net::TcpStream::connect(&address).await.is_err(),
        "a new connection was accepted after SIGTERM"
    );

    stream.write_all(rest).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer))
        .await
        .expect("the request in flight was never answered")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        answer.contains("x-request-id: in-flight-at-shutdown"),
        "{answer}"
    );

    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("the server did not exit after SIGTERM")
        .unwrap();
    let log = stderr.lock().unwrap().clone();
    assert!(status.success(), "exit {status:?}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("background work stopped"), "{log}");
    // The request's log lines carry its id.
    assert!(
        log.lines()
            .any(|l| l.contains("request_id=in-flight-at-shutdown") && l.contains("status=401")),
        "{log}"
    );
}
