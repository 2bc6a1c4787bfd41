//! The passport's issuers: each organisation's credential-signing keys (generated here, the
//! private half sealed under a data key the master key wraps, rotatable, with retired keys still
//! published so what they signed still verifies), their publication as JWT VC issuer metadata and
//! `did:web` documents, and the trust framework that says which issuer is trusted for which
//! credential type.

use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::OrgId;
use staffbank_ledger::keys::DataKey;
use staffbank_passport::jws::Jwk;
use staffbank_store::{IssuerKey, TrustEntry};
use uuid::Uuid;

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// An issuer key as shown: the public half only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuerKeyView {
    /// The key's id (`kid`).
    pub kid: String,
    /// The issuer identifier credentials carry as `iss`.
    pub issuer: String,
    /// The public key as a JWK.
    #[schema(value_type = Object)]
    pub public_jwk: Value,
    /// When it became current.
    pub created_at: DateTime<Utc>,
}

/// Trust an issuer for a credential type, or stop trusting it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTrust {
    /// The issuing organisation.
    pub org_id: Uuid,
    /// The credential type (`vct`).
    pub vct: String,
    /// True to trust, false to stop trusting.
    pub trusted: bool,
}

/// One entry of the trust framework.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrustView {
    /// The issuing organisation.
    pub org_id: Uuid,
    /// Its issuer identifier.
    pub issuer: String,
    /// The credential type it is trusted for.
    pub vct: String,
    /// Since when.
    pub added_at: DateTime<Utc>,
}

/// Longest credential type identifier accepted.
const MAX_VCT: usize = 200;

/// A credential type identifier (`vct`) as given: 1 to [`MAX_VCT`] visible ASCII characters.
pub(crate) fn parse_vct(raw: &str) -> Result<&str, AppError> {
    let vct = raw.trim();
    if vct.is_empty() || vct.len() > MAX_VCT || !vct.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            "vct",
            format!("must be 1 to {MAX_VCT} visible ASCII characters"),
        ));
    }
    Ok(vct)
}

impl App {
    /// The issuer identifier (`iss`) of an organisation: an HTTPS URL under this platform, whose
    /// JWT VC issuer metadata is at `/.well-known/jwt-vc-issuer/issuers/{org}`.
    pub fn issuer_id(&self, org: OrgId) -> String {
        format!("{}/issuers/{}", self.public_url, org.0)
    }

    /// An organisation's name, for pages that show who issued or who asked ("an organisation"
    /// if it is gone).
    pub async fn organisation_name(&self, org: OrgId) -> Result<String, AppError> {
        Ok(self
            .store
            .organisation(org)
            .await?
            .map_or_else(|| "an organisation".to_owned(), |o| o.name.to_string()))
    }

