//! Organisations and banks.

use serde::{Deserialize, Serialize};

use crate::text::TextError;

/// An Organisation Data Service code: 3 characters for an NHS trust (e.g. `RXL`), up to 6 for other
/// bodies. Upper-case letters and digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OdsCode(String);

impl OdsCode {
    /// Parses a code, upper-casing it.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let value = raw.trim().to_ascii_uppercase();
        if !(3..=6).contains(&value.len()) || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(TextError::Invalid(
                "must be an ODS code of 3 to 6 letters and digits",
            ));
        }
        Ok(Self(value))
    }

    /// The code itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of body an organisation is; it decides which roles make sense there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// An NHS trust that employs staff and posts shifts.
    Trust,
    /// A body that issues credentials (GMC, NMC, DBS, a training provider...).
    Issuer,
}

impl OrgKind {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Issuer => "issuer",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "trust" => Some(Self::Trust),
            "issuer" => Some(Self::Issuer),
            _ => None,
        }
    }
}

/// Whether a bank belongs to one trust or is shared by several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankKind {
    /// A trust's own bank: its only member is the trust itself.
    Own,
    /// Shared by the trusts of an ICS; a lead employer holds the worker's contract and pays.
    Collaborative,
}

impl BankKind {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Collaborative => "collaborative",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "own" => Some(Self::Own),
            "collaborative" => Some(Self::Collaborative),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_upper_cased_and_checked() {
        assert_eq!(OdsCode::parse("rxl").map(|c| c.0), Ok("RXL".into()));
        assert!(OdsCode::parse("RX").is_err());
        assert!(OdsCode::parse("RX-L").is_err());
        assert!(OdsCode::parse("RXLABCD").is_err());
    }
}
