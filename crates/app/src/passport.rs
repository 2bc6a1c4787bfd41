//! The passport from issuer to wallet: a trust's compliance officer offers a credential; the
//! worker accepts it by proving they hold a key (an OpenID4VCI-style proof JWT over a fresh
//! nonce), and only then is the SD-JWT VC signed, bound to that key, with a random index in the
//! issuer's status list; the worker can also turn it down. The issuer revokes, suspends and
//! reinstates through the published status list, which verifiers fetch whole. An accepted
//! credential also counts for bookings at once (a credential record eligibility reads), and stops
//! counting the moment it is revoked or suspended.

use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::SigningKey;
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::credential::CredentialStatus;
use staffbank_domain::credential_claims::{vct, CredentialClaims};
use staffbank_domain::text::Label;
use staffbank_domain::{CredentialId, OrgId, WorkerId};
use staffbank_passport::jws::Jwk;
use staffbank_passport::proof_of_possession::{self, Expected, Nonce, Refusal};
use staffbank_passport::status_list::{Status, StatusList, StatusListToken};
use staffbank_passport::vc::{self, Issuance, StatusRef};
use staffbank_store::{
    IssuerKey, OfferState, PassportCredential, RevocationChange, RevocationState,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::credentials::instant_or_date;
use crate::{App, AppError, Principal};

/// Entries in each issuer's status list (2 bits each: valid, revoked, suspended). Indices are
/// drawn at random from this range, so an index says nothing about who or when.
pub const STATUS_LIST_SIZE: u32 = 1 << 20;
/// How long a verifier may rely on a fetched status list, seconds.
pub const STATUS_LIST_TTL: i64 = 300;
/// The `typ` of the holder's proof of possession (OpenID4VCI 1.0, section 8.2.1.1).
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// How far a proof's `iat` may be from now, seconds.
const PROOF_WINDOW: i64 = 300;

/// Why an `openid4vci-proof+jwt` was refused, for the wallet app and the worker.
pub(crate) fn proof_refusal(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unreadable(e) => e.to_string(),
        Refusal::Typ => "typ must be openid4vci-proof+jwt".into(),
        Refusal::MissingJwk => "the header must carry the holder's public key as jwk".into(),
        Refusal::NotP256 => "jwk is not a P-256 public key".into(),
        Refusal::PrivateKey => "jwk must be a public key, without its private part d".into(),
        Refusal::Signature => "not signed by the key in its header".into(),
        Refusal::Audience => "aud must be the issuer".into(),
        Refusal::Nonce => "nonce is not one this issuer gave, or is stale".into(),
        Refusal::IatMissing | Refusal::IatTooOld | Refusal::IatInFuture => "iat must be now".into(),
    }
}

/// The refusal for an offer whose expiry passed before the worker took it.
pub(crate) fn offer_expired() -> AppError {
    AppError::Conflict(
        staffbank_store::Conflict::RequestDecided,
        "this offer has expired: ask the trust to offer the credential again".into(),
    )
}

/// Offer a credential to a worker.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferCredential {
    /// The credential's claims, with its `type` (e.g. `dbs_check`, `professional_registration`).
    #[schema(value_type = Object)]
    pub claims: Value,
    /// When it expires, if it does: an RFC 3339 date-time, or a date (valid through that day).
    #[serde(default)]
    pub expires: Option<String>,
}

/// Accept an offered credential into the wallet.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptCredential {
    /// A compact JWS of type `openid4vci-proof+jwt`, signed by the holder's key (given as `jwk` in
    /// its header), with `aud` the issuer, `nonce` the offer's nonce and `iat` now.
    pub proof: String,
}

/// Revoke, suspend or reinstate a credential.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRevocation {
    /// `revoked` (final), `suspended` or `valid` (reinstated).
    pub state: String,
    /// Why, for the ledger and the worker.
    pub reason: String,
}

/// A passport credential as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassportCredentialView {
    /// Identity.
    pub id: Uuid,
    /// The worker it is for.
    pub worker_id: Uuid,
    /// The issuing organisation.
    pub org_id: Uuid,
    /// Its issuer identifier (`iss`).
    pub issuer: String,
    /// Its type (`vct`).
    pub vct: String,
    /// Its claims.
    #[schema(value_type = Object)]
    pub claims: Value,
    /// `offered`, `expired` (offered, but its expiry passed before the worker accepted it),
    /// `accepted` or `rejected`.
    pub state: String,
    /// `valid`, `revoked` or `suspended`.
    pub revocation: String,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was offered.
    pub offered_at: DateTime<Utc>,
    /// When the worker decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The nonce the worker's proof must carry (to the worker, while offered).
    pub nonce: Option<String>,
    /// The SD-JWT VC with every disclosure (to the worker, once accepted).
    pub sd_jwt: Option<String>,
}