    /// The `did:web` identifier of an organisation's issuer, resolving to
    /// `/issuers/{org}/did.json` (W3C CCG did:web method: a port's colon is percent-encoded and
    /// path segments are joined with colons).
    pub fn issuer_did(&self, org: OrgId) -> String {
        let host = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_ref(), |(_, rest)| rest);
        let host = host.replace(':', "%3A").replace('/', ":");
        format!("did:web:{host}:issuers:{}", org.0)
    }

    pub(crate) fn may_manage_issuer(who: &Principal, org: OrgId) -> bool {
        who.is_platform_admin()
            || who.user.grants.iter().any(|g| {
                matches!(g.role, Role::ComplianceOfficer | Role::CredentialIssuer)
                    && g.scope == Scope::Organisation(org)
            })
    }

    /// Generates a new signing key for an organisation and makes it current; the one before is
    /// retired but still published. For the organisation's compliance officers and credential
    /// issuers, and platform administrators.
    pub async fn rotate_issuer_key(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<IssuerKeyView, AppError> {
        if !Self::may_manage_issuer(who, org) {
            return Err(AppError::NotFound);
        }
        let rng = &mut rand::rngs::OsRng;
        let id = Uuid::new_v4();
        let signing = SigningKey::random(rng);
        let data_key = DataKey::generate(rng);
        let jwk = Jwk::from_key(signing.verifying_key(), Some(id.to_string()));
        let public_jwk = serde_json::to_value(&jwk)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("a JWK does not serialise: {e}")))?;
        let key = IssuerKey {
            id,
            org_id: org,
            public_jwk: public_jwk.to_string(),
            wrapped_key: self.master.wrap(id, &data_key, rng),
            sealed_private: data_key.seal(id, &signing.to_bytes(), rng),
            created_at: self.now(),
            retired_at: None,
        };
        let record = self
            .audit_record(Change {
                action: "issuer_key.rotated",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"org": org, "kid": id, "public_jwk": public_jwk}),
                personal: None,
            })
            .await?;
        self.store.rotate_issuer_key(&key, &[record]).await?;
        self.issuer_views.forget(org);
        Ok(IssuerKeyView {
            kid: id.to_string(),
            issuer: self.issuer_id(org),
            public_jwk,
            created_at: key.created_at,
        })
    }

    /// Every public key of an organisation's issuer, current and retired; 404 if it has none.
    async fn issuer_jwks(&self, org: OrgId) -> Result<Vec<Value>, AppError> {
        let keys = self.store.issuer_keys(org).await?;
        if keys.is_empty() {
            return Err(AppError::NotFound);
        }
        keys.iter()
            .map(|k| {
                serde_json::from_str(&k.public_jwk).map_err(|e| {
                    AppError::Unexpected(anyhow::anyhow!("a stored JWK does not parse: {e}"))
                })
            })
            .collect()
    }

    /// JWT VC issuer metadata (SD-JWT VC draft, "JWT VC Issuer Metadata"): the issuer identifier
    /// and its keys, so a verifier resolves keys without asking the issuer about anyone.
    pub async fn issuer_metadata(&self, org: OrgId) -> Result<Value, AppError> {
        let keys = self.issuer_jwks(org).await?;
        Ok(json!({"issuer": self.issuer_id(org), "jwks": {"keys": keys}}))
    }

    /// The issuer's `did:web` document (W3C DID Core), listing each key as a JsonWebKey2020
    /// verification method usable for assertions.
    pub async fn issuer_did_document(&self, org: OrgId) -> Result<Value, AppError> {
        let did = self.issuer_did(org);
        let keys = self.issuer_jwks(org).await?;
        let methods: Vec<Value> = keys
            .iter()
            .map(|jwk| {
                let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or_default();
                json!({"id": format!("{did}#{kid}"), "type": "JsonWebKey2020",
                    "controller": did, "publicKeyJwk": jwk})
            })
            .collect();
        let ids: Vec<Value> = methods.iter().map(|m| m["id"].clone()).collect();
        Ok(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": ids,
        }))
    }

    /// Adds an issuer to the trust framework for a credential type, or removes it. Platform
    /// administrators only.
    pub async fn set_trust(&self, who: &Principal, input: SetTrust) -> Result<TrustView, AppError> {
        who.require_platform_admin()?;
        let vct = parse_vct(&input.vct)?;
        let org = OrgId(input.org_id);
        if self.store.organisation(org).await?.is_none() {
            return Err(AppError::field("org_id", "no such organisation"));
        }
        let entry = TrustEntry {
            org_id: org,
            vct: vct.to_owned(),
            added_by: who.user.id,
            added_at: self.now(),
        };
        let record = self
            .audit_record(Change {
                action: if input.trusted {
                    "trust.added"
                } else {
                    "trust.removed"
                },
                actor: Some(who.user.id),
                tenant: None,
                subject: None,
                facts: json!({"org": org, "vct": vct}),
                personal: None,
            })
            .await?;
        self.store
            .set_trusted_issuer(&entry, input.trusted, &[record])
            .await?;
        self.issuer_views.forget(entry.org_id);
        Ok(self.trust_view(&entry))
    }

    fn trust_view(&self, entry: &TrustEntry) -> TrustView {
        TrustView {
            org_id: entry.org_id.0,
            issuer: self.issuer_id(entry.org_id),
            vct: entry.vct.clone(),
            added_at: entry.added_at,
        }
    }

    /// The whole trust framework: public, so any verifier can see whom it trusts for what.
    pub async fn trust_framework(&self) -> Result<Vec<TrustView>, AppError> {
        let entries = self.store.trust_framework().await?;
        Ok(entries.iter().map(|e| self.trust_view(e)).collect())
    }
}
