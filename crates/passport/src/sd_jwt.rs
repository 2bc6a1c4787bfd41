//! Selective disclosure for JWTs (RFC 9901): an issuer replaces chosen claims by digests of
//! salted disclosures; a holder passes on only the disclosures it chooses; a verifier puts the
//! disclosed values back and refuses anything that does not add up.
//!
//! The compact form is `<issuer JWT>~<disclosure>~...~<disclosure>~[<KB-JWT>]` (section 4).

use p256::ecdsa::SigningKey;
use rand::RngCore;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

use crate::jws::{self, Jws, JwsError};
use crate::{b64, sha256_b64, unb64};

/// The only digest algorithm issued and accepted: `sha-256` (RFC 9901 section 4.1.1).
pub const SD_ALG: &str = "sha-256";

/// One disclosure: a salted claim (`[salt, name, value]`) or array element (`[salt, value]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url text, exactly as issued; its digest is taken over this text.
    pub encoded: String,
    /// The claim's name; `None` for an array element.
    pub name: Option<String>,
    /// The claim's value.
    pub value: Value,
}

impl Disclosure {
    /// A new disclosure of a claim with a fresh 128-bit salt (section 4.2.1).
    pub fn new(name: Option<&str>, value: Value, rng: &mut impl RngCore) -> Self {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let array = match name {
            Some(name) => Value::Array(vec![
                Value::from(b64(salt)),
                Value::from(name),
                value.clone(),
            ]),
            None => Value::Array(vec![Value::from(b64(salt)), value.clone()]),
        };
        Disclosure {
            encoded: b64(array.to_string()),
            name: name.map(str::to_owned),
            value,
        }
    }

    /// Reads a disclosure; refuses anything but a 2- or 3-element array with a string salt and
    /// name, and the names `_sd` and `...` (section 7.1, step 3).
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bad = || SdJwtError::BadDisclosure(encoded.chars().take(40).collect());
        let bytes = unb64(encoded).ok_or_else(bad)?;
        let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(bad());
        };
        let (name, value) = match items.as_slice() {
            [Value::String(_), Value::String(name), value] => {
                if name == "_sd" || name == "..." {
                    return Err(bad());
                }
                (Some(name.clone()), value.clone())
            }
            [Value::String(_), value] => (None, value.clone()),
            _ => return Err(bad()),
        };
        Ok(Disclosure {
            encoded: encoded.to_owned(),
            name,
            value,
        })
    }

    /// Its digest: base64url(SHA-256(the base64url text)) (section 4.2.3).
    pub fn digest(&self) -> String {
        sha256_b64(&self.encoded)
    }
}

/// Why an SD-JWT does not add up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdJwtError {
    /// The compact form is not `JWT~...~`.
    #[error("not an SD-JWT: {0}")]
    Malformed(&'static str),
    /// The issuer-signed JWT cannot be read.
    #[error("the issuer's JWT: {0}")]
    Jws(#[from] JwsError),
    /// A disclosure is not a valid disclosure.
    #[error("a disclosure is not valid: {0}")]
    BadDisclosure(String),
    /// A disclosure whose digest the credential does not contain (or contains only once while
    /// it is disclosed twice).
    #[error("a disclosure is not part of the credential")]
    DisclosureNotInCredential,
    /// A digest appears more than once in the credential.
    #[error("a digest appears more than once")]
    DuplicateDigest,
    /// A disclosed claim would replace a claim that is already there.
    #[error("disclosed claim {0:?} is already present")]
    ClaimClash(String),
    /// `_sd_alg` names an algorithm other than `sha-256`.
    #[error("digest algorithm {0:?} is not supported")]
    DigestAlgorithm(String),
    /// `_sd` is not an array of strings, or `...` is not a lone string.
    #[error("the credential's digests are malformed")]
    BadDigests,
}

/// An SD-JWT split into its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct SdJwt {
    /// The issuer-signed JWT.
    pub jwt: String,
    /// The disclosures passed on.
    pub disclosures: Vec<Disclosure>,
    /// The key-binding JWT, in an SD-JWT+KB.
    pub kb_jwt: Option<String>,
}

