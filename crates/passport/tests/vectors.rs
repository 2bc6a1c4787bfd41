//! The specifications' own examples: RFC 9901 (SD-JWT) sections 4.2, 5.1, 5.2 and 6 with the
//! example keys of its appendix A.5, and draft-ietf-oauth-status-list-18 sections 4 and 5 and
//! appendix C. The files in `tests/vectors` hold them as published; see each entry's `section`.

#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::Value;
use staffbank_passport::jws::{Jwk, Jws};
use staffbank_passport::key_binding::sd_hash;
use staffbank_passport::sd_jwt::{process, Disclosure, SdJwt};
use staffbank_passport::status_list::{Status, StatusList, StatusListToken};

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn rfc9901_disclosures_have_the_published_digests() {
    let vectors = load("rfc9901_disclosures.json");
    let vectors = vectors.as_array().unwrap();
    assert!(vectors.len() >= 12);
    for v in vectors {
        let d = Disclosure::parse(v["disclosure"].as_str().unwrap()).unwrap();
        assert_eq!(
            d.digest(),
            v["digest"].as_str().unwrap(),
            "{}",
            v["section"]
        );
        let decoded = v["decoded"].as_array().unwrap();
        match decoded.as_slice() {
            [_, name, value] => {
                assert_eq!(d.name.as_deref(), name.as_str());
                assert_eq!(&d.value, value);
            }
            [_, value] => {
                assert_eq!(d.name, None);
                assert_eq!(&d.value, value);
            }
            other => panic!("unexpected vector {other:?}"),
        }
    }
}

#[test]
fn rfc9901_issued_example_verifies_and_processes() {
    let example = load("rfc9901_example.json");
    let issuer = Jwk::from_value(&example["issuer_jwk"])
        .unwrap()
        .key()
        .unwrap();
    let sd = SdJwt::parse(example["sd_jwt"].as_str().unwrap()).unwrap();
    assert_eq!(sd.kb_jwt, None);
    let jws = Jws::parse(&sd.jwt).unwrap();
    assert!(jws.verifies_with(&issuer));
    let claims = process(&jws.claims, &sd.disclosures).unwrap();
    assert_eq!(claims["given_name"], "John");
    assert_eq!(claims["address"]["country"], "US");
    assert!(claims.get("_sd").is_none() && claims.get("_sd_alg").is_none());
    // The same JWT with any byte of the payload changed no longer verifies.
    let mut parts: Vec<String> = sd.jwt.split('.').map(str::to_owned).collect();
    let swap = if &parts[1][10..11] == "A" { "B" } else { "A" };
    parts[1].replace_range(10..11, swap);
    assert!(!Jws::parse(&parts.join("."))
        .map(|j| j.verifies_with(&issuer))
        .unwrap_or(false));
}

#[test]
fn rfc9901_presentation_gives_the_published_payload_and_key_binding() {
    let example = load("rfc9901_example.json");
    let issuer = Jwk::from_value(&example["issuer_jwk"])
        .unwrap()
        .key()
        .unwrap();
    let holder = Jwk::from_value(&example["holder_jwk"])
        .unwrap()
        .key()
        .unwrap();
    let sd = SdJwt::parse(example["presentation"].as_str().unwrap()).unwrap();
    let jws = Jws::parse(&sd.jwt).unwrap();
    assert!(jws.verifies_with(&issuer));
    let claims = process(&jws.claims, &sd.disclosures).unwrap();
    assert_eq!(Value::Object(claims), example["processed_payload"]);
    let kb = Jws::parse(sd.kb_jwt.as_deref().unwrap()).unwrap();
    assert_eq!(kb.typ(), Some("kb+jwt"));
    assert!(kb.verifies_with(&holder));
    assert!(!kb.verifies_with(&issuer));
    assert_eq!(kb.str_claim("nonce"), example["kb_nonce"].as_str());
    assert_eq!(kb.str_claim("aud"), example["kb_aud"].as_str());
    assert_eq!(kb.int_claim("iat"), example["kb_iat"].as_i64());
    assert_eq!(kb.str_claim("sd_hash"), Some(sd_hash(&sd).as_str()));
    assert_eq!(example["kb_sd_hash"].as_str(), Some(sd_hash(&sd).as_str()));
}

fn statuses(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| u8::try_from(s.as_u64().unwrap()).unwrap())
        .collect()
}

#[test]
fn status_list_examples_decode_to_the_published_statuses() {
    let vectors = load("status_list.json");
    for ex in vectors["examples"].as_array().unwrap() {
        let bits = u8::try_from(ex["bits"].as_u64().unwrap()).unwrap();
        let list = StatusList::decode(bits, ex["lst"].as_str().unwrap(), 1 << 20).unwrap();
        let want = statuses(&ex["statuses"]);
        for (i, s) in want.iter().enumerate() {
            assert_eq!(
                list.get(i),
                Some(Status::from_value(*s)),
                "{} index {i}",
                ex["section"]
            );
        }
        // Our own encoding of the same statuses decodes to the same list.
        let mut ours = StatusList::new(bits, want.len()).unwrap();
        for (i, s) in want.iter().enumerate() {
            assert!(ours.set(i, Status::from_value(*s)));
        }
        assert_eq!(
            StatusList::decode(bits, &ours.encode(), 1 << 20).unwrap(),
            list
        );
    }
}

#[test]
fn status_list_appendix_c_vectors_hold_exactly_the_listed_statuses() {
    let vectors = load("status_list.json");
    for v in vectors["test_vectors"].as_array().unwrap() {
        let bits = u8::try_from(v["bits"].as_u64().unwrap()).unwrap();
        let size = usize::try_from(v["size"].as_u64().unwrap()).unwrap();
        let list = StatusList::decode(bits, v["lst"].as_str().unwrap(), 1 << 24).unwrap();
        assert_eq!(list.len(), size, "{}", v["section"]);
        let listed: std::collections::HashMap<usize, u8> = v["statuses_at"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().unwrap() as usize,
                    p[1].as_u64().unwrap() as u8,
                )
            })
            .collect();
        for i in 0..size {
            let want = listed.get(&i).copied().unwrap_or(0);
            assert_eq!(
                list.get(i),
                Some(Status::from_value(want)),
                "{} index {i}",
                v["section"]
            );
        }
    }
}

#[test]
fn the_drafts_token_example_reads_as_published() {
    let vectors = load("status_list.json");
    let ex = &vectors["status_list_token_jwt"];
    // Re-sign the published header and claims with a key of ours (the draft publishes no key),
    // then read it back.
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let claims = ex["payload"].as_object().unwrap().clone();
    let header = ex["header"].as_object().unwrap().clone();
    let jws = Jws::parse(&staffbank_passport::jws::sign(header, &claims, &key)).unwrap();
    let token = StatusListToken::from_jws(&jws, 1 << 20).unwrap();
    assert_eq!(token.sub, "https://example.com/statuslists/1");
    assert_eq!(Some(token.iat), ex["payload"]["iat"].as_i64());
    assert_eq!(token.exp, ex["payload"]["exp"].as_i64());
    assert_eq!(token.ttl, ex["payload"]["ttl"].as_i64());
    assert_eq!(token.list.get(0), Some(Status::Invalid));
    assert_eq!(token.list.get(1), Some(Status::Valid));
}
