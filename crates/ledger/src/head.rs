//! Signed tree heads: the platform's signature over (size, root, time).
//!
//! The signed message is the ASCII line `staffbank-tree-head-v1`, a newline, then the size (8 bytes,
//! big-endian), the root (32 bytes) and the time in milliseconds since the Unix epoch (8 bytes,
//! big-endian). Signatures are Ed25519 (RFC 8032) from `ed25519-dalek`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;

use crate::Hash;

const CONTEXT: &[u8] = b"staffbank-tree-head-v1\n";

/// What a tree head commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TreeHead {
    /// Number of entries.
    pub size: u64,
    /// Merkle root of those entries.
    #[serde(with = "crate::entry::b64")]
    pub root: Hash,
    /// When it was signed, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
}

impl TreeHead {
    /// The exact bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(CONTEXT.len() + 48);
        m.extend_from_slice(CONTEXT);
        m.extend_from_slice(&self.size.to_be_bytes());
        m.extend_from_slice(&self.root);
        m.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        m
    }

    /// Signs the head.
    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.sign(&self.message()).to_bytes()
    }

    /// Checks a signature over the head.
    pub fn verify(&self, signature: &[u8], key: &VerifyingKey) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        key.verify(&self.message(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_size_root_and_time() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let head = TreeHead {
            size: 10,
            root: [3u8; 32],
            timestamp_ms: 1_800_000_000_000,
        };
        let sig = head.sign(&key);
        assert!(head.verify(&sig, &key.verifying_key()));
        for changed in [
            TreeHead { size: 11, ..head },
            TreeHead {
                root: [4u8; 32],
                ..head
            },
            TreeHead {
                timestamp_ms: 1,
                ..head
            },
        ] {
            assert!(!changed.verify(&sig, &key.verifying_key()));
        }
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(!head.verify(&sig, &other.verifying_key()));
        assert!(!head.verify(&sig[..63], &key.verifying_key()));
    }
}
