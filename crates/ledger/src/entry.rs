//! What a ledger entry says, and its bytes.
//!
//! An entry is JSON, written once when the change it records is committed; the stored bytes are
//! the Merkle leaf, so nothing is ever re-serialised to be verified. Facts that settle a dispute
//! (ids, times, states before and after) are in the clear; personal data about the entry's subject
//! (a name, a free-text reason) is sealed under that person's data key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The current entry format.
pub const FORMAT: u8 = 1;

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Format version.
    pub v: u8,
    /// Identity, chosen by the writer.
    pub id: Uuid,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// What happened, e.g. `booking.made`.
    pub action: String,
    /// Who did it (a user id), if anyone signed in.
    pub actor: Option<Uuid>,
    /// The trust whose data changed, if any.
    pub tenant: Option<Uuid>,
    /// The person the entry is about, whose key seals `sealed`.
    pub subject: Option<Uuid>,
    /// The facts, in the clear.
    pub facts: serde_json::Value,
    /// Personal data about `subject`, sealed (nonce and ciphertext), base64.
    #[serde(with = "opt_b64", default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Vec<u8>>,
}

impl Entry {
    /// The bytes stored and hashed as the leaf.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads stored bytes back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// Serde helpers for 32-byte hashes as standard base64.
pub mod b64 {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes base64.
    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads base64.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| serde::de::Error::custom("need 32 bytes"))
    }
}

mod opt_b64 {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_their_bytes() {
        let entry = Entry {
            v: FORMAT,
            id: Uuid::from_u128(1),
            at: DateTime::from_timestamp_millis(1_800_000_000_123).unwrap(),
            action: "booking.made".into(),
            actor: Some(Uuid::from_u128(2)),
            tenant: None,
            subject: Some(Uuid::from_u128(3)),
            facts: serde_json::json!({"shift": "s", "places": 3}),
            sealed: Some(vec![1, 2, 3]),
        };
        let bytes = entry.to_bytes();
        assert_eq!(Entry::from_bytes(&bytes).unwrap(), entry);
        assert!(String::from_utf8(bytes)
            .unwrap()
            .contains("\"sealed\":\"AQID\""));
    }
}
