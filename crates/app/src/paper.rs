//! The paper passport: for a worker without a phone, or a verifier without the platform, a
//! printable page of their credentials as QR codes. Each is a fresh copy of a held credential,
//! signed by its issuer with every claim disclosed, the holder's name visible and no key
//! binding: the verifier checks the name against photo ID in person instead. The copy keeps the
//! credential's place in the issuer's status list, so revoking the credential revokes the paper
//! too. Verifying paper runs the same checks as any presentation but key binding, and the check
//! joins the worker's access log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::role::Role;
use staffbank_domain::OrgId;
use staffbank_passport::jws::Jws;
use staffbank_passport::sd_jwt::SdJwt;
use staffbank_passport::vc::{self, Issuance, StatusRef};
use staffbank_passport::verify::{self, Check, Expectations};
use staffbank_store::{OfferState, PresentationRequest, RequestState, RevocationState};
use uuid::Uuid;

use crate::audit::Change;
use crate::passport::credential_body;
use crate::presentations::LEEWAY;
use crate::{App, AppError, Principal};

/// The longest paper text a verifier may paste, bytes (a version 40 QR code holds 2,953).
const MAX_PAPER: usize = 8 * 1024;
/// The claim naming the holder, checked against photo ID.
pub const HOLDER_NAME: &str = "holder_name";
/// Claims every SD-JWT VC carries, which the access log does not list as disclosed.
const REGISTERED: [&str; 8] = ["iss", "vct", "iat", "exp", "nbf", "status", "cnf", "sub"];
/// What a paper check's entry in the access log says it was for.
const PAPER_PURPOSE: &str = "Paper passport checked in person against photo ID";

/// A paper credential to check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckPaper {
    /// The text of its QR code: an SD-JWT VC with every disclosure and no key binding.
    pub credential: String,
}

/// One credential on the paper passport.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaperCredential {
    /// The held credential it copies.
    pub id: Uuid,
    /// Its type.
    pub vct: String,
    /// Its issuer.
    pub issuer: String,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The SD-JWT VC with every disclosure and no key binding: what the QR code carries.
    pub text: String,
}

/// A paper copy carries every disclosure: one that passed the disclosure check with any missing
/// was cut short, so it fails there (the tail after the last `~` is refused by the verifier).
fn whole_paper(mut report: verify::Report, text: &str) -> verify::Report {
    let Some(at) = report.passed.iter().position(|c| *c == Check::Disclosures) else {
        return report;
    };
    if SdJwt::parse(text).is_ok_and(|sd| sd.discloses_all()) {
        return report;
    }
    report.passed.truncate(at);
    report.failed = Some((
        Check::Disclosures,
        verify::Failure::Disclosure {
            detail: "a disclosure is missing: the paper copy is not whole".into(),
        },
    ));
    report.credential = None;
    report
}

