//! The verifier: every check, always, in a fixed order, and the first failure named with its
//! data. A presentation passes only if all of them pass (PRODUCT.md flow 8).
//!
//! The checks: the SD-JWT's form; `typ` is `dc+sd-jwt`; the issuer is trusted for the `vct`;
//! the issuer's signature; `iat`, `nbf` and `exp`; the disclosures belong to the credential;
//! key binding (required whenever `cnf` is present, and by default always): the holder's
//! signature, `typ`, `sd_hash`, audience (exact), `iat` within the window, nonce equal to the one
//! asked for and never used before; revocation from a fresh status list signed by the very key
//! that signed the credential (as common SD-JWT libraries check it, so an issuer that rotates its
//! key publishes a list per key), failing closed when there is none.

use std::sync::Arc;

use p256::ecdsa::VerifyingKey;
use serde_json::{Map, Value};

use crate::jws::{Jwk, Jws};
use crate::key_binding::{sd_hash, KB_TYP};
use crate::sd_jwt::{self, SdJwt, SdJwtError};
use crate::status_list::{Status, StatusListToken};

/// The `typ` of an SD-JWT VC.
pub const VC_TYP: &str = "dc+sd-jwt";
/// Largest status list accepted once inflated (bytes): 8 million credentials at 1 bit.
pub const MAX_STATUS_LIST_BYTES: usize = 1 << 20;

/// An issuer's entry in the trust framework: its identifier, its keys (current and rotated
/// out, so old credentials still verify) and the credential types it is trusted for.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    /// `iss` as it appears in credentials.
    pub iss: String,
    /// Its public keys.
    pub keys: Vec<Jwk>,
    /// The `vct`s it may issue.
    pub vcts: Vec<String>,
}

/// What the verifier asked for and knows at the time of checking.
pub struct Expectations<'a> {
    /// Now, seconds since the epoch.
    pub now: i64,
    /// The verifier's own identifier: the KB-JWT's `aud` must be exactly this.
    pub audience: &'a str,
    /// The nonce of the verifier's request.
    pub nonce: &'a str,
    /// How far the KB-JWT's `iat` may be from `now`, seconds.
    pub iat_window: i64,
    /// Tolerance for clocks: `iat` and `nbf` may be this far in the future, seconds.
    pub leeway: i64,
    /// Whether a key-binding JWT is required even without `cnf` (false only for the paper
    /// passport, where the verifier checks photo ID in person).
    pub require_key_binding: bool,
}

/// Where the verifier gets what it cannot know by itself.
pub trait Sources {
    /// The trusted issuer named `iss`, if the trust framework lists it.
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer>;
    /// The latest status list token fetched from `uri`, if any could be fetched. It must be
    /// signed by the key that signed the credential.
    fn status_list(&self, uri: &str) -> Option<String>;
    /// Marks `nonce` used; false if it had been used already.
    fn use_nonce(&self, nonce: &str) -> bool;
    /// A status list token (exactly this text) that already passed its checks for `signer` (the
    /// credential's issuer and signing key, see [`signer_id`]), if the caller keeps them: its
    /// signature is not checked nor its list inflated again. Freshness, its URI and the
    /// credential's index are still checked every time.
    fn checked_status_list(&self, _signer: &str, _token: &str) -> Option<Arc<StatusListToken>> {
        None
    }
    /// Offers a status list token that has just passed its checks for `signer` to keep.
    fn remember_status_list(&self, _signer: &str, _token: &str, _list: Arc<StatusListToken>) {}
}

/// Each check, in the order it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The SD-JWT and its JWT can be read, with ES256.
    Format,
    /// `typ` is `dc+sd-jwt` and the claims `iss` and `vct` are there.
    CredentialType,
    /// The trust framework trusts `iss` for `vct`.
    IssuerTrusted,
    /// One of the issuer's keys made the signature.
    IssuerSignature,
    /// `nbf`, `iat` and `exp` allow use now.
    Validity,
    /// Every disclosure belongs to the credential, once.
    Disclosures,
    /// The holder's key-binding JWT is there, signed by `cnf.jwk`, of type `kb+jwt`.
    KeyBinding,
    /// `sd_hash` covers exactly this presentation.
    SdHash,
    /// `aud` is exactly the verifier.
    Audience,
    /// The KB-JWT's `iat` is recent.
    Freshness,
    /// The nonce is the one asked for, used for the first time.
    Nonce,
    /// The issuer's status list is fresh and says valid.
    Status,
}

