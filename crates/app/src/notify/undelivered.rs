//! Undelivered messages: the bank office sees the dead letters of their trust's workers and wards
//! in words, and queues one again once its cause is fixed (a mistyped address, a mail server that
//! was down too long). Another trust's dead letters are never shown or retried.

use chrono::{DateTime, Utc};
use serde::Serialize;
use staffbank_store::DeadLetter;
use uuid::Uuid;

use super::words;
use crate::{App, AppError, Principal};

/// Dead letters listed at most, per trust.
const LISTED: u32 = 200;

/// A message given up on, in words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UndeliveredView {
    /// The delivery's identity (what "Try again" names).
    pub id: Uuid,
    /// Who it was for: their address on its channel.
    pub recipient: String,
    /// The channel: `email` or `push`.
    pub channel: String,
    /// What it said, in one line.
    pub what: String,
    /// When what it announces happened.
    pub written_at: DateTime<Utc>,
    /// When it was given up on.
    pub failed_at: DateTime<Utc>,
    /// Attempts made.
    pub attempts: i32,
    /// What went wrong the last time.
    pub last_error: String,
}

impl UndeliveredView {
    fn new(letter: &DeadLetter, public_url: &str) -> Self {
        let d = &letter.delivery;
        Self {
            id: d.id,
            recipient: d.recipient.clone(),
            channel: d.channel.as_str().to_owned(),
            what: words::message(&d.event, public_url)
                .map(|m| m.subject)
                .unwrap_or_else(|| "A notification".to_owned()),
            written_at: d.event.created_at,
            failed_at: letter.failed_at,
            attempts: d.attempts,
            last_error: letter.last_error.clone(),
        }
    }
}

impl App {
    /// The dead letters of every trust the caller books for as a whole (the bank office),
    /// newest first.
    pub async fn undelivered(&self, who: &Principal) -> Result<Vec<UndeliveredView>, AppError> {
        let orgs = who.booker_orgs();
        if orgs.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut out = Vec::new();
        for org in orgs {
            for letter in self.store.dead_letters(org, LISTED).await? {
                out.push(UndeliveredView::new(&letter, self.public_url()));
            }
        }
        out.sort_by_key(|m| std::cmp::Reverse(m.failed_at));
        Ok(out)
    }

    /// Queues one of the caller's trusts' dead letters again, with its attempts reset; not found
    /// for any other id, another trust's included.
    pub async fn retry_undelivered(&self, who: &Principal, id: Uuid) -> Result<(), AppError> {
        let orgs = who.booker_orgs();
        if orgs.is_empty() {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        for org in orgs {
            if self.store.retry_dead_letter(org, id, now).await? {
                self.wake_notifications();
                return Ok(());
            }
        }
        Err(AppError::NotFound)
    }
}
