//! Email over SMTP (RFC 5321) with `lettre`: each message carries its outbox event's id as its
//! Message-ID (RFC 5322 §3.6.4) and as an `Idempotency-Key` header, so a receiver that is sent
//! the same message twice (at-least-once delivery) can drop the repeat.

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

/// Sends email through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
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
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(format!("<{key}@{}>", self.domain)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(IDEMPOTENCY_HEADER),
                key.to_string(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("the mail server did not accept it: {e}"))
    }
}