impl App {
    /// The signed-in worker's paper passport: a fresh copy of every credential they hold that
    /// is valid now. Printing it is a ledger entry.
    pub async fn paper_passport(&self, who: &Principal) -> Result<Vec<PaperCredential>, AppError> {
        let worker = who.require_worker()?;
        let now = self.now();
        let held = self.store.passport_credentials_of(worker.id).await?;
        let mut keys: HashMap<OrgId, (String, SigningKey)> = HashMap::new();
        let mut out = Vec::new();
        for c in held.iter().filter(|c| {
            c.state == OfferState::Accepted
                && c.revocation == RevocationState::Valid
                && c.expires_at.is_none_or(|e| e > now)
        }) {
            let (mut body, disclosable) = credential_body(c)?;
            body.insert(HOLDER_NAME.into(), json!(worker.display_name.as_str()));
            body.insert("sub".into(), json!(format!("urn:uuid:{}", c.id)));
            let (kid, key) = match keys.entry(c.org_id) {
                std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(self.issuer_signing_key(c.org_id).await?)
                }
            };
            let disclosable: Vec<&str> = disclosable.iter().map(String::as_str).collect();
            let issuer = self.issuer_id(c.org_id);
            let copy = vc::issue(
                &Issuance {
                    iss: &issuer,
                    kid,
                    vct: &c.vct,
                    iat: now.timestamp(),
                    exp: c.expires_at.map(|t| t.timestamp()),
                    holder: None,
                    status: &StatusRef {
                        uri: self.status_list_url(c.org_id, kid),
                        idx: u64::from(c.status_idx),
                    },
                    claims: body,
                    disclosable: &disclosable,
                },
                key,
                &mut rand::rngs::OsRng,
            );
            out.push(PaperCredential {
                id: c.id,
                vct: c.vct.clone(),
                issuer,
                expires_at: c.expires_at,
                text: copy.compact(),
            });
        }
        let record = self
            .audit_record(Change {
                action: "passport.paper_issued",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(who.user.id),
                facts: json!({"credentials": out.iter().map(|c| c.id).collect::<Vec<_>>()}),
                personal: None,
            })
            .await?;
        self.store.append_audit(&[record]).await?;
        Ok(out)
    }

    /// Checks a paper credential (a compliance officer of any trust): every check but key
    /// binding, which the officer does in person against photo ID. The result has the same
    /// shape as a presentation's; it is a ledger entry, and joins the worker's access log once
    /// the issuer's signature shows whose credential it is.
    pub async fn verify_paper(&self, who: &Principal, text: &str) -> Result<Value, AppError> {
        let Some(org) = who.orgs_as(Role::ComplianceOfficer).first().copied() else {
            return Err(AppError::Forbidden);
        };
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_PAPER {
            return Err(AppError::field(
                "credential",
                format!("paste the text of one QR code (at most {MAX_PAPER} characters)"),
            ));
        }
        let known = self.known_issuer(text).await?;
        let now = self.now();
        let expect = Expectations {
            now: now.timestamp(),
            audience: "",
            nonce: "",
            iat_window: 0,
            leeway: LEEWAY,
            require_key_binding: false,
        };
        let report = whole_paper(verify::verify(text, &expect, &known), text);
        let failed = report
            .failed
            .as_ref()
            .map(|(check, f)| json!({"check": check, "failure": f, "message": f.to_string()}));
        let valid = report.is_valid();
        let disclosed = report
            .credential
            .as_ref()
            .map(|c| Value::Object(c.claims.clone()));
        let result = json!({
            "valid": valid,
            "passed": report.passed,
            "failed": failed,
            "disclosed": disclosed,
            "in_person": "the holder's name must match their photo ID",
        });
        let signed = report.passed.contains(&Check::IssuerSignature);
        let holder = if signed {
            self.paper_holder(text).await?
        } else {
            None
        };
        let record = self
            .audit_record(Change {
                action: if valid {
                    "passport.paper_verified"
                } else {
                    "passport.paper_failed"
                },
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: holder.as_ref().map(|(_, user, _)| *user),
                facts: json!({"passed": report.passed, "failed": result["failed"]}),
                personal: valid.then(|| json!({"disclosed": disclosed})),
            })
            .await?;
        let Some((worker_id, _, vct)) = holder else {
            self.store.append_audit(&[record]).await?;
            return Ok(result);
        };
        let claims: Vec<&String> = disclosed
            .as_ref()
            .and_then(Value::as_object)
            .map(|m| {
                m.keys()
                    .filter(|k| !REGISTERED.contains(&k.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let entry = PresentationRequest {
            id: Uuid::now_v7(),
            verifier_org: org,
            worker_id,
            vct,
            claims: json!(claims).to_string(),
            purpose: PAPER_PURPOSE.to_owned(),
            nonce: Uuid::new_v4().simple().to_string(),
            requested_by: who.user.id,
            requested_at: now,
            // Already over: a paper check is never a request the worker could answer.
            expires_at: now,
            state: RequestState::Pending,
            decided_at: None,
            result: None,
        };
        self.store.create_presentation_request(&entry, &[]).await?;
        let state = if valid {
            RequestState::Verified
        } else {
            RequestState::Failed
        };
        self.store
            .answer_presentation_request(entry.id, state, Some(&result.to_string()), now, &[record])
            .await?;
        Ok(result)
    }

    /// Whose paper credential this is, from the `sub` its issuer signed: the worker, their
    /// account and the credential's type.
    async fn paper_holder(
        &self,
        text: &str,
    ) -> Result<Option<(staffbank_domain::WorkerId, staffbank_domain::UserId, String)>, AppError>
    {
        let id = SdJwt::parse(text)
            .ok()
            .and_then(|sd| Jws::parse(&sd.jwt).ok())
            .and_then(|jws| jws.str_claim("sub").map(str::to_owned))
            .and_then(|sub| sub.strip_prefix("urn:uuid:").map(str::to_owned))
            .and_then(|id| Uuid::parse_str(&id).ok());
        let Some(id) = id else { return Ok(None) };
        let Some(credential) = self.store.passport_credential(id).await? else {
            return Ok(None);
        };
        let Some(worker) = self.store.worker(credential.worker_id).await? else {
            return Ok(None);
        };
        Ok(Some((worker.id, worker.user_id, credential.vct)))
    }
}
