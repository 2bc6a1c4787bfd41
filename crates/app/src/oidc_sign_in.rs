//! Signing in with an organisation's OpenID Connect provider: the authorisation code flow
//! (OpenID Connect Core 1.0 section 3.1) with PKCE S256 (RFC 7636), `state` and `nonce`.
//!
//! Starting keeps an attempt server-side (the state's hash, the nonce and the PKCE verifier) and
//! gives the browser the state, which the web layer also puts in a short-lived cookie so the
//! callback only counts in the browser that started it. The callback takes the attempt once,
//! redeems the code with the verifier and the sealed client secret, and lets the `openidconnect`
//! crate check the ID token's signature against the provider's JWKS, its issuer, audience,
//! expiry and nonce. The person is then matched to an account: a subject an administrator linked,
//! or a verified email of an account of the provider's organisation. Nobody else gets in, and
//! no account is ever made here.

use chrono::Duration;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde_json::json;
use staffbank_store::{OidcAttempt, OidcProvider, User};
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::{token_hash, SignedIn};
use crate::{App, AppError};

/// How long someone has at the provider's pages before the attempt lapses.
pub const ATTEMPT_LIFETIME: Duration = Duration::minutes(10);

/// Where the provider sends people back to, under the public URL.
pub const CALLBACK_PATH: &str = "/sign-in/oidc/callback";

/// Why a sign-in through a provider was refused; each has its own words for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcRefusal {
    /// No attempt with this state (expired, used already, or started in another browser).
    UnknownState,
    /// The provider refused, or its answer did not check out (code, signature, issuer,
    /// audience, expiry or nonce).
    ProviderAnswer,
    /// The email was not verified by the provider and no administrator linked the subject.
    EmailNotVerified,
    /// No account of the provider's organisation matches.
    NoAccount,
}

impl OidcRefusal {
    /// The page's heading.
    pub fn title(self) -> &'static str {
        match self {
            Self::UnknownState => "This sign-in has expired",
            Self::ProviderAnswer => "Your organisation's sign-in did not work",
            Self::EmailNotVerified => "Your email address is not verified",
            Self::NoAccount => "Your account is not linked to Staffbank",
        }
    }

    /// What to do next.
    pub fn advice(self) -> &'static str {
        match self {
            Self::UnknownState => "Go back to the sign-in page and start again.",
            Self::ProviderAnswer => {
                "Go back to the sign-in page and try again. If it keeps happening, contact your \
                 organisation's IT service desk."
            }
            Self::EmailNotVerified => {
                "Your organisation's sign-in did not confirm your email address, so Staffbank \
                 cannot tell which account is yours. Ask your bank office to link your account."
            }
            Self::NoAccount => {
                "Staffbank has no account for you at this organisation. Ask your bank office to \
                 set one up or link it; Staffbank does not create accounts on sign-in."
            }
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::UnknownState => "unknown_state",
            Self::ProviderAnswer => "provider_answer",
            Self::EmailNotVerified => "email_not_verified",
            Self::NoAccount => "no_account",
        }
    }
}

/// Where to send the browser, and the state to keep in its cookie.
#[derive(Debug)]
pub struct OidcStart {
    /// The provider's authorisation URL with every parameter.
    pub redirect_to: String,
    /// The `state` sent, for the browser's cookie.
    pub state: String,
}

/// The outcome of a callback: signed in, or refused for a reason.
pub type OidcOutcome = Result<SignedIn, OidcRefusal>;

fn http_client() -> Result<openidconnect::reqwest::Client, AppError> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would let a provider point the server anywhere (SSRF).
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("HTTP client: {e}")))
}

