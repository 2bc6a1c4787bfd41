//! Email over SMTP (RFC 5321) with `lettre`: each message carries its outbox event's id as its
//! Message-ID (RFC 5322 §3.6.4) and as an `Idempotency-Key` header, so a receiver that is sent
//! the same message twice (at-least-once delivery) can drop the repeat. Instead of a server, the
//! demo writes each message as an `.eml` file in a folder, so a newcomer can open what was sent.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use super::words::Message;

/// How long one SMTP conversation may take before it counts as a failed attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The header that carries a message's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Where messages go.
enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder, one `.eml` file per message (RFC 5322 text, as a mail program opens it).
    Folder(PathBuf),
}

/// Sends email through one SMTP server, or into a folder.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// The domain Message-IDs are made in.
    domain: String,
}

impl Mailer {
    /// A mailer for an SMTP URL (`smtp://host:port` in the clear, `smtps://` for TLS, or
    /// `smtp://host:587?tls=required` for STARTTLS, as `lettre` reads them) sending from `from`.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("SMTP URL: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Self::with(Transport::Smtp(transport), from)
    }

    /// A mailer that writes each message into `folder` (made if missing) as
    /// `<event id>-<recipient>.eml`, for the demo and for trying the product without a server.
    pub fn to_folder(folder: PathBuf, from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&folder)
            .map_err(|e| anyhow::anyhow!("mail folder {}: {e}", folder.display()))?;
        Self::with(Transport::Folder(folder), from)
    }

    fn with(transport: Transport, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("from address {from:?}: {e}"))?;
        let domain = from.email.domain().to_owned();
        Ok(Self {
            transport,
            from,
            domain,
        })
    }

    /// Sends `message` to `to`, keyed by the event it carries. Ok once the server accepted it.
    pub async fn send(&self, key: Uuid, to: &str, message: &Message) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("the address {to:?} cannot be sent to: {e}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(message.subject.clone())
            .message_id(Some(format!("<{key}@{}>", self.domain)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(IDEMPOTENCY_HEADER),
                key.to_string(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| format!("the mail server did not accept it: {e}")),
            Transport::Folder(folder) => {
                // The same message sent again overwrites its file: one file per message.
                let recipient: String = to
                    .email
                    .to_string()
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' || c == '@' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = folder.join(format!("{key}-{recipient}.eml"));
                // Written whole, then named: nothing opens a half-written message.
                let partial = folder.join(format!("{key}-{recipient}.eml.part"));
                let written = match tokio::fs::write(&partial, email.formatted()).await {
                    Ok(()) => tokio::fs::rename(&partial, &path).await,
                    Err(e) => Err(e),
                };
                written.map_err(|e| {
                    format!(
                        "the message could not be written to {}: {e}",
                        path.display()
                    )
                })
            }
        }
    }
}
