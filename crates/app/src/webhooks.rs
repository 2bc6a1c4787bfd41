//! A trust's bank office registers webhook subscribers: an address that receives the trust's
//! events (and only the trust's), signed with a secret the server makes and shows once.
//! Delivery is [`crate::webhook_delivery`]; the signature [`crate::webhook_signature`].

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::role::Role;
use staffbank_domain::OrgId;
use staffbank_store::Webhook;
use uuid::Uuid;

use crate::audit::Change;
use crate::error::Fields;
use crate::events::TYPE_PREFIX;
use crate::{App, AppError, Principal};

/// Most event types one subscriber names.
const MOST_TYPES: usize = 50;
/// Longest address accepted.
const LONGEST_URL: usize = 2000;

/// A subscriber to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where to post events: an `https://` (or `http://`) address.
    pub url: String,
    /// The CloudEvents types wanted, e.g. `uk.nhs.staffbank.booking.made`; a type may end in
    /// `.*` for a whole area (`uk.nhs.staffbank.booking.*`), and `uk.nhs.staffbank.*` is every
    /// event.
    pub types: Vec<String>,
    /// The trust it is for; needed only by someone who books for more than one.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
}

/// Where a subscriber's deliveries stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Up to date, or delivering.
    Delivering,
    /// The last attempt failed; another is due at `retry_at`.
    Retrying,
    /// Gave up on an event after every attempt: nothing more is sent until someone tries again.
    DeadLettered,
}

/// A subscriber as its trust sees it (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    /// Identity.
    pub id: Uuid,
    /// The trust whose events it receives.
    pub organisation_id: Uuid,
    /// Where events are posted.
    pub url: String,
    /// The CloudEvents types it wants.
    pub types: Vec<String>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Where deliveries stand.
    pub state: DeliveryState,
    /// Failed attempts at the current event.
    pub attempts: u32,
    /// What went wrong last, if anything.
    pub last_error: Option<String>,
    /// When the next attempt is due, while retrying.
    pub retry_at: Option<DateTime<Utc>>,
    /// When delivery gave up, if it did.
    pub dead_lettered_at: Option<DateTime<Utc>>,
}

/// A subscriber just registered, with its secret: shown this once and never again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegisteredWebhook {
    /// The subscriber.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The secret deliveries are signed with (see `docs/events.md`).
    pub secret: String,
}

impl From<&Webhook> for WebhookView {
    fn from(hook: &Webhook) -> Self {
        let state = if hook.dead_at.is_some() {
            DeliveryState::DeadLettered
        } else if hook.attempts > 0 {
            DeliveryState::Retrying
        } else {
            DeliveryState::Delivering
        };
        Self {
            id: hook.id,
            organisation_id: hook.org_id.0,
            url: hook.url.clone(),
            types: hook
                .actions
                .iter()
                .map(|a| format!("{TYPE_PREFIX}{a}"))
                .collect(),
            created_at: hook.created_at,
            state,
            attempts: hook.attempts,
            last_error: hook.last_error.clone(),
            retry_at: hook.retry_at.filter(|_| state == DeliveryState::Retrying),
            dead_lettered_at: hook.dead_at,
        }
    }
}

/// Whether a subscriber wanting `wanted` (actions, possibly ending in `*`) wants `action`.
pub fn wants(wanted: &[String], action: &str) -> bool {
    wanted.iter().any(|w| match w.strip_suffix('*') {
        Some(area) => action.starts_with(area),
        None => w == action,
    })
}

/// A wanted type as stored: the action, or an area ending in `.*`, or `*`.
fn action_of(event_type: &str) -> Option<String> {
    let action = event_type.strip_prefix(TYPE_PREFIX)?;
    let (words, wildcard) = match action.strip_suffix('*') {
        Some("") => return Some("*".into()),
        Some(area) => (area.strip_suffix('.')?, true),
        None => (action, false),
    };
    let good = !words.is_empty()
        && words
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    (good && (wildcard || words.contains('.'))).then(|| action.to_owned())
}

/// Checks an address: http or https, with a host, no user name or password, not too long.
fn check_url(fields: &mut Fields, url: &str) -> Option<String> {
    if url.len() > LONGEST_URL {
        fields.push("url", format!("must be at most {LONGEST_URL} characters"));
        return None;
    }
    match reqwest::Url::parse(url.trim()) {
        Ok(parsed)
            if matches!(parsed.scheme(), "https" | "http")
                && parsed.host_str().is_some_and(|h| !h.is_empty())
                && parsed.username().is_empty()
                && parsed.password().is_none() =>
        {
            Some(parsed.to_string())
        }
        _ => {
            fields.push(
                "url",
                "enter a web address starting https:// (or http://), like https://example.nhs.uk/hooks",
            );
            None
        }
    }
}

/// A new secret: 32 random bytes from the operating system, as hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

impl App {
    /// The trusts whose webhooks `who` keeps: those they book for as a whole.
    fn webhook_orgs(who: &Principal) -> Result<Vec<OrgId>, AppError> {
        let orgs = who.orgs_as(Role::Booker);
        if orgs.is_empty() {
            Err(AppError::Forbidden)
        } else {
            Ok(orgs)
        }
    }

    /// Every subscriber of the trusts `who` books for, oldest first.
    pub async fn webhooks(&self, who: &Principal) -> Result<Vec<WebhookView>, AppError> {
        let mut views = Vec::new();
        for org in Self::webhook_orgs(who)? {
            views.extend(
                self.store
                    .webhooks(org)
                    .await?
                    .iter()
                    .map(WebhookView::from),
            );
        }
        Ok(views)
    }

