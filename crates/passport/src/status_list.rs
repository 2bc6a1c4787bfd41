//! The IETF OAuth Token Status List (draft-ietf-oauth-status-list): each credential carries an
//! index into its issuer's list; the list is a bit array, `bits` (1, 2, 4 or 8) per credential,
//! least significant bits first within each byte, zlib-compressed and base64url-encoded, and
//! published as a signed `statuslist+jwt`. Verifiers fetch the whole list, so the issuer never
//! learns whose credential is being checked.

use std::io::{Read, Write};

use p256::ecdsa::SigningKey;
use serde_json::{json, Map, Value};

use crate::jws::{self, Jws};
use crate::{b64, unb64};

/// The `typ` of a status list token.
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";

/// A credential's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0x00: valid.
    Valid,
    /// 0x01: revoked for good.
    Invalid,
    /// 0x02: suspended; may be reinstated.
    Suspended,
    /// Any other value (application-specific in the draft): treated as not valid.
    Other(u8),
}

impl Status {
    /// The status's value in the list.
    pub fn value(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
            Status::Suspended => 2,
            Status::Other(v) => v,
        }
    }

    /// The status a value in the list stands for.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => Status::Valid,
            1 => Status::Invalid,
            2 => Status::Suspended,
            v => Status::Other(v),
        }
    }
}

/// Why a status list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// `bits` is not 1, 2, 4 or 8.
    #[error("bits must be 1, 2, 4 or 8")]
    Bits,
    /// `lst` is not base64url-encoded zlib data.
    #[error("the list is not base64url zlib data")]
    Encoding,
    /// The token is not a `statuslist+jwt` with a `status_list` claim.
    #[error("not a status list token: {0}")]
    Token(&'static str),
}

/// A list of statuses, `bits` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` valid statuses.
    pub fn new(bits: u8, len: usize) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        let per_byte = 8 / usize::from(bits);
        Ok(StatusList {
            bits,
            bytes: vec![0; len.div_ceil(per_byte)],
        })
    }

    /// Bits per status.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// How many statuses the list holds.
    pub fn len(&self) -> usize {
        self.bytes.len() * (8 / usize::from(self.bits))
    }

    /// Whether the list holds no statuses.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn place(&self, index: usize) -> (usize, u32, u8) {
        let per_byte = 8 / usize::from(self.bits);
        let shift = (index % per_byte) as u32 * u32::from(self.bits);
        let mask = (((1u16 << self.bits) - 1) as u8) << shift;
        (index / per_byte, shift, mask)
    }

    /// The status at `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<Status> {
        let (byte, shift, mask) = self.place(index);
        let b = *self.bytes.get(byte)?;
        Some(Status::from_value((b & mask) >> shift))
    }

    /// Sets the status at `index`; false past the end or if the value does not fit in `bits`.
    pub fn set(&mut self, index: usize, status: Status) -> bool {
        let (byte, shift, mask) = self.place(index);
        let value = status.value();
        if u16::from(value) >= 1u16 << self.bits {
            return false;
        }
        let Some(b) = self.bytes.get_mut(byte) else {
            return false;
        };
        *b = (*b & !mask) | (value << shift);
        true
    }

    /// `lst`: the bytes zlib-compressed (RFC 1950) and base64url-encoded.
    pub fn encode(&self) -> String {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let compressed = z
            .write_all(&self.bytes)
            .and_then(|()| z.finish())
            .unwrap_or_default();
        b64(compressed)
    }

    /// Reads `lst` with `bits` per status. Refuses lists that inflate past `max_bytes`.
    pub fn decode(bits: u8, lst: &str, max_bytes: usize) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        let compressed = unb64(lst).ok_or(StatusListError::Encoding)?;
        let mut bytes = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusListError::Encoding)?;
        if bytes.len() > max_bytes {
            return Err(StatusListError::Encoding);
        }
        Ok(StatusList { bits, bytes })
    }
}

fn check_bits(bits: u8) -> Result<(), StatusListError> {
    if matches!(bits, 1 | 2 | 4 | 8) {
        Ok(())
    } else {
        Err(StatusListError::Bits)
    }
}

/// A status list token's claims, read after its signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// The list's own URI; must equal the `uri` in the credential.
    pub sub: String,
    /// When it was signed.
    pub iat: i64,
    /// When it stops being usable, if set.
    pub exp: Option<i64>,
    /// How many seconds it may be used after `iat` before it must be fetched again, if set.
    pub ttl: Option<i64>,
    /// The list.
    pub list: StatusList,
}