/// Why a check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Failure {
    /// The presentation cannot be read.
    #[error("the presentation cannot be read: {detail}")]
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// Not an SD-JWT VC, or `iss` or `vct` missing.
    #[error("not an SD-JWT VC: {detail}")]
    WrongType {
        /// What is wrong.
        detail: String,
    },
    /// The issuer is not trusted for this credential type.
    #[error("{iss} is not trusted to issue {vct}")]
    UntrustedIssuer {
        /// The issuer.
        iss: String,
        /// The credential type.
        vct: String,
    },
    /// None of the issuer's keys made the signature.
    #[error("the issuer's signature does not verify")]
    IssuerSignature,
    /// Expired at `exp`.
    #[error("the credential expired at {exp}")]
    Expired {
        /// Expiry, seconds since the epoch.
        exp: i64,
    },
    /// Not valid until `at`.
    #[error("the credential is not valid until {at}")]
    NotYetValid {
        /// `nbf` or `iat`.
        at: i64,
    },
    /// A disclosure is not part of the credential, or the disclosures do not add up.
    #[error("the disclosures do not belong to the credential: {detail}")]
    Disclosure {
        /// What is wrong.
        detail: String,
    },
    /// No key-binding JWT where one is required.
    #[error("key binding is required and missing")]
    KeyBindingMissing,
    /// The key-binding JWT is not signed by the credential's holder key, or is malformed.
    #[error("the key binding is not valid: {detail}")]
    KeyBindingInvalid {
        /// What is wrong.
        detail: String,
    },
    /// `sd_hash` does not match the presentation.
    #[error("sd_hash does not match the presentation")]
    SdHashMismatch,
    /// `aud` is not exactly the verifier.
    #[error("the presentation is for {found}, not {expected}")]
    WrongAudience {
        /// The verifier.
        expected: String,
        /// What `aud` said.
        found: String,
    },
    /// The KB-JWT's `iat` is outside the window.
    #[error("the key binding was signed at {iat}, outside the accepted window")]
    Stale {
        /// The KB-JWT's `iat`.
        iat: i64,
    },
    /// The nonce is not the one asked for.
    #[error("the nonce is not the one this request asked for")]
    WrongNonce,
    /// The nonce was used before: a replay.
    #[error("the nonce was already used: a replayed presentation")]
    ReplayedNonce,
    /// No status list could be fetched from `uri`: fail closed.
    #[error("the status list at {uri} could not be fetched")]
    StatusListUnavailable {
        /// The list's URI.
        uri: String,
    },
    /// The status list is not signed by the issuer, or unreadable, or for another URI.
    #[error("the status list at {uri} is not valid: {detail}")]
    StatusListInvalid {
        /// The list's URI.
        uri: String,
        /// What is wrong.
        detail: String,
    },
    /// The status list is expired or older than its TTL: fail closed.
    #[error("the status list at {uri} is stale")]
    StatusListStale {
        /// The list's URI.
        uri: String,
    },
    /// The credential has no `status` and one is required.
    #[error("the credential has no status to check")]
    NoStatus,
    /// Revoked.
    #[error("the credential has been revoked")]
    Revoked,
    /// Suspended.
    #[error("the credential is suspended")]
    Suspended,
}

/// A credential that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The issuer.
    pub iss: String,
    /// The credential type.
    pub vct: String,
    /// The claims the verifier can now rely on: those always visible and those disclosed.
    pub claims: Map<String, Value>,
}

/// The outcome: the checks that passed, in order, and the first that failed, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Checks passed.
    pub passed: Vec<Check>,
    /// The check that failed, and why; `None` when every check passed.
    pub failed: Option<(Check, Failure)>,
    /// The verified credential, when every check passed.
    pub credential: Option<Verified>,
}

impl Report {
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        self.failed.is_none() && self.credential.is_some()
    }
}

struct Run {
    passed: Vec<Check>,
}

impl Run {
    fn check<T>(
        &mut self,
        check: Check,
        result: Result<T, Failure>,
    ) -> Result<T, (Check, Failure)> {
        match result {
            Ok(v) => {
                self.passed.push(check);
                Ok(v)
            }
            Err(f) => Err((check, f)),
        }
    }
}

