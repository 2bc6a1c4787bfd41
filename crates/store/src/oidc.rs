//! Signing in with an organisation's OpenID Connect provider, as the store keeps it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::{OrgId, UserId};
use uuid::Uuid;

use crate::{AuditRecord, StoreError};

/// An organisation's OpenID Connect provider (NHS CIS2, NHSmail's Entra ID), as configured by a
/// platform administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// Identity.
    pub id: Uuid,
    /// The organisation whose staff sign in with it.
    pub org_id: OrgId,
    /// The issuer identifier, from which discovery starts (OpenID Connect Discovery 1.0).
    pub issuer_url: String,
    /// Staffbank's client id at the provider.
    pub client_id: String,
    /// The client secret, sealed under a key derived from the master key.
    pub sealed_secret: Vec<u8>,
    /// The button's words, such as "Sign in with NHSmail".
    pub display_name: String,
    /// Whether the organisation's staff may no longer sign in with a password.
    pub passwords_off: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// One trip to a provider: what the callback needs to check the answer, kept until it comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcAttempt {
    /// SHA-256 of the `state` sent, hex (the state itself is only in the browser).
    pub state_hash: String,
    /// The provider.
    pub provider_id: Uuid,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (RFC 7636).
    pub pkce_verifier: String,
    /// When it stops being good.
    pub expires_at: DateTime<Utc>,
}

/// A provider's subject an administrator linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcLink {
    /// The provider.
    pub provider_id: Uuid,
    /// The ID token's `sub`.
    pub subject: String,
    /// The account it signs in as.
    pub user_id: UserId,
    /// The administrator who linked it.
    pub linked_by: UserId,
    /// When.
    pub linked_at: DateTime<Utc>,
}

/// Providers, sign-in attempts and linked subjects.
#[async_trait]
pub trait OidcStore: Send + Sync + 'static {
    /// Adds a provider, or replaces the one with its id (keeping its organisation and creation).
    async fn save_oidc_provider(
        &self,
        provider: &OidcProvider,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Removes a provider with its links and unfinished attempts, so its button goes and nobody
    /// signs in through it again. False if there was no such provider.
    async fn remove_oidc_provider(
        &self,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// One provider.
    async fn oidc_provider(&self, id: Uuid) -> Result<Option<OidcProvider>, StoreError>;

    /// Every provider, by display name.
    async fn oidc_providers(&self) -> Result<Vec<OidcProvider>, StoreError>;

    /// Keeps an attempt until its callback.
    async fn create_oidc_attempt(&self, attempt: &OidcAttempt) -> Result<(), StoreError>;

    /// Takes an attempt once: removes and returns it if it exists and has not expired at `now`.
    /// A second call with the same state finds nothing.
    async fn take_oidc_attempt(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OidcAttempt>, StoreError>;

    /// Links a subject to an account, replacing any earlier link of that subject.
    async fn link_oidc_subject(
        &self,
        link: &OidcLink,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// The account a provider's subject was linked to.
    async fn oidc_linked_user(
        &self,
        provider: Uuid,
        subject: &str,
    ) -> Result<Option<UserId>, StoreError>;

    /// Whether an account belongs to an organisation: a grant over it or one of its wards, or a
    /// worker in a bank it leads or belongs to.
    async fn user_in_org(&self, user: UserId, org: OrgId) -> Result<bool, StoreError>;

    /// Whether an account belongs to an organisation that has turned passwords off.
    async fn passwords_off_for(&self, user: UserId) -> Result<bool, StoreError>;
}
