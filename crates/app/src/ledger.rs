//! Reading the audit ledger: tree heads, entries, inclusion and consistency proofs, a person's
//! own entries, erasure, and offline verification of the whole ledger.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::UserId;
use staffbank_ledger::entry::Entry;
use staffbank_ledger::merkle::{
    consistency_ranges, inclusion_ranges, leaf_hash, nodes_for_range, range_hash, NodeId,
};
use staffbank_store::{LedgerEntry, SignedHead, Store};
use uuid::Uuid;

use crate::audit::Change;
pub use crate::ledger_verify::{verify_ledger, VerifyOptions, VerifyReport};
use crate::{App, AppError, Principal};

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A signed tree head.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TreeHeadView {
    /// Number of entries.
    pub size: u64,
    /// Merkle root, base64.
    pub root: String,
    /// When signed, milliseconds since the Unix epoch (part of the signed message).
    pub timestamp_ms: i64,
    /// Ed25519 signature over the head, base64.
    pub signature: String,
}

impl From<&SignedHead> for TreeHeadView {
    fn from(h: &SignedHead) -> Self {
        Self {
            size: h.size,
            root: b64(&h.root),
            timestamp_ms: h.timestamp_ms,
            signature: b64(&h.signature),
        }
    }
}

/// The key that signs tree heads, and what it signs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicKeyView {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// How the signed message is built.
    pub message: String,
}

/// One entry, with what a client needs to check it: its bytes and leaf hash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    /// Index in the tree; absent until sequenced (usually well under a second).
    pub seq: Option<u64>,
    /// Identity.
    pub id: Uuid,
    /// When the change was made.
    pub recorded_at: DateTime<Utc>,
    /// What happened.
    pub action: String,
    /// Who did it.
    pub actor: Option<Uuid>,
    /// The trust whose data changed.
    pub tenant: Option<Uuid>,
    /// The person it is about.
    pub subject: Option<Uuid>,
    /// The facts.
    #[schema(value_type = Object)]
    pub facts: Value,
    /// `none`, `visible` (opened for you), `sealed` (not yours to open), `erased`, or
    /// `unreadable` (the stored bytes are not an entry: only its columns, bytes and hash shown).
    pub personal_status: String,
    /// The personal data, when visible to you.
    #[schema(value_type = Option<Object>)]
    pub personal: Option<Value>,
    /// The stored bytes (the leaf), base64.
    pub body: String,
    /// `SHA-256(0x00 || body)`, base64.
    pub leaf_hash: String,
}

/// An inclusion proof of an entry against a signed tree head.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InclusionProofView {
    /// The entry's index.
    pub leaf_index: u64,
    /// The tree size proved against.
    pub tree_size: u64,
    /// The entry's leaf hash, base64.
    pub leaf_hash: String,
    /// Sibling hashes, leaf to root, base64 (RFC 9162 §2.1.3).
    pub proof: Vec<String>,
    /// The signed head of that size.
    pub head: TreeHeadView,
}

/// A consistency proof from any earlier size to a signed tree head.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyProofView {
    /// Older size.
    pub first: u64,
    /// Newer size.
    pub second: u64,
    /// Proof hashes, base64 (RFC 9162 §2.1.4).
    pub proof: Vec<String>,
    /// The signed head of the older size, when one was signed at exactly that size (a client
    /// holding an older head has it already).
    pub first_head: Option<TreeHeadView>,
    /// The signed head of the newer size.
    pub second_head: TreeHeadView,
}

/// An erasure request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Erasure {
    /// Why (e.g. the request's reference).
    pub reason: String,
}

impl App {
    /// Whether `who` may read an entry: platform auditors and admins; a trust's auditor for that
    /// trust's entries; anyone for entries about themselves.
    fn may_read(&self, who: &Principal, entry: &LedgerEntry) -> bool {
        if who.reads_whole_ledger() {
            return true;
        }
        // Decided by what the entry itself says, not by its `tenant` and `subject` columns, which
        // someone with the database could change to show a person's entries to another.
        let Ok(parsed) = Entry::from_bytes(&entry.record.body) else {
            return false;
        };
        let trust_auditor = parsed.tenant.is_some_and(|t| {
            who.user.grants.iter().any(|g| {
                g.role == Role::Auditor
                    && g.scope == Scope::Organisation(staffbank_domain::OrgId(t))
            })
        });
        trust_auditor || parsed.subject == Some(who.user.id.0)
    }

