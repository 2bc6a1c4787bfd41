//! Web Push to a worker's browser, so an alert reaches them even with the app closed.
//!
//! A browser subscribes with the platform's public VAPID key and hands back a push endpoint (on
//! its vendor's push service) with two keys of its own. To alert it, [`WebPush::send`] encrypts a
//! small JSON message for that browser alone (RFC 8291, `aes128gcm` content coding of RFC 8188,
//! done by the RustCrypto-based `web-push-native` crate), signs a short-lived VAPID token (RFC 8292,
//! ES256 with the `p256` crate) and POSTs it to the endpoint (RFC 8030). The push service's reply
//! becomes a [`PushOutcome`] the caller acts on: done, forget the subscription, or try later.

use std::time::Duration;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde::Serialize;
use serde_json::json;
use staffbank_ledger::keys::{KeyError, MasterKey};
use uuid::Uuid;

/// How long a VAPID token stays valid: RFC 8292 §2 allows at most 24 hours; 12 leaves room for
/// clock differences.
const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

/// The largest message a push service must accept is 4096 bytes of ciphertext (RFC 8030 §7.2);
/// refusing bigger plaintexts early keeps failures ours, not the push service's.
const MAX_PAYLOAD: usize = 3993;

/// Where and how to reach one browser: what `PushManager.subscribe` returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The push service URL for this browser.
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed, base64url (the `p256dh` key).
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url (the `auth` key).
    pub auth: String,
}

/// Why a subscription cannot be used, said for the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadSubscription {
    /// The endpoint is not an https URL (or, where allowed for testing, http on loopback).
    #[error("endpoint must be an https URL of a push service")]
    Endpoint,
    /// `p256dh` is not a 65-byte uncompressed P-256 point in base64url.
    #[error("p256dh must be the browser's P-256 public key, base64url")]
    P256dh,
    /// `auth` is not 16 bytes in base64url.
    #[error("auth must be 16 bytes, base64url")]
    Auth,
}

impl BadSubscription {
    /// The request field this refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Endpoint => "endpoint",
            Self::P256dh => "p256dh",
            Self::Auth => "auth",
        }
    }
}

/// Decodes base64url with or without padding, as browsers and libraries differ.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

impl PushTarget {
    /// Checks a subscription before it is stored: an https endpoint (http to 127.0.0.1 only when
    /// `allow_loopback_http`, for tests), a valid P-256 point and a 16-byte secret.
    pub fn parse(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        allow_loopback_http: bool,
    ) -> Result<Self, BadSubscription> {
        let endpoint = endpoint.trim();
        let url = reqwest::Url::parse(endpoint).map_err(|_| BadSubscription::Endpoint)?;
        let secure = url.scheme() == "https" && url.host_str().is_some();
        let loopback =
            allow_loopback_http && url.scheme() == "http" && url.host_str() == Some("127.0.0.1");
        if !(secure || loopback) || endpoint.len() > 2000 || !url.username().is_empty() {
            return Err(BadSubscription::Endpoint);
        }
        let target = Self {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.trim().to_owned(),
            auth: auth.trim().to_owned(),
        };
        target.keys()?;
        Ok(target)
    }

    /// The browser's public key and secret, decoded.
    fn keys(&self) -> Result<(p256::PublicKey, web_push_native::Auth), BadSubscription> {
        let public = base64url(&self.p256dh)
            .filter(|bytes| bytes.len() == 65)
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or(BadSubscription::P256dh)?;
        let auth = base64url(&self.auth)
            .filter(|bytes| bytes.len() == 16)
            .map(|bytes| web_push_native::Auth::clone_from_slice(&bytes))
            .ok_or(BadSubscription::Auth)?;
        Ok((public, auth))
    }
}

/// What the worker's device shows: plain UK English, and the page to open when it is tapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushMessage {
    /// The event this alert is about; the device shows one alert per id however often it arrives.
    pub id: Uuid,
    /// The headline, e.g. "Shift offered: Ward 7, Tue 8 Dec".
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// The app page to open, a path such as `/shifts/…`.
    pub url: String,
}

/// How soon the push service should wake the device (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Can wait for the device to be charging or on wifi.
    Low,
    /// Ordinary alerts.
    Normal,
    /// Time-critical, e.g. a shift starting within hours.
    High,
}

