//! Publishes every sequenced ledger entry, as its CloudEvent, on NATS JetStream, in ledger order.
//!
//! Each event goes to `<prefix>.<action>` (e.g. `staffbank.events.booking.made`) with the
//! `Nats-Msg-Id` header set to the entry's id. The cursor (the next index to publish) is stored
//! in the database and moved only after JetStream has acknowledged everything before it, so a
//! crash publishes the last batch again and JetStream drops each repeat within the stream's
//! duplicate window. Every server process may run the loop: a slower one's repeats are dropped
//! the same way.
//!
//! Each new signed tree head is published too, on `<prefix>.ledger.head` (the JSON the API
//! serves), so a witness keeps heads where the database's administrator cannot reach them.

use std::time::Duration;

use crate::{App, AppError};

/// The stream events are kept in, unless configured otherwise.
pub const STREAM: &str = "STAFFBANK_EVENTS";
/// What every event's subject starts with, unless configured otherwise.
pub const SUBJECT_PREFIX: &str = "staffbank.events";
/// How long JetStream remembers message ids to drop repeats: longer than any outage that would
/// leave a published batch unrecorded.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Events published per pass before the cursor moves.
const BATCH: u32 = 500;
/// How often the publisher looks for new entries.
const TICK: Duration = Duration::from_millis(250);

/// Where events are published: a JetStream stream over the subjects under a prefix.
pub struct EventPublisher {
    jetstream: async_nats::jetstream::Context,
    prefix: String,
    cursor: String,
}

impl EventPublisher {
    /// Connects to NATS at `url` and makes sure `stream` keeps every subject under `prefix`
    /// (created if missing).
    pub async fn connect(url: &str, stream: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = async_nats::connect(url).await?;
        let jetstream = async_nats::jetstream::new(client);
        jetstream
            .get_or_create_stream(async_nats::jetstream::stream::Config {
                name: stream.into(),
                subjects: vec![format!("{prefix}.>")],
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!("JetStream stream {stream}: {e}"))?;
        Ok(Self {
            jetstream,
            prefix: prefix.into(),
            cursor: format!("nats:{stream}"),
        })
    }

    /// The name of this publisher's cursor in the database (one per stream).
    pub fn cursor_name(&self) -> &str {
        &self.cursor
    }
}

fn unexpected(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("{what}: {e}"))
}

impl App {
    /// Publishes every sequenced entry past the cursor; how many were published.
    pub async fn publish_events(&self, publisher: &EventPublisher) -> Result<usize, AppError> {
        let mut published = 0;
        loop {
            let from = self.store.feed_cursor(&publisher.cursor).await?;
            let until = self.store.ledger_size().await?;
            if from >= until {
                return Ok(published);
            }
            let entries = self.store.feed(from, until, None, BATCH).await?;
            let mut acks = Vec::with_capacity(entries.len());
            for entry in &entries {
                let event = self.cloud_event(entry)?;
                let body = serde_json::to_vec(&event).map_err(|e| unexpected("event", e))?;
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(
                    async_nats::header::NATS_MESSAGE_ID,
                    entry.record.id.to_string().as_str(),
                );
                let subject = format!("{}.{}", publisher.prefix, entry.record.action);
                acks.push(
                    publisher
                        .jetstream
                        .publish_with_headers(subject, headers, body.into())
                        .await
                        .map_err(|e| unexpected("NATS publish", e))?,
                );
            }
            for ack in acks {
                ack.await
                    .map_err(|e| unexpected("NATS acknowledgement", e))?;
            }
            let next = match entries.last().and_then(|e| e.seq) {
                Some(last) if entries.len() == BATCH as usize => last + 1,
                _ => until,
            };
            self.store.set_feed_cursor(&publisher.cursor, next).await?;
            published += entries.len();
        }
    }

    /// Publishes the newest signed tree head if it is not `last` (the one published before);
    /// returns the head now published, as (size, signing time).
    pub async fn publish_head(
        &self,
        publisher: &EventPublisher,
        last: Option<(u64, i64)>,
    ) -> Result<Option<(u64, i64)>, AppError> {
        let Some(head) = self.store.latest_head().await? else {
            return Ok(last);
        };
        let this = (head.size, head.timestamp_ms);
        if last == Some(this) {
            return Ok(last);
        }
        let body = serde_json::to_vec(&crate::ledger::TreeHeadView::from(&head))
            .map_err(|e| unexpected("tree head", e))?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            format!("tree-head-{}-{}", head.size, head.timestamp_ms).as_str(),
        );
        publisher
            .jetstream
            .publish_with_headers(
                format!("{}.ledger.head", publisher.prefix),
                headers,
                body.into(),
            )
            .await
            .map_err(|e| unexpected("NATS publish", e))?
            .await
            .map_err(|e| unexpected("NATS acknowledgement", e))?;
        Ok(Some(this))
    }

    /// Publishes events and heads until the app stops. Errors are logged and retried.
    pub async fn run_event_publisher(self, publisher: EventPublisher) {
        let mut last_head = None;
        loop {
            match self.publish_events(&publisher).await {
                Ok(0) => {}
                Ok(published) => tracing::debug!(published, "events published"),
                Err(e) => tracing::warn!(error = %e, "publishing events failed"),
            }
            match self.publish_head(&publisher, last_head).await {
                Ok(published) => last_head = published,
                Err(e) => tracing::warn!(error = %e, "publishing the tree head failed"),
            }
            if !self.pause(TICK, None).await {
                return;
            }
        }
    }
}
