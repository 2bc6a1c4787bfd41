//! Request → consent → present → verify. A verifier trust asks a worker for named claims of one
//! credential type, for a stated purpose, with a fresh single-use nonce and its own identity as
//! audience; the worker sees exactly that, and declines or presents; the platform verifies with
//! every check on and keeps the outcome, which the verifier reads. The worker's list of requests
//! is their access log: who asked, when, for what, why, and what came of it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::text::Label;
use staffbank_domain::{OrgId, WorkerId};
use staffbank_passport::jws::{Jwk, Jws};
use staffbank_passport::sd_jwt::SdJwt;
use staffbank_passport::status_list::StatusListToken;
use staffbank_passport::verify::{self, Expectations, Sources, TrustedIssuer};
use staffbank_store::{PresentationRequest, RequestState};
use uuid::Uuid;

use crate::audit::Change;
use crate::issuer_views::IssuerView;
use crate::issuers::parse_vct;
use crate::{App, AppError, Principal};

/// How long a worker has to answer a request.
pub const REQUEST_LIFETIME: Duration = Duration::hours(24);
/// How far a key-binding JWT's `iat` may be from the moment of checking, seconds.
const KB_WINDOW: i64 = 300;
/// Clock tolerance, seconds.
pub(crate) const LEEWAY: i64 = 30;

/// Ask a worker to present claims.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPresentation {
    /// The credential type (`vct`).
    pub vct: String,
    /// The claims wanted (e.g. `number`, or `subjects.fire_safety`).
    pub claims: Vec<String>,
    /// Why, in words the worker will read.
    pub purpose: String,
}

/// The worker's presentation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Present {
    /// The SD-JWT VC with the chosen disclosures and a key-binding JWT (`nonce`, `aud`, `iat`,
    /// `sd_hash`).
    pub presentation: String,
}

/// A presentation request as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PresentationRequestView {
    /// Identity.
    pub id: Uuid,
    /// The verifying organisation.
    pub verifier_org_id: Uuid,
    /// The audience the key binding must name.
    pub audience: String,
    /// The worker asked.
    pub worker_id: Uuid,
    /// The credential type asked for.
    pub vct: String,
    /// The claims asked for.
    pub claims: Vec<String>,
    /// Why.
    pub purpose: String,
    /// The nonce to bind (to the worker, while pending).
    pub nonce: Option<String>,
    /// When it was asked.
    pub requested_at: DateTime<Utc>,
    /// Until when it can be answered.
    pub expires_at: DateTime<Utc>,
    /// `pending`, `declined`, `verified` or `failed`.
    pub state: String,
    /// When the worker answered.
    pub decided_at: Option<DateTime<Utc>>,
    /// Every check passed, the one that failed and why, and what was disclosed.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
}

/// What the verifier knows for one presentation, read before checking (the checks themselves
/// are synchronous and pure).
pub(crate) struct Known {
    issuer: Option<TrustedIssuer>,
    status_list: Option<(String, String)>,
    checked: Arc<CheckedLists>,
}

/// Status list tokens that passed their checks, one per issuer key (the latest), so each signed
/// list is verified and inflated once rather than on every presentation. Kept with the exact
/// token text: a new list is a new token, and is checked in full.
#[derive(Default)]
pub(crate) struct CheckedLists(Mutex<HashMap<String, (String, Arc<StatusListToken>)>>);

impl Sources for Known {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        self.issuer.clone().filter(|i| i.iss == iss)
    }
    fn status_list(&self, uri: &str) -> Option<String> {
        self.status_list
            .as_ref()
            .filter(|(u, _)| u == uri)
            .map(|(_, token)| token.clone())
    }
    fn checked_status_list(&self, signer: &str, token: &str) -> Option<Arc<StatusListToken>> {
        let lists = self.checked.0.lock().ok()?;
        lists
            .get(signer)
            .filter(|(text, _)| text == token)
            .map(|(_, list)| list.clone())
    }
    fn remember_status_list(&self, signer: &str, token: &str, list: Arc<StatusListToken>) {
        if let Ok(mut lists) = self.checked.0.lock() {
            lists.insert(signer.to_owned(), (token.to_owned(), list));
        }
    }
    fn use_nonce(&self, _: &str) -> bool {
        // The request is pending (checked before); the store spends it in the same step that
        // records the outcome, and refuses a second answer.
        true
    }
}