/// Verifies a presentation (SD-JWT or SD-JWT+KB) against what the verifier expects.
pub fn verify(presentation: &str, expect: &Expectations<'_>, sources: &dyn Sources) -> Report {
    let mut run = Run { passed: Vec::new() };
    let outcome = checks(&mut run, presentation, expect, sources);
    match outcome {
        Ok(verified) => Report {
            passed: run.passed,
            failed: None,
            credential: Some(verified),
        },
        Err(failed) => Report {
            passed: run.passed,
            failed: Some(failed),
            credential: None,
        },
    }
}

fn malformed(e: impl std::fmt::Display) -> Failure {
    Failure::Malformed {
        detail: e.to_string(),
    }
}

fn checks(
    run: &mut Run,
    presentation: &str,
    expect: &Expectations<'_>,
    sources: &dyn Sources,
) -> Result<Verified, (Check, Failure)> {
    let (sd, jws) = run.check(
        Check::Format,
        SdJwt::parse(presentation)
            .and_then(|sd| Ok((Jws::parse(&sd.jwt)?, sd)))
            .map(|(jws, sd)| (sd, jws))
            .map_err(malformed),
    )?;
    let (iss, vct) = run.check(Check::CredentialType, credential_type(&jws))?;
    let issuer = run.check(
        Check::IssuerTrusted,
        sources
            .issuer(&iss)
            .filter(|i| i.vcts.contains(&vct))
            .ok_or_else(|| Failure::UntrustedIssuer {
                iss: iss.clone(),
                vct: vct.clone(),
            }),
    )?;
    let signer = run.check(Check::IssuerSignature, issuer_signature(&jws, &issuer))?;
    run.check(Check::Validity, validity(&jws, expect))?;
    let claims = run.check(
        Check::Disclosures,
        sd_jwt::process(&jws.claims, &sd.disclosures).map_err(|e: SdJwtError| {
            Failure::Disclosure {
                detail: e.to_string(),
            }
        }),
    )?;
    let holder = claims.get("cnf").and_then(|c| c.get("jwk"));
    if holder.is_some() || expect.require_key_binding {
        let kb = run.check(Check::KeyBinding, key_binding(&sd, holder))?;
        run.check(
            Check::SdHash,
            if kb.str_claim("sd_hash") == Some(sd_hash(&sd).as_str()) {
                Ok(())
            } else {
                Err(Failure::SdHashMismatch)
            },
        )?;
        run.check(Check::Audience, audience(&kb, expect.audience))?;
        run.check(Check::Freshness, kb_fresh(&kb, expect))?;
        run.check(Check::Nonce, nonce(&kb, expect.nonce, sources))?;
    } else if sd.kb_jwt.is_some() {
        // Without key binding an SD-JWT ends with '~'; text after it is a cut or added tail.
        run.check(
            Check::KeyBinding,
            Err::<(), _>(malformed(
                "text follows the last '~' where no key binding is expected",
            )),
        )?;
    }
    run.check(
        Check::Status,
        status(&claims, &issuer.iss, &signer, expect, sources),
    )?;
    let mut claims = claims;
    claims.remove("_sd_alg");
    Ok(Verified { iss, vct, claims })
}

fn credential_type(jws: &Jws) -> Result<(String, String), Failure> {
    if jws.typ() != Some(VC_TYP) {
        return Err(Failure::WrongType {
            detail: format!("typ is {:?}, not {VC_TYP}", jws.typ().unwrap_or("")),
        });
    }
    let field = |name: &str| {
        jws.str_claim(name)
            .map(str::to_owned)
            .ok_or_else(|| Failure::WrongType {
                detail: format!("no {name}"),
            })
    };
    Ok((field("iss")?, field("vct")?))
}

/// The issuer's key that made the credential's signature.
fn issuer_signature(jws: &Jws, issuer: &TrustedIssuer) -> Result<VerifyingKey, Failure> {
    issuer
        .keys
        .iter()
        .filter(|k| jws.kid().is_none() || k.kid.as_deref() == jws.kid())
        .filter_map(Jwk::key)
        .find(|k| jws.verifies_with(k))
        .ok_or(Failure::IssuerSignature)
}

/// Names one issuer key for kept status lists: the issuer and the key's compressed point, so a
/// list checked against one key is never taken as checked against another.
pub fn signer_id(iss: &str, key: &VerifyingKey) -> String {
    format!(
        "{iss}#{}",
        crate::b64(key.to_encoded_point(true).as_bytes())
    )
}

