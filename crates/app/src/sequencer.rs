//! The sequencer: gives pending entries their index, folds them into the tree in batches and
//! signs a tree head, as certificate-transparency logs do. Booking transactions only insert their
//! entry, so they never wait for the tree.
//!
//! Every server process runs the loop; a lease in the database lets exactly one of them sequence
//! at a time, and the store refuses a batch that does not start at the current size.

use std::time::Duration;

use chrono::Duration as Span;
use staffbank_ledger::head::TreeHead;
use staffbank_ledger::merkle::{leaf_hash, Frontier};
use staffbank_store::{Conflict, Leaf, SequencedBatch, SignedHead, StoreError, StoredNode};
use uuid::Uuid;

use crate::{App, AppError};

/// Most entries folded in one step.
pub const BATCH: u32 = 5000;
/// How often the loop looks for pending entries.
pub const TICK: Duration = Duration::from_millis(100);
/// A head is signed at least this often even when nothing new was written.
pub const HEAD_INTERVAL: Span = Span::seconds(60);
/// How long a lease lasts without renewal.
pub const LEASE: Span = Span::seconds(10);

impl App {
    /// The tree's right edge at its current size, from the stored subtrees.
    pub(crate) async fn frontier(&self) -> Result<Frontier, AppError> {
        let size = self.store.ledger_size().await?;
        let ids = Frontier::node_ids(size);
        let keys: Vec<(u8, u64)> = ids.iter().map(|id| (id.level, id.index)).collect();
        let hashes = self.store.ledger_nodes(&keys).await?;
        let hashes: Option<Vec<_>> = hashes.into_iter().collect();
        hashes
            .and_then(|h| Frontier::from_nodes(size, h))
            .ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!("the ledger's right edge is missing"))
            })
    }

    fn sign(&self, size: u64, root: [u8; 32]) -> SignedHead {
        let head = TreeHead {
            size,
            root,
            timestamp_ms: self.now().timestamp_millis(),
        };
        SignedHead {
            size,
            root,
            timestamp_ms: head.timestamp_ms,
            signature: head.sign(&self.master.signing_key()).to_vec(),
        }
    }

    /// One sequencer step as `holder`: if it holds the lease, folds up to [`BATCH`] pending entries
    /// into the tree and signs a head (also when the last head is older than [`HEAD_INTERVAL`], or
    /// when `force`). Returns the new head, if one was signed.
    pub async fn sequence_once(
        &self,
        holder: Uuid,
        force: bool,
    ) -> Result<Option<SignedHead>, AppError> {
        let now = self.now();
        if !self
            .store
            .hold_sequencer_lease(holder, now, now + LEASE)
            .await?
        {
            return Ok(None);
        }
        let pending = self.store.pending_entries(BATCH).await?;
        if pending.is_empty() && !force {
            // Idle: only a periodic head is due, if the last one is old enough.
            let latest = self.store.latest_head().await?;
            let fresh = latest.as_ref().is_some_and(|h| {
                now.timestamp_millis() - h.timestamp_ms < HEAD_INTERVAL.num_milliseconds()
            });
            if fresh {
                return Ok(None);
            }
        }
        let mut frontier = self.frontier().await?;
        let mut batch = SequencedBatch::default();
        for record in &pending {
            let seq = frontier.size();
            for (id, hash) in frontier.push(leaf_hash(&record.body)) {
                if id.level == 0 {
                    batch.leaves.push(Leaf {
                        seq,
                        entry_id: record.id,
                        hash,
                    });
                }
                batch.nodes.push(StoredNode {
                    level: id.level,
                    index: id.index,
                    hash,
                });
            }
        }
        let head = self.sign(frontier.size(), frontier.root());
        batch.head = Some(head.clone());
        match self.store.append_sequenced(&batch).await {
            Ok(()) => Ok(Some(head)),
            Err(StoreError::Conflict(Conflict::LedgerMoved)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs the sequencer until the process ends. Errors are logged and retried.
    pub async fn run_sequencer(self) {
        loop {
            match self.sequence_once(self.sequencer_id, false).await {
                Ok(Some(head)) => tracing::debug!(size = head.size, "tree head signed"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "sequencer step failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    }
}
