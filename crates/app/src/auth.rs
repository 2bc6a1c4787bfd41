//! Signing in and out, and turning a token back into a [`Principal`].
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, the OWASP
//! minimum). Session tokens are 256 random bits; only their SHA-256 is stored, so a database leak
//! does not leak live sessions.

use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use staffbank_store::{Session, User};

use crate::{App, AppError, Principal};

/// The longest a session lasts, however busy: long enough for a night shift.
pub const SESSION_LIFETIME: Duration = Duration::hours(14);
/// How long a session lasts unused: each use moves its end on by this much (up to
/// [`SESSION_LIFETIME`] from sign-in), so a phone left signed in stops working within the hour.
pub const SESSION_IDLE: Duration = Duration::hours(1);
/// How often a busy session's end is moved on: at most one write per session this often.
const SLIDE_STEP: Duration = Duration::minutes(5);
/// Shortest password accepted (NCSC guidance favours length over composition rules).
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted, bounding hashing work.
pub const MAX_PASSWORD: usize = 128;

/// A new session: the secret token goes to the client once and is never stored.
pub struct SignedIn {
    /// Bearer token / cookie value.
    pub token: String,
    /// Secret for the UI's forms.
    pub csrf_token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A new random secret (256 bits, base64url), e.g. for a form's token.
pub fn new_secret() -> String {
    random_token()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The hash of a token a client presented, refusing at once one that no session could have.
pub(crate) fn presented_token_hash(token: &str) -> Result<String, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    Ok(token_hash(token))
}

/// SHA-256, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The least zxcvbn score a new password must reach: 3, "safely unguessable" (about 10^8
/// guesses or more). Its dictionaries hold the most common passwords from public breach lists,
/// English words, names and keyboard patterns, so common and breached passwords score low.
pub const LEAST_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Checks a new password: not blank, 10 to 128 characters (NCSC guidance favours length over
/// composition rules), free of the person's own words (`about`: their email and name), and not
/// easy to guess, judged by zxcvbn against common and breached passwords.
pub fn check_password(password: &str, about: &[&str]) -> Result<(), String> {
    if password.trim().is_empty() {
        return Err("must not be blank or only spaces".to_owned());
    }
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(format!("must be at least {MIN_PASSWORD} characters"));
    }
    if n > MAX_PASSWORD {
        return Err(format!("must be at most {MAX_PASSWORD} characters"));
    }
    // The person's own words (their name, their email before the @) are the first an attacker
    // tries, so a password may not contain any of them.
    let lower = password.to_lowercase();
    let words: Vec<String> = about
        .iter()
        .filter_map(|text| text.split('@').next())
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    if words.iter().any(|word| lower.contains(word.as_str())) {
        return Err("must not contain your name or email address".to_owned());
    }
    let words: Vec<&str> = about
        .iter()
        .copied()
        .chain(words.iter().map(String::as_str))
        .collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if estimate.score() < LEAST_SCORE {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| {
                let text = w.to_string();
                let mut chars = text.chars();
                let first = chars.next().map(|c| c.to_lowercase().to_string());
                format!(
                    " ({}{})",
                    first.unwrap_or_default(),
                    chars.as_str().trim_end_matches('.')
                )
            })
            .unwrap_or_default();
        return Err(format!(
            "is too easy to guess{why}: use three or more words that do not go together"
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
    })
    .await
    .context("Password hashing task failed")?
    .map_err(AppError::Unexpected)
}

/// A hash to verify against when the account does not exist, so timing does not reveal which
/// emails have accounts.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(random_token().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

async fn verify_password(password: &str, hash: Option<String>) -> Result<bool, AppError> {
    let password = password.to_owned();
    let real = hash.is_some();
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| decoy_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && real
    })
    .await
    .context("Password verification task failed")
    .map_err(AppError::Unexpected)
}

