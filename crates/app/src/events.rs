//! The event feed other systems follow: each sequenced ledger entry as a CloudEvents 1.0 event
//! (JSON event format), in ledger order.
//!
//! An event carries what the ledger holds in the clear (the action, the trust, the subject's id,
//! the facts) and never the sealed personal data: a subscriber learns what happened, not the
//! names and free text that only the person's key opens. Published on NATS JetStream
//! ([`crate::event_publisher`]) and delivered to trusts' signed webhooks ([`crate::webhooks`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use staffbank_ledger::entry::Entry;
use staffbank_store::LedgerEntry;
use uuid::Uuid;

use crate::{App, AppError};

/// The CloudEvents specification version every event follows.
pub const SPEC_VERSION: &str = "1.0";
/// What every event type starts with: reverse-DNS, as CloudEvents recommends.
pub const TYPE_PREFIX: &str = "uk.nhs.staffbank.";

/// One event in the CloudEvents 1.0 JSON format (the envelope documented in `docs/events.md`
/// and `docs/events.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CloudEvent {
    /// Always "1.0".
    pub specversion: &'static str,
    /// The ledger entry's id: unique, and the same however often the event is sent.
    pub id: Uuid,
    /// The platform's public URL followed by `/ledger`.
    pub source: String,
    /// `uk.nhs.staffbank.` followed by the ledger action, e.g. `uk.nhs.staffbank.booking.made`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change was made (RFC 3339).
    pub time: DateTime<Utc>,
    /// The id of the person the change is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Always `application/json`.
    pub datacontenttype: &'static str,
    /// The entry's index in the ledger (the CloudEvents sequence extension), as a decimal
    /// string: events of one source arrive in this order.
    pub sequence: String,
    /// The trust whose data changed (`tenant`, or null) and the facts in the clear (`facts`).
    pub data: serde_json::Value,
}

/// The CloudEvents type of a ledger action.
pub fn event_type(action: &str) -> String {
    format!("{TYPE_PREFIX}{action}")
}

impl App {
    /// A sequenced ledger entry as its event.
    pub fn cloud_event(&self, entry: &LedgerEntry) -> Result<CloudEvent, AppError> {
        let seq = entry.seq.ok_or_else(|| {
            AppError::Unexpected(anyhow::anyhow!("an unsequenced entry is not an event yet"))
        })?;
        let body = Entry::from_bytes(&entry.record.body).map_err(|e| {
            AppError::Unexpected(anyhow::anyhow!(
                "ledger entry {} does not read: {e}",
                entry.record.id
            ))
        })?;
        Ok(CloudEvent {
            specversion: SPEC_VERSION,
            id: entry.record.id,
            source: format!("{}/ledger", self.public_url()),
            event_type: event_type(&entry.record.action),
            time: entry.record.recorded_at,
            subject: entry.record.subject.map(|s| s.to_string()),
            datacontenttype: "application/json",
            sequence: seq.to_string(),
            // `body.sealed` (personal data) is deliberately left out.
            data: json!({"tenant": body.tenant, "facts": body.facts}),
        })
    }
}