/// `bytes` random bytes, base64url: nonces and codes.
pub(crate) fn b64_random(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The key an issuer signs with now: the one not retired.
pub(crate) fn current_key(keys: &[IssuerKey]) -> Option<&IssuerKey> {
    keys.iter().rev().find(|k| k.retired_at.is_none())
}

/// A credential's own claims as the SD-JWT VC carries them (without the type tag), and which of
/// them the holder may disclose one by one.
pub(crate) fn credential_body(
    c: &PassportCredential,
) -> Result<(serde_json::Map<String, Value>, Vec<String>), AppError> {
    let claims: CredentialClaims = serde_json::from_str(&c.claims)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored claims: {e}")))?;
    let mut body = serde_json::to_value(&claims)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    body.remove("type");
    Ok((body, claims.disclosable()))
}

/// The credential record that makes a passport credential count for bookings: the fact it
/// proves, vouched for by its issuer, valid until it expires.
fn eligibility_record(
    offer: &PassportCredential,
    at: DateTime<Utc>,
) -> Result<staffbank_store::Credential, AppError> {
    let claims: CredentialClaims = serde_json::from_str(&offer.claims)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored claims: {e}")))?;
    let dbs_level = match &claims {
        CredentialClaims::DbsCheck { level, .. } => Some(*level),
        _ => None,
    };
    Ok(staffbank_store::Credential {
        id: CredentialId(Uuid::now_v7()),
        worker_id: offer.worker_id,
        kind: claims.kind(),
        dbs_level,
        issuer_org_id: offer.org_id,
        valid_from: at,
        valid_until: offer.expires_at,
        status: CredentialStatus::Active,
        revoked_at: None,
        recorded_by: offer.offered_by,
        recorded_at: at,
    })
}

impl App {
    /// Where the status list signed by issuer key `kid` is published. Each credential points at
    /// the list signed by the key that signed it, so a verifier that checks the list with the
    /// credential's own key (as common SD-JWT libraries do) still can after the key is rotated.
    pub fn status_list_url(&self, org: OrgId, kid: &str) -> String {
        format!("{}?kid={kid}", self.shared_status_list_url(org))
    }

    /// The issuer's status list without a key named: signed by its current key when fetched
    /// directly. Credentials issued before lists were published per key point here.
    pub(crate) fn shared_status_list_url(&self, org: OrgId) -> String {
        format!("{}/status-list", self.issuer_id(org))
    }

    /// Whether an offer can still be accepted: offered, and not past its expiry (a credential
    /// that has already expired proves nothing, so it is never issued).
    pub(crate) fn offer_is_open(&self, c: &PassportCredential) -> bool {
        c.state == OfferState::Offered && c.expires_at.is_none_or(|at| at > self.now())
    }

    pub(crate) fn passport_view(
        &self,
        c: &PassportCredential,
        for_holder: bool,
    ) -> PassportCredentialView {
        PassportCredentialView {
            id: c.id,
            worker_id: c.worker_id.0,
            org_id: c.org_id.0,
            issuer: self.issuer_id(c.org_id),
            vct: c.vct.clone(),
            claims: serde_json::from_str(&c.claims).unwrap_or(Value::Null),
            state: if c.state == OfferState::Offered && !self.offer_is_open(c) {
                "expired".to_owned()
            } else {
                c.state.as_str().to_owned()
            },
            revocation: c.revocation.as_str().to_owned(),
            expires_at: c.expires_at,
            offered_at: c.offered_at,
            decided_at: c.decided_at,
            nonce: (for_holder && self.offer_is_open(c)).then(|| c.nonce.clone()),
            sd_jwt: if for_holder { c.sd_jwt.clone() } else { None },
        }
    }

    /// The organisation's current signing key, unsealed with the master key, and its `kid`.
    pub(crate) async fn issuer_signing_key(
        &self,
        org: OrgId,
    ) -> Result<(String, SigningKey), AppError> {
        let keys = self.store.issuer_keys(org).await?;
        let key = current_key(&keys).ok_or(AppError::NotFound)?;
        Ok((key.id.to_string(), self.unseal(key)?))
    }

    /// A stored issuer key's private half, opened with the master key for the moment it is needed.
    fn unseal(&self, key: &IssuerKey) -> Result<SigningKey, AppError> {
        let broken = |e: &dyn std::fmt::Display| {
            AppError::Unexpected(anyhow::anyhow!("issuer key {} does not open: {e}", key.id))
        };
        let data_key = self
            .master
            .unwrap(key.id, &key.wrapped_key)
            .map_err(|e| broken(&e))?;
        let private = data_key
            .open(key.id, &key.sealed_private)
            .map_err(|e| broken(&e))?;
        SigningKey::from_slice(&private).map_err(|e| broken(&e))
    }

    /// The worker, and the organisation that would issue them this credential: the trust of a
    /// compliance officer who shares a bank with them; or the issuing body (a regulator, the DBS,
    /// a training provider) of a credential issuer, if the trust framework trusts it for the type.
    async fn offering_org(
        &self,
        who: &Principal,
        worker_id: WorkerId,
        claims: &Value,
    ) -> Result<(staffbank_store::Worker, OrgId), AppError> {
        let issuing = who.orgs_as(staffbank_domain::role::Role::CredentialIssuer);
        if issuing.is_empty() || who.has_role(staffbank_domain::role::Role::ComplianceOfficer) {
            return self.compliance_org_for(who, worker_id).await;
        }
        let worker = self
            .store
            .worker(worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let kind = claims
            .get("type")
            .and_then(Value::as_str)
            .and_then(staffbank_domain::credential::CredentialKind::parse)
            .ok_or_else(|| AppError::field("claims.type", "not a credential type"))?;
        let wanted = vct(kind);
        let trusted = self.store.trust_framework().await?;
        issuing
            .into_iter()
            .find(|org| trusted.iter().any(|t| t.org_id == *org && t.vct == wanted))
            .map(|org| (worker, org))
            .ok_or_else(|| {
                AppError::field(
                    "claims.type",
                    "the trust framework does not trust your organisation for this type",
                )
            })
    }

    /// When a training record stops counting: the start of the UK day its first refresher falls
    /// due. Refused if a subject has no configured period, or a refresher is already due.
    async fn training_lapses(
        &self,
        subjects: &std::collections::BTreeMap<
            staffbank_domain::credential_claims::CstfSubject,
            staffbank_domain::credential_claims::Completion,
        >,
    ) -> Result<DateTime<Utc>, AppError> {
        let periods = self.store.refresher_periods().await?;
        let due = periods
            .first_due(subjects)
            .map_err(|e| AppError::field(&format!("claims.{}", e.claim), e.problem))?;
        let lapses = instant_or_date(&due.to_string(), false)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("refresher date: {e}")))?;
        if lapses <= self.now() {
            return Err(AppError::field(
                "claims.subjects",
                format!("a refresher fell due on {due}: record the refresher first"),
            ));
        }
        Ok(lapses)
    }

    /// Offers a credential to a worker (compliance officer of a trust they work with, whose
    /// organisation has an issuer key).
    pub async fn offer_passport_credential(
        &self,
        who: &Principal,
        worker_id: WorkerId,
        input: OfferCredential,
    ) -> Result<PassportCredentialView, AppError> {
        let (worker, org) = self.offering_org(who, worker_id, &input.claims).await?;
        let claims: CredentialClaims =
            serde_json::from_value(input.claims).map_err(|e| AppError::field("claims", e))?;
        claims
            .validate()
            .map_err(|e| AppError::field(&format!("claims.{}", e.claim), e.problem))?;
        let mut expires_at = input
            .expires
            .as_deref()
            .map(|raw| instant_or_date(raw, true))
            .transpose()
            .map_err(|e| AppError::field("expires", e))?;
        if expires_at.is_some_and(|at| at <= self.now()) {
            return Err(AppError::field(
                "expires",
                "must be in the future: an expired credential cannot be offered",
            ));
        }
        if let CredentialClaims::CoreSkillsTraining { subjects } = &claims {
            let due = self.training_lapses(subjects).await?;
            expires_at = Some(expires_at.map_or(due, |given| given.min(due)));
        }
        if self.store.issuer_keys(org).await?.is_empty() {
            return Err(AppError::field(
                "claims",
                "this trust has no issuer key yet: create one first",
            ));
        }
        let offer = PassportCredential {
            id: Uuid::now_v7(),
            org_id: org,
            worker_id,
            vct: vct(claims.kind()),
            claims: serde_json::to_string(&claims)
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("claims: {e}")))?,
            expires_at,
            nonce: b64_random(16),
            state: OfferState::Offered,
            offered_by: who.user.id,
            offered_at: self.now(),
            decided_at: None,
            sd_jwt: None,
            holder_jwk: None,
            status_idx: 0,
            revocation: RevocationState::Valid,
        };
        let indices: Vec<u32> = {
            let mut rng = rand::thread_rng();
            (0..16)
                .map(|_| rng.gen_range(0..STATUS_LIST_SIZE))
                .collect()
        };
        let record = self
            .audit_record(Change {
                action: "passport.offered",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: Some(worker.user_id),
                facts: json!({"credential": offer.id, "worker": worker_id, "vct": offer.vct,
                    "expires_at": expires_at}),
                personal: Some(json!({"claims": claims})),
            })
            .await?;
        let stored = self
            .store
            .offer_passport_credential(&offer, &indices, &[record])
            .await?;
        Ok(self.passport_view(&stored, false))
    }

    /// The signed-in worker's passport: offers waiting, credentials held, those turned down.
    pub async fn my_passport(
        &self,
        who: &Principal,
    ) -> Result<Vec<PassportCredentialView>, AppError> {
        let worker = who.require_worker()?;
        let all = self.store.passport_credentials_of(worker.id).await?;
        Ok(all.iter().map(|c| self.passport_view(c, true)).collect())
    }

    async fn my_offer(&self, who: &Principal, id: Uuid) -> Result<PassportCredential, AppError> {
        let worker = who.require_worker()?;
        match self.store.passport_credential(id).await? {
            Some(c) if c.worker_id == worker.id => Ok(c),
            _ => Err(AppError::NotFound),
        }
    }

    /// Checks the holder's proof of possession for an offer; the holder's key.
    fn holder_key(&self, offer: &PassportCredential, proof: &str) -> Result<Jwk, AppError> {
        self.proven_key(offer.org_id, proof, |nonce| nonce == offer.nonce)
            .map_err(|refusal| AppError::field("proof", proof_refusal(&refusal)))
    }

    /// Checks an `openid4vci-proof+jwt` for issuer `org` whose nonce `nonce_ok` accepts; the
    /// holder's key, or why not (worded by [`proof_refusal`]).
    pub(crate) fn proven_key(
        &self,
        org: OrgId,
        proof: &str,
        nonce_ok: impl Fn(&str) -> bool,
    ) -> Result<Jwk, Refusal> {
        let issuer = self.issuer_id(org);
        let expected = Expected {
            typ: PROOF_TYP,
            aud: &issuer,
            now: self.now().timestamp(),
            leeway: PROOF_WINDOW,
        };
        proof_of_possession::check(proof, &expected, Nonce::Accepted(&nonce_ok))
            .map(|possession| possession.jwk)
    }

    /// Accepts an offered credential: checks the proof of possession, then signs the SD-JWT VC
    /// bound to the worker's key and puts it in their wallet.
    pub async fn accept_passport_credential(
        &self,
        who: &Principal,
        id: Uuid,
        input: AcceptCredential,
    ) -> Result<PassportCredentialView, AppError> {
        let offer = self.my_offer(who, id).await?;
        if offer.state != OfferState::Offered {
            return Err(staffbank_store::StoreError::Conflict(
                staffbank_store::Conflict::RequestDecided,
            )
            .into());
        }
        if !self.offer_is_open(&offer) {
            return Err(offer_expired());
        }
        let holder = self.holder_key(&offer, &input.proof)?;
        self.issue_to_holder(&offer, holder, who.user.id).await?;
        let stored = self.my_offer(who, id).await?;
        Ok(self.passport_view(&stored, true))
    }

    /// Signs an offered credential bound to the holder's proven key, and keeps it as the
    /// worker's wallet copy; the offer is decided. The SD-JWT VC issued.
    pub(crate) async fn issue_to_holder(
        &self,
        offer: &PassportCredential,
        holder: Jwk,
        actor: staffbank_domain::UserId,
    ) -> Result<String, AppError> {
        // Stored and bound without a key id, so one key always reads the same.
        let holder = Jwk {
            kid: None,
            ..holder
        };
        let holder_json = serde_json::to_string(&holder)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("holder key: {e}")))?;
        let owners = self.store.holder_key_workers(&holder_json).await?;
        if owners.iter().any(|w| *w != offer.worker_id) {
            return Err(staffbank_store::StoreError::Conflict(
                staffbank_store::Conflict::HolderKeyTaken,
            )
            .into());
        }
        let (body, disclosable) = credential_body(offer)?;
        let disclosable: Vec<&str> = disclosable.iter().map(String::as_str).collect();
        let (kid, key) = self.issuer_signing_key(offer.org_id).await?;
        let now = self.now();
        let issuer = self.issuer_id(offer.org_id);
        let sd_jwt = vc::issue(
            &Issuance {
                iss: &issuer,
                kid: &kid,
                vct: &offer.vct,
                iat: now.timestamp(),
                exp: offer.expires_at.map(|t| t.timestamp()),
                holder: Some(&holder),
                status: &StatusRef {
                    uri: self.status_list_url(offer.org_id, &kid),
                    idx: u64::from(offer.status_idx),
                },
                claims: body,
                disclosable: &disclosable,
            },
            &key,
            &mut rand::rngs::OsRng,
        )
        .compact();
        let record = self
            .audit_record(Change {
                action: "passport.accepted",
                actor: Some(actor),
                tenant: Some(offer.org_id),
                subject: Some(actor),
                facts: json!({"credential": offer.id, "vct": offer.vct, "kid": kid,
                    "status_idx": offer.status_idx, "holder_jwk": holder}),
                personal: None,
            })
            .await?;
        let counts = eligibility_record(offer, now)?;
        self.store
            .decide_passport_offer(
                offer.id,
                Some((&sd_jwt, &holder_json, &counts)),
                now,
                &[record],
            )
            .await?;
        Ok(sd_jwt)
    }

    /// Turns an offered credential down.
    pub async fn reject_passport_credential(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<PassportCredentialView, AppError> {
        let offer = self.my_offer(who, id).await?;
        let record = self
            .audit_record(Change {
                action: "passport.rejected",
                actor: Some(who.user.id),
                tenant: Some(offer.org_id),
                subject: Some(who.user.id),
                facts: json!({"credential": offer.id, "vct": offer.vct}),
                personal: None,
            })
            .await?;
        self.store
            .decide_passport_offer(id, None, self.now(), &[record])
            .await?;
        let stored = self.my_offer(who, id).await?;
        Ok(self.passport_view(&stored, true))
    }

    /// Revokes, suspends or reinstates a credential (the issuing organisation's compliance
    /// officers and credential issuers, or a platform administrator).
    pub async fn set_passport_revocation(
        &self,
        who: &Principal,
        id: Uuid,
        input: SetRevocation,
    ) -> Result<PassportCredentialView, AppError> {
        let credential = self
            .store
            .passport_credential(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let org = credential.org_id;
        self.may_set_revocation(who, &credential).await?;
        let state = RevocationState::parse(input.state.trim())
            .ok_or_else(|| AppError::field("state", "must be revoked, suspended or valid"))?;
        let reason = Label::parse(&input.reason, 500).map_err(|e| AppError::field("reason", e))?;
        let reason = reason.as_str();
        let record = self
            .audit_record(Change {
                action: match state {
                    RevocationState::Revoked => "passport.revoked",
                    RevocationState::Suspended => "passport.suspended",
                    RevocationState::Valid => "passport.reinstated",
                },
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"credential": id, "vct": credential.vct, "reason": reason,
                    "status_idx": credential.status_idx}),
                personal: None,
            })
            .await?;
        let reinstated = match state {
            RevocationState::Valid => Some(eligibility_record(&credential, self.now())?),
            _ => None,
        };
        self.store
            .set_passport_revocation(
                &RevocationChange {
                    id,
                    state,
                    by: who.user.id,
                    reason,
                    at: self.now(),
                    reinstated: reinstated.as_ref(),
                },
                &[record],
            )
            .await?;
        self.issuer_views.forget(org);
        let stored = self
            .store
            .passport_credential(id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(self.passport_view(&stored, false))
    }

    /// The issuer's status list as a signed `statuslist+jwt`, built from its credentials that
    /// are not valid; public, so verifiers never say whose credential they are checking. Signed
    /// by key `kid` (retired keys too, for what they signed), or by the current key if none is
    /// named; 404 if the organisation has no such key. The not-valid entries are read every
    /// time; the signed list is reused while they are unchanged and it is young (see
    /// [`SignedLists`]).
    pub async fn status_list_token(
        &self,
        org: OrgId,
        kid: Option<Uuid>,
    ) -> Result<String, AppError> {
        let keys = self.store.issuer_keys(org).await?;
        let (key, sub) = match kid {
            Some(kid) => {
                let key = keys
                    .iter()
                    .find(|k| k.id == kid)
                    .ok_or(AppError::NotFound)?;
                (key, self.status_list_url(org, &kid.to_string()))
            }
            None => (
                current_key(&keys).ok_or(AppError::NotFound)?,
                self.shared_status_list_url(org),
            ),
        };
        let revocations = self.revocations(org).await?;
        self.signed_status_list(org, &sub, key, &revocations)
    }

    /// The issuer's not-valid status list entries, in index order.
    pub(crate) async fn revocations(&self, org: OrgId) -> Result<Revocations, AppError> {
        let mut entries = self.store.passport_revocations(org).await?;
        entries.sort_unstable_by_key(|(idx, _)| *idx);
        let fingerprint = format!("{entries:?}");
        Ok(Revocations {
            entries,
            fingerprint,
        })
    }

    /// The list published at `sub`, signed by `key`: reused if one was signed from the same
    /// entries a moment ago.
    pub(crate) fn signed_status_list(
        &self,
        org: OrgId,
        sub: &str,
        key: &IssuerKey,
        revocations: &Revocations,
    ) -> Result<String, AppError> {
        let slot = (org, sub.to_owned(), key.id);
        if let Some(token) = self.status_lists.get(&slot, &revocations.fingerprint) {
            return Ok(token);
        }
        let token = self.sign_status_list(sub, key, &revocations.entries)?;
        self.status_lists
            .put(slot, revocations.fingerprint.clone(), token.clone());
        Ok(token)
    }

    fn sign_status_list(
        &self,
        sub: &str,
        stored: &IssuerKey,
        entries: &[(u32, RevocationState)],
    ) -> Result<String, AppError> {
        let (kid, key) = (stored.id.to_string(), self.unseal(stored)?);
        let mut list = StatusList::new(2, STATUS_LIST_SIZE as usize)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("status list: {e}")))?;
        for &(idx, state) in entries {
            let status = match state {
                RevocationState::Valid => Status::Valid,
                RevocationState::Revoked => Status::Invalid,
                RevocationState::Suspended => Status::Suspended,
            };
            list.set(idx as usize, status);
        }
        let now = self.now();
        let token = StatusListToken {
            sub: sub.to_owned(),
            iat: now.timestamp(),
            exp: Some((now + Duration::hours(24)).timestamp()),
            ttl: Some(STATUS_LIST_TTL),
            list,
        };
        Ok(token.sign(&key, Some(&kid)))
    }
}

