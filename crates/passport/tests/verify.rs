//! The verifier against presentations built to break each check in turn.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use p256::ecdsa::SigningKey;
use serde_json::{json, Map, Value};
use staffbank_passport::jws::{self, Jwk};
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::sd_jwt::{Disclosure, SdJwt};
use staffbank_passport::status_list::{Status, StatusList, StatusListToken};
use staffbank_passport::vc::{self, Issuance, StatusRef};
use staffbank_passport::verify::{verify, Check, Expectations, Failure, Sources, TrustedIssuer};

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://staffbank.test/issuers/rxl";
const VCT: &str = "https://staffbank.test/vct/dbs-check";
const LIST: &str = "https://staffbank.test/status/rxl/1";
const VERIFIER: &str = "https://staffbank.test/verifiers/rxn";
const NONCE: &str = "n-0S6_WzA2Mj";

fn key() -> SigningKey {
    SigningKey::random(&mut rand::rngs::OsRng)
}

struct World {
    issuer_key: SigningKey,
    holder_key: SigningKey,
    trusted: HashMap<String, TrustedIssuer>,
    list: StatusListToken,
    list_available: bool,
    used: RefCell<HashSet<String>>,
}

impl World {
    fn new() -> Self {
        let issuer_key = key();
        let trusted = HashMap::from([(
            ISS.to_owned(),
            TrustedIssuer {
                iss: ISS.into(),
                keys: vec![Jwk::from_key(issuer_key.verifying_key(), Some("k1".into()))],
                vcts: vec![VCT.into()],
            },
        )]);
        World {
            issuer_key,
            holder_key: key(),
            trusted,
            list: StatusListToken {
                sub: LIST.into(),
                iat: NOW - 60,
                exp: Some(NOW + 3600),
                ttl: Some(300),
                list: StatusList::new(2, 1024).unwrap(),
            },
            list_available: true,
            used: RefCell::new(HashSet::new()),
        }
    }

    fn issue_with(&self, vct: &str, exp: Option<i64>, key: &SigningKey, kid: &str) -> SdJwt {
        let holder = Jwk::from_key(self.holder_key.verifying_key(), None);
        let claims: Map<String, Value> = json!({
            "level": "enhanced_barred", "workforce": "adult",
            "certificate_date": "2025-03-01", "update_service": true
        })
        .as_object()
        .cloned()
        .unwrap();
        vc::issue(
            &Issuance {
                iss: ISS,
                kid,
                vct,
                iat: NOW - 86_400,
                exp,
                holder: Some(&holder),
                status: &StatusRef {
                    uri: LIST.into(),
                    idx: 77,
                },
                claims,
                disclosable: &["level", "workforce", "certificate_date", "update_service"],
            },
            key,
            &mut rand::rngs::OsRng,
        )
    }

    fn issue(&self) -> SdJwt {
        self.issue_with(VCT, Some(NOW + 86_400 * 365), &self.issuer_key, "k1")
    }

    fn present(&self, sd: SdJwt, names: &[&str]) -> String {
        bind(sd.disclosing(names), &binding(), &self.holder_key).compact()
    }

    fn check(&self, presentation: &str) -> Result<Map<String, Value>, (Check, Failure)> {
        let expect = Expectations {
            now: NOW,
            audience: VERIFIER,
            nonce: NONCE,
            iat_window: 300,
            leeway: 30,
            require_key_binding: true,
        };
        let report = verify(presentation, &expect, self);
        match report.failed {
            Some(f) => Err(f),
            None => Ok(report.credential.unwrap().claims),
        }
    }

    fn failure(&self, presentation: &str) -> Failure {
        self.check(presentation).unwrap_err().1
    }
}

impl Sources for World {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        self.trusted.get(iss).cloned()
    }
    fn status_list(&self, uri: &str) -> Option<String> {
        (self.list_available && uri == LIST).then(|| self.list.sign(&self.issuer_key, Some("k1")))
    }
    fn use_nonce(&self, nonce: &str) -> bool {
        self.used.borrow_mut().insert(nonce.to_owned())
    }
}

fn binding() -> Binding {
    Binding {
        aud: VERIFIER.into(),
        nonce: NONCE.into(),
        iat: NOW - 5,
    }
}

#[test]
fn a_good_presentation_passes_every_check_and_shows_only_what_was_disclosed() {
    let world = World::new();
    let presentation = world.present(world.issue(), &["level"]);
    let expect = Expectations {
        now: NOW,
        audience: VERIFIER,
        nonce: NONCE,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    };
    let report = verify(&presentation, &expect, &world);
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(
        report.passed,
        vec![
            Check::Format,
            Check::CredentialType,
            Check::IssuerTrusted,
            Check::IssuerSignature,
            Check::Validity,
            Check::Disclosures,
            Check::KeyBinding,
            Check::SdHash,
            Check::Audience,
            Check::Freshness,
            Check::Nonce,
            Check::Status,
        ]
    );
    let claims = report.credential.unwrap().claims;
    assert_eq!(claims.get("level"), Some(&json!("enhanced_barred")));
    assert!(claims.get("workforce").is_none());
    assert!(claims.get("certificate_date").is_none());
}

