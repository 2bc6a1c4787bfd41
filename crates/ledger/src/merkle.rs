//! The Merkle tree of RFC 6962 §2.1 / RFC 9162 §2.1.
//!
//! Leaf hash `SHA-256(0x00 || entry)`, node hash `SHA-256(0x01 || left || right)`, and a tree of n
//! leaves split at the largest power of two smaller than n. Every hash a proof needs is the hash of
//! a range of leaves that the RFC's recursion produces; such a range is either a complete, aligned
//! subtree (stored once, when the sequencer completes it: a [`NodeId`]) or a right edge that is
//! rebuilt from O(log n) stored subtrees. So proofs at any tree size cost a handful of lookups.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Most hashes a proof may carry: a tree of 2^64 leaves needs at most 64 (consistency adds one).
pub const MAX_PROOF_LEN: usize = 65;

/// `SHA-256(0x00 || data)`: the hash of one leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256()` of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete, aligned subtree: `2^level` leaves starting at leaf `index << level`. Level 0 is a
/// leaf itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves.
    pub level: u8,
    /// Position among the nodes of that level.
    pub index: u64,
}

/// The largest power of two strictly smaller than `n` (`n` > 1).
pub fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The node covering `[begin, end)` if that range is a complete, aligned subtree.
fn complete(begin: u64, end: u64) -> Option<NodeId> {
    let len = end.checked_sub(begin)?;
    (len.is_power_of_two() && begin.is_multiple_of(len)).then(|| NodeId {
        level: len.trailing_zeros() as u8,
        index: begin >> len.trailing_zeros(),
    })
}

/// The stored subtrees whose hashes make up the hash of `[begin, end)`, left to right.
pub fn nodes_for_range(begin: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    collect_nodes(begin, end, &mut out);
    out
}

fn collect_nodes(begin: u64, end: u64, out: &mut Vec<NodeId>) {
    if end <= begin {
        return;
    }
    if let Some(node) = complete(begin, end) {
        out.push(node);
        return;
    }
    let k = split(end - begin);
    collect_nodes(begin, begin + k, out);
    collect_nodes(begin + k, end, out);
}

/// The hash of leaves `[begin, end)` (non-empty), built from stored subtrees; `None` if a needed
/// subtree is missing.
pub fn range_hash(begin: u64, end: u64, lookup: &impl Fn(NodeId) -> Option<Hash>) -> Option<Hash> {
    if end <= begin {
        return None;
    }
    if let Some(node) = complete(begin, end) {
        return lookup(node);
    }
    let k = split(end - begin);
    let left = range_hash(begin, begin + k, lookup)?;
    let right = range_hash(begin + k, end, lookup)?;
    Some(node_hash(&left, &right))
}

/// The leaf ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size`
/// leaves (RFC 9162 §2.1.3.1), nearest the leaf first. Empty if `index >= size`.
pub fn inclusion_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    if index < size {
        path(index, 0, size, &mut out);
    }
    out
}

fn path(m: u64, begin: u64, end: u64, out: &mut Vec<(u64, u64)>) {
    let n = end - begin;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, begin, begin + k, out);
        out.push((begin + k, end));
    } else {
        path(m - k, begin + k, end, out);
        out.push((begin, begin + k));
    }
}

/// The leaf ranges whose hashes form the consistency proof from `old` to `new` leaves (RFC 9162
/// §2.1.4.1). Empty when `old` is 0, equal to `new`, or larger.
pub fn consistency_ranges(old: u64, new: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, &mut out);
    }
    out
}

