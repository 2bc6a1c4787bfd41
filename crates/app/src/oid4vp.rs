//! OpenID for Verifiable Presentations 1.0, so that a worker can answer a verifier's request
//! from a standards-based wallet app as from the built-in wallet. The request is an
//! authorisation request by value (section 5) with a DCQL query (section 6) for the one
//! credential type and claims asked, `response_mode=direct_post` (section 8.2) to a response
//! URI of the verifier's, and the `redirect_uri:` client identifier prefix (section 5.9.3), so
//! the key binding's audience is that client identifier. The response runs the same checks as
//! every presentation, plus that the credential is bound to the asked worker's key.

use serde::Deserialize;
use serde_json::{json, Value};
use staffbank_domain::OrgId;
use staffbank_store::PresentationRequest;
use uuid::Uuid;

use crate::{App, AppError, Principal};

/// The one credential query's id in every DCQL query the platform sends.
pub const QUERY_ID: &str = "credential";

/// A wallet app's answer, form-encoded (OpenID4VP 1.0 section 8.2).
#[derive(Debug, Default, Deserialize)]
pub struct WalletResponse {
    /// `{"credential": ["<SD-JWT+KB>"]}`, as JSON.
    #[serde(default)]
    pub vp_token: Option<String>,
    /// The request's `state`.
    #[serde(default)]
    pub state: String,
    /// `access_denied` when the worker declined in the app.
    #[serde(default)]
    pub error: Option<String>,
}

fn refuse(why: impl Into<String>) -> AppError {
    AppError::Wallet("invalid_request", why.into())
}

impl App {
    /// Where a wallet app posts its answer to a request.
    pub fn response_uri(&self, request: &PresentationRequest) -> String {
        format!(
            "{}/responses/{}",
            self.verifier_id(request.verifier_org),
            request.id
        )
    }

    /// The verifier's client identifier for a request, which a wallet app's key binding names
    /// as its audience.
    pub fn client_id(&self, request: &PresentationRequest) -> String {
        format!("redirect_uri:{}", self.response_uri(request))
    }

    /// The request as an OpenID4VP authorisation request: its parameters, and the
    /// `openid4vp://` link a wallet app opens or scans.
    pub fn authorization_request(&self, request: &PresentationRequest) -> (Value, String) {
        let claims: Vec<String> = serde_json::from_str(&request.claims).unwrap_or_default();
        let paths: Vec<Value> = claims
            .iter()
            .map(|c| json!({"path": c.split('.').collect::<Vec<_>>()}))
            .collect();
        let dcql = json!({"credentials": [{
            "id": QUERY_ID,
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [request.vct]},
            "claims": paths,
        }]});
        let metadata = json!({"vp_formats_supported": {"dc+sd-jwt": {
            "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}}});
        let params = json!({
            "client_id": self.client_id(request),
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": self.response_uri(request),
            "nonce": request.nonce,
            "state": request.id.to_string(),
            "dcql_query": dcql,
            "client_metadata": metadata,
        });
        let query: Vec<String> = params
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                format!("{k}={}", crate::oid4vci::percent_encode(&text))
            })
            .collect();
        let uri = format!("openid4vp://?{}", query.join("&"));
        (params, uri)
    }

    /// A pending request of the signed-in worker's, as an OpenID4VP authorisation request.
    pub async fn my_authorization_request(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<(Value, String), AppError> {
        let worker = who.require_worker()?;
        let request = match self.store.presentation_request(id).await? {
            Some(r) if r.worker_id == worker.id => r,
            _ => return Err(AppError::NotFound),
        };
        let request = self.still_pending(request)?;
        Ok(self.authorization_request(&request))
    }

    /// A wallet app's answer at the response URI: a presentation, verified with every check on
    /// and the client identifier as audience, or the worker's refusal. The app gets an empty
    /// object; the outcome is the verifier's to read. Anyone who saw the request can post here,
    /// so a refusal counts only from the worker's own session (`who`); any other is logged and
    /// refused, and the request stays open for the worker's answer.
    pub async fn wallet_response(
        &self,
        who: Option<&Principal>,
        org: OrgId,
        id: Uuid,
        input: WalletResponse,
    ) -> Result<Value, AppError> {
        let request = match self.store.presentation_request(id).await? {
            Some(r) if r.verifier_org == org => r,
            _ => return Err(AppError::NotFound),
        };
        if input.state != request.id.to_string() {
            return Err(refuse("state is not this request's"));
        }
        let request = self.still_pending(request)?;
        let worker = self
            .store
            .worker(request.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if input.error.as_deref() == Some("access_denied") {
            if who.is_none_or(|who| who.user.id != worker.user_id) {
                tracing::warn!(request = %request.id, signed_in = who.is_some(),
                    "a refusal not from the worker's own session was ignored; the request stays open");
                return Err(refuse(
                    "only the worker, signed in, can decline this request; it stays open",
                ));
            }
            self.decline_request(&request, worker.user_id).await?;
            return Ok(json!({}));
        }
        let token: Value = input
            .vp_token
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .ok_or_else(|| refuse("vp_token must be a JSON object"))?;
        let presentation = token
            .get(QUERY_ID)
            .and_then(Value::as_array)
            .filter(|list| list.len() == 1)
            .and_then(|list| list[0].as_str())
            .ok_or_else(|| refuse("vp_token must hold one presentation for \"credential\""))?;
        let audience = self.client_id(&request);
        self.answer_request(
            request,
            presentation,
            &audience,
            worker.user_id,
            crate::presentations::Answerer::WalletApp,
        )
        .await?;
        Ok(json!({}))
    }
}