impl App {
    /// The redirect URI registered at every provider.
    pub fn oidc_redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.public_url())
    }

    /// Discovers a provider (OpenID Connect Discovery 1.0, with its JWKS) and builds the client.
    async fn oidc_client(
        &self,
        provider: &OidcProvider,
        http: &openidconnect::reqwest::Client,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        String,
    > {
        let issuer = IssuerUrl::new(provider.issuer_url.clone()).map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| format!("discovery: {e}"))?;
        let secret = self
            .oidc_secret_key()
            .open(provider.id, &provider.sealed_secret)
            .map_err(|_| "the client secret does not open".to_owned())?;
        let secret = String::from_utf8(secret).map_err(|e| e.to_string())?;
        let redirect = RedirectUrl::new(self.oidc_redirect_uri()).map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(secret)),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts signing in with a provider: `NotFound` for an unknown one; a provider that cannot
    /// be reached is an unexpected error (the page says to try again).
    pub async fn start_oidc_sign_in(&self, provider: Uuid) -> Result<OidcStart, AppError> {
        let provider = self
            .store
            .oidc_provider(provider)
            .await?
            .ok_or(AppError::NotFound)?;
        let http = http_client()?;
        let client = self
            .oidc_client(&provider, &http)
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("OpenID provider: {e}")))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        self.store
            .create_oidc_attempt(&OidcAttempt {
                state_hash: token_hash(state.secret()),
                provider_id: provider.id,
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                expires_at: self.now() + ATTEMPT_LIFETIME,
            })
            .await?;
        Ok(OidcStart {
            redirect_to: url.to_string(),
            state: state.secret().clone(),
        })
    }

    /// Finishes signing in: `state` from the provider's redirect must equal the browser's
    /// `cookie_state` and name a live attempt, which is used up whatever happens next.
    pub async fn finish_oidc_sign_in(
        &self,
        state: &str,
        cookie_state: Option<&str>,
        code: &str,
    ) -> Result<OidcOutcome, AppError> {
        if state.is_empty() || state.len() > 200 || cookie_state != Some(state) || code.len() > 2000
        {
            return Ok(Err(OidcRefusal::UnknownState));
        }
        let Some(attempt) = self
            .store
            .take_oidc_attempt(&token_hash(state), self.now())
            .await?
        else {
            return Ok(Err(OidcRefusal::UnknownState));
        };
        let Some(provider) = self.store.oidc_provider(attempt.provider_id).await? else {
            return Ok(Err(OidcRefusal::UnknownState));
        };
        let outcome = match self.verified_claims(&provider, &attempt, code).await {
            Err(why) => {
                tracing::info!(provider = %provider.id, %why, "OpenID sign-in answer refused");
                Err(OidcRefusal::ProviderAnswer)
            }
            Ok(claims) => match self.account_for(&provider, &claims).await? {
                Ok(user) => Ok(self.open_session(&user).await?),
                Err(refusal) => Err(refusal),
            },
        };
        let record = self
            .audit_record(Change {
                action: if outcome.is_ok() {
                    "sign_in.oidc"
                } else {
                    "sign_in.oidc_refused"
                },
                actor: None,
                tenant: Some(provider.org_id),
                subject: None,
                facts: json!({
                    "provider": provider.id,
                    "refusal": outcome.as_ref().err().map(|r| r.code()),
                }),
                personal: None,
            })
            .await?;
        self.store.append_audit(&[record]).await?;
        Ok(outcome)
    }

    /// Redeems the code and checks the ID token; its subject, email and whether it is verified.
    async fn verified_claims(
        &self,
        provider: &OidcProvider,
        attempt: &OidcAttempt,
        code: &str,
    ) -> Result<Claims, String> {
        let http = http_client().map_err(|e| e.to_string())?;
        let client = self.oidc_client(provider, &http).await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| e.to_string())?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| format!("token request: {e}"))?;
        let id_token = response.id_token().ok_or("no ID token")?;
        let claims = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(attempt.nonce.clone()),
            )
            .map_err(|e| format!("ID token: {e}"))?;
        if let Some(email) = claims.email() {
            return Ok(Claims {
                subject: claims.subject().as_str().to_owned(),
                email: Some(email.as_str().trim().to_lowercase()),
                email_verified: claims.email_verified() == Some(true),
            });
        }
        // Providers that keep the ID token small (NHS CIS2, and any that follow OpenID Connect
        // Core 1.0 section 5.4 strictly) give the email at the UserInfo endpoint; its `sub` must
        // be the ID token's (section 5.3.2).
        let info: CoreUserInfoClaims = client
            .user_info(
                response.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .map_err(|e| format!("userinfo: {e}"))?
            .request_async(&http)
            .await
            .map_err(|e| format!("userinfo: {e}"))?;
        Ok(Claims {
            subject: claims.subject().as_str().to_owned(),
            email: info.email().map(|e| e.as_str().trim().to_lowercase()),
            email_verified: info.email_verified() == Some(true),
        })
    }

    /// The account the person signs in as: a linked subject's, or a verified email's, and only
    /// if it belongs to the provider's organisation.
    async fn account_for(
        &self,
        provider: &OidcProvider,
        claims: &Claims,
    ) -> Result<Result<User, OidcRefusal>, AppError> {
        let linked = match self
            .store
            .oidc_linked_user(provider.id, &claims.subject)
            .await?
        {
            Some(id) => self.store.user(id).await?,
            None => None,
        };
        let user = match (linked, &claims.email) {
            (Some(user), _) => user,
            (None, Some(_)) if !claims.email_verified => {
                return Ok(Err(OidcRefusal::EmailNotVerified))
            }
            (None, Some(email)) if email.len() <= 254 => {
                match self.store.user_by_email(email).await? {
                    Some(user) => user,
                    None => return Ok(Err(OidcRefusal::NoAccount)),
                }
            }
            (None, _) => return Ok(Err(OidcRefusal::NoAccount)),
        };
        if !self.store.user_in_org(user.id, provider.org_id).await? {
            return Ok(Err(OidcRefusal::NoAccount));
        }
        Ok(Ok(user))
    }
}

/// What Staffbank uses from a checked ID token.
struct Claims {
    subject: String,
    email: Option<String>,
    email_verified: bool,
}
