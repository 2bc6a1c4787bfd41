//! Interoperability both ways with an independent SD-JWT VC implementation, the OpenWallet
//! Foundation's sd-jwt-js (npm, installed by `scripts/setup` from the lockfile), driven through
//! `interop/sd-jwt-vc.mjs`: it verifies what we issue and present, and we verify what it does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};

use p256::ecdsa::SigningKey;
use serde_json::{json, Value};
use staffbank_passport::jws::Jwk;
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::status_list::{Status, StatusList, StatusListToken};
use staffbank_passport::vc::{self, Issuance, StatusRef};
use staffbank_passport::verify::{verify, Check, Expectations, Failure, Sources, TrustedIssuer};

const VCT: &str = "urn:staffbank:vct:professional_registration:1";
const ISS: &str = "https://staffbank.test/issuers/rxl";
const LIST: &str = "https://staffbank.test/issuers/rxl/status/1";
const AUD: &str = "https://staffbank.test/verifiers/rxn";

/// Runs the harness in `mode` with `input`; its answer.
fn node(mode: &str, input: &Value) -> Value {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("node")
        .arg("interop/sd-jwt-vc.mjs")
        .arg(mode)
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node (run scripts/setup --test first)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the harness failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Ours: a credential, a presentation of two of its claims, and the issuer's status list.
fn ours(revoked: bool) -> (String, Jwk, String) {
    let rng = &mut rand::rngs::OsRng;
    let issuer = SigningKey::random(rng);
    let holder = SigningKey::random(rng);
    let holder_jwk = Jwk::from_key(holder.verifying_key(), None);
    let claims = json!({"regulator": "nmc", "number": "71A2998E", "registered": true,
        "renewal": "2027-03-31"});
    let sd = vc::issue(
        &Issuance {
            iss: ISS,
            kid: "k1",
            vct: VCT,
            iat: now() - 60,
            exp: Some(now() + 86_400),
            holder: Some(&holder_jwk),
            status: &StatusRef {
                uri: LIST.into(),
                idx: 421,
            },
            claims: claims.as_object().cloned().unwrap(),
            disclosable: &["number", "registered", "renewal"],
        },
        &issuer,
        rng,
    );
    let presentation = bind(
        sd.disclosing(&["number", "registered"]),
        &Binding {
            aud: AUD.into(),
            nonce: "n-ours".into(),
            iat: now(),
        },
        &holder,
    );
    let mut list = StatusList::new(2, 1024).unwrap();
    assert!(list.set(
        421,
        if revoked {
            Status::Invalid
        } else {
            Status::Valid
        }
    ));
    let token = StatusListToken {
        sub: LIST.into(),
        iat: now() - 10,
        exp: Some(now() + 3600),
        ttl: Some(300),
        list,
    };
    (
        presentation.compact(),
        Jwk::from_key(issuer.verifying_key(), Some("k1".into())),
        token.sign(&issuer, Some("k1")),
    )
}

#[test]
fn the_independent_implementation_verifies_what_we_issue_and_present() {
    let (presentation, issuer, list) = ours(false);
    let answer = node(
        "verify",
        &json!({"presentation": presentation, "issuer_jwk": issuer, "nonce": "n-ours",
            "aud": AUD, "status_list_token": list}),
    );
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["claims"]["number"], "71A2998E");
    assert_eq!(answer["claims"]["registered"], true);
    assert!(answer["claims"].get("renewal").is_none(), "not disclosed");
    // Its checks bite on ours too: the wrong nonce, and a list that says revoked.
    let wrong = node(
        "verify",
        &json!({"presentation": presentation, "issuer_jwk": issuer, "nonce": "other",
            "aud": AUD, "status_list_token": list}),
    );
    assert_eq!(wrong["ok"], false, "{wrong}");
    let (presentation, issuer, list) = ours(true);
    let revoked = node(
        "verify",
        &json!({"presentation": presentation, "issuer_jwk": issuer, "nonce": "n-ours",
            "aud": AUD, "status_list_token": list}),
    );
    assert_eq!(revoked["ok"], false, "{revoked}");
}

struct Theirs {
    issuer: Jwk,
    list: String,
    used: RefCell<HashSet<String>>,
}

impl Sources for Theirs {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        (iss == ISS).then(|| TrustedIssuer {
            iss: ISS.into(),
            keys: vec![self.issuer.clone()],
            vcts: vec![VCT.into()],
        })
    }
    fn status_list(&self, uri: &str) -> Option<String> {
        (uri == LIST).then(|| self.list.clone())
    }
    fn use_nonce(&self, nonce: &str) -> bool {
        self.used.borrow_mut().insert(nonce.to_owned())
    }
}

fn theirs(revoked: bool) -> (String, Theirs) {
    let issued = node(
        "issue",
        &json!({"iss": ISS, "vct": VCT, "iat": now() - 60, "exp": now() + 86_400,
            "claims": {"regulator": "hcpc", "number": "PH095159", "registered": true},
            "disclosable": ["number", "registered"], "disclose": ["number"],
            "nonce": "n-theirs", "aud": AUD, "kb_iat": now(),
            "status": {"uri": LIST, "idx": 17}, "status_bits": 1, "revoked": revoked}),
    );
    let sources = Theirs {
        issuer: Jwk::from_value(&issued["issuer_jwk"]).unwrap(),
        list: issued["status_list_token"].as_str().unwrap().to_owned(),
        used: RefCell::new(HashSet::new()),
    };
    (issued["presentation"].as_str().unwrap().to_owned(), sources)
}

fn expect(nonce: &str) -> Expectations<'_> {
    Expectations {
        now: now(),
        audience: AUD,
        nonce,
        iat_window: 300,
        leeway: 30,
        require_key_binding: true,
    }
}

#[test]
fn we_verify_what_the_independent_implementation_issues_and_presents() {
    let (presentation, sources) = theirs(false);
    let report = verify(&presentation, &expect("n-theirs"), &sources);
    assert!(report.is_valid(), "{report:?}");
    let claims = report.credential.unwrap().claims;
    assert_eq!(claims["number"], "PH095159");
    assert_eq!(claims["regulator"], "hcpc");
    assert!(claims.get("registered").is_none(), "not disclosed");
    // Replayed, and presented for another request.
    let replay = verify(&presentation, &expect("n-theirs"), &sources);
    assert_eq!(replay.failed, Some((Check::Nonce, Failure::ReplayedNonce)));
    let other = verify(&presentation, &expect("n-other"), &sources);
    assert_eq!(other.failed, Some((Check::Nonce, Failure::WrongNonce)));
    // Revoked in its own status list.
    let (presentation, sources) = theirs(true);
    let report = verify(&presentation, &expect("n-theirs"), &sources);
    assert_eq!(report.failed, Some((Check::Status, Failure::Revoked)));
}
