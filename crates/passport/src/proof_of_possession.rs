//! A holder's proof of possession: a compact JWS, signed with ES256 by the key it carries in its
//! header's `jwk`, naming one audience (`aud`), one fresh `nonce` and the time it was made (`iat`).
//! The wallet's OpenID4VCI proof (`openid4vci-proof+jwt`) and its sign-on answer at the ward
//! (`staffbank-sign-on+jwt`) are both checked here, by the same rules.

use serde_json::{Map, Value};

use crate::jws::{Jwk, Jws, JwsError};

/// What a proof must say to be accepted.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The header's `typ`, exactly.
    pub typ: &'a str,
    /// The `aud` claim, exactly: the party the proof is for.
    pub aud: &'a str,
    /// The time now, seconds since the epoch.
    pub now: i64,
    /// How far `iat` may be from `now`, either way, in seconds.
    pub leeway: i64,
}

/// How the proof's `nonce` is judged.
#[derive(Clone, Copy)]
pub enum Nonce<'a> {
    /// Here, in its turn: the nonce must satisfy this test.
    Accepted(&'a dyn Fn(&str) -> bool),
    /// By the caller, after every other check, with [`Possession::check_nonce`]: a nonce held by
    /// a one-time challenge is known only once the challenge is spent, and a forged or mistaken
    /// proof must not spend it.
    Later,
}

/// A proof that passed: the holder's public key and everything the proof claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Possession {
    /// The holder's public key, from the proof's header, without any `kid`.
    pub jwk: Jwk,
    /// The proof's claims.
    pub claims: Map<String, Value>,
}

impl Possession {
    /// Refuses unless the proof's `nonce` is `expected`; for a nonce judged [`Nonce::Later`].
    pub fn check_nonce(&self, expected: &str) -> Result<(), Refusal> {
        if self.claims.get("nonce").and_then(Value::as_str) == Some(expected) {
            Ok(())
        } else {
            Err(Refusal::Nonce)
        }
    }
}

/// Why a proof was refused; each caller words it for its own clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a compact ES256 JWS at all.
    #[error(transparent)]
    Unreadable(#[from] JwsError),
    /// The header's `typ` is not the one expected.
    #[error("the typ is not the one expected")]
    Typ,
    /// The header carries no `jwk`.
    #[error("the header carries no jwk")]
    MissingJwk,
    /// The header's `jwk` is not a P-256 public key.
    #[error("the jwk is not a P-256 public key")]
    NotP256,
    /// The header's `jwk` carries a private part (`d`): the key is exposed, so it proves nothing.
    #[error("the jwk carries a private key")]
    PrivateKey,
    /// The key in the header did not make the signature.
    #[error("the signature does not verify with the jwk")]
    Signature,
    /// The `aud` is not the audience expected.
    #[error("the aud is not the one expected")]
    Audience,
    /// The `nonce` is missing or not one accepted.
    #[error("the nonce is not one accepted")]
    Nonce,
    /// There is no whole-number `iat`.
    #[error("the iat is missing")]
    IatMissing,
    /// The `iat` is further in the past than the leeway allows.
    #[error("the iat is too old")]
    IatTooOld,
    /// The `iat` is further in the future than the leeway allows.
    #[error("the iat is in the future")]
    IatInFuture,
}

