//! OpenID for Verifiable Credential Issuance 1.0, so that a standards-based wallet app can take a
//! credential a trust offers, as the built-in wallet does: the pre-authorised code flow
//! (section 3.5), with the credential offer (section 4), the token endpoint (section 6), the
//! nonce endpoint (section 7) and the credential endpoint (section 8) with a `jwt` proof of
//! possession (appendix F.1). The worker, signed in, is shown the offer; its pre-authorised code
//! is the only thing that lets an app collect that one credential, once.
//!
//! Codes, access tokens and nonces are not stored: each is sealed (XChaCha20-Poly1305) under a
//! key derived from the master key, carries its kind, offer, issuer and expiry, and is refused
//! once expired or once the offer is decided (an offer is decided once, so a code or token
//! cannot collect a second credential). A code also carries the offer's nonce as it was when the
//! code was made; redeeming the code renews that nonce, so a code buys one token only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::kind_of_vct;
use staffbank_domain::OrgId;
use staffbank_ledger::keys::DataKey;
use staffbank_passport::proof_of_possession::Refusal;
use staffbank_store::OfferState;
use uuid::Uuid;

use crate::{App, AppError, Principal};

/// The grant type of the pre-authorised code flow (OpenID4VCI 1.0 section 4.1.1).
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// How long an offer's pre-authorised code may be redeemed.
const CODE_LIFETIME: Duration = Duration::minutes(10);
/// How long an access token lasts, seconds.
const ACCESS_LIFETIME: i64 = 300;
/// How long a nonce from the nonce endpoint may be used in a proof, seconds.
const NONCE_LIFETIME: i64 = 300;

/// What a sealed code, token or nonce says.
#[derive(Serialize, Deserialize)]
struct Sealed {
    /// `code`, `access` or `nonce`.
    kind: String,
    /// The issuer.
    org: Uuid,
    /// The offer (nil for a nonce).
    offer: Uuid,
    /// Expiry, seconds since the epoch.
    exp: i64,
    /// Randomness, so no two are alike.
    salt: Uuid,
    /// For a code, the offer's nonce when the code was made: redeeming the code renews that
    /// nonce, so a code is good once (empty for tokens and nonces).
    #[serde(default)]
    bound: String,
}

/// A credential offer for a wallet app (OpenID4VCI 1.0 section 4.1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CredentialOfferView {
    /// The offer object.
    #[schema(value_type = Object)]
    pub credential_offer: Value,
    /// The same, as the `openid-credential-offer://` link a wallet app opens or scans.
    pub uri: String,
    /// Until when its code can be redeemed.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A token request (form fields, RFC 6749 section 4.1.3 with OpenID4VCI 1.0 section 6.1).
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    /// Must be the pre-authorised code grant.
    #[serde(default)]
    pub grant_type: String,
    /// The offer's code.
    #[serde(default, rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
}

/// A credential request (OpenID4VCI 1.0 section 8.2).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CredentialRequest {
    /// Which credential configuration (the type, e.g. `professional_registration`).
    pub credential_configuration_id: Option<String>,
    /// Proofs of possession: `{"jwt": ["<openid4vci-proof+jwt>"]}`.
    #[schema(value_type = Option<Object>)]
    pub proofs: Option<Value>,
}

fn refuse(code: &'static str, why: impl Into<String>) -> AppError {
    AppError::Wallet(code, why.into())
}

impl App {
    fn wallet_key(&self) -> DataKey {
        self.master
            .derived(b"openid4vci codes, tokens and nonces v1")
    }

    fn seal(&self, kind: &str, org: OrgId, offer: Uuid, exp: i64) -> String {
        self.seal_bound(kind, org, offer, exp, "")
    }

    fn seal_bound(&self, kind: &str, org: OrgId, offer: Uuid, exp: i64, bound: &str) -> String {
        let sealed = Sealed {
            kind: kind.to_owned(),
            org: org.0,
            offer,
            exp,
            salt: Uuid::new_v4(),
            bound: bound.to_owned(),
        };
        let plain = serde_json::to_vec(&sealed).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(
            self.wallet_key()
                .seal(Uuid::nil(), &plain, &mut rand::rngs::OsRng),
        )
    }