/// An issuer's status list entries that are not valid, in index order, with a fingerprint that
/// changes whenever they do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Revocations {
    entries: Vec<(u32, RevocationState)>,
    fingerprint: String,
}

/// How long a signed status list is reused while unchanged: well inside its TTL, so a verifier
/// that fetches it always gets one it may rely on for [`STATUS_LIST_TTL`] seconds more or less.
const REUSE_SIGNED_LIST: std::time::Duration = std::time::Duration::from_secs(60);

/// Each published list's last signed token (by issuer, URI and signing key) with the entries it
/// was built from, so an unchanged list is not compressed and signed again on every request.
/// Any revocation changes the entries, so a changed list is never served from here.
#[derive(Default)]
pub(crate) struct SignedLists(
    std::sync::Mutex<std::collections::HashMap<ListSlot, (String, std::time::Instant, String)>>,
);

/// A published list: its issuer, its URI and the key that signs it.
type ListSlot = (OrgId, String, Uuid);

impl SignedLists {
    fn get(&self, slot: &ListSlot, fingerprint: &str) -> Option<String> {
        let lists = self.0.lock().ok()?;
        lists
            .get(slot)
            .filter(|(f, at, _)| f == fingerprint && at.elapsed() < REUSE_SIGNED_LIST)
            .map(|(_, _, token)| token.clone())
    }

    fn put(&self, slot: ListSlot, fingerprint: String, token: String) {
        if let Ok(mut lists) = self.0.lock() {
            lists.insert(slot, (fingerprint, std::time::Instant::now(), token));
        }
    }
}
