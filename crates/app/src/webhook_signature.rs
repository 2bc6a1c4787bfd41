//! How webhook deliveries are signed, so a receiver can tell a delivery is ours, unchanged and
//! fresh: HMAC-SHA256 (RFC 2104, FIPS 180-4) under the subscriber's secret over
//! `"{timestamp}.{body}"`, sent as `Staffbank-Signature: t=<unix seconds>,v1=<hex>`.
//!
//! Signing the timestamp with the body lets a receiver refuse a captured delivery replayed later:
//! it rejects timestamps older than [`REPLAY_WINDOW_SECONDS`]. `v1` names the scheme, so a
//! later one can be sent beside it while receivers move over.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header a delivery's signature travels in.
pub const SIGNATURE_HEADER: &str = "Staffbank-Signature";
/// The header naming the event (the ledger entry id), for receivers that drop repeats.
pub const EVENT_ID_HEADER: &str = "Staffbank-Event-Id";
/// How old a delivery's timestamp may be before a receiver should refuse it.
pub const REPLAY_WINDOW_SECONDS: i64 = 5 * 60;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length (RFC 2104 section 2), so this never fails.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Staffbank-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Why a signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=<unix>,v1=<hex>`.
    #[error("the signature header does not read")]
    Malformed,
    /// Signed more than the replay window ago (or in the future by more than it).
    #[error("the signature is too old")]
    Stale,
    /// No `v1` value matches the body under the secret.
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks a `Staffbank-Signature` value against the body and the secret at `now` (Unix
/// seconds), as a receiver written in Rust would. The comparison takes constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => tags.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if tags.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > REPLAY_WINDOW_SECONDS {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body);
    if tags
        .iter()
        .any(|tag| expected.clone().verify_slice(tag).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let header = sign("whsec_abc", 1_800_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1800000000,v1="));
        assert_eq!(header.len(), "t=1800000000,v1=".len() + 64);
        assert_eq!(
            verify("whsec_abc", &header, b"{\"a\":1}", 1_800_000_100),
            Ok(())
        );
        assert_eq!(
            verify("whsec_abc", &header, b"{\"a\":2}", 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_abd", &header, b"{\"a\":1}", 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_abc", &header, b"{\"a\":1}", 1_800_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("whsec_abc", "v1=00", b"", 0),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn the_worked_example_in_the_events_documentation_holds() {
        let secret = "whsec_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let body = br#"{"specversion":"1.0","id":"01a248c7-0872-72ee-93d1-8a68699051ef"}"#;
        assert_eq!(
            sign(secret, 1_796_716_200, body),
            "t=1796716200,v1=76e08b1c049e219b1a18472cc7149405b7832fbd00bb36eafaf32f606c38f08a"
        );
    }

    #[test]
    fn the_tag_is_rfc_4231_hmac_sha256() {
        // RFC 4231 section 4.3 (test case 2), through the same construction `mac` uses.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(b"Jefe").unwrap_or_else(|_| unreachable!());
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
