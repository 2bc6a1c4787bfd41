//! What the store keeps for the audit ledger.
//!
//! Entries are written in the same transaction as the change they record and queued as pending;
//! one sequencer (holding a lease in the database) later gives them their index, stores the
//! subtrees they complete and a signed tree head. Entries, leaves, subtrees and heads are
//! append-only: both backends refuse updates and deletes with triggers.

use chrono::{DateTime, Utc};
use staffbank_domain::OrgId;
use uuid::Uuid;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// One entry as written with a change: the canonical bytes are the Merkle leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Identity.
    pub id: Uuid,
    /// When the change was made.
    pub recorded_at: DateTime<Utc>,
    /// What happened, e.g. `booking.made` (also inside `body`; here for queries).
    pub action: String,
    /// The trust whose data changed (also inside `body`; here for queries).
    pub tenant: Option<OrgId>,
    /// The person the entry is about (also inside `body`; here for queries).
    pub subject: Option<Uuid>,
    /// The entry's bytes.
    pub body: Vec<u8>,
    /// The server's MAC over `body` (HMAC-SHA256 under a key derived from the master key), so a
    /// row written with plain SQL is told apart from one the application wrote. Empty only for
    /// entries written before entries carried one.
    pub mac: Option<Vec<u8>>,
}

/// An entry with its place in the tree, once sequenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Index in the tree; `None` until the sequencer reaches it.
    pub seq: Option<u64>,
    /// The entry.
    pub record: AuditRecord,
}

/// A leaf as stored by the sequencer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    /// Index in the tree.
    pub seq: u64,
    /// The entry it is.
    pub entry_id: Uuid,
    /// `SHA-256(0x00 || body)` at sequencing time.
    pub hash: Hash,
}

/// A complete subtree's hash: `2^level` leaves from `index << level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredNode {
    /// Height above the leaves (0 for a leaf).
    pub level: u8,
    /// Position in its level.
    pub index: u64,
    /// Its hash.
    pub hash: Hash,
}

/// A signed tree head as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    /// Number of entries covered.
    pub size: u64,
    /// Merkle root.
    pub root: Hash,
    /// When it was signed, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// Ed25519 signature over the head.
    pub signature: Vec<u8>,
}

/// What one sequencer step appends, atomically.
#[derive(Debug, Clone, Default)]
pub struct SequencedBatch {
    /// New leaves, consecutive from the current size.
    pub leaves: Vec<Leaf>,
    /// Subtrees they complete.
    pub nodes: Vec<StoredNode>,
    /// The head over the new size.
    pub head: Option<SignedHead>,
}

/// A leaf with its entry's bytes and its sealed level-0 subtree hash, for offline verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafWithBody {
    /// The leaf.
    pub leaf: Leaf,
    /// The entry's stored bytes, if it still exists.
    pub body: Option<Vec<u8>>,
    /// The hash stored for this index as a level-0 subtree, if any.
    pub sealed: Option<Hash>,
    /// The entry's `tenant` column, which reads are scoped by and must agree with `body`.
    pub tenant: Option<Uuid>,
    /// The entry's `subject` column, likewise.
    pub subject: Option<Uuid>,
    /// The entry's MAC, if it carries one.
    pub mac: Option<Vec<u8>>,
}

/// A person's data key as stored: wrapped under the master key, or gone after erasure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    /// The wrapped key; `None` once erased.
    pub wrapped: Option<Vec<u8>>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
}