    async fn entry_view(&self, entry: &LedgerEntry) -> Result<EntryView, AppError> {
        let parsed = match Entry::from_bytes(&entry.record.body) {
            Ok(parsed) => parsed,
            Err(e) => {
                // Shown from its columns and bytes, so one entry that cannot be read (written
                // before entries were checked on writing, or changed since) never stops a reader
                // paging through the rest; the ledger check names it.
                tracing::warn!(entry = %entry.record.id, error = %e, "a ledger entry does not parse");
                return Ok(EntryView {
                    seq: entry.seq,
                    id: entry.record.id,
                    recorded_at: entry.record.recorded_at,
                    action: entry.record.action.clone(),
                    actor: None,
                    tenant: entry.record.tenant.map(|t| t.0),
                    subject: entry.record.subject,
                    facts: Value::Null,
                    personal_status: "unreadable".to_owned(),
                    personal: None,
                    body: b64(&entry.record.body),
                    leaf_hash: b64(&leaf_hash(&entry.record.body)),
                });
            }
        };
        let (status, personal) = match (parsed.sealed.as_ref(), parsed.subject) {
            (None, _) => ("none", None),
            (Some(sealed), Some(person)) => {
                match self.store.person_key(person).await?.and_then(|k| k.wrapped) {
                    Some(wrapped) => {
                        let opened = self
                            .master
                            .unwrap(person, &wrapped)
                            .and_then(|key| key.open(person, sealed))
                            .ok()
                            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
                        match opened {
                            Some(value) => ("visible", Some(value)),
                            None => ("sealed", None),
                        }
                    }
                    None => ("erased", None),
                }
            }
            (Some(_), None) => ("sealed", None),
        };
        Ok(EntryView {
            seq: entry.seq,
            id: parsed.id,
            recorded_at: parsed.at,
            action: parsed.action,
            actor: parsed.actor,
            tenant: parsed.tenant,
            subject: parsed.subject,
            facts: parsed.facts,
            personal_status: status.to_owned(),
            personal,
            body: b64(&entry.record.body),
            leaf_hash: b64(&leaf_hash(&entry.record.body)),
        })
    }

    /// The key tree heads are signed with (public).
    pub fn ledger_key(&self) -> PublicKeyView {
        PublicKeyView {
            algorithm: "Ed25519".into(),
            public_key: b64(self.ledger_public_key().as_bytes()),
            message:
                "ASCII 'staffbank-tree-head-v1' and a newline, then size (u64 big-endian), root \
                      (32 bytes), timestamp_ms (i64 big-endian)"
                    .into(),
        }
    }

    /// The newest signed tree head (public: anyone may keep a copy).
    pub async fn latest_head(&self) -> Result<TreeHeadView, AppError> {
        let head = self.store.latest_head().await?.ok_or(AppError::NotFound)?;
        Ok(TreeHeadView::from(&head))
    }

    /// Signed tree heads by size (anyone signed in).
    pub async fn tree_heads(
        &self,
        _who: &Principal,
        after: Option<(u64, i64)>,
        limit: u32,
    ) -> Result<Vec<TreeHeadView>, AppError> {
        let heads = self.store.heads(after, limit).await?;
        Ok(heads.iter().map(TreeHeadView::from).collect())
    }

    /// Signs a tree head now (platform admin or auditor), after folding in pending entries.
    pub async fn sign_head_now(&self, who: &Principal) -> Result<TreeHeadView, AppError> {
        if !(who.is_platform_admin() || who.has_role(Role::Auditor)) {
            return Err(AppError::Forbidden);
        }
        if let Some(head) = self.sequence_once(self.sequencer_id, true).await? {
            return Ok(TreeHeadView::from(&head));
        }
        // Another process holds the lease: its next tick folds in everything written so far.
        for _ in 0..30 {
            tokio::time::sleep(crate::sequencer::TICK).await;
            let size = self.store.ledger_size().await?;
            let pending = self.store.pending_entries(1).await?;
            let latest = self.store.latest_head().await?;
            if let Some(head) = latest.filter(|h| pending.is_empty() && h.size == size) {
                return Ok(TreeHeadView::from(&head));
            }
        }
        self.latest_head().await
    }

    /// One entry by index, if the caller may read it.
    pub async fn ledger_entry(&self, who: &Principal, seq: u64) -> Result<EntryView, AppError> {
        let entry = self.store.entry_at(seq).await?.ok_or(AppError::NotFound)?;
        if !self.may_read(who, &entry) {
            return Err(AppError::NotFound);
        }
        self.entry_view(&entry).await
    }

    /// Entries in index order from `from` (platform auditors and admins).
    pub async fn ledger_entries(
        &self,
        who: &Principal,
        from: u64,
        limit: u32,
    ) -> Result<Vec<EntryView>, AppError> {
        if !who.reads_whole_ledger() {
            return Err(AppError::Forbidden);
        }
        let mut views = Vec::new();
        for leaf in self.store.leaves_from(from, limit).await? {
            if let Some(entry) = self.store.entry_at(leaf.leaf.seq).await? {
                views.push(self.entry_view(&entry).await?);
            }
        }
        Ok(views)
    }

