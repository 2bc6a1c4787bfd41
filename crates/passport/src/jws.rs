//! ES256 compact JWS (RFC 7515 with RFC 7518 section 3.4) and P-256 public JWKs (RFC 7517).
//! The signature is the raw 64-byte `r || s`, not DER.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::EncodedPoint;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{b64, unb64};

/// The one signing algorithm we issue with and accept (PRODUCT.md: ES256 required).
pub const ES256: &str = "ES256";

/// A P-256 public key as a JWK: what issuers publish and what `cnf.jwk` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `EC`.
    pub kty: String,
    /// Always `P-256`.
    pub crv: String,
    /// The point's x coordinate, base64url.
    pub x: String,
    /// The point's y coordinate, base64url.
    pub y: String,
    /// The key's id, when published by an issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

impl Jwk {
    /// The JWK of a verifying key.
    pub fn from_key(key: &VerifyingKey, kid: Option<String>) -> Self {
        let point = key.to_encoded_point(false);
        Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64(point.x().map(|x| x.as_slice()).unwrap_or_default()),
            y: b64(point.y().map(|y| y.as_slice()).unwrap_or_default()),
            kid,
        }
    }

    /// The verifying key, or `None` if this is not a valid P-256 point.
    pub fn key(&self) -> Option<VerifyingKey> {
        if self.kty != "EC" || self.crv != "P-256" {
            return None;
        }
        let x: [u8; 32] = unb64(&self.x)?.try_into().ok()?;
        let y: [u8; 32] = unb64(&self.y)?.try_into().ok()?;
        let point = EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
        VerifyingKey::from_encoded_point(&point).ok()
    }

    /// Reads a public JWK from a JSON value (e.g. `cnf.jwk`). One that carries a private part
    /// (`d`) is refused: a key sent in the open is compromised, and binding a credential to it
    /// would let anyone who saw it present the credential.
    pub fn from_value(value: &Value) -> Option<Self> {
        if carries_private_part(value) {
            return None;
        }
        serde_json::from_value(value.clone()).ok()
    }
}

/// Whether a JWK (as JSON) carries a private key's part, `d`, which a public key never does.
pub fn carries_private_part(value: &Value) -> bool {
    value.get("d").is_some()
}

/// A parsed compact JWS whose signature has not yet been checked.
#[derive(Debug, Clone)]
pub struct Jws {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The payload, a JSON object.
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

/// Why a compact JWS could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not three base64url parts, or not JSON objects.
    #[error("not a compact JWS: {0}")]
    Malformed(&'static str),
    /// An algorithm other than ES256 (including `none`).
    #[error("algorithm {0:?} is not accepted; only ES256 is")]
    Algorithm(String),
}

impl Jws {
    /// Splits and decodes a compact JWS; refuses any `alg` but ES256.
    pub fn parse(compact: &str) -> Result<Self, JwsError> {
        let mut parts = compact.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed("three parts expected"));
        };
        let object = |part: &str| -> Result<Map<String, Value>, JwsError> {
            let bytes = unb64(part).ok_or(JwsError::Malformed("part is not base64url"))?;
            match serde_json::from_slice(&bytes) {
                Ok(Value::Object(map)) => Ok(map),
                _ => Err(JwsError::Malformed("part is not a JSON object")),
            }
        };
        let header = object(h)?;
        let claims = object(p)?;
        match header.get("alg").and_then(Value::as_str) {
            Some(ES256) => {}
            other => return Err(JwsError::Algorithm(other.unwrap_or("").to_owned())),
        }
        let signature = unb64(s).ok_or(JwsError::Malformed("signature is not base64url"))?;
        Ok(Jws {
            header,
            claims,
            signing_input: format!("{h}.{p}"),
            signature,
        })
    }

    /// The header's `typ`, if any.
    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// The header's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Whether `key` made the signature.
    pub fn verifies_with(&self, key: &VerifyingKey) -> bool {
        Signature::from_slice(&self.signature)
            .map(|sig| key.verify(self.signing_input.as_bytes(), &sig).is_ok())
            .unwrap_or(false)
    }

    /// A claim as a string.
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A claim as a whole number (JWT NumericDate).
    pub fn int_claim(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }
}

/// Signs `claims` as a compact JWS with ES256; `header` gives `typ`, `kid` and anything else
/// (its `alg` is set here).
pub fn sign(
    mut header: Map<String, Value>,
    claims: &Map<String, Value>,
    key: &SigningKey,
) -> String {
    header.insert("alg".into(), Value::from(ES256));
    let input = format!(
        "{}.{}",
        b64(Value::Object(header).to_string()),
        b64(Value::Object(claims.clone()).to_string())
    );
    let signature: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

/// A header with a `typ` and, if given, a `kid`.
pub fn header(typ: &str, kid: Option<&str>) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), Value::from(typ));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::from(kid));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::random(&mut rand::rngs::OsRng)
    }

    fn claims() -> Map<String, Value> {
        json!({"iss": "https://issuer.test", "n": 1})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn a_signed_jws_verifies_with_its_key_only() {
        let k = key();
        let jws = sign(header("test", Some("k1")), &claims(), &k);
        let parsed = Jws::parse(&jws).unwrap();
        assert!(parsed.verifies_with(k.verifying_key()));
        assert!(!parsed.verifies_with(key().verifying_key()));
        assert_eq!(parsed.kid(), Some("k1"));
        assert_eq!(parsed.str_claim("iss"), Some("https://issuer.test"));
    }

    #[test]
    fn a_changed_payload_no_longer_verifies() {
        let k = key();
        let jws = sign(header("test", None), &claims(), &k);
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(r#"{"iss":"https://issuer.test","n":2}"#),
            parts[2]
        );
        assert!(!Jws::parse(&forged)
            .unwrap()
            .verifies_with(k.verifying_key()));
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused() {
        let none = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64("{}"));
        assert_eq!(
            Jws::parse(&none).unwrap_err(),
            JwsError::Algorithm("none".into())
        );
        let hs = format!("{}.{}.c2ln", b64(r#"{"alg":"HS256"}"#), b64("{}"));
        assert_eq!(
            Jws::parse(&hs).unwrap_err(),
            JwsError::Algorithm("HS256".into())
        );
        assert!(matches!(Jws::parse("a.b"), Err(JwsError::Malformed(_))));
        assert!(matches!(Jws::parse("a.b.c.d"), Err(JwsError::Malformed(_))));
    }

    #[test]
    fn a_jwk_round_trips_to_the_same_key() {
        let k = key();
        let jwk = Jwk::from_key(k.verifying_key(), Some("k".into()));
        assert_eq!(jwk.key().as_ref(), Some(k.verifying_key()));
        let mut bad = jwk.clone();
        bad.x = b64([0u8; 32]);
        assert!(bad.key().is_none());
    }

    #[test]
    fn a_jwk_with_a_private_part_is_not_a_public_key() {
        let k = key();
        let mut value = serde_json::to_value(Jwk::from_key(k.verifying_key(), None)).unwrap();
        assert!(Jwk::from_value(&value).is_some());
        value["d"] = json!(b64(k.to_bytes()));
        assert!(carries_private_part(&value));
        assert_eq!(Jwk::from_value(&value), None);
    }
}