impl SdJwt {
    /// Splits a compact SD-JWT or SD-JWT+KB.
    pub fn parse(compact: &str) -> Result<Self, SdJwtError> {
        let parts: Vec<&str> = compact.split('~').collect();
        let [jwt, middle @ .., last] = parts.as_slice() else {
            return Err(SdJwtError::Malformed("no '~' separator"));
        };
        if jwt.is_empty() {
            return Err(SdJwtError::Malformed("empty JWT"));
        }
        let disclosures = middle
            .iter()
            .map(|d| Disclosure::parse(d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SdJwt {
            jwt: (*jwt).to_owned(),
            disclosures,
            kb_jwt: (!last.is_empty()).then(|| (*last).to_owned()),
        })
    }

    /// The compact form without the key-binding JWT, ending in `~`: what `sd_hash` covers.
    pub fn without_kb(&self) -> String {
        let mut out = self.jwt.clone();
        out.push('~');
        for d in &self.disclosures {
            out.push_str(&d.encoded);
            out.push('~');
        }
        out
    }

    /// The compact form, with the key-binding JWT if there is one.
    pub fn compact(&self) -> String {
        let mut out = self.without_kb();
        if let Some(kb) = &self.kb_jwt {
            out.push_str(kb);
        }
        out
    }

    /// Keeps only the disclosures of the named top-level claims and, below them, everything;
    /// what a holder passes on to disclose `names` and nothing else.
    pub fn disclosing(&self, names: &[&str]) -> SdJwt {
        let keep: HashSet<&str> = names.iter().copied().collect();
        // A nested disclosure is kept when the claim it sits under is kept.
        let digests: HashMap<String, &Disclosure> =
            self.disclosures.iter().map(|d| (d.digest(), d)).collect();
        let mut kept: HashSet<String> = HashSet::new();
        let mut pending: Vec<&Disclosure> = self
            .disclosures
            .iter()
            .filter(|d| d.name.as_deref().is_some_and(|n| keep.contains(n)))
            .collect();
        while let Some(d) = pending.pop() {
            if kept.insert(d.digest()) {
                let mut found = Vec::new();
                collect_digests(&d.value, &mut found);
                pending.extend(found.iter().filter_map(|h| digests.get(h).copied()));
            }
        }
        SdJwt {
            jwt: self.jwt.clone(),
            disclosures: self
                .disclosures
                .iter()
                .filter(|d| kept.contains(&d.digest()))
                .cloned()
                .collect(),
            kb_jwt: None,
        }
    }
}

impl SdJwt {
    /// Whether every digest in the issuer-signed JWT, and in the disclosures themselves, has its
    /// disclosure here. A copy issued with everything disclosed (the paper passport) that lacks
    /// one was cut short. False when the JWT cannot be read.
    pub fn discloses_all(&self) -> bool {
        let Ok(jws) = Jws::parse(&self.jwt) else {
            return false;
        };
        let mut digests = Vec::new();
        collect_digests(&Value::Object(jws.claims), &mut digests);
        for d in &self.disclosures {
            collect_digests(&d.value, &mut digests);
        }
        let shown: HashSet<String> = self.disclosures.iter().map(Disclosure::digest).collect();
        digests.iter().all(|d| shown.contains(d))
    }
}

/// Every digest (`_sd` entries and `...` elements) under `value`.
fn collect_digests(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(sd)) = map.get("_sd") {
                out.extend(sd.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            if let (1, Some(Value::String(h))) = (map.len(), map.get("...")) {
                out.push(h.clone());
            }
            for v in map.values() {
                collect_digests(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_digests(v, out)),
        _ => {}
    }
}

/// Issues an SD-JWT: `claims` with each claim named in `disclosable` (a top-level name, or a
/// dotted path into nested objects such as `training.fire_safety`) replaced by the digest of a
/// salted disclosure. `_sd` arrays are sorted so they do not give away the claims' order.
pub fn issue(
    header: Map<String, Value>,
    mut claims: Map<String, Value>,
    disclosable: &[&str],
    key: &SigningKey,
    rng: &mut impl RngCore,
) -> SdJwt {
    let mut disclosures = Vec::new();
    // Deepest paths first, so a nested claim is concealed before its parent is.
    let mut paths: Vec<Vec<&str>> = disclosable.iter().map(|p| p.split('.').collect()).collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in paths {
        conceal(&mut claims, &path, &mut disclosures, rng);
    }
    claims.insert("_sd_alg".into(), Value::from(SD_ALG));
    SdJwt {
        jwt: jws::sign(header, &claims, key),
        disclosures,
        kb_jwt: None,
    }
}

fn conceal(
    object: &mut Map<String, Value>,
    path: &[&str],
    out: &mut Vec<Disclosure>,
    rng: &mut impl RngCore,
) {
    match path {
        [] => {}
        [name] => {
            if let Some(value) = object.remove(*name) {
                let d = Disclosure::new(Some(name), value, rng);
                let digests = object
                    .entry("_sd")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = digests {
                    list.push(Value::from(d.digest()));
                    list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                }
                out.push(d);
            }
        }
        [head, rest @ ..] => {
            if let Some(Value::Object(inner)) = object.get_mut(*head) {
                conceal(inner, rest, out, rng);
            }
        }
    }
}

/// The issuer's claims with every passed-on disclosure put back in place and every digest
/// removed (RFC 9901 section 7.1). Refuses a disclosure the credential does not contain, a
/// digest that appears twice, and a disclosed name that is already present.
pub fn process(
    claims: &Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Map<String, Value>, SdJwtError> {
    match claims.get("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(other) => return Err(SdJwtError::DigestAlgorithm(other.to_string())),
    }
    let mut by_digest: HashMap<String, &Disclosure> = HashMap::new();
    for d in disclosures {
        if by_digest.insert(d.digest(), d).is_some() {
            // The same disclosure twice: it can be referenced once only.
            return Err(SdJwtError::DisclosureNotInCredential);
        }
    }
    let mut state = Processing {
        by_digest,
        seen: HashSet::new(),
        used: 0,
    };
    let mut out = state.object(claims)?;
    out.remove("_sd_alg");
    if state.used != disclosures.len() {
        return Err(SdJwtError::DisclosureNotInCredential);
    }
    Ok(out)
}

struct Processing<'a> {
    by_digest: HashMap<String, &'a Disclosure>,
    seen: HashSet<String>,
    used: usize,
}

impl Processing<'_> {
    fn note(&mut self, digest: &str) -> Result<(), SdJwtError> {
        if self.seen.insert(digest.to_owned()) {
            Ok(())
        } else {
            Err(SdJwtError::DuplicateDigest)
        }
    }

    fn object(&mut self, object: &Map<String, Value>) -> Result<Map<String, Value>, SdJwtError> {
        let mut out = Map::new();
        for (name, value) in object {
            if name != "_sd" {
                out.insert(name.clone(), self.value(value)?);
            }
        }
        if let Some(sd) = object.get("_sd") {
            let Value::Array(digests) = sd else {
                return Err(SdJwtError::BadDigests);
            };
            for digest in digests {
                let digest = digest.as_str().ok_or(SdJwtError::BadDigests)?;
                self.note(digest)?;
                // Digests with no disclosure passed on are undisclosed claims or decoys.
                let Some(d) = self.by_digest.get(digest).copied() else {
                    continue;
                };
                let Some(name) = &d.name else {
                    return Err(SdJwtError::BadDisclosure(
                        "an array element under _sd".into(),
                    ));
                };
                self.used += 1;
                let value = self.value(&d.value)?;
                if out.insert(name.clone(), value).is_some() {
                    return Err(SdJwtError::ClaimClash(name.clone()));
                }
            }
        }
        Ok(out)
    }

    fn value(&mut self, value: &Value) -> Result<Value, SdJwtError> {
        match value {
            Value::Object(map) => Ok(Value::Object(self.object(map)?)),
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Object(map) if map.contains_key("...") => {
                            let (1, Some(Value::String(digest))) = (map.len(), map.get("..."))
                            else {
                                return Err(SdJwtError::BadDigests);
                            };
                            self.note(digest)?;
                            if let Some(d) = self.by_digest.get(digest.as_str()).copied() {
                                if d.name.is_some() {
                                    return Err(SdJwtError::BadDisclosure(
                                        "a named claim in an array".into(),
                                    ));
                                }
                                self.used += 1;
                                out.push(self.value(&d.value)?);
                            }
                        }
                        other => out.push(self.value(other)?),
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other.clone()),
        }
    }
}