/// Who answered a presentation request, which decides whether a failed answer ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answerer {
    /// The worker, signed in to the platform's own wallet.
    Worker,
    /// A wallet app posting to the response URI, which anyone who saw the request could do.
    WalletApp,
}

impl App {
    /// The identity a verifying organisation's requests name as audience.
    pub fn verifier_id(&self, org: OrgId) -> String {
        format!("{}/verifiers/{}", self.public_url, org.0)
    }

    fn presentation_view(
        &self,
        r: &PresentationRequest,
        for_worker: bool,
    ) -> PresentationRequestView {
        PresentationRequestView {
            id: r.id,
            verifier_org_id: r.verifier_org.0,
            audience: self.verifier_id(r.verifier_org),
            worker_id: r.worker_id.0,
            vct: r.vct.clone(),
            claims: serde_json::from_str(&r.claims).unwrap_or_default(),
            purpose: r.purpose.clone(),
            nonce: (for_worker && r.state == RequestState::Pending).then(|| r.nonce.clone()),
            requested_at: r.requested_at,
            expires_at: r.expires_at,
            state: r.state.as_str().to_owned(),
            decided_at: r.decided_at,
            result: r
                .result
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok()),
        }
    }

    /// Asks a worker to present claims (a compliance officer of a trust they work with).
    pub async fn request_presentation(
        &self,
        who: &Principal,
        worker_id: WorkerId,
        input: RequestPresentation,
    ) -> Result<PresentationRequestView, AppError> {
        let (worker, org) = self.compliance_org_for(who, worker_id).await?;
        let vct = parse_vct(&input.vct)?;
        if input.claims.is_empty() || input.claims.len() > 20 {
            return Err(AppError::field("claims", "ask for 1 to 20 claims"));
        }
        for claim in &input.claims {
            if claim.is_empty() || claim.len() > 100 || !claim.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(AppError::field(
                    "claims",
                    "each claim is a name of 1 to 100 characters",
                ));
            }
        }
        let purpose =
            Label::parse(&input.purpose, 500).map_err(|e| AppError::field("purpose", e))?;
        let now = self.now();
        let request = PresentationRequest {
            id: Uuid::now_v7(),
            verifier_org: org,
            worker_id,
            vct: vct.to_owned(),
            claims: json!(input.claims).to_string(),
            purpose: purpose.as_str().to_owned(),
            nonce: Uuid::new_v4().simple().to_string(),
            requested_by: who.user.id,
            requested_at: now,
            expires_at: now + REQUEST_LIFETIME,
            state: RequestState::Pending,
            decided_at: None,
            result: None,
        };
        let record = self
            .audit_record(Change {
                action: "presentation.requested",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: Some(worker.user_id),
                facts: json!({"request": request.id, "worker": worker_id, "vct": vct,
                    "claims": input.claims, "purpose": request.purpose}),
                personal: None,
            })
            .await?;
        self.store
            .create_presentation_request(&request, &[record])
            .await?;
        Ok(self.presentation_view(&request, false))
    }

    /// The signed-in worker's requests, newest first: their access log.
    pub async fn my_presentation_requests(
        &self,
        who: &Principal,
    ) -> Result<Vec<PresentationRequestView>, AppError> {
        let worker = who.require_worker()?;
        let all = self.store.presentation_requests_of(worker.id).await?;
        Ok(all
            .iter()
            .map(|r| self.presentation_view(r, true))
            .collect())
    }

    /// A request and its outcome, for the verifying trust's officers.
    pub async fn presentation_request(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<PresentationRequestView, AppError> {
        let request = self
            .store
            .presentation_request(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mine = who.is_platform_admin()
            || who.user.grants.iter().any(|g| {
                g.role == Role::ComplianceOfficer
                    && g.scope == Scope::Organisation(request.verifier_org)
            });
        if !mine {
            return Err(AppError::NotFound);
        }
        Ok(self.presentation_view(&request, false))
    }

    async fn my_pending_request(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<PresentationRequest, AppError> {
        let worker = who.require_worker()?;
        let request = match self.store.presentation_request(id).await? {
            Some(r) if r.worker_id == worker.id => r,
            _ => return Err(AppError::NotFound),
        };
        self.still_pending(request)
    }

    /// The request, if it can still be answered: pending and not expired.
    pub(crate) fn still_pending(
        &self,
        request: PresentationRequest,
    ) -> Result<PresentationRequest, AppError> {
        if request.state != RequestState::Pending {
            return Err(staffbank_store::StoreError::Conflict(
                staffbank_store::Conflict::RequestDecided,
            )
            .into());
        }
        if self.now() >= request.expires_at {
            return Err(AppError::field("presentation", "this request has expired"));
        }
        Ok(request)
    }

    /// Declines a request; the verifier learns only that.
    pub async fn decline_presentation(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<PresentationRequestView, AppError> {
        let request = self.my_pending_request(who, id).await?;
        self.decline_request(&request, who.user.id).await?;
        self.my_request(who, id).await
    }

    /// Records that the worker (acting as `actor`) declined a pending request.
    pub(crate) async fn decline_request(
        &self,
        request: &PresentationRequest,
        actor: staffbank_domain::UserId,
    ) -> Result<(), AppError> {
        let record = self
            .audit_record(Change {
                action: "presentation.declined",
                actor: Some(actor),
                tenant: Some(request.verifier_org),
                subject: Some(actor),
                facts: json!({"request": request.id}),
                personal: None,
            })
            .await?;
        self.store
            .answer_presentation_request(
                request.id,
                RequestState::Declined,
                None,
                self.now(),
                &[record],
            )
            .await?;
        Ok(())
    }

    async fn my_request(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<PresentationRequestView, AppError> {
        let worker = who.require_worker()?;
        match self.store.presentation_request(id).await? {
            Some(r) if r.worker_id == worker.id => Ok(self.presentation_view(&r, true)),
            _ => Err(AppError::NotFound),
        }
    }

    /// What the platform knows of the issuer a presentation names: its keys and trusted types
    /// if it is one of the platform's issuers, and the status list the credential points at,
    /// signed by the key that signed the credential.
    pub(crate) async fn known_issuer(&self, presentation: &str) -> Result<Known, AppError> {
        let jws = SdJwt::parse(presentation)
            .ok()
            .and_then(|sd| Jws::parse(&sd.jwt).ok());
        let iss = jws
            .as_ref()
            .and_then(|jws| jws.str_claim("iss").map(str::to_owned));
        let org = iss.as_deref().and_then(|iss| {
            iss.strip_prefix(&format!("{}/issuers/", self.public_url))
                .and_then(|id| Uuid::parse_str(id).ok())
                .map(OrgId)
        });
        let (Some(iss), Some(org), Some(jws)) = (iss, org, jws) else {
            return Ok(Known {
                issuer: None,
                status_list: None,
                checked: self.checked_lists.clone(),
            });
        };
        let view = match self.issuer_views.get(org) {
            Some(view) if view.issuer.iss == iss => view,
            _ => {
                let view = self.read_issuer_view(org, iss).await?;
                self.issuer_views.put(org, view.clone());
                view
            }
        };
        let status_list = self.credential_status_list(org, &view, &jws)?;
        Ok(Known {
            issuer: Some(view.issuer),
            status_list,
            checked: self.checked_lists.clone(),
        })
    }

    /// The status list a credential of `org` points at, as published, signed by the key the URI
    /// names; for the list without a key named (credentials issued before lists were per key),
    /// signed by the key that signed the credential. `None` for a URI or key not of `org`.
    fn credential_status_list(
        &self,
        org: OrgId,
        view: &IssuerView,
        credential: &Jws,
    ) -> Result<Option<(String, String)>, AppError> {
        let Some(uri) = credential
            .claims
            .get("status")
            .and_then(|s| s.get("status_list"))
            .and_then(|l| l.get("uri"))
            .and_then(Value::as_str)
        else {
            return Ok(None);
        };
        let shared = self.shared_status_list_url(org);
        let key = if uri == shared {
            match credential.kid() {
                Some(kid) => view.keys.iter().find(|k| k.id.to_string() == kid),
                None => crate::passport::current_key(&view.keys),
            }
        } else {
            uri.strip_prefix(&shared)
                .and_then(|rest| rest.strip_prefix("?kid="))
                .and_then(|kid| view.keys.iter().find(|k| k.id.to_string() == kid))
        };
        let Some(key) = key else {
            return Ok(None);
        };
        let token = self.signed_status_list(org, uri, key, &view.revocations)?;
        Ok(Some((uri.to_owned(), token)))
    }

    /// Reads what a verifier needs of one of the platform's issuers.
    async fn read_issuer_view(&self, org: OrgId, iss: String) -> Result<IssuerView, AppError> {
        let stored_keys = self.store.issuer_keys(org).await?;
        let keys: Vec<Jwk> = stored_keys
            .iter()
            .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
            .collect();
        let vcts = self
            .store
            .trust_framework()
            .await?
            .into_iter()
            .filter(|e| e.org_id == org)
            .map(|e| e.vct)
            .collect();
        let revocations = if stored_keys.is_empty() {
            crate::passport::Revocations::default()
        } else {
            self.revocations(org).await?
        };
        Ok(IssuerView {
            issuer: TrustedIssuer { iss, keys, vcts },
            keys: stored_keys,
            revocations,
        })
    }

    /// Presents to a request: verified with every check on; the request's nonce is spent and
    /// the outcome kept, whatever it is.
    pub async fn present(
        &self,
        who: &Principal,
        id: Uuid,
        input: Present,
    ) -> Result<PresentationRequestView, AppError> {
        let request = self.my_pending_request(who, id).await?;
        let audience = self.verifier_id(request.verifier_org);
        let answered = self
            .answer_request(
                request,
                &input.presentation,
                &audience,
                who.user.id,
                Answerer::Worker,
            )
            .await?;
        Ok(self.presentation_view(&answered, true))
    }

    /// Verifies a presentation to a pending request with every check on, with the audience
    /// the key binding must name; the request's nonce is spent and the outcome kept. From the
    /// signed-in worker any outcome is final. From a wallet app (whoever holds the response URI)
    /// only an answer that verifies as the worker's own credential under their key ends the
    /// request: anything else is logged and refused, and the request stays open, so a stranger
    /// who saw the request cannot spoil it. The answered request.
    pub(crate) async fn answer_request(
        &self,
        request: PresentationRequest,
        presentation: &str,
        audience: &str,
        actor: staffbank_domain::UserId,
        answerer: Answerer,
    ) -> Result<PresentationRequest, AppError> {
        let id = request.id;
        if presentation.len() > 64 * 1024 {
            return Err(AppError::field("presentation", "too long"));
        }
        let known = self.known_issuer(presentation).await?;
        let now = self.now();
        let expect = Expectations {
            now: now.timestamp(),
            audience,
            nonce: &request.nonce,
            iat_window: KB_WINDOW,
            leeway: LEEWAY,
            require_key_binding: true,
        };
        let report = verify::verify(presentation, &expect, &known);
        let asked: Vec<String> = serde_json::from_str(&request.claims).unwrap_or_default();
        let mut failure = report
            .failed
            .as_ref()
            .map(|(check, f)| json!({"check": check, "failure": f, "message": f.to_string()}));
        let workers_own = match &report.credential {
            Some(credential) => self.bound_to_worker(&request, credential).await?,
            None => false,
        };
        if answerer == Answerer::WalletApp && !workers_own {
            tracing::warn!(request = %id, failed = ?failure,
                "a wallet answer that is not the worker's own credential was refused; the request stays open");
            return Err(AppError::Wallet(
                "invalid_request",
                "the presentation does not verify as the requested worker's own credential".into(),
            ));
        }
        let mut disclosed = Value::Null;
        if let Some(credential) = &report.credential {
            failure = self.against_request(&request, &asked, credential, presentation);
            if failure.is_none() && !workers_own {
                failure = Some(
                    json!({"check": "request", "failure": {"reason": "not_the_workers"},
                    "message": "the credential is not one the worker asked holds"}),
                );
            }
            disclosed = Value::Object(credential.claims.clone());
        }
        let valid = failure.is_none();
        let mut passed = json!(report.passed);
        if let (true, Some(list)) = (valid, passed.as_array_mut()) {
            list.push(json!("request"));
        }
        let result = json!({
            "valid": valid,
            "passed": passed,
            "failed": failure,
            "disclosed": if valid { disclosed.clone() } else { Value::Null },
        });
        let state = if valid {
            RequestState::Verified
        } else {
            RequestState::Failed
        };
        let record = self
            .audit_record(Change {
                action: if valid {
                    "presentation.verified"
                } else {
                    "presentation.failed"
                },
                actor: Some(actor),
                tenant: Some(request.verifier_org),
                subject: Some(actor),
                facts: json!({"request": id, "passed": result["passed"], "failed": result["failed"]}),
                personal: valid.then(|| json!({"disclosed": disclosed})),
            })
            .await?;
        self.store
            .answer_presentation_request(id, state, Some(&result.to_string()), now, &[record])
            .await?;
        Ok(PresentationRequest {
            state,
            decided_at: Some(now),
            result: Some(result.to_string()),
            ..request
        })
    }

    /// Whether the verified credential is one issued to the requested worker (its issuer and
    /// status-list index are one of theirs) and bound to the key they accepted it with, so that
    /// nobody answers for them with someone else's credential, even one held under the same key.
    async fn bound_to_worker(
        &self,
        request: &PresentationRequest,
        credential: &verify::Verified,
    ) -> Result<bool, AppError> {
        let Some(presented) = credential.claims.get("cnf").and_then(|c| c.get("jwk")) else {
            return Ok(false);
        };
        let index = credential
            .claims
            .get("status")
            .and_then(|s| s.get("status_list"))
            .and_then(|l| l.get("idx"))
            .and_then(Value::as_u64);
        let same_key = |held: &Value| {
            held.get("x") == presented.get("x") && held.get("y") == presented.get("y")
        };
        Ok(self
            .store
            .passport_credentials_of(request.worker_id)
            .await?
            .iter()
            .filter(|c| index == Some(u64::from(c.status_idx)))
            .filter(|c| self.issuer_id(c.org_id) == credential.iss)
            .filter_map(|c| c.holder_jwk.as_deref())
            .filter_map(|text| serde_json::from_str::<Value>(text).ok())
            .any(|held| same_key(&held)))
    }

    /// The request's own rules on a credential that passed every check: the type asked for,
    /// every claim asked for, and nothing disclosed beyond them.
    fn against_request(
        &self,
        request: &PresentationRequest,
        asked: &[String],
        credential: &verify::Verified,
        presentation: &str,
    ) -> Option<Value> {
        let refuse = |reason: &str, message: String| {
            Some(json!({"check": "request", "failure": {"reason": reason}, "message": message}))
        };
        if credential.vct != request.vct {
            return refuse(
                "wrong_type",
                format!("a {} was presented, not a {}", credential.vct, request.vct),
            );
        }
        let lookup = |path: &str| {
            path.split('.')
                .try_fold(&Value::Object(credential.claims.clone()), |v, part| {
                    v.get(part)
                })
                .cloned()
        };
        if let Some(missing) = asked.iter().find(|p| lookup(p).is_none()) {
            return refuse(
                "missing_claim",
                format!("{missing} was asked for and not disclosed"),
            );
        }
        let allowed: HashSet<&str> = asked.iter().filter_map(|p| p.rsplit('.').next()).collect();
        let extra: Vec<String> = SdJwt::parse(presentation)
            .map(|sd| sd.disclosures)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| d.name)
            .filter(|name| !allowed.contains(name.as_str()))
            .collect();
        if !extra.is_empty() {
            return refuse(
                "over_disclosure",
                format!("disclosed more than was asked: {}", extra.join(", ")),
            );
        }
        None
    }
}