impl Urgency {
    fn header(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// What the push service said, for the caller to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted for delivery (201).
    Delivered,
    /// The subscription has expired or was withdrawn (404 or 410): delete it.
    Gone,
    /// Too many requests or a server fault (429, 5xx): try again, not before `after` if given.
    RetryLater {
        /// The push service's `Retry-After`, in seconds, if it gave one.
        after: Option<Duration>,
    },
    /// Refused for another reason (e.g. 400, 403, 413): retrying the same request will not help.
    Refused {
        /// The HTTP status.
        status: u16,
    },
}

/// Why a message could not be sent at all.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The stored subscription is not usable.
    #[error("subscription unusable: {0}")]
    Subscription(#[from] BadSubscription),
    /// The message is too long to push.
    #[error("message too long for web push")]
    TooLong,
    /// Encryption failed.
    #[error("could not encrypt the message")]
    Encrypt,
    /// The sender could not be set up (no usable VAPID key or HTTP client).
    #[error("web push cannot start: {0}")]
    Setup(String),
    /// The push service could not be reached; worth retrying.
    #[error("push service unreachable: {0}")]
    Unreachable(String),
}

/// Sends Web Push messages signed with the platform's VAPID key.
#[derive(Clone)]
pub struct WebPush {
    key: SigningKey,
    public_key: String,
    contact: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for WebPush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPush")
            .field("public_key", &self.public_key)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl WebPush {
    /// A sender using the VAPID key derived from `master`; `contact` is the `mailto:` (or https)
    /// address push services may use to reach the operator (RFC 8292 §2.1).
    pub fn new(master: &MasterKey, contact: &str) -> Result<Self, PushError> {
        let secret = master
            .vapid_key()
            .map_err(|e: KeyError| PushError::Setup(e.to_string()))?;
        let public_key = URL_SAFE_NO_PAD.encode(
            p256::PublicKey::from_secret_scalar(&secret.to_nonzero_scalar()).to_sec1_bytes(),
        );
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| PushError::Setup(e.to_string()))?;
        Ok(Self {
            key: SigningKey::from(secret),
            public_key,
            contact: contact.to_owned(),
            client,
        })
    }

    /// The public VAPID key, uncompressed P-256 in base64url: the `applicationServerKey` a
    /// browser subscribes with.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The `Authorization` header value for `endpoint`: `vapid t=<JWT>, k=<key>` (RFC 8292 §3),
    /// the JWT (RFC 7519) signed ES256 with audience the endpoint's origin.
    fn authorization(&self, endpoint: &reqwest::Url, now: DateTime<Utc>) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": (now + TOKEN_LIFETIME).timestamp(),
            "sub": self.contact,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(signed.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        format!("vapid t={signed}.{signature}, k={}", self.public_key)
    }

    /// Encrypts `message` for `target` and pushes it, kept by the push service for up to `ttl`
    /// while the device is offline.
    pub async fn send(
        &self,
        target: &PushTarget,
        message: &PushMessage,
        urgency: Urgency,
        ttl: Duration,
    ) -> Result<PushOutcome, PushError> {
        let (public, auth) = target.keys()?;
        let endpoint =
            reqwest::Url::parse(&target.endpoint).map_err(|_| BadSubscription::Endpoint)?;
        let plaintext = serde_json::to_vec(message).map_err(|_| PushError::Encrypt)?;
        if plaintext.len() > MAX_PAYLOAD {
            return Err(PushError::TooLong);
        }
        let body =
            web_push_native::encrypt(plaintext, &public, &auth).map_err(|_| PushError::Encrypt)?;
        let response = self
            .client
            .post(endpoint.clone())
            .header("Authorization", self.authorization(&endpoint, Utc::now()))
            .header("TTL", ttl.as_secs().to_string())
            .header("Urgency", urgency.header())
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .map_err(|e| PushError::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Ok(match status {
            200..=299 => PushOutcome::Delivered,
            404 | 410 => PushOutcome::Gone,
            429 | 500..=599 => PushOutcome::RetryLater { after },
            _ => PushOutcome::Refused { status },
        })
    }
}