/// Checks a proof of possession, in this order: it reads as an ES256 compact JWS, its `typ`, the
/// `jwk` in its header, the signature by that key, its `aud`, its `nonce` (unless judged
/// [`Nonce::Later`]) and its `iat`. The first check that fails is the refusal.
pub fn check(
    proof: &str,
    expected: &Expected<'_>,
    nonce: Nonce<'_>,
) -> Result<Possession, Refusal> {
    let jws = Jws::parse(proof)?;
    if jws.typ() != Some(expected.typ) {
        return Err(Refusal::Typ);
    }
    let jwk = jws.header.get("jwk");
    if jwk.is_some_and(crate::jws::carries_private_part) {
        return Err(Refusal::PrivateKey);
    }
    let jwk = jwk.and_then(Jwk::from_value).ok_or(Refusal::MissingJwk)?;
    let key = jwk.key().ok_or(Refusal::NotP256)?;
    if !jws.verifies_with(&key) {
        return Err(Refusal::Signature);
    }
    if jws.str_claim("aud") != Some(expected.aud) {
        return Err(Refusal::Audience);
    }
    if let Nonce::Accepted(accepts) = nonce {
        if !jws.str_claim("nonce").is_some_and(accepts) {
            return Err(Refusal::Nonce);
        }
    }
    let iat = jws.int_claim("iat").ok_or(Refusal::IatMissing)?;
    if iat < expected.now.saturating_sub(expected.leeway) {
        return Err(Refusal::IatTooOld);
    }
    if iat > expected.now.saturating_add(expected.leeway) {
        return Err(Refusal::IatInFuture);
    }
    Ok(Possession {
        jwk: Jwk { kid: None, ..jwk },
        claims: jws.claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws;
    use p256::ecdsa::SigningKey;
    use serde_json::json;

    const TYP: &str = "test-proof+jwt";
    const AUD: &str = "https://issuer.example";
    const NOW: i64 = 1_800_000_000;

    fn expected() -> Expected<'static> {
        Expected {
            typ: TYP,
            aud: AUD,
            now: NOW,
            leeway: 300,
        }
    }

    /// A proof signed by `key`, with `header` and `claims` overriding the good ones (a `null`
    /// removes the entry).
    fn proof(key: &SigningKey, header: Value, claims: Value) -> String {
        let mut head = jws::header(TYP, None);
        head.insert(
            "jwk".into(),
            json!(Jwk::from_key(key.verifying_key(), Some("k1".into()))),
        );
        let mut body = Map::new();
        body.insert("aud".into(), json!(AUD));
        body.insert("nonce".into(), json!("n-1"));
        body.insert("iat".into(), json!(NOW));
        for (target, changes) in [(&mut head, header), (&mut body, claims)] {
            for (name, value) in changes.as_object().cloned().unwrap_or_default() {
                if value.is_null() {
                    target.remove(&name);
                } else {
                    target.insert(name, value);
                }
            }
        }
        jws::sign(head, &body, key)
    }

    fn key() -> SigningKey {
        SigningKey::random(&mut rand::rngs::OsRng)
    }

    fn judge(proof: &str) -> Result<Possession, Refusal> {
        check(proof, &expected(), Nonce::Accepted(&|n| n == "n-1"))
    }

    #[test]
    fn a_good_proof_gives_the_holders_key_without_kid_and_the_claims() {
        let key = key();
        let possession = judge(&proof(&key, json!({}), json!({"extra": 1}))).unwrap();
        assert_eq!(possession.jwk, Jwk::from_key(key.verifying_key(), None));
        assert_eq!(possession.claims["extra"], 1);
        assert_eq!(possession.check_nonce("n-1"), Ok(()));
    }

    #[test]
    fn an_unreadable_proof_is_refused() {
        assert!(matches!(judge("a.b.c"), Err(Refusal::Unreadable(_))));
    }

    #[test]
    fn the_wrong_typ_is_refused() {
        let refused = judge(&proof(&key(), json!({"typ": "kb+jwt"}), json!({})));
        assert_eq!(refused, Err(Refusal::Typ));
    }

    #[test]
    fn a_proof_without_its_key_is_refused() {
        let refused = judge(&proof(&key(), json!({"jwk": null}), json!({})));
        assert_eq!(refused, Err(Refusal::MissingJwk));
        let refused = judge(&proof(
            &key(),
            json!({"jwk": {"kty": "EC", "crv": "P-384",
            "x": "AA", "y": "AA"}}),
            json!({}),
        ));
        assert_eq!(refused, Err(Refusal::NotP256));
    }

    #[test]
    fn a_jwk_with_its_private_part_is_refused() {
        let key = key();
        let mut jwk = json!(Jwk::from_key(key.verifying_key(), None));
        jwk["d"] = json!(crate::b64(key.to_bytes()));
        let refused = judge(&proof(&key, json!({ "jwk": jwk }), json!({})));
        assert_eq!(refused, Err(Refusal::PrivateKey));
    }

    #[test]
    fn a_signature_by_another_key_is_refused() {
        let holder = key();
        let header = json!({"jwk": Jwk::from_key(holder.verifying_key(), None)});
        let refused = judge(&proof(&key(), header, json!({})));
        assert_eq!(refused, Err(Refusal::Signature));
        let mut tampered = proof(&holder, json!({}), json!({}));
        tampered.push('A');
        assert!(judge(&tampered).is_err());
    }

    #[test]
    fn the_wrong_audience_is_refused() {
        let refused = judge(&proof(&key(), json!({}), json!({"aud": "https://other"})));
        assert_eq!(refused, Err(Refusal::Audience));
        let refused = judge(&proof(&key(), json!({}), json!({"aud": null})));
        assert_eq!(refused, Err(Refusal::Audience));
    }

    #[test]
    fn the_wrong_nonce_is_refused_now_or_later() {
        let stale = proof(&key(), json!({}), json!({"nonce": "n-0"}));
        assert_eq!(judge(&stale), Err(Refusal::Nonce));
        let missing = proof(&key(), json!({}), json!({"nonce": null}));
        assert_eq!(judge(&missing), Err(Refusal::Nonce));
        let later = check(&stale, &expected(), Nonce::Later).unwrap();
        assert_eq!(later.check_nonce("n-1"), Err(Refusal::Nonce));
        assert_eq!(later.check_nonce("n-0"), Ok(()));
    }

    #[test]
    fn an_iat_outside_the_leeway_is_refused() {
        let at = |iat: Value| judge(&proof(&key(), json!({}), json!({"iat": iat})));
        assert_eq!(at(json!(NOW - 301)), Err(Refusal::IatTooOld));
        assert_eq!(at(json!(NOW + 301)), Err(Refusal::IatInFuture));
        assert_eq!(at(json!(i64::MIN)), Err(Refusal::IatTooOld));
        assert_eq!(at(json!(i64::MAX)), Err(Refusal::IatInFuture));
        assert_eq!(at(json!("now")), Err(Refusal::IatMissing));
        assert_eq!(at(Value::Null), Err(Refusal::IatMissing));
        assert!(at(json!(NOW - 300)).is_ok() && at(json!(NOW + 300)).is_ok());
    }

    #[test]
    fn the_nonce_is_judged_before_the_iat() {
        let both = proof(
            &key(),
            json!({}),
            json!({"nonce": "n-0", "iat": NOW - 3600}),
        );
        assert_eq!(judge(&both), Err(Refusal::Nonce));
        let later = check(&both, &expected(), Nonce::Later);
        assert_eq!(later, Err(Refusal::IatTooOld));
    }
}