    /// The entries about the signed-in person, oldest first.
    pub async fn my_ledger_entries(
        &self,
        who: &Principal,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<EntryView>, AppError> {
        let after = match after {
            Some(id) => {
                let entry = self
                    .store
                    .entry(id)
                    .await?
                    .ok_or_else(|| AppError::field("after", "no such entry"))?;
                Some((entry.record.recorded_at, id))
            }
            None => None,
        };
        let entries = self
            .store
            .entries_about(who.user.id.0, after, limit)
            .await?;
        let mut views = Vec::with_capacity(entries.len());
        for entry in entries.iter().filter(|e| self.may_read(who, e)) {
            views.push(self.entry_view(entry).await?);
        }
        Ok(views)
    }

    async fn signed_head(&self, size: u64, field: &str) -> Result<SignedHead, AppError> {
        self.store
            .head_of_size(size)
            .await?
            .ok_or_else(|| AppError::field(field, "no signed tree head has that size"))
    }

    async fn proof_hashes(&self, ranges: &[(u64, u64)]) -> Result<Vec<String>, AppError> {
        let mut ids: Vec<NodeId> = ranges
            .iter()
            .flat_map(|(b, e)| nodes_for_range(*b, *e))
            .collect();
        ids.sort();
        ids.dedup();
        let keys: Vec<(u8, u64)> = ids.iter().map(|id| (id.level, id.index)).collect();
        let found = self.store.ledger_nodes(&keys).await?;
        let map: HashMap<NodeId, [u8; 32]> = ids
            .into_iter()
            .zip(found)
            .filter_map(|(id, h)| h.map(|h| (id, h)))
            .collect();
        ranges
            .iter()
            .map(|(b, e)| {
                range_hash(*b, *e, &|id| map.get(&id).copied())
                    .map(|h| b64(&h))
                    .ok_or_else(|| {
                        AppError::Unexpected(anyhow::anyhow!("a subtree of the ledger is missing"))
                    })
            })
            .collect()
    }

    /// An inclusion proof of entry `seq` against the signed head of `tree_size` (default: newest).
    pub async fn inclusion_proof(
        &self,
        who: &Principal,
        seq: u64,
        tree_size: Option<u64>,
    ) -> Result<InclusionProofView, AppError> {
        let entry = self.store.entry_at(seq).await?.ok_or(AppError::NotFound)?;
        if !self.may_read(who, &entry) {
            return Err(AppError::NotFound);
        }
        let head = match tree_size {
            Some(size) => self.signed_head(size, "tree_size").await?,
            None => self.store.latest_head().await?.ok_or(AppError::NotFound)?,
        };
        if seq >= head.size {
            return Err(AppError::field(
                "tree_size",
                "the entry is not inside a tree of that size",
            ));
        }
        let proof = self.proof_hashes(&inclusion_ranges(seq, head.size)).await?;
        Ok(InclusionProofView {
            leaf_index: seq,
            tree_size: head.size,
            leaf_hash: b64(&leaf_hash(&entry.record.body)),
            proof,
            head: TreeHeadView::from(&head),
        })
    }

    /// A consistency proof from size `first` (any size a client was given a head for, signed
    /// here or not) to the signed head of `second` entries.
    pub async fn consistency_proof(
        &self,
        _who: &Principal,
        first: u64,
        second: u64,
    ) -> Result<ConsistencyProofView, AppError> {
        if first > second {
            return Err(AppError::field("first", "must not be larger than second"));
        }
        let second_head = self.signed_head(second, "second").await?;
        let first_head = self.store.head_of_size(first).await?;
        let proof = self
            .proof_hashes(&consistency_ranges(first, second))
            .await?;
        Ok(ConsistencyProofView {
            first,
            second,
            proof,
            first_head: first_head.as_ref().map(TreeHeadView::from),
            second_head: TreeHeadView::from(&second_head),
        })
    }

    /// Erases a person (platform admin, with a reason): destroys their data key. Their entries
    /// keep their bytes and still verify; their personal fields read as erased.
    pub async fn erase_person(
        &self,
        who: &Principal,
        person: UserId,
        input: Erasure,
    ) -> Result<(), AppError> {
        who.require_platform_admin()?;
        let reason = staffbank_domain::text::Label::parse(&input.reason, 500)
            .map_err(|e| AppError::field("reason", e))?;
        self.store.user(person).await?.ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: "person.erased",
                actor: Some(who.user.id),
                tenant: None,
                subject: None,
                facts: json!({"person": person, "reason": reason.as_str()}),
                personal: None,
            })
            .await?;
        self.store
            .erase_person_key(person.0, reason.as_str(), self.now(), &[record])
            .await?;
        self.sealing_keys.forget(person.0);
        tracing::info!(person = %person, "person erased");
        Ok(())
    }
}

/// Every signed tree head, by size then time.
pub async fn all_heads(store: &dyn Store) -> Result<Vec<SignedHead>, AppError> {
    let mut heads = Vec::new();
    let mut after = None;
    loop {
        let page = store.heads(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.size, last.timestamp_ms));
        heads.extend(page);
    }
    Ok(heads)
}
