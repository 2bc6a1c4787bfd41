//! Organisations' OpenID Connect providers (NHS CIS2, NHSmail's Entra ID, NHS login), as a
//! platform administrator configures them, and subjects an administrator links to accounts.
//!
//! A client secret is sealed under a key derived from the master key the moment it arrives and
//! is opened only to redeem a code; no answer ever carries it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::text::Label;
use staffbank_domain::{OrgId, UserId};
use staffbank_ledger::keys::DataKey;
use staffbank_store::{OidcLink, OidcProvider};
use uuid::Uuid;

use crate::audit::Change;
use crate::error::Fields;
use crate::{App, AppError, Principal};

/// A provider to add or change. On a change, a missing `client_secret` keeps the stored one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    /// The organisation whose staff sign in with it (ignored on a change).
    pub org_id: Uuid,
    /// The issuer identifier, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`.
    pub issuer_url: String,
    /// Staffbank's client id at the provider.
    pub client_id: String,
    /// The client secret; never shown again.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The button's words, e.g. "Sign in with NHSmail".
    pub display_name: String,
    /// Whether the organisation's staff may no longer sign in with a password.
    #[serde(default)]
    pub passwords_off: bool,
}

/// A provider as administrators see it: everything but the secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderView {
    /// Identity.
    pub id: Uuid,
    /// The organisation.
    pub org_id: Uuid,
    /// The issuer identifier.
    pub issuer_url: String,
    /// Staffbank's client id at the provider.
    pub client_id: String,
    /// The button's words.
    pub display_name: String,
    /// Whether the organisation's staff may no longer sign in with a password.
    pub passwords_off: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl From<&OidcProvider> for ProviderView {
    fn from(p: &OidcProvider) -> Self {
        Self {
            id: p.id,
            org_id: p.org_id.0,
            issuer_url: p.issuer_url.clone(),
            client_id: p.client_id.clone(),
            display_name: p.display_name.clone(),
            passwords_off: p.passwords_off,
            created_at: p.created_at,
        }
    }
}

/// Link a provider's subject to an account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The account; it must belong to the provider's organisation.
    pub user_id: Uuid,
    /// The subject (`sub`) the provider gives that person.
    pub subject: String,
}

/// A sign-in button: what anyone may know about a provider.
#[derive(Debug, Clone)]
pub struct SignInButton {
    /// The provider.
    pub id: Uuid,
    /// The button's words.
    pub display_name: String,
}

/// Whether an issuer URL is acceptable: HTTPS, or HTTP to this machine only (a provider run
/// alongside for testing). OpenID Connect Core 1.0 section 3.1.2.1 requires TLS.
fn check_issuer(url: &str) -> Result<(), &'static str> {
    let secure = url.starts_with("https://");
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p));
    if !(secure || loopback) || url.len() > 500 || url.contains(char::is_whitespace) {
        return Err("must be an https:// address");
    }
    openidconnect::IssuerUrl::new(url.to_owned())
        .map(|_| ())
        .map_err(|_| "must be an https:// address")
}

impl App {
    /// The key client secrets are sealed under.
    pub(crate) fn oidc_secret_key(&self) -> DataKey {
        self.master.derived(b"openid connect client secrets v1")
    }

    /// The sign-in page's buttons, one per configured provider.
    pub async fn sign_in_buttons(&self) -> Result<Vec<SignInButton>, AppError> {
        Ok(self
            .store
            .oidc_providers()
            .await?
            .into_iter()
            .map(|p| SignInButton {
                id: p.id,
                display_name: p.display_name,
            })
            .collect())
    }

    /// Every provider, for platform administrators.
    pub async fn oidc_providers(&self, who: &Principal) -> Result<Vec<ProviderView>, AppError> {
        who.require_platform_admin()?;
        Ok(self
            .store
            .oidc_providers()
            .await?
            .iter()
            .map(ProviderView::from)
            .collect())
    }

    /// One provider, for platform administrators.
    pub async fn oidc_provider(&self, who: &Principal, id: Uuid) -> Result<ProviderView, AppError> {
        who.require_platform_admin()?;
        let provider = self.store.oidc_provider(id).await?;
        provider
            .as_ref()
            .map(ProviderView::from)
            .ok_or(AppError::NotFound)
    }