fn subproof(m: u64, begin: u64, end: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    let n = end - begin;
    if m == n {
        if !whole {
            out.push((begin, end));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, begin, begin + k, whole, out);
        out.push((begin + k, end));
    } else {
        subproof(m - k, begin + k, end, false, out);
        out.push((begin, begin + k));
    }
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("the leaf index is not inside the tree")]
    IndexOutOfRange,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong length")]
    WrongLength,
    /// The old size is larger than the new one.
    #[error("the old tree is larger than the new one")]
    SizesInverted,
    /// The hashes do not lead to the expected root.
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange);
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(ProofError::WrongLength);
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `old` leaves with root
/// `old_root` is a prefix of the tree of `new` leaves with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesInverted);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        // The empty tree is a prefix of every tree; there is nothing to prove.
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    if proof.is_empty() || proof.len() > MAX_PROOF_LEN {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a tree: the hashes of the complete subtrees that `size` leaves decompose
/// into, largest first. Enough to append leaves and to compute the root, without the leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The nodes a frontier of `size` leaves is made of, largest first.
    pub fn node_ids(size: u64) -> Vec<NodeId> {
        let mut ids = Vec::new();
        let mut begin = 0u64;
        for level in (0..64u8).rev() {
            if size & (1u64 << level) != 0 {
                ids.push(NodeId {
                    level,
                    index: begin >> level,
                });
                begin += 1u64 << level;
            }
        }
        ids
    }

    /// A frontier from its nodes' hashes (in the order of [`Frontier::node_ids`]).
    pub fn from_nodes(size: u64, nodes: Vec<Hash>) -> Option<Self> {
        (nodes.len() == size.count_ones() as usize).then_some(Self { size, nodes })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns every subtree this completes (the leaf itself first), so the
    /// caller can store them.
    pub fn push(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let mut completed = vec![(
            NodeId {
                level: 0,
                index: self.size,
            },
            leaf,
        )];
        let mut hash = leaf;
        let mut level = 0u8;
        let mut position = self.size;
        while position & 1 == 1 {
            let Some(left) = self.nodes.pop() else { break };
            hash = node_hash(&left, &hash);
            level += 1;
            position >>= 1;
            completed.push((
                NodeId {
                    level,
                    index: position,
                },
                hash,
            ));
        }
        self.nodes.push(hash);
        self.size += 1;
        completed
    }

    /// The root hash of the tree so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.nodes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The RFC 6962 recursion written out directly, as the reference the stored-subtree code is
    /// checked against.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn tree(n: u64) -> (Vec<Hash>, HashMap<NodeId, Hash>, Frontier) {
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut frontier = Frontier::default();
        let mut store = HashMap::new();
        for leaf in &leaves {
            store.extend(frontier.push(*leaf));
        }
        (leaves, store, frontier)
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!([2, 3, 4, 5, 8, 9].map(split), [1, 2, 2, 4, 4, 8]);
    }

    #[test]
    fn frontier_roots_and_stored_ranges_match_the_recursion() {
        for n in 0..33u64 {
            let (leaves, store, frontier) = tree(n);
            assert_eq!(frontier.root(), mth(&leaves), "size {n}");
            for begin in 0..n {
                for end in begin + 1..=n {
                    let expected = mth(&leaves[begin as usize..end as usize]);
                    let built = range_hash(begin, end, &|id| store.get(&id).copied());
                    assert_eq!(built, Some(expected), "[{begin}, {end}) of {n}");
                }
            }
            let ids = Frontier::node_ids(n);
            let hashes: Vec<Hash> = ids.iter().map(|id| store[id]).collect();
            assert_eq!(
                Frontier::from_nodes(n, hashes).map(|f| f.root()),
                Some(mth(&leaves))
            );
        }
    }

    #[test]
    fn every_proof_of_small_trees_verifies_and_tampering_fails() {
        for n in 1..40u64 {
            let (leaves, store, frontier) = tree(n);
            let root = frontier.root();
            let lookup = |id| store.get(&id).copied();
            for i in 0..n {
                let proof: Vec<Hash> = inclusion_ranges(i, n)
                    .into_iter()
                    .map(|(b, e)| range_hash(b, e, &lookup).unwrap())
                    .collect();
                assert_eq!(
                    verify_inclusion(i, n, &leaves[i as usize], &proof, &root),
                    Ok(())
                );
                let other = leaves[((i + 1) % n) as usize];
                if n > 1 {
                    assert!(verify_inclusion(i, n, &other, &proof, &root).is_err());
                }
                assert!(verify_inclusion(n, n, &leaves[i as usize], &proof, &root).is_err());
            }
            for m in 0..=n {
                let old_root = mth(&leaves[..m as usize]);
                let proof: Vec<Hash> = consistency_ranges(m, n)
                    .into_iter()
                    .map(|(b, e)| range_hash(b, e, &lookup).unwrap())
                    .collect();
                assert_eq!(
                    verify_consistency(m, n, &old_root, &root, &proof),
                    Ok(()),
                    "{m}->{n}"
                );
                if m > 0 && m < n {
                    let mut bad = proof.clone();
                    bad[0][0] ^= 1;
                    assert!(verify_consistency(m, n, &old_root, &root, &bad).is_err());
                    assert!(verify_consistency(m, n, &root, &root, &proof).is_err());
                }
            }
        }
    }
}