#[test]
fn a_tampered_issuer_signature_fails() {
    let world = World::new();
    let mut sd = world.issue();
    let mut parts: Vec<String> = sd.jwt.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(&base64url(&parts[1])).unwrap();
    claims["vct"] = json!(VCT);
    claims["exp"] = json!(NOW + 999_999_999);
    parts[1] = b64(claims.to_string());
    sd.jwt = parts.join(".");
    assert_eq!(
        world.failure(&world.present(sd, &["level"])),
        Failure::IssuerSignature
    );
    // Signed by a key the issuer never published.
    let other = world.issue_with(VCT, None, &key(), "k1");
    assert_eq!(
        world.failure(&world.present(other, &["level"])),
        Failure::IssuerSignature
    );
}

#[test]
fn an_untrusted_issuer_or_a_type_it_is_not_trusted_for_fails() {
    let mut world = World::new();
    let wrong_vct = world.issue_with(
        "https://staffbank.test/vct/identity",
        None,
        &world.issuer_key,
        "k1",
    );
    assert!(matches!(
        world.failure(&world.present(wrong_vct, &["level"])),
        Failure::UntrustedIssuer { vct, .. } if vct.ends_with("identity")
    ));
    let sd = world.issue();
    world.trusted.clear();
    assert!(matches!(
        world.failure(&world.present(sd, &["level"])),
        Failure::UntrustedIssuer { .. }
    ));
}

#[test]
fn a_rotated_out_key_still_verifies_what_it_signed() {
    let mut world = World::new();
    let old = key();
    let sd = world.issue_with(VCT, None, &old, "k0");
    assert_eq!(
        world.failure(&world.present(sd.clone(), &["level"])),
        Failure::IssuerSignature
    );
    world
        .trusted
        .get_mut(ISS)
        .unwrap()
        .keys
        .push(Jwk::from_key(old.verifying_key(), Some("k0".into())));
    // Its status list is the one its own key signs (an issuer publishes one per key).
    world.issuer_key = old;
    assert!(world.check(&world.present(sd, &["level"])).is_ok());
}

#[test]
fn an_expired_credential_fails() {
    let world = World::new();
    let sd = world.issue_with(VCT, Some(NOW - 1), &world.issuer_key, "k1");
    assert_eq!(
        world.failure(&world.present(sd, &["level"])),
        Failure::Expired { exp: NOW - 1 }
    );
}

#[test]
fn a_revoked_or_suspended_credential_fails() {
    let mut world = World::new();
    assert!(world.list.list.set(77, Status::Invalid));
    assert_eq!(
        world.failure(&world.present(world.issue(), &["level"])),
        Failure::Revoked
    );
    assert!(world.list.list.set(77, Status::Suspended));
    world.used.borrow_mut().clear();
    assert_eq!(
        world.failure(&world.present(world.issue(), &["level"])),
        Failure::Suspended
    );
    assert!(world.list.list.set(77, Status::Valid));
    world.used.borrow_mut().clear();
    assert!(world
        .check(&world.present(world.issue(), &["level"]))
        .is_ok());
}

#[test]
fn a_stale_or_missing_status_list_fails_closed() {
    let mut world = World::new();
    world.list.iat = NOW - 301;
    assert!(matches!(
        world.failure(&world.present(world.issue(), &["level"])),
        Failure::StatusListStale { .. }
    ));
    world.list.iat = NOW - 60;
    world.list.exp = Some(NOW);
    world.used.borrow_mut().clear();
    assert!(matches!(
        world.failure(&world.present(world.issue(), &["level"])),
        Failure::StatusListStale { .. }
    ));
    world.list.exp = Some(NOW + 60);
    world.list_available = false;
    world.used.borrow_mut().clear();
    assert!(matches!(
        world.failure(&world.present(world.issue(), &["level"])),
        Failure::StatusListUnavailable { .. }
    ));
}