impl StatusListToken {
    /// Whether the list may still be relied on at `now`: neither expired nor older than its TTL.
    pub fn is_fresh(&self, now: i64) -> bool {
        self.exp.is_none_or(|exp| now < exp) && self.ttl.is_none_or(|ttl| now <= self.iat + ttl)
    }

    /// Signs the token as `statuslist+jwt`.
    pub fn sign(&self, key: &SigningKey, kid: Option<&str>) -> String {
        let mut claims = Map::new();
        claims.insert("sub".into(), Value::from(self.sub.as_str()));
        claims.insert("iat".into(), Value::from(self.iat));
        if let Some(exp) = self.exp {
            claims.insert("exp".into(), Value::from(exp));
        }
        if let Some(ttl) = self.ttl {
            claims.insert("ttl".into(), Value::from(ttl));
        }
        claims.insert(
            "status_list".into(),
            json!({"bits": self.list.bits, "lst": self.list.encode()}),
        );
        jws::sign(jws::header(STATUS_LIST_TYP, kid), &claims, key)
    }

    /// Reads a parsed token's claims (the caller checks its signature and `typ`).
    pub fn from_jws(jws: &Jws, max_bytes: usize) -> Result<Self, StatusListError> {
        if jws.typ() != Some(STATUS_LIST_TYP) {
            return Err(StatusListError::Token("typ is not statuslist+jwt"));
        }
        let sub = jws
            .str_claim("sub")
            .ok_or(StatusListError::Token("no sub"))?;
        let iat = jws
            .int_claim("iat")
            .ok_or(StatusListError::Token("no iat"))?;
        let list = jws
            .claims
            .get("status_list")
            .ok_or(StatusListError::Token("no status_list"))?;
        let bits = list
            .get("bits")
            .and_then(Value::as_u64)
            .and_then(|b| u8::try_from(b).ok())
            .ok_or(StatusListError::Bits)?;
        let lst = list
            .get("lst")
            .and_then(Value::as_str)
            .ok_or(StatusListError::Token("no lst"))?;
        Ok(StatusListToken {
            sub: sub.to_owned(),
            iat,
            exp: jws.int_claim("exp"),
            ttl: jws.int_claim("ttl"),
            list: StatusList::decode(bits, lst, max_bytes)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn statuses_round_trip_through_encoding(
            bits in prop::sample::select(vec![1u8, 2, 4, 8]),
            values in prop::collection::vec(any::<u8>(), 1..300),
        ) {
            let mut list = StatusList::new(bits, values.len()).unwrap();
            let fit: Vec<u8> = values.iter().map(|v| (u16::from(*v) % (1u16 << bits)) as u8).collect();
            for (i, v) in fit.iter().enumerate() {
                prop_assert!(list.set(i, Status::from_value(*v)));
            }
            let back = StatusList::decode(bits, &list.encode(), 1 << 20).unwrap();
            for (i, v) in fit.iter().enumerate() {
                prop_assert_eq!(back.get(i), Some(Status::from_value(*v)));
            }
        }
    }

    #[test]
    fn a_value_too_wide_for_the_list_is_refused() {
        let mut list = StatusList::new(1, 8).unwrap();
        assert!(!list.set(0, Status::Suspended));
        assert!(!list.set(8, Status::Invalid));
        assert_eq!(list.get(8), None);
        assert_eq!(StatusList::new(3, 8), Err(StatusListError::Bits));
    }

    #[test]
    fn a_list_that_inflates_too_far_is_refused() {
        let big = StatusList::new(8, 100_000).unwrap();
        assert!(StatusList::decode(8, &big.encode(), 1000).is_err());
    }

    #[test]
    fn freshness_follows_exp_and_ttl() {
        let token = StatusListToken {
            sub: "u".into(),
            iat: 1000,
            exp: Some(5000),
            ttl: Some(300),
            list: StatusList::new(1, 8).unwrap(),
        };
        assert!(token.is_fresh(1300));
        assert!(!token.is_fresh(1301));
        let long = StatusListToken {
            ttl: None,
            ..token.clone()
        };
        assert!(long.is_fresh(4999));
        assert!(!long.is_fresh(5000));
    }
}