fn validity(jws: &Jws, expect: &Expectations<'_>) -> Result<(), Failure> {
    if let Some(exp) = jws.int_claim("exp") {
        if expect.now >= exp {
            return Err(Failure::Expired { exp });
        }
    }
    for name in ["nbf", "iat"] {
        if let Some(at) = jws.int_claim(name) {
            if at > expect.now + expect.leeway {
                return Err(Failure::NotYetValid { at });
            }
        }
    }
    Ok(())
}

fn key_binding(sd: &SdJwt, holder: Option<&Value>) -> Result<Jws, Failure> {
    let invalid = |detail: &str| Failure::KeyBindingInvalid {
        detail: detail.to_owned(),
    };
    let Some(kb) = &sd.kb_jwt else {
        return Err(Failure::KeyBindingMissing);
    };
    let key = holder
        .and_then(Jwk::from_value)
        .and_then(|jwk| jwk.key())
        .ok_or_else(|| invalid("the credential names no usable holder key (cnf.jwk)"))?;
    let kb = Jws::parse(kb).map_err(|e| invalid(&e.to_string()))?;
    if kb.typ() != Some(KB_TYP) {
        return Err(invalid("typ is not kb+jwt"));
    }
    if !kb.verifies_with(&key) {
        return Err(invalid("not signed by the holder's key"));
    }
    Ok(kb)
}

fn audience(kb: &Jws, expected: &str) -> Result<(), Failure> {
    match kb.claims.get("aud") {
        Some(Value::String(aud)) if aud == expected => Ok(()),
        other => Err(Failure::WrongAudience {
            expected: expected.to_owned(),
            found: other.map(Value::to_string).unwrap_or_default(),
        }),
    }
}

fn kb_fresh(kb: &Jws, expect: &Expectations<'_>) -> Result<(), Failure> {
    let iat = kb.int_claim("iat").ok_or(Failure::KeyBindingInvalid {
        detail: "no iat".into(),
    })?;
    if iat > expect.now + expect.leeway || iat < expect.now - expect.iat_window {
        return Err(Failure::Stale { iat });
    }
    Ok(())
}

fn nonce(kb: &Jws, expected: &str, sources: &dyn Sources) -> Result<(), Failure> {
    if kb.str_claim("nonce") != Some(expected) {
        return Err(Failure::WrongNonce);
    }
    if !sources.use_nonce(expected) {
        return Err(Failure::ReplayedNonce);
    }
    Ok(())
}

fn status(
    claims: &Map<String, Value>,
    iss: &str,
    signer: &VerifyingKey,
    expect: &Expectations<'_>,
    sources: &dyn Sources,
) -> Result<(), Failure> {
    let reference = claims.get("status").and_then(|s| s.get("status_list"));
    let Some(reference) = reference else {
        return Err(Failure::NoStatus);
    };
    let (Some(idx), Some(uri)) = (
        reference.get("idx").and_then(Value::as_u64),
        reference.get("uri").and_then(Value::as_str),
    ) else {
        return Err(Failure::NoStatus);
    };
    let invalid = |detail: &str| Failure::StatusListInvalid {
        uri: uri.to_owned(),
        detail: detail.to_owned(),
    };
    let token = sources
        .status_list(uri)
        .ok_or_else(|| Failure::StatusListUnavailable {
            uri: uri.to_owned(),
        })?;
    let signer_id = signer_id(iss, signer);
    let list = match sources.checked_status_list(&signer_id, &token) {
        Some(list) => list,
        None => {
            let jws = Jws::parse(&token).map_err(|e| invalid(&e.to_string()))?;
            // The list must be signed by the key that signed the credential: not merely by its
            // issuer, so a verifier that knows only that key can check both.
            if !jws.verifies_with(signer) {
                return Err(invalid("not signed by the key that signed the credential"));
            }
            let list = Arc::new(
                StatusListToken::from_jws(&jws, MAX_STATUS_LIST_BYTES)
                    .map_err(|e| invalid(&e.to_string()))?,
            );
            sources.remember_status_list(&signer_id, &token, list.clone());
            list
        }
    };
    if list.sub != uri {
        return Err(invalid("the list is for another URI"));
    }
    if !list.is_fresh(expect.now) {
        return Err(Failure::StatusListStale {
            uri: uri.to_owned(),
        });
    }
    let index = usize::try_from(idx).map_err(|_| invalid("index out of range"))?;
    match list.list.get(index) {
        None => Err(invalid("index out of range")),
        Some(Status::Valid) => Ok(()),
        Some(Status::Suspended) => Err(Failure::Suspended),
        Some(Status::Invalid | Status::Other(_)) => Err(Failure::Revoked),
    }
}
