//! The published RFC 6962 proof test vectors of the transparency-dev `merkle` project
//! (`vectors/transparency_dev.json`, Apache-2.0; see its `source` field): every happy path must
//! verify and every altered proof, root, index or size must be refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use staffbank_ledger::merkle::{verify_consistency, verify_inclusion, Hash};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/transparency_dev.json")).unwrap()
}

/// A hash from base64; `None` when it is not 32 bytes (some negative cases use other lengths).
fn hash(v: &Value) -> Option<Hash> {
    let bytes = STANDARD.decode(v.as_str()?).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

fn proof(v: &Value) -> Option<Vec<Hash>> {
    v.as_array()?.iter().map(hash).collect()
}

#[test]
fn inclusion_vectors() {
    let all = vectors();
    let cases = all["inclusion"].as_array().unwrap();
    assert!(cases.len() > 50);
    for case in cases {
        let verified = (|| {
            let index = case["leaf_index"].as_u64()?;
            let size = case["tree_size"].as_u64()?;
            let leaf = hash(&case["leaf_hash"])?;
            let root = hash(&case["root"])?;
            let proof = proof(&case["proof"])?;
            Some(verify_inclusion(index, size, &leaf, &proof, &root).is_ok())
        })()
        .unwrap_or(false);
        let want_err = case["want_err"].as_bool().unwrap();
        assert_eq!(verified, !want_err, "{}: {}", case["file"], case["desc"]);
    }
}

#[test]
fn consistency_vectors() {
    let all = vectors();
    let cases = all["consistency"].as_array().unwrap();
    assert!(cases.len() > 50);
    for case in cases {
        let verified = (|| {
            let first = case["size1"].as_u64()?;
            let second = case["size2"].as_u64()?;
            let root1 = hash(&case["root1"])?;
            let root2 = hash(&case["root2"])?;
            let proof = proof(&case["proof"])?;
            Some(verify_consistency(first, second, &root1, &root2, &proof).is_ok())
        })()
        .unwrap_or(false);
        let want_err = case["want_err"].as_bool().unwrap();
        assert_eq!(verified, !want_err, "{}: {}", case["file"], case["desc"]);
    }
}