/// Parses the issuer JWT of an SD-JWT (signature not checked) and processes its disclosures.
pub fn unverified_claims(sd_jwt: &SdJwt) -> Result<(Jws, Map<String, Value>), SdJwtError> {
    let jws = Jws::parse(&sd_jwt.jwt)?;
    let claims = process(&jws.claims, &sd_jwt.disclosures)?;
    Ok((jws, claims))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        json!({
            "iss": "https://issuer.test", "vct": "urn:test",
            "given_name": "Asha", "family_name": "Khan",
            "training": {"fire_safety": {"level": 1, "completed": "2026-01-10"}, "resuscitation": {"level": 2}}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn only_a_copy_with_every_disclosure_discloses_all() {
        let whole = issued();
        assert!(whole.discloses_all());
        for kept in [&["training"][..], &["given_name", "training"][..]] {
            assert!(!whole.disclosing(kept).discloses_all(), "{kept:?}");
        }
        let mut short = whole.clone();
        short.disclosures.pop();
        assert!(!short.discloses_all());
    }

    fn issued() -> SdJwt {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        issue(
            jws::header("dc+sd-jwt", None),
            claims(),
            &[
                "given_name",
                "family_name",
                "training",
                "training.fire_safety",
                "training.resuscitation",
            ],
            &key,
            &mut rand::rngs::OsRng,
        )
    }

    #[test]
    fn all_disclosures_give_back_the_original_claims() {
        let sd = issued();
        let parsed = SdJwt::parse(&sd.compact()).unwrap();
        assert_eq!(parsed, sd);
        let (jws, out) = unverified_claims(&parsed).unwrap();
        assert!(
            jws.claims.get("given_name").is_none(),
            "concealed in the signed JWT"
        );
        assert_eq!(out, claims());
    }

    #[test]
    fn disclosing_some_names_hides_the_rest() {
        let sd = issued().disclosing(&["family_name"]);
        let (_, out) = unverified_claims(&sd).unwrap();
        assert_eq!(out.get("family_name"), Some(&json!("Khan")));
        assert!(out.get("given_name").is_none());
        assert!(out.get("training").is_none());
        let sd = issued().disclosing(&["training"]);
        let (_, out) = unverified_claims(&sd).unwrap();
        assert_eq!(out.get("training"), claims().get("training"));
    }

    #[test]
    fn a_foreign_or_repeated_disclosure_is_refused() {
        let mut sd = issued();
        sd.disclosures.push(Disclosure::new(
            Some("grade"),
            json!("Band 8"),
            &mut rand::rngs::OsRng,
        ));
        assert_eq!(
            unverified_claims(&sd).unwrap_err(),
            SdJwtError::DisclosureNotInCredential
        );
        let mut sd = issued().disclosing(&["family_name"]);
        sd.disclosures.push(sd.disclosures[0].clone());
        assert_eq!(
            unverified_claims(&sd).unwrap_err(),
            SdJwtError::DisclosureNotInCredential
        );
    }

    #[test]
    fn reserved_names_and_bad_shapes_are_not_disclosures() {
        for text in [
            r#"["s","_sd",1]"#,
            r#"["s","...",1]"#,
            r#"[1,"a",1]"#,
            r#"["s"]"#,
            r#"{"a":1}"#,
        ] {
            assert!(Disclosure::parse(&b64(text)).is_err(), "{text}");
        }
        assert!(Disclosure::parse("not base64!").is_err());
    }

    #[test]
    fn duplicate_digests_and_clashing_names_are_refused() {
        let d = Disclosure::new(Some("a"), json!(1), &mut rand::rngs::OsRng);
        let twice = json!({"_sd": [d.digest(), d.digest()]})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(
            process(&twice, &[]).unwrap_err(),
            SdJwtError::DuplicateDigest
        );
        let clash = json!({"a": 2, "_sd": [d.digest()]})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(
            process(&clash, &[d]).unwrap_err(),
            SdJwtError::ClaimClash("a".into())
        );
        let alg = json!({"_sd_alg": "sha-1"}).as_object().cloned().unwrap();
        assert!(matches!(
            process(&alg, &[]),
            Err(SdJwtError::DigestAlgorithm(_))
        ));
    }

    #[test]
    fn array_elements_are_put_back_and_undisclosed_ones_dropped() {
        let us = Disclosure::new(None, json!("US"), &mut rand::rngs::OsRng);
        let de = Disclosure::new(None, json!("DE"), &mut rand::rngs::OsRng);
        let claims = json!({"nationalities": [{"...": us.digest()}, {"...": de.digest()}, "FR"]})
            .as_object()
            .cloned()
            .unwrap();
        let out = process(&claims, &[de]).unwrap();
        assert_eq!(
            out,
            json!({"nationalities": ["DE", "FR"]})
                .as_object()
                .cloned()
                .unwrap()
        );
    }
}