#[test]
fn a_status_list_signed_by_someone_else_fails() {
    struct Forged(World, SigningKey);
    impl Sources for Forged {
        fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
            self.0.issuer(iss)
        }
        fn status_list(&self, _: &str) -> Option<String> {
            Some(self.0.list.sign(&self.1, Some("k1")))
        }
        fn use_nonce(&self, nonce: &str) -> bool {
            self.0.use_nonce(nonce)
        }
    }
    let world = World::new();
    let presentation = world.present(world.issue(), &["level"]);
    let forged = Forged(world, key());
    let expect = Expectations {
        now: NOW,
        audience: VERIFIER,
        nonce: NONCE,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    };
    let report = verify(&presentation, &expect, &forged);
    assert!(matches!(
        report.failed,
        Some((Check::Status, Failure::StatusListInvalid { .. }))
    ));
}

#[test]
fn the_status_list_must_be_signed_by_the_key_that_signed_the_credential() {
    // The issuer rotated from k1 to k2 and publishes both; the list offered is signed by k2.
    struct Rotated(World, SigningKey);
    impl Sources for Rotated {
        fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
            let mut issuer = self.0.issuer(iss)?;
            issuer
                .keys
                .push(Jwk::from_key(self.1.verifying_key(), Some("k2".into())));
            Some(issuer)
        }
        fn status_list(&self, uri: &str) -> Option<String> {
            (uri == LIST).then(|| self.0.list.sign(&self.1, Some("k2")))
        }
        fn use_nonce(&self, nonce: &str) -> bool {
            self.0.use_nonce(nonce)
        }
    }
    let world = World::new();
    let old = world.present(world.issue(), &["level"]);
    let rotated = Rotated(world, key());
    let new = rotated.0.present(
        rotated
            .0
            .issue_with(VCT, Some(NOW + 86_400), &rotated.1, "k2"),
        &["level"],
    );
    let expect = Expectations {
        now: NOW,
        audience: VERIFIER,
        nonce: NONCE,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    };
    let report = verify(&old, &expect, &rotated);
    assert!(
        matches!(
            report.failed,
            Some((Check::Status, Failure::StatusListInvalid { .. }))
        ),
        "a list signed by the issuer's other key: {:?}",
        report.failed
    );
    rotated.0.used.borrow_mut().clear();
    assert!(verify(&new, &expect, &rotated).is_valid());
}

#[test]
fn a_wrong_or_replayed_nonce_fails() {
    let world = World::new();
    let mut b = binding();
    b.nonce = "another".into();
    let wrong = bind(world.issue().disclosing(&["level"]), &b, &world.holder_key).compact();
    assert_eq!(world.failure(&wrong), Failure::WrongNonce);
    let presentation = world.present(world.issue(), &["level"]);
    assert!(world.check(&presentation).is_ok());
    assert_eq!(world.failure(&presentation), Failure::ReplayedNonce);
}

#[test]
fn a_wrong_audience_or_an_array_with_extra_audiences_fails() {
    let world = World::new();
    let mut b = binding();
    b.aud = "https://elsewhere.test".into();
    let wrong = bind(world.issue().disclosing(&["level"]), &b, &world.holder_key).compact();
    assert!(matches!(
        world.failure(&wrong),
        Failure::WrongAudience { .. }
    ));
    // A KB-JWT whose aud is an array holding the verifier and another.
    let sd = world.issue().disclosing(&["level"]);
    let hash = staffbank_passport::key_binding::sd_hash(&sd);
    let claims: Map<String, Value> = json!({"iat": NOW, "nonce": NONCE, "sd_hash": hash,
        "aud": [VERIFIER, "https://elsewhere.test"]})
    .as_object()
    .cloned()
    .unwrap();
    let mut extra = sd.clone();
    extra.kb_jwt = Some(jws::sign(
        jws::header("kb+jwt", None),
        &claims,
        &world.holder_key,
    ));
    assert!(matches!(
        world.failure(&extra.compact()),
        Failure::WrongAudience { .. }
    ));
}

#[test]
fn a_missing_or_forged_key_binding_fails() {
    let world = World::new();
    let without = world.issue().disclosing(&["level"]).compact();
    assert_eq!(world.failure(&without), Failure::KeyBindingMissing);
    let forged = bind(world.issue().disclosing(&["level"]), &binding(), &key()).compact();
    assert!(matches!(
        world.failure(&forged),
        Failure::KeyBindingInvalid { .. }
    ));
}

#[test]
fn an_old_key_binding_fails() {
    let world = World::new();
    let mut b = binding();
    b.iat = NOW - 301;
    let old = bind(world.issue().disclosing(&["level"]), &b, &world.holder_key).compact();
    assert_eq!(world.failure(&old), Failure::Stale { iat: NOW - 301 });
    b.iat = NOW + 31;
    let future = bind(world.issue().disclosing(&["level"]), &b, &world.holder_key).compact();
    assert_eq!(world.failure(&future), Failure::Stale { iat: NOW + 31 });
}