    /// Adds a provider for an organisation (`id` none) or changes one.
    pub async fn save_oidc_provider(
        &self,
        who: &Principal,
        id: Option<Uuid>,
        input: ProviderInput,
    ) -> Result<ProviderView, AppError> {
        who.require_platform_admin()?;
        let existing = match id {
            Some(id) => Some(
                self.store
                    .oidc_provider(id)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let mut fields = Fields::default();
        let issuer = input.issuer_url.trim().trim_end_matches('/').to_owned();
        fields.take("issuer_url", check_issuer(&issuer));
        let client_id = fields.take("client_id", Label::parse(&input.client_id, 200));
        let display_name = fields.take("display_name", Label::parse(&input.display_name, 60));
        let secret = match (&input.client_secret, &existing) {
            (Some(s), _) if !s.trim().is_empty() && s.len() <= 500 => Some(s.trim().to_owned()),
            (Some(s), _) if s.len() > 500 => {
                fields.push("client_secret", "must be at most 500 characters");
                None
            }
            (_, Some(_)) => None,
            _ => {
                fields.push("client_secret", "enter the client secret");
                None
            }
        };
        let org = match &existing {
            Some(p) => Some(p.org_id),
            None => match self.store.organisation(OrgId(input.org_id)).await? {
                Some(org) => Some(org.id),
                None => {
                    fields.push("org_id", "no such organisation");
                    None
                }
            },
        };
        fields.finish()?;
        let (Some(client_id), Some(display_name), Some(org)) = (client_id, display_name, org)
        else {
            return Err(AppError::field("client_id", "invalid"));
        };
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |p| p.id);
        let sealed_secret = match (secret, &existing) {
            (Some(secret), _) => {
                self.oidc_secret_key()
                    .seal(id, secret.as_bytes(), &mut rand::rngs::OsRng)
            }
            (None, Some(p)) => p.sealed_secret.clone(),
            (None, None) => return Err(AppError::field("client_secret", "enter the secret")),
        };
        let provider = OidcProvider {
            id,
            org_id: org,
            issuer_url: issuer,
            client_id: client_id.as_str().to_owned(),
            sealed_secret,
            display_name: display_name.as_str().to_owned(),
            passwords_off: input.passwords_off,
            created_at: existing
                .as_ref()
                .map_or_else(|| self.now(), |p| p.created_at),
        };
        let record = self
            .audit_record(Change {
                action: if existing.is_some() {
                    "oidc_provider.changed"
                } else {
                    "oidc_provider.added"
                },
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({
                    "provider": id, "issuer_url": provider.issuer_url,
                    "client_id": provider.client_id, "passwords_off": provider.passwords_off,
                }),
                personal: None,
            })
            .await?;
        self.store.save_oidc_provider(&provider, &[record]).await?;
        Ok(ProviderView::from(&provider))
    }

    /// Removes a provider: its button leaves the sign-in page, its links go, sign-ins started
    /// through it fail, and its organisation's passwords work again.
    pub async fn remove_oidc_provider(&self, who: &Principal, id: Uuid) -> Result<(), AppError> {
        who.require_platform_admin()?;
        let provider = self
            .store
            .oidc_provider(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: "oidc_provider.removed",
                actor: Some(who.user.id),
                tenant: Some(provider.org_id),
                subject: None,
                facts: json!({"provider": id, "issuer_url": provider.issuer_url}),
                personal: None,
            })
            .await?;
        if self.store.remove_oidc_provider(id, &[record]).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Links a provider's subject to an account of the provider's organisation. An account of
    /// another organisation is `NotFound`, as if it did not exist.
    pub async fn link_oidc_subject(
        &self,
        who: &Principal,
        provider: Uuid,
        input: LinkInput,
    ) -> Result<(), AppError> {
        who.require_platform_admin()?;
        let provider = self
            .store
            .oidc_provider(provider)
            .await?
            .ok_or(AppError::NotFound)?;
        let subject = input.subject.trim();
        if subject.is_empty() || subject.len() > 255 {
            return Err(AppError::field("subject", "must be 1 to 255 characters"));
        }
        let user = UserId(input.user_id);
        if !self.store.user_in_org(user, provider.org_id).await? {
            return Err(AppError::NotFound);
        }
        let link = OidcLink {
            provider_id: provider.id,
            subject: subject.to_owned(),
            user_id: user,
            linked_by: who.user.id,
            linked_at: self.now(),
        };
        let record = self
            .audit_record(Change {
                action: "oidc_subject.linked",
                actor: Some(who.user.id),
                tenant: Some(provider.org_id),
                subject: Some(user),
                facts: json!({"provider": provider.id}),
                personal: Some(json!({"subject": link.subject})),
            })
            .await?;
        self.store.link_oidc_subject(&link, &[record]).await?;
        Ok(())
    }
}

impl App {
    /// Links a provider's subject to the account with this email, for the administrators' page;
    /// an email with no account at the provider's organisation is a field error.
    pub async fn link_oidc_subject_by_email(
        &self,
        who: &Principal,
        provider: Uuid,
        email: &str,
        subject: &str,
    ) -> Result<(), AppError> {
        who.require_platform_admin()?;
        let unknown = || {
            AppError::field(
                "email",
                "no account of the provider's organisation has this email address",
            )
        };
        let email = email.trim().to_lowercase();
        if email.is_empty() || email.len() > 254 {
            return Err(unknown());
        }
        let user = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or_else(unknown)?;
        let input = LinkInput {
            user_id: user.id.0,
            subject: subject.to_owned(),
        };
        match self.link_oidc_subject(who, provider, input).await {
            Err(AppError::NotFound) if self.store.oidc_provider(provider).await?.is_some() => {
                Err(unknown())
            }
            other => other,
        }
    }
}
