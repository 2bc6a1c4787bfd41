//! SD-JWT VCs (draft-ietf-oauth-sd-jwt-vc): an SD-JWT with `typ: dc+sd-jwt`, a credential type
//! (`vct`), the issuer (`iss`), times (`iat`, `exp`), the holder's key (`cnf.jwk`) and where its
//! status is published (`status.status_list`).

use p256::ecdsa::SigningKey;
use rand::RngCore;
use serde_json::{json, Map, Value};

use crate::jws::{self, Jwk};
use crate::sd_jwt::{self, SdJwt};
use crate::verify::VC_TYP;

/// Where a credential's status is kept: an index into the list at a URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// The status list's URI.
    pub uri: String,
    /// The credential's index in it (allocated at random, so indices say nothing about people).
    pub idx: u64,
}

/// Everything an issuer says in a credential.
#[derive(Debug, Clone)]
pub struct Issuance<'a> {
    /// The issuer's identifier (an HTTPS URL).
    pub iss: &'a str,
    /// The issuer key's id.
    pub kid: &'a str,
    /// The credential type.
    pub vct: &'a str,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expiry, if the credential has one.
    pub exp: Option<i64>,
    /// The holder's public key; `None` for a paper credential with no key binding.
    pub holder: Option<&'a Jwk>,
    /// Where its status is published.
    pub status: &'a StatusRef,
    /// The type's own claims.
    pub claims: Map<String, Value>,
    /// Which of those claims the holder may disclose one by one (paths as in
    /// [`sd_jwt::issue`]); the rest are always visible.
    pub disclosable: &'a [&'a str],
}

/// Issues an SD-JWT VC signed with `key`.
pub fn issue(issuance: &Issuance<'_>, key: &SigningKey, rng: &mut impl RngCore) -> SdJwt {
    let mut claims = issuance.claims.clone();
    claims.insert("iss".into(), Value::from(issuance.iss));
    claims.insert("vct".into(), Value::from(issuance.vct));
    claims.insert("iat".into(), Value::from(issuance.iat));
    if let Some(exp) = issuance.exp {
        claims.insert("exp".into(), Value::from(exp));
    }
    if let Some(holder) = issuance.holder {
        let mut jwk = holder.clone();
        jwk.kid = None;
        claims.insert("cnf".into(), json!({ "jwk": jwk }));
    }
    claims.insert(
        "status".into(),
        json!({"status_list": {"idx": issuance.status.idx, "uri": issuance.status.uri}}),
    );
    sd_jwt::issue(
        jws::header(VC_TYP, Some(issuance.kid)),
        claims,
        issuance.disclosable,
        key,
        rng,
    )
}