    /// Opens a sealed value of `kind` for issuer `org` that has not expired; its offer.
    fn open(&self, text: &str, kind: &str, org: OrgId) -> Option<Uuid> {
        self.open_sealed(text, kind, org).map(|sealed| sealed.offer)
    }

    /// Opens a sealed value of `kind` for issuer `org` that has not expired; all it says.
    fn open_sealed(&self, text: &str, kind: &str, org: OrgId) -> Option<Sealed> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let plain = self.wallet_key().open(Uuid::nil(), &bytes).ok()?;
        let sealed: Sealed = serde_json::from_slice(&plain).ok()?;
        (sealed.kind == kind && sealed.org == org.0 && sealed.exp > self.now().timestamp())
            .then_some(sealed)
    }

    /// The issuer's OpenID4VCI metadata (section 12.2): its endpoints, and a configuration per
    /// credential type it can issue, all `dc+sd-jwt`, ES256, bound to a JWK.
    pub async fn credential_issuer_metadata(&self, org: OrgId) -> Result<Value, AppError> {
        if self.store.issuer_keys(org).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        let issuer = self.issuer_id(org);
        let configurations: serde_json::Map<String, Value> = CredentialKind::ALL
            .iter()
            .map(|kind| {
                let vct = staffbank_domain::credential_claims::vct(*kind);
                let config = json!({
                    "format": "dc+sd-jwt",
                    "vct": vct,
                    "cryptographic_binding_methods_supported": ["jwk"],
                    "credential_signing_alg_values_supported": ["ES256"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
                    "credential_metadata": {"display": [{"name": kind.label(), "locale": "en-GB"}]},
                });
                (kind.as_str().to_owned(), config)
            })
            .collect();
        Ok(json!({
            "credential_issuer": issuer,
            "credential_endpoint": format!("{issuer}/credential"),
            "nonce_endpoint": format!("{issuer}/nonce"),
            "display": [{"name": self.organisation_name(org).await?, "locale": "en-GB"}],
            "credential_configurations_supported": configurations,
        }))
    }

    /// The issuer's OAuth authorisation server metadata (RFC 8414): the token endpoint, and
    /// that a pre-authorised code needs no client authentication.
    pub async fn authorization_server_metadata(&self, org: OrgId) -> Result<Value, AppError> {
        if self.store.issuer_keys(org).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        let issuer = self.issuer_id(org);
        Ok(json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/token"),
            "grant_types_supported": [PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true,
        }))
    }

    /// A credential offer for one of the signed-in worker's offered credentials, for a wallet
    /// app to open.
    pub async fn credential_offer(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<CredentialOfferView, AppError> {
        let worker = who.require_worker()?;
        let offer = match self.store.passport_credential(id).await? {
            Some(c) if c.worker_id == worker.id => c,
            _ => return Err(AppError::NotFound),
        };
        if offer.state != OfferState::Offered {
            return Err(staffbank_store::StoreError::Conflict(
                staffbank_store::Conflict::RequestDecided,
            )
            .into());
        }
        if !self.offer_is_open(&offer) {
            return Err(crate::passport::offer_expired());
        }
        let kind = kind_of_vct(&offer.vct).ok_or(AppError::NotFound)?;
        let expires_at = self.now() + CODE_LIFETIME;
        let code = self.seal_bound(
            "code",
            offer.org_id,
            offer.id,
            expires_at.timestamp(),
            &offer.nonce,
        );
        let credential_offer = json!({
            "credential_issuer": self.issuer_id(offer.org_id),
            "credential_configuration_ids": [kind.as_str()],
            "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code}},
        });
        let uri = format!(
            "openid-credential-offer://?credential_offer={}",
            percent_encode(&credential_offer.to_string())
        );
        Ok(CredentialOfferView {
            credential_offer,
            uri,
            expires_at,
        })
    }

    /// The token endpoint: a pre-authorised code for a still-open offer buys a short-lived
    /// access token for that offer, once: redeeming it renews the offer's nonce the code was
    /// bound to, so the same code (or any other made before) is refused after.
    pub async fn wallet_token(&self, org: OrgId, input: TokenRequest) -> Result<Value, AppError> {
        if input.grant_type != PRE_AUTHORIZED_GRANT {
            return Err(refuse(
                "unsupported_grant_type",
                "only the pre-authorized_code grant is supported",
            ));
        }
        let code = self
            .open_sealed(&input.pre_authorized_code, "code", org)
            .ok_or_else(|| refuse("invalid_grant", "the code is not valid here, or expired"))?;
        let offer = code.offer;
        self.open_offer(offer)
            .await?
            .ok_or_else(|| refuse("invalid_grant", "the offer has already been decided"))?;
        let renewed = crate::passport::b64_random(16);
        if !self
            .store
            .renew_passport_offer_nonce(offer, &code.bound, &renewed)
            .await?
        {
            return Err(refuse("invalid_grant", "the code has already been used"));
        }
        let exp = self.now().timestamp() + ACCESS_LIFETIME;
        Ok(json!({
            "access_token": self.seal("access", org, offer, exp),
            "token_type": "Bearer",
            "expires_in": ACCESS_LIFETIME,
        }))
    }

    /// The nonce endpoint: a fresh `c_nonce` for a proof of possession.
    pub fn wallet_nonce(&self, org: OrgId) -> Value {
        let exp = self.now().timestamp() + NONCE_LIFETIME;
        json!({"c_nonce": self.seal("nonce", org, Uuid::nil(), exp)})
    }

    /// The credential endpoint: with the offer's access token and a proof of possession over a
    /// nonce from the nonce endpoint, signs the credential bound to the proven key.
    pub async fn wallet_credential(
        &self,
        org: OrgId,
        bearer: Option<&str>,
        input: CredentialRequest,
    ) -> Result<Value, AppError> {
        let offer_id = bearer
            .and_then(|token| self.open(token, "access", org))
            .ok_or_else(|| {
                refuse(
                    "invalid_token",
                    "send the access token from the token endpoint",
                )
            })?;
        let offer = self
            .open_offer(offer_id)
            .await?
            .ok_or_else(|| refuse("invalid_token", "the offer has already been decided"))?;
        let kind = kind_of_vct(&offer.vct).ok_or(AppError::NotFound)?;
        if input.credential_configuration_id.as_deref() != Some(kind.as_str()) {
            return Err(refuse(
                "unknown_credential_configuration",
                format!("this token is for {}", kind.as_str()),
            ));
        }
        let proofs = input
            .proofs
            .as_ref()
            .and_then(|p| p.get("jwt"))
            .and_then(Value::as_array)
            .filter(|list| list.len() == 1)
            .and_then(|list| list[0].as_str())
            .ok_or_else(|| refuse("invalid_proof", "send exactly one proof in proofs.jwt"))?;
        let holder = self
            .proven_key(org, proofs, |nonce| {
                self.open(nonce, "nonce", org).is_some()
            })
            .map_err(|refusal| {
                let why = crate::passport::proof_refusal(&refusal);
                if refusal == Refusal::Nonce {
                    refuse("invalid_nonce", why)
                } else {
                    refuse("invalid_proof", why)
                }
            })?;
        let worker = self
            .store
            .worker(offer.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let credential = self.issue_to_holder(&offer, holder, worker.user_id).await?;
        Ok(json!({"credentials": [{"credential": credential}]}))
    }

    /// The offer, if it is still waiting to be decided and not past its expiry.
    async fn open_offer(
        &self,
        id: Uuid,
    ) -> Result<Option<staffbank_store::PassportCredential>, AppError> {
        Ok(self
            .store
            .passport_credential(id)
            .await?
            .filter(|c| self.offer_is_open(c)))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