#[test]
fn an_sd_hash_that_does_not_cover_the_disclosures_fails() {
    let world = World::new();
    // Bound to one disclosure, then another disclosure slipped in before the KB-JWT.
    let issued = world.issue();
    let bound = bind(issued.disclosing(&["level"]), &binding(), &world.holder_key);
    let mut widened = bound.clone();
    widened
        .disclosures
        .extend(issued.disclosing(&["workforce"]).disclosures);
    assert_eq!(world.failure(&widened.compact()), Failure::SdHashMismatch);
}

#[test]
fn a_disclosure_that_is_not_in_the_credential_fails() {
    let world = World::new();
    let mut sd = world.issue().disclosing(&["level"]);
    sd.disclosures.push(Disclosure::new(
        Some("level"),
        json!("enhanced_barred_child"),
        &mut rand::rngs::OsRng,
    ));
    let presentation = bind(sd, &binding(), &world.holder_key).compact();
    assert!(matches!(
        world.failure(&presentation),
        Failure::Disclosure { .. }
    ));
}

#[test]
fn malformed_presentations_fail_as_malformed() {
    let world = World::new();
    for bad in ["", "~", "abc", "a.b.c~", "eyJhbGciOiJub25lIn0.e30.~"] {
        assert!(
            matches!(world.failure(bad), Failure::Malformed { .. }),
            "{bad}"
        );
    }
}

fn b64(text: String) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn base64url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

/// A verifier that keeps the status lists it has checked.
struct Caching {
    world: World,
    forged_by: Option<SigningKey>,
    kept: RefCell<HashMap<(String, String), std::sync::Arc<StatusListToken>>>,
    remembered: RefCell<usize>,
}

impl Sources for Caching {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        self.world.issuer(iss)
    }
    fn status_list(&self, uri: &str) -> Option<String> {
        match &self.forged_by {
            Some(key) => Some(self.world.list.sign(key, Some("k1"))),
            None => self.world.status_list(uri),
        }
    }
    fn use_nonce(&self, nonce: &str) -> bool {
        self.world.use_nonce(nonce)
    }
    fn checked_status_list(
        &self,
        iss: &str,
        token: &str,
    ) -> Option<std::sync::Arc<StatusListToken>> {
        self.kept
            .borrow()
            .get(&(iss.to_owned(), token.to_owned()))
            .cloned()
    }
    fn remember_status_list(&self, iss: &str, token: &str, list: std::sync::Arc<StatusListToken>) {
        *self.remembered.borrow_mut() += 1;
        self.kept
            .borrow_mut()
            .insert((iss.to_owned(), token.to_owned()), list);
    }
}

fn expectations(nonce: &str) -> Expectations<'_> {
    Expectations {
        now: NOW,
        audience: VERIFIER,
        nonce,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    }
}

#[test]
fn a_checked_status_list_is_kept_only_after_it_passed_and_freshness_is_still_checked() {
    let caching = Caching {
        world: World::new(),
        forged_by: None,
        kept: RefCell::new(HashMap::new()),
        remembered: RefCell::new(0),
    };
    let sd = caching.world.issue();
    let present = |nonce: &str, iat: i64| {
        let b = Binding {
            aud: VERIFIER.into(),
            nonce: nonce.into(),
            iat,
        };
        bind(sd.disclosing(&["level"]), &b, &caching.world.holder_key).compact()
    };
    // ES256 signing here is deterministic (RFC 6979), so every fetch gives the same token.
    assert!(verify(&present("a", NOW - 5), &expectations("a"), &caching).is_valid());
    assert_eq!(*caching.remembered.borrow(), 1);
    assert!(verify(&present("b", NOW - 5), &expectations("b"), &caching).is_valid());
    assert_eq!(*caching.remembered.borrow(), 1, "checked once, then kept");
    // The kept list is still judged fresh or stale at each use.
    let later = NOW + 1000;
    let expect = Expectations {
        now: later,
        ..expectations("c")
    };
    let report = verify(&present("c", later - 5), &expect, &caching);
    assert!(matches!(
        report.failed,
        Some((Check::Status, Failure::StatusListStale { .. }))
    ));
    // A list signed by someone else fails and is never kept.
    let forged = Caching {
        world: World::new(),
        forged_by: Some(key()),
        kept: RefCell::new(HashMap::new()),
        remembered: RefCell::new(0),
    };
    let b = Binding {
        aud: VERIFIER.into(),
        nonce: "d".into(),
        iat: NOW - 5,
    };
    let presentation = bind(
        forged.world.issue().disclosing(&["level"]),
        &b,
        &forged.world.holder_key,
    )
    .compact();
    let report = verify(&presentation, &expectations("d"), &forged);
    assert!(matches!(
        report.failed,
        Some((Check::Status, Failure::StatusListInvalid { .. }))
    ));
    assert_eq!(*forged.remembered.borrow(), 0);
}