    /// One subscriber of a trust `who` books for; 404 for anyone else's.
    pub async fn webhook(&self, who: &Principal, id: Uuid) -> Result<Webhook, AppError> {
        for org in Self::webhook_orgs(who)? {
            if let Some(hook) = self.store.webhook(org, id).await? {
                return Ok(hook);
            }
        }
        Err(AppError::NotFound)
    }

    /// Registers a subscriber for the caller's trust; its first event is the next change after
    /// now. The secret is returned this once.
    #[tracing::instrument(skip_all)]
    pub async fn register_webhook(
        &self,
        who: &Principal,
        input: WebhookInput,
    ) -> Result<RegisteredWebhook, AppError> {
        let orgs = Self::webhook_orgs(who)?;
        let mut fields = Fields::default();
        let org = match (input.organisation_id, orgs.as_slice()) {
            (None, [only]) => Some(*only),
            (None, _) => {
                fields.push("organisation_id", "choose which of your trusts this is for");
                None
            }
            (Some(id), _) if orgs.contains(&OrgId(id)) => Some(OrgId(id)),
            (Some(_), _) => {
                fields.push("organisation_id", "not a trust you book for");
                None
            }
        };
        let url = check_url(&mut fields, &input.url);
        let mut actions: Vec<String> = Vec::new();
        for (i, t) in input.types.iter().enumerate() {
            match action_of(t.trim()) {
                Some(action) if !actions.contains(&action) => actions.push(action),
                Some(_) => {}
                None => fields.push(
                    format!("types[{i}]"),
                    format!("not an event type: they look like {TYPE_PREFIX}booking.made"),
                ),
            }
        }
        if input.types.is_empty() {
            fields.push("types", "choose at least one kind of event");
        } else if input.types.len() > MOST_TYPES {
            fields.push("types", format!("choose at most {MOST_TYPES}"));
        }
        fields.finish()?;
        let (Some(org), Some(url)) = (org, url) else {
            return Err(AppError::field("url", "invalid"));
        };
        let hook = Webhook {
            id: Uuid::now_v7(),
            org_id: org,
            url,
            actions,
            secret: new_secret(),
            created_at: self.now(),
            next_seq: self.store.ledger_size().await?,
            attempts: 0,
            retry_at: None,
            last_error: None,
            dead_at: None,
        };
        let view = WebhookView::from(&hook);
        let record = self
            .audit_record(Change {
                action: "webhook.registered",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"webhook": hook.id, "url": hook.url, "types": view.types}),
                personal: None,
            })
            .await?;
        self.store.add_webhook(&hook, &[record]).await?;
        tracing::info!(webhook = %hook.id, "webhook registered");
        Ok(RegisteredWebhook {
            webhook: view,
            secret: hook.secret,
        })
    }

    /// Removes a subscriber of the caller's trust; nothing more is sent to it.
    #[tracing::instrument(skip_all, fields(webhook = %id))]
    pub async fn remove_webhook(&self, who: &Principal, id: Uuid) -> Result<(), AppError> {
        let hook = self.webhook(who, id).await?;
        let record = self
            .audit_record(Change {
                action: "webhook.removed",
                actor: Some(who.user.id),
                tenant: Some(hook.org_id),
                subject: None,
                facts: json!({"webhook": hook.id, "url": hook.url}),
                personal: None,
            })
            .await?;
        self.store
            .remove_webhook(hook.org_id, hook.id, &[record])
            .await?;
        Ok(())
    }

    /// Sends a dead-lettered subscriber's waiting event again at once, then carries on.
    #[tracing::instrument(skip_all, fields(webhook = %id))]
    pub async fn retry_webhook(&self, who: &Principal, id: Uuid) -> Result<WebhookView, AppError> {
        let hook = self.webhook(who, id).await?;
        let record = self
            .audit_record(Change {
                action: "webhook.retried",
                actor: Some(who.user.id),
                tenant: Some(hook.org_id),
                subject: None,
                facts: json!({"webhook": hook.id, "attempts": hook.attempts,
                    "last_error": hook.last_error}),
                personal: None,
            })
            .await?;
        self.store
            .retry_webhook(hook.org_id, hook.id, &[record])
            .await?;
        self.webhook(who, id).await.map(|h| WebhookView::from(&h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_name_an_action_an_area_or_everything() {
        let of = |t: &str| action_of(t);
        assert_eq!(
            of("uk.nhs.staffbank.booking.made").as_deref(),
            Some("booking.made")
        );
        assert_eq!(
            of("uk.nhs.staffbank.booking.*").as_deref(),
            Some("booking.*")
        );
        assert_eq!(of("uk.nhs.staffbank.*").as_deref(), Some("*"));
        for bad in [
            "booking.made",
            "uk.nhs.staffbank.booking",
            "uk.nhs.staffbank.Booking.made",
            "uk.nhs.staffbank.booking..made",
            "uk.nhs.staffbank.booking*",
            "uk.nhs.staffbank.",
        ] {
            assert_eq!(of(bad), None, "{bad}");
        }
        let wanted = vec!["booking.*".to_owned(), "shift.posted".to_owned()];
        assert!(wants(&wanted, "booking.made"));
        assert!(wants(&wanted, "shift.posted"));
        assert!(!wants(&wanted, "shift.offered"));
        assert!(!wants(&wanted, "bookings.made"));
        assert!(wants(&["*".to_owned()], "anything.at_all"));
    }
}
