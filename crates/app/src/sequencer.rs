//! The sequencer: gives pending entries their index, folds them into the tree in batches and
//! signs a tree head, as certificate-transparency logs do. Booking transactions only insert their
//! entry, so they never wait for the tree.
//!
//! Every server process runs the loop; a lease in the database lets exactly one of them sequence
//! at a time, and the store refuses a batch that does not start at the current size.
//!
//! The sequencer does not sign whatever the database holds. Before each step it checks that the
//! stored right edge is the one the last signed head covers, and it folds in only entries that
//! carry this server's MAC; on a mismatch it signs nothing, logs an error and raises an alarm
//! that `/health/ready` reports, until an operator has looked.

use std::time::Duration;

use chrono::Duration as Span;
use staffbank_ledger::head::TreeHead;
use staffbank_ledger::merkle::{leaf_hash, Frontier};
use staffbank_store::{Conflict, Leaf, SequencedBatch, SignedHead, StoreError, StoredNode};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use uuid::Uuid;

use crate::{App, AppError};

/// What the sequencer found wrong with the stored ledger, and the file it appends heads to.
#[derive(Debug, Default)]
pub struct LedgerWatch {
    alarm: Mutex<Option<String>>,
    heads_file: Option<PathBuf>,
    /// One step at a time in this process (the loop and an on-demand head share the lease).
    step: tokio::sync::Mutex<()>,
}

impl LedgerWatch {
    /// Appends every signed head to `path`.
    pub fn with_file(path: PathBuf) -> Self {
        Self {
            heads_file: Some(path),
            ..Self::default()
        }
    }

    /// The standing alarm, if the sequencer found the stored ledger changed.
    pub fn alarm(&self) -> Option<String> {
        self.alarm.lock().ok().and_then(|a| a.clone())
    }

    fn raise(&self, problem: String) {
        tracing::error!(problem = %problem, "ledger alarm: the stored ledger was changed outside the application");
        if let Ok(mut alarm) = self.alarm.lock() {
            *alarm = Some(problem);
        }
    }

    /// Appends `head` as one JSON line (the form `/api/v1/ledger/heads/latest` serves and
    /// `staffbank ledger verify --trusted-head` reads). A failure is logged, not fatal: the head
    /// is in the database and published on the API either way.
    fn publish(&self, head: &SignedHead) {
        let Some(path) = &self.heads_file else { return };
        let line = match serde_json::to_string(&crate::ledger::TreeHeadView::from(head)) {
            Ok(line) => line,
            Err(e) => return tracing::error!(error = %e, "tree head as JSON"),
        };
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(e) = written {
            tracing::error!(error = %e, path = %path.display(), "appending to the heads file");
        }
    }
}

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
        let _one_step = self.ledger_watch.step.lock().await;
        let now = self.now();
        if !self
            .store
            .hold_sequencer_lease(holder, now, now + LEASE)
            .await?
        {
            return Ok(None);
        }
        let pending: Vec<_> = self
            .store
            .pending_entries(BATCH)
            .await?
            .into_iter()
            .filter(|record| self.written_here(record))
            .collect();
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
        let Some(mut frontier) = self.signed_right_edge().await? else {
            // Another sequencer appended meanwhile: the next step starts from there.
            return Ok(None);
        };
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
            Ok(()) => {
                self.ledger_watch.publish(&head);
                Ok(Some(head))
            }
            Err(StoreError::Conflict(Conflict::LedgerMoved)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a waiting entry carries this server's MAC; one that does not was written with
    /// plain SQL (perhaps backdated to slip in among older entries), so it is left out and the
    /// alarm raised.
    fn written_here(&self, record: &staffbank_store::AuditRecord) -> bool {
        let genuine = record
            .mac
            .as_deref()
            .is_some_and(|mac| self.master.entry_mac_matches(&record.body, mac));
        if !genuine {
            self.ledger_watch.raise(format!(
                "entry {} waiting to be sequenced does not carry this server's MAC; it is left out",
                record.id
            ));
        }
        genuine
    }

    /// The stored right edge, checked against the newest signed head. The head is read first:
    /// the sequencer appends leaves and their head in one transaction, so a tree found larger
    /// than the head read just before it was appended to meanwhile (`None`: try again next
    /// step). Any other difference raises the alarm and is an error.
    async fn signed_right_edge(&self) -> Result<Option<Frontier>, AppError> {
        let latest = self.store.latest_head().await?;
        let frontier = self.frontier().await?;
        if latest.as_ref().is_some_and(|h| frontier.size() > h.size) {
            let again = self.store.latest_head().await?;
            if again.is_some_and(|h| h.size >= frontier.size()) {
                return Ok(None);
            }
        }
        match self.right_edge_is_signed(latest, &frontier) {
            Ok(()) => Ok(Some(frontier)),
            Err(problem) => {
                self.ledger_watch.raise(problem.clone());
                Err(AppError::Unexpected(anyhow::anyhow!(problem)))
            }
        }
    }

    /// Whether the stored right edge is what the newest signed head covers: same size, same
    /// root, and the head's signature ours. `Err` names the difference (entries deleted from the
    /// tail, leaves or subtrees added or rewritten with plain SQL, a head forged or removed).
    fn right_edge_is_signed(
        &self,
        latest: Option<SignedHead>,
        frontier: &Frontier,
    ) -> Result<(), String> {
        let Some(latest) = latest else {
            return if frontier.size() == 0 {
                Ok(())
            } else {
                Err(format!(
                    "{} entries are sequenced but no signed tree head covers them",
                    frontier.size()
                ))
            };
        };
        let head = TreeHead {
            size: latest.size,
            root: latest.root,
            timestamp_ms: latest.timestamp_ms,
        };
        if !head.verify(
            &latest.signature,
            &self.master.signing_key().verifying_key(),
        ) {
            return Err(format!(
                "the newest tree head (size {}) is not signed by this platform's key",
                latest.size
            ));
        }
        if latest.size != frontier.size() || latest.root != frontier.root() {
            return Err(format!(
                "the stored tree (size {}) is not the one the newest signed head covers (size {})",
                frontier.size(),
                latest.size
            ));
        }
        Ok(())
    }

    /// The standing ledger alarm, if the sequencer found the stored ledger changed.
    pub fn ledger_alarm(&self) -> Option<String> {
        self.ledger_watch.alarm()
    }

    /// Runs the sequencer until the app stops. Errors are logged and retried.
    pub async fn run_sequencer(self) {
        loop {
            match self.sequence_once(self.sequencer_id, false).await {
                Ok(Some(head)) => tracing::debug!(size = head.size, "tree head signed"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "sequencer step failed"),
            }
            if !self.pause(TICK, None).await {
                return;
            }
        }
    }
}
