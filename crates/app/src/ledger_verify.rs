//! Offline verification of the whole ledger (`staffbank ledger verify`): the tree is recomputed
//! from the stored entries and compared with everything the database claims about it (leaves,
//! subtrees, signed heads, the columns reads are scoped by) and, when given, with a head an
//! auditor kept outside the database and the server's MAC on each entry.
//!
//! The database's own heads prove nothing about a log whose administrator deleted the tail with
//! its heads, so an auditor's copy of a signed head (`--trusted-head`) is what shows that the
//! stored log still extends what was once published. Every problem is reported, each named by
//! entry index where one can be.

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use staffbank_ledger::entry::Entry;
use staffbank_ledger::head::TreeHead;
use staffbank_ledger::keys::MasterKey;
use staffbank_ledger::merkle::{leaf_hash, Frontier};
use staffbank_store::{Hash, LeafWithBody, SignedHead, Store};

use crate::ledger::all_heads;
use crate::AppError;

/// Entries read per page.
const PAGE: u32 = 10_000;

/// What a verification is checked against besides the heads stored in the database.
#[derive(Default)]
pub struct VerifyOptions<'a> {
    /// A signed head kept outside the database (as `/api/v1/ledger/heads/latest` served it): the
    /// stored log must extend it.
    pub trusted_head: Option<SignedHead>,
    /// The master key, when the operator holds it: each entry's MAC is checked too, which names
    /// a rewritten entry even when every hash above it was recomputed.
    pub master: Option<&'a MasterKey>,
}

/// What `staffbank ledger verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// Tree heads checked.
    pub heads: u64,
    /// Every problem, in the order found, each naming the entry index, subtree or head.
    pub problems: Vec<String>,
    /// Whether entries' MACs were checked (only with the master key).
    pub macs_checked: bool,
}

impl VerifyReport {
    /// The first problem, if any.
    pub fn first_problem(&self) -> Option<&str> {
        self.problems.first().map(String::as_str)
    }

    fn fail(&mut self, problem: String) {
        self.problems.push(problem);
    }
}

/// A signed head as an auditor keeps it: the JSON `/api/v1/ledger/heads/latest` serves, or the
/// last line of a heads file.
#[derive(Deserialize)]
struct KeptHead {
    size: u64,
    root: String,
    timestamp_ms: i64,
    signature: String,
}

/// Reads a kept head from `text` (one JSON object, or JSON lines of which the last is used).
pub fn parse_trusted_head(text: &str) -> Result<SignedHead, String> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .ok_or("the trusted head file is empty")?;
    let whole = text.trim();
    let kept: KeptHead = serde_json::from_str(whole)
        .or_else(|_| serde_json::from_str(line))
        .map_err(|e| format!("the trusted head is not a tree head as the API serves it: {e}"))?;
    let root = STANDARD
        .decode(&kept.root)
        .ok()
        .and_then(|r| Hash::try_from(r.as_slice()).ok())
        .ok_or("the trusted head's root is not 32 bytes of base64")?;
    let signature = STANDARD
        .decode(&kept.signature)
        .map_err(|_| "the trusted head's signature is not base64")?;
    Ok(SignedHead {
        size: kept.size,
        root,
        timestamp_ms: kept.timestamp_ms,
        signature,
    })
}

fn signed_by(head: &SignedHead, key: &VerifyingKey) -> bool {
    TreeHead {
        size: head.size,
        root: head.root,
        timestamp_ms: head.timestamp_ms,
    }
    .verify(&head.signature, key)
}

/// Recomputes the whole tree from the stored entries and checks it against every stored signed
/// head, the stored subtrees, each entry's columns and (with `options`) a trusted head and the
/// entries' MACs. Needs only the public key unless MACs are to be checked, so anyone can run it.
pub async fn verify_ledger(
    store: &dyn Store,
    key: &VerifyingKey,
    options: &VerifyOptions<'_>,
) -> Result<VerifyReport, AppError> {
    let mut report = VerifyReport {
        macs_checked: options.master.is_some(),
        ..VerifyReport::default()
    };
    let heads = all_heads(store).await?;
    report.heads = heads.len() as u64;
    for h in heads.iter().filter(|h| !signed_by(h, key)) {
        report.fail(format!(
            "tree head of size {} signed at {} ms: the signature does not verify",
            h.size, h.timestamp_ms
        ));
    }
    let trusted = options.trusted_head.as_ref();
    if let Some(t) = trusted.filter(|t| !signed_by(t, key)) {
        report.fail(format!(
            "the trusted head of size {} is not signed by this key",
            t.size
        ));
    }
    let mut walk = Walk {
        heads: &heads,
        next_head: 0,
        last_good_head: 0,
        trusted,
        frontier: Frontier::default(),
        broken_at: None,
    };
    walk.match_heads(&mut report);
    loop {
        let from = walk.frontier.size();
        let page = store.leaves_from(from, PAGE).await?;
        if page.is_empty() || walk.broken_at.is_some() {
            break;
        }
        let mut completed = Vec::new();
        for item in &page {
            let expected = walk.frontier.size();
            if item.leaf.seq != expected {
                report.fail(format!(
                    "entry at index {expected} is missing (the next stored index is {})",
                    item.leaf.seq
                ));
                walk.broken_at = Some(expected);
                break;
            }
            let hash = check_entry(item, options.master, &mut report);
            completed.extend(
                walk.frontier
                    .push(hash)
                    .into_iter()
                    .filter(|(id, _)| id.level > 0),
            );
            report.entries += 1;
            walk.match_heads(&mut report);
        }
        check_subtrees(store, &completed, &mut report).await?;
    }
    let size = walk.frontier.size();
    if let Some(h) = heads
        .get(walk.next_head)
        .filter(|_| walk.broken_at.is_none())
    {
        report.fail(format!(
            "tree head of size {} covers more entries than are stored ({size}): entries were deleted from the tail",
            h.size
        ));
    }
    if let Some(t) = trusted.filter(|t| t.size > size && walk.broken_at.is_none()) {
        report.fail(format!(
            "the stored log has {size} entries, fewer than the trusted head of size {} covers: entries were deleted from the tail",
            t.size
        ));
    }
    // Read again: the sequencer signs a head with every batch it appends, so whatever this walk
    // read is covered by a head by now, unless leaves were added outside the application.
    let covered = store.latest_head().await?.map_or(0, |h| h.size);
    if size > covered {
        report.fail(format!(
            "entries at index {covered} to {} are in the tree but no signed tree head covers them",
            size - 1
        ));
    }
    for orphan in store.orphan_entries(10).await? {
        report.fail(format!(
            "entry {orphan} is in no tree and not waiting to be sequenced"
        ));
    }
    Ok(report)
}

