//! The passport's issuers as stored: signing keys and the trust framework.

use chrono::{DateTime, Utc};
use staffbank_domain::{OrgId, UserId};
use uuid::Uuid;

/// One of an organisation's credential-signing keys. The private half is sealed under a data key
/// that the master key wraps, so a copy of the database alone cannot sign anything.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuerKey {
    /// Identity; also the key's `kid`.
    pub id: Uuid,
    /// The issuing organisation.
    pub org_id: OrgId,
    /// The public key as a JWK (JSON text), as published.
    pub public_jwk: String,
    /// The data key, wrapped under the master key (bound to `id`).
    pub wrapped_key: Vec<u8>,
    /// The private key, sealed under the data key (bound to `id`).
    pub sealed_private: Vec<u8>,
    /// When it became current.
    pub created_at: DateTime<Utc>,
    /// When a newer key replaced it; it still verifies what it signed.
    pub retired_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("public_jwk", &self.public_jwk)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

/// An entry of the trust framework: this issuer is trusted for this credential type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// The issuing organisation.
    pub org_id: OrgId,
    /// The credential type (`vct`).
    pub vct: String,
    /// The platform administrator who added it.
    pub added_by: UserId,
    /// When.
    pub added_at: DateTime<Utc>,
}
