//! Web Push against a real local push endpoint: an HTTP server started here that checks the VAPID
//! token's signature (RFC 8292) and decrypts the message with the browser's private key (RFC 8291),
//! as a vendor's push service and the browser would between them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use rand::rngs::OsRng;
use rand::RngCore;
use staffbank_app::push::{PushMessage, PushOutcome, PushTarget, Urgency, WebPush};
use staffbank_ledger::keys::MasterKey;
use tokio::sync::mpsc;
use uuid::Uuid;

/// One request as the push endpoint received it.
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Starts a push endpoint answering `status` (with `Retry-After: 120` when 429) and returns its
/// URL and what it receives.
async fn push_service(status: StatusCode) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/push/{token}",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(Received {
                    headers,
                    body: body.to_vec(),
                });
                let mut reply = HeaderMap::new();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    reply.insert("Retry-After", "120".parse().unwrap());
                }
                (status, reply)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}/push/abc123"), rx)
}

/// A browser's subscription keys: its private key stays here to decrypt with.
fn browser() -> (p256::SecretKey, [u8; 16], String, String) {
    let secret = p256::SecretKey::random(&mut OsRng);
    let mut auth = [0u8; 16];
    OsRng.fill_bytes(&mut auth);
    let public = URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes());
    (secret, auth, public, URL_SAFE_NO_PAD.encode(auth))
}

fn sender() -> WebPush {
    let master = MasterKey::from_base64(&MasterKey::generate_base64(&mut OsRng)).unwrap();
    WebPush::new(&master, "mailto:bank-office@example.nhs.uk").unwrap()
}

fn message() -> PushMessage {
    PushMessage {
        id: Uuid::now_v7(),
        title: "Shift offered: Ward 7, Tue 8 Dec".to_owned(),
        body: "A day shift from 07:30 to 19:30 is yours if you want it.".to_owned(),
        url: "/shifts".to_owned(),
    }
}

#[tokio::test]
async fn a_message_arrives_signed_and_only_the_browser_can_read_it() {
    let (endpoint, mut received) = push_service(StatusCode::CREATED).await;
    let (secret, auth, p256dh, auth_text) = browser();
    let target = PushTarget::parse(&endpoint, &p256dh, &auth_text, true).unwrap();
    let push = sender();
    let sent = message();

    let outcome = push
        .send(&target, &sent, Urgency::High, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(outcome, PushOutcome::Delivered);

    let got = received.recv().await.unwrap();
    let header = |name: &str| got.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("ttl"), "3600");
    assert_eq!(header("urgency"), "high");
    assert_eq!(header("content-encoding"), "aes128gcm");

    // RFC 8292 §3: "vapid t=<JWT>, k=<public key>", the JWT signed by that key.
    let authorization = header("authorization");
    let rest = authorization.strip_prefix("vapid t=").unwrap();
    let (token, key) = rest.split_once(", k=").unwrap();
    assert_eq!(key, push.public_key());
    let verifying = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    verifying.verify(signed.as_bytes(), &signature).unwrap();
    let (jwt_header, claims) = signed.split_once('.').unwrap();
    let jwt_header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt_header).unwrap()).unwrap();
    assert_eq!(jwt_header["alg"], "ES256");
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    let origin = endpoint.trim_end_matches("/push/abc123");
    assert_eq!(claims["aud"], origin);
    assert_eq!(claims["sub"], "mailto:bank-office@example.nhs.uk");
    let expires = claims["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!(expires > 0 && expires <= 24 * 3600, "exp {expires}s away");

    // A tampered token fails verification, so the check above means something.
    let tampered = signed.replace('.', ".x");
    assert!(verifying.verify(tampered.as_bytes(), &signature).is_err());

    let plaintext = web_push_native::decrypt(
        got.body.clone(),
        &secret,
        &web_push_native::Auth::clone_from_slice(&auth),
    )
    .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&plaintext).unwrap();
    assert_eq!(shown["title"], "Shift offered: Ward 7, Tue 8 Dec");
    assert_eq!(
        shown["body"],
        "A day shift from 07:30 to 19:30 is yours if you want it."
    );
    assert_eq!(shown["url"], "/shifts");
    assert_eq!(shown["id"], sent.id.to_string());

    // Another browser's keys cannot open it.
    let (other, other_auth, _, _) = browser();
    assert!(web_push_native::decrypt(
        got.body,
        &other,
        &web_push_native::Auth::clone_from_slice(&other_auth)
    )
    .is_err());
}

#[tokio::test]
async fn a_withdrawn_subscription_is_reported_gone() {
    for status in [StatusCode::GONE, StatusCode::NOT_FOUND] {
        let (endpoint, _received) = push_service(status).await;
        let (_, _, p256dh, auth) = browser();
        let target = PushTarget::parse(&endpoint, &p256dh, &auth, true).unwrap();
        let outcome = sender()
            .send(
                &target,
                &message(),
                Urgency::Normal,
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        assert_eq!(outcome, PushOutcome::Gone);
    }
}

#[tokio::test]
async fn a_busy_push_service_means_retry_later() {
    let (endpoint, _received) = push_service(StatusCode::TOO_MANY_REQUESTS).await;
    let (_, _, p256dh, auth) = browser();
    let target = PushTarget::parse(&endpoint, &p256dh, &auth, true).unwrap();
    let outcome = sender()
        .send(
            &target,
            &message(),
            Urgency::Normal,
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        PushOutcome::RetryLater {
            after: Some(Duration::from_secs(120))
        }
    );
    let (endpoint, _received) = push_service(StatusCode::SERVICE_UNAVAILABLE).await;
    let target = PushTarget::parse(&endpoint, &p256dh, &auth, true).unwrap();
    let outcome = sender()
        .send(&target, &message(), Urgency::Low, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(outcome, PushOutcome::RetryLater { after: None });
}

#[test]
fn subscriptions_must_be_https_with_real_keys() {
    let (_, _, p256dh, auth) = browser();
    let good = "https://push.example.net/send/abc";
    assert!(PushTarget::parse(good, &p256dh, &auth, false).is_ok());
    for endpoint in [
        "http://127.0.0.1:9/push",
        "http://push.example.net/x",
        "ftp://x/y",
        "not a url",
    ] {
        assert_eq!(
            PushTarget::parse(endpoint, &p256dh, &auth, false)
                .unwrap_err()
                .field(),
            "endpoint"
        );
    }
    assert!(PushTarget::parse("http://127.0.0.1:9/push", &p256dh, &auth, true).is_ok());
    assert!(PushTarget::parse("http://10.0.0.1/push", &p256dh, &auth, true).is_err());
    assert_eq!(
        PushTarget::parse(good, "AAAA", &auth, false)
            .unwrap_err()
            .field(),
        "p256dh"
    );
    assert_eq!(
        PushTarget::parse(good, &p256dh, "AAAA", false)
            .unwrap_err()
            .field(),
        "auth"
    );
}

#[test]
fn every_server_derives_the_same_vapid_key() {
    let master = MasterKey::generate_base64(&mut OsRng);
    let one = WebPush::new(&MasterKey::from_base64(&master).unwrap(), "mailto:a@b").unwrap();
    let two = WebPush::new(&MasterKey::from_base64(&master).unwrap(), "mailto:a@b").unwrap();
    assert_eq!(one.public_key(), two.public_key());
    assert_eq!(URL_SAFE_NO_PAD.decode(one.public_key()).unwrap().len(), 65);
}