impl App {
    /// Signs in with email and password, from a client `address` when the server knows it.
    /// Every failure is the same `Unauthenticated`, whichever part was wrong (and for an account
    /// whose holder has not yet confirmed it by email); the right password
    /// of someone whose organisation turned passwords off (it signs its staff in with its OpenID
    /// Connect provider) is `Forbidden`; an account or address with too many refusals lately is
    /// `TooManyAttempts` before the password is even checked (see `sign_in_guard`).
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        if password.chars().count() > MAX_PASSWORD || email.len() > 254 {
            return Err(AppError::Unauthenticated);
        }
        let email = email.trim().to_lowercase();
        let key = crate::sign_in_guard::account_key(&email);
        self.sign_in_allowed(&key, address).await?;
        let user = self.store.user_by_email(&email).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        if !verify_password(password, hash).await? {
            tracing::info!("sign-in refused");
            // Counted in the pruned table, never one ledger entry each.
            self.sign_in_refused(&key, address).await?;
            return Err(AppError::Unauthenticated);
        }
        let Some(user) = user else {
            return Err(AppError::Unauthenticated);
        };
        if self.store.account_unconfirmed(user.id).await? {
            // Answered as a wrong password is, so it tells nobody whether the account exists.
            tracing::info!(user = %user.id, "sign-in refused: the account is not confirmed yet");
            return Err(AppError::Unauthenticated);
        }
        if self.store.passwords_off_for(user.id).await? {
            // Said only after the right password, so it tells nobody else anything.
            tracing::info!(user = %user.id, "password sign-in refused: the organisation uses its provider");
            return Err(AppError::Forbidden);
        }
        self.sign_in_accepted(&key).await?;
        self.open_session(&user).await
    }

    /// Starts a session for an account that has proven who it is (by password or by an
    /// OpenID Connect provider): the same token, cookie and CSRF secret either way.
    pub(crate) async fn open_session(&self, user: &User) -> Result<SignedIn, AppError> {
        let token = random_token();
        let now = self.now();
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: random_token(),
            expires_at: now + SESSION_IDLE,
            absolute_expires_at: Some(now + SESSION_LIFETIME),
        };
        self.store.create_session(&session).await?;
        tracing::info!(user = %user.id, "signed in");
        Ok(SignedIn {
            token,
            csrf_token: session.csrf_token,
            expires_at: session.expires_at,
        })
    }

    /// Turns a token into the principal it belongs to, moving the session's end on when it has
    /// been in use (at most once every few minutes, so a busy session costs one write then).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AppError> {
        let now = self.now();
        let signed_in = self
            .store
            .signed_in(&presented_token_hash(token)?, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let session = &signed_in.session;
        if session.absolute_expires_at.is_some()
            && session.expires_at < now + SESSION_IDLE - SLIDE_STEP
        {
            self.store
                .extend_session(&session.token_hash, now + SESSION_IDLE, now)
                .await?;
        }
        Ok(Principal::from(signed_in))
    }

    /// Ends the session behind a token.
    pub async fn sign_out(&self, principal: &Principal) -> Result<(), AppError> {
        self.store
            .delete_session(&principal.session.token_hash)
            .await
            .map_err(AppError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_common_and_personal_passwords_are_refused() {
        let about = ["ann.smith@rxl.nhs.test", "Ann Smith"];
        for refused in [
            "          ",
            "\t\t\t\t\t\t\t\t\t\t",
            "password123",
            "qwertyuiop",
            "Password1234",
            "1234567890",
            "annsmith2026",
        ] {
            assert!(
                check_password(refused, &about).is_err(),
                "{refused:?} was accepted"
            );
        }
        assert_eq!(
            check_password("          ", &about).unwrap_err(),
            "must not be blank or only spaces"
        );
        assert!(check_password("password123", &about)
            .unwrap_err()
            .starts_with("is too easy to guess"));
    }

    #[test]
    fn long_unusual_passphrases_are_accepted() {
        for accepted in [
            "staffbank-demo",
            "correct horse battery",
            "kettle orbit maple ward",
        ] {
            assert_eq!(
                check_password(accepted, &["ann@rxl.nhs.test"]),
                Ok(()),
                "{accepted:?}"
            );
        }
        assert!(check_password(&"x".repeat(MAX_PASSWORD + 1), &[]).is_err());
    }
}