/// The walk's place in the tree and in the heads it is compared with.
struct Walk<'a> {
    heads: &'a [SignedHead],
    next_head: usize,
    /// The largest size whose stored head matched, to narrow down where a later one differs.
    last_good_head: u64,
    trusted: Option<&'a SignedHead>,
    frontier: Frontier,
    /// Where an index is missing: the tree past it cannot be recomputed.
    broken_at: Option<u64>,
}

impl Walk<'_> {
    /// Checks every head (in size order) and the trusted head once the walk reaches its size.
    fn match_heads(&mut self, report: &mut VerifyReport) {
        let size = self.frontier.size();
        while let Some(h) = self.heads.get(self.next_head).filter(|h| h.size <= size) {
            if h.size == size {
                if h.root == self.frontier.root() {
                    self.last_good_head = size;
                } else {
                    report.fail(format!(
                        "tree head of size {} signed at {} ms does not match the stored entries: an entry at index {} to {} was changed",
                        h.size,
                        h.timestamp_ms,
                        self.last_good_head,
                        h.size.saturating_sub(1)
                    ));
                }
            }
            self.next_head += 1;
        }
        if let Some(t) = self
            .trusted
            .filter(|t| t.size == size && t.root != self.frontier.root())
        {
            report.fail(format!(
                "the stored log does not extend the trusted head of size {}: an entry below index {} was changed",
                t.size, t.size
            ));
        }
    }
}

/// Checks one stored entry against its leaf, its sealed level-0 hash, its columns and (with the
/// master key) its MAC; returns the hash the tree is recomputed with.
fn check_entry(item: &LeafWithBody, master: Option<&MasterKey>, report: &mut VerifyReport) -> Hash {
    let index = item.leaf.seq;
    let id = item.leaf.entry_id;
    let Some(body) = item.body.as_ref() else {
        report.fail(format!("entry at index {index} ({id}) has been deleted"));
        return item.leaf.hash;
    };
    let hash = leaf_hash(body);
    if hash != item.leaf.hash || item.sealed != Some(hash) {
        report.fail(format!(
            "entry at index {index} ({id}) does not match the hash sealed when it was sequenced"
        ));
    }
    match Entry::from_bytes(body) {
        Err(_) => report.fail(format!("entry at index {index} ({id}) does not parse")),
        Ok(entry) => {
            if entry.id != id {
                report.fail(format!(
                    "entry at index {index} ({id}) holds the bytes of entry {}",
                    entry.id
                ));
            }
            if entry.tenant != item.tenant || entry.subject != item.subject {
                report.fail(format!(
                    "entry at index {index} ({id}): its tenant or subject column differs from what the entry says, so reads scoped by them would show it to the wrong people"
                ));
            }
        }
    }
    if let Some(master) = master {
        match item.mac.as_deref() {
            None => report.fail(format!("entry at index {index} ({id}) carries no MAC")),
            Some(mac) if !master.entry_mac_matches(body, mac) => report.fail(format!(
                "entry at index {index} ({id}) was not written by this server or was rewritten since (its MAC does not match)"
            )),
            Some(_) => {}
        }
    }
    hash
}

/// Compares the subtrees a page of leaves completed with the ones stored for them.
async fn check_subtrees(
    store: &dyn Store,
    completed: &[(staffbank_ledger::merkle::NodeId, Hash)],
    report: &mut VerifyReport,
) -> Result<(), AppError> {
    // In chunks, well inside SQLite's limit on bound values.
    for chunk in completed.chunks(1000) {
        let keys: Vec<(u8, u64)> = chunk.iter().map(|(id, _)| (id.level, id.index)).collect();
        let stored = store.ledger_nodes(&keys).await?;
        for ((id, hash), found) in chunk.iter().zip(stored) {
            if found != Some(*hash) {
                let first = id.index << id.level;
                let last = first + (1u64 << id.level) - 1;
                report.fail(format!(
                    "the stored subtree over entries at index {first} to {last} {} the entries",
                    if found.is_some() {
                        "does not match"
                    } else {
                        "is missing, though it covers"
                    }
                ));
            }
        }
    }
    Ok(())
}
