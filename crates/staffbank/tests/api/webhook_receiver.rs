//! A real webhook receiver for the tests: an axum server on 127.0.0.1 that checks each
//! delivery's signature (HMAC-SHA256 over `"{t}.{body}"`, computed here independently of the
//! app) and its replay window, records what arrived, and answers whatever status it is told.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use staffbank_app::Clock;

/// One delivery as it arrived.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The event.
    pub event: Value,
    /// The `Staffbank-Event-Id` header.
    pub event_id: String,
    /// Whether the signature matched and was fresh.
    pub verified: bool,
    /// The status answered.
    pub answered: u16,
}

#[derive(Clone)]
struct Shared {
    secret: Arc<Mutex<String>>,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    status: Arc<AtomicU16>,
    clock: Arc<dyn Clock>,
}

/// A receiver; stopped when dropped or by [`Receiver::stop`].
pub struct Receiver {
    pub address: SocketAddr,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn verified(secret: &str, headers: &HeaderMap, body: &[u8], now: i64) -> bool {
    let Some(header) = headers
        .get("staffbank-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    // The replay window: refuse anything signed more than five minutes ago.
    if now - t > 300 || t - now > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let secret = shared.secret.lock().unwrap().clone();
    let now = shared.clock.now().timestamp();
    let verified = verified(&secret, &headers, &body, now);
    let wanted = StatusCode::from_u16(shared.status.load(Ordering::SeqCst)).unwrap();
    let answered = if verified {
        wanted
    } else {
        StatusCode::UNAUTHORIZED
    };
    shared.arrivals.lock().unwrap().push(Arrival {
        event: serde_json::from_slice(&body).unwrap_or(Value::Null),
        event_id: headers
            .get("staffbank-event-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        verified,
        answered: answered.as_u16(),
    });
    answered
}

async fn serve(
    shared: Shared,
    listener: tokio::net::TcpListener,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state(shared);
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    stop
}

impl Receiver {
    /// Starts a receiver on a free port answering `status`, judging freshness by `clock`.
    pub async fn start(status: u16, clock: Arc<dyn Clock>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let shared = Shared {
            secret: Arc::default(),
            arrivals: Arc::default(),
            status: Arc::new(AtomicU16::new(status)),
            clock,
        };
        let stop = serve(shared.clone(), listener).await;
        Self {
            address,
            shared,
            stop: Some(stop),
        }
    }

    /// The address to register.
    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.address)
    }

    /// The secret deliveries are signed with, once registered.
    pub fn set_secret(&self, secret: &str) {
        *self.shared.secret.lock().unwrap() = secret.to_owned();
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Everything that arrived so far.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared.arrivals.lock().unwrap().clone()
    }

    /// Stops listening (connections are then refused).
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Wait until the port refuses connections.
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(self.address).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Listens again on the same port, keeping what arrived.
    pub async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address).await.unwrap();
        self.stop = Some(serve(self.shared.clone(), listener).await);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
