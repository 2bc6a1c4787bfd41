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

/// Where a passport credential offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferState {
    /// Waiting for the worker.
    Offered,
    /// Accepted: issued, bound to the worker's key, in their wallet.
    Accepted,
    /// Turned down by the worker.
    Rejected,
}

/// A credential's revocation state, as published in its issuer's status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationState {
    /// Valid.
    Valid,
    /// Revoked for good.
    Revoked,
    /// Suspended; may be reinstated.
    Suspended,
}

macro_rules! stable_names {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Stable name used in storage and the API.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            /// Parses a stable name.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}
pub(crate) use stable_names;

stable_names!(OfferState { Offered => "offered", Accepted => "accepted", Rejected => "rejected" });
stable_names!(RevocationState { Valid => "valid", Revoked => "revoked", Suspended => "suspended" });

/// A passport credential from offer to wallet: what an issuer offered a worker and, once they
/// accepted with their key, the signed SD-JWT VC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassportCredential {
    /// Identity.
    pub id: Uuid,
    /// The issuing organisation.
    pub org_id: OrgId,
    /// The worker it is for.
    pub worker_id: staffbank_domain::WorkerId,
    /// Its type.
    pub vct: String,
    /// The type's claims (JSON, `domain::credential_claims::CredentialClaims`).
    pub claims: String,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The fresh value the worker's proof of possession must carry.
    pub nonce: String,
    /// Offered, accepted or rejected.
    pub state: OfferState,
    /// Who offered it.
    pub offered_by: UserId,
    /// When.
    pub offered_at: DateTime<Utc>,
    /// When the worker accepted or rejected it.
    pub decided_at: Option<DateTime<Utc>>,
    /// The issued SD-JWT VC with every disclosure, once accepted.
    pub sd_jwt: Option<String>,
    /// The worker's public key it is bound to (JWK JSON), once accepted.
    pub holder_jwk: Option<String>,
    /// Its index in the issuer's status list, chosen at random by the store.
    pub status_idx: u32,
    /// Valid, revoked or suspended.
    pub revocation: RevocationState,
}

/// Where a presentation request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    /// Waiting for the worker.
    Pending,
    /// The worker said no.
    Declined,
    /// Presented, and every check passed.
    Verified,
    /// Presented, and a check failed.
    Failed,
}
stable_names!(RequestState { Pending => "pending", Declined => "declined", Verified => "verified", Failed => "failed" });

/// A verifier's request for a worker's claims, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationRequest {
    /// Identity.
    pub id: Uuid,
    /// The verifying organisation.
    pub verifier_org: OrgId,
    /// The worker asked.
    pub worker_id: staffbank_domain::WorkerId,
    /// The credential type asked for.
    pub vct: String,
    /// The claims asked for (JSON array of names).
    pub claims: String,
    /// Why, in the verifier's words, shown to the worker.
    pub purpose: String,
    /// Fresh, single use.
    pub nonce: String,
    /// Who asked.
    pub requested_by: UserId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Until when it can be answered.
    pub expires_at: DateTime<Utc>,
    /// Where it stands.
    pub state: RequestState,
    /// When the worker answered.
    pub decided_at: Option<DateTime<Utc>>,
    /// The outcome of every check and what was disclosed (JSON), once presented.
    pub result: Option<String>,
}

/// A change of a passport credential's revocation state, with what it does to the credential
/// record that booking eligibility reads.
#[derive(Debug, Clone)]
pub struct RevocationChange<'a> {
    /// The passport credential.
    pub id: Uuid,
    /// Its new state.
    pub state: RevocationState,
    /// Who changed it.
    pub by: UserId,
    /// Why.
    pub reason: &'a str,
    /// When.
    pub at: DateTime<Utc>,
    /// On reinstatement, the credential record that makes it count again for bookings.
    pub reinstated: Option<&'a crate::Credential>,
}
