//! The holder's key-binding JWT (RFC 9901 section 4.3): signed with the key named in the
//! credential's `cnf.jwk`, it ties one presentation to one verifier (`aud`), one request
//! (`nonce`), a time (`iat`) and exactly the disclosures passed on (`sd_hash`).

use p256::ecdsa::SigningKey;
use serde_json::{Map, Value};

use crate::jws;
use crate::sd_jwt::SdJwt;
use crate::sha256_b64;

/// The `typ` of a key-binding JWT.
pub const KB_TYP: &str = "kb+jwt";

/// What a key-binding JWT says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The verifier's own identifier, exactly.
    pub aud: String,
    /// The verifier's fresh nonce for this request.
    pub nonce: String,
    /// When the holder signed it, seconds since the epoch.
    pub iat: i64,
}

/// The `sd_hash` of a presentation: base64url(SHA-256(everything up to and including the last
/// `~` before the KB-JWT)).
pub fn sd_hash(presentation: &SdJwt) -> String {
    sha256_b64(&presentation.without_kb())
}

/// Adds a key-binding JWT to `presentation`, signed by the holder's `key`.
pub fn bind(mut presentation: SdJwt, binding: &Binding, key: &SigningKey) -> SdJwt {
    let mut claims = Map::new();
    claims.insert("iat".into(), Value::from(binding.iat));
    claims.insert("aud".into(), Value::from(binding.aud.as_str()));
    claims.insert("nonce".into(), Value::from(binding.nonce.as_str()));
    claims.insert("sd_hash".into(), Value::from(sd_hash(&presentation)));
    presentation.kb_jwt = Some(jws::sign(jws::header(KB_TYP, None), &claims, key));
    presentation
}
