//! Confirming by email the accounts workers register themselves. A new registration gets an
//! email with a single-use link that works for [`LINK_LIFETIME`] (only the token's hash is
//! stored); until it is used the account cannot sign in. A registration naming an address that
//! already has an account is answered exactly the same way, and that address is told instead
//! that someone tried to register with it. Either email is sent at once, outside the outbox, so
//! the link's token is never written down.

use chrono::Duration;
use serde::Deserialize;
use serde_json::json;
use staffbank_domain::text::Email;
use uuid::Uuid;

use crate::audit::Change;
use crate::notify::words::Message;
use crate::{App, AppError};

/// How long a confirmation link works.
pub const LINK_LIFETIME: Duration = Duration::hours(24);

/// The path of the page a confirmation link opens; the token follows as `?token=`.
pub const CONFIRM_PATH: &str = "/confirm-email";

/// A confirmation link's token, as the page or a client sends it back.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmAccount {
    /// The `token` of the emailed link.
    pub token: String,
}

/// The email with the confirmation link.
pub(crate) fn confirmation_message(public_url: &str, token: &str) -> Message {
    let link = format!("{public_url}{CONFIRM_PATH}?token={token}");
    Message {
        subject: "Confirm your email address for Staffbank".into(),
        body: format!(
            "Someone registered a Staffbank account with this email address. If it was you, \
             confirm your email address to start using your account:\r\n\r\n{link}\r\n\r\n\
             The link works once, for {} hours. If you did not register, ignore this email: \
             nobody can sign in to the account unless the link is used.\r\n",
            LINK_LIFETIME.num_hours()
        ),
        path: CONFIRM_PATH.into(),
    }
}

/// The email to an address that already has an account, when someone registers with it.
pub(crate) fn attempt_message(public_url: &str) -> Message {
    Message {
        subject: "Someone tried to register with your email address".into(),
        body: format!(
            "Someone tried to register a new Staffbank account with this email address, which \
             already has an account. Nothing has changed.\r\n\r\n\
             If it was you, sign in to the account you have: {public_url}/sign-in\r\n\
             If you have forgotten your password, ask your bank office to reset it.\r\n\
             If you have not confirmed your account yet, use the link in the email we sent when \
             you registered.\r\n\r\nIf it was not you, you do not need to do anything.\r\n"
        ),
        path: "/sign-in".into(),
    }
}

impl App {
    /// Sends one email in the background, now, outside the outbox: for messages that carry a
    /// secret which must not be stored. Logged if no email is configured or it fails.
    pub(crate) fn send_email_now(&self, to: &Email, message: Message) {
        let Some(notifier) = self.notifier.clone() else {
            tracing::warn!("no email is configured: an account confirmation email was not sent");
            return;
        };
        let to = to.as_str().to_owned();
        tokio::spawn(async move {
            if let Err(error) = notifier.mailer.send(Uuid::now_v7(), &to, &message).await {
                tracing::warn!(%error, "an account confirmation email was not sent");
            }
        });
    }

    /// Confirms the account a link was sent for: from now on it can sign in. A link that is
    /// unknown, used already or expired is refused, and changes nothing.
    pub async fn confirm_account(&self, input: ConfirmAccount) -> Result<(), AppError> {
        let refused = || {
            AppError::field(
                "token",
                "this link does not work: it may have been used already or have expired",
            )
        };
        let token = input.token.trim();
        if token.is_empty() || token.len() > 100 {
            return Err(refused());
        }
        let hash = crate::auth::token_hash(token);
        let now = self.now();
        let user = self
            .store
            .account_to_confirm(&hash, now)
            .await?
            .ok_or_else(refused)?;
        let record = self
            .audit_record(Change {
                action: "account.confirmed",
                actor: Some(user),
                tenant: None,
                subject: Some(user),
                facts: json!({"user": user}),
                personal: None,
            })
            .await?;
        if !self.store.confirm_account(&hash, now, &[record]).await? {
            return Err(refused());
        }
        tracing::info!(user = %user, "account confirmed");
        Ok(())
    }
}
