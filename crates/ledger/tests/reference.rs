//! The ledger's Merkle tree against an independent RFC 6962 implementation, the `ct-merkle`
//! crate: same roots, byte-identical proofs, and each side's proofs accepted by the other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use proptest::prelude::*;
use sha2_reference::Sha256 as RefSha256;
use staffbank_ledger::merkle::*;

type RefTree = MemoryBackedTree<RefSha256, Vec<u8>>;

fn build(leaves: &[Vec<u8>]) -> (Frontier, HashMap<NodeId, Hash>, RefTree) {
    let mut frontier = Frontier::default();
    let mut nodes = HashMap::new();
    let mut reference = RefTree::new();
    for leaf in leaves {
        nodes.extend(frontier.push(leaf_hash(leaf)));
        reference.push(leaf.clone());
    }
    (frontier, nodes, reference)
}

fn proof(ranges: Vec<(u64, u64)>, nodes: &HashMap<NodeId, Hash>) -> Vec<Hash> {
    ranges
        .into_iter()
        .map(|(b, e)| range_hash(b, e, &|id| nodes.get(&id).copied()).unwrap())
        .collect()
}

fn flat(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn roots_and_proofs_match_ct_merkle(
        leaves in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..130),
        pick in any::<prop::sample::Index>(),
        old in any::<prop::sample::Index>(),
    ) {
        let (frontier, nodes, reference) = build(&leaves);
        let n = leaves.len() as u64;
        let root = frontier.root();
        let reference_root = reference.root();
        prop_assert_eq!(root.as_slice(), reference_root.as_bytes().as_slice());

        let i = pick.index(leaves.len());
        let ours = proof(inclusion_ranges(i as u64, n), &nodes);
        let theirs = reference.prove_inclusion(i);
        prop_assert_eq!(flat(&ours), theirs.as_bytes().to_vec());
        let ours_for_them = InclusionProof::<RefSha256>::try_from_bytes(flat(&ours)).unwrap();
        prop_assert!(reference.root().verify_inclusion(&leaves[i], i as u64, &ours_for_them).is_ok());
        let theirs_for_us: Vec<Hash> = theirs.as_bytes().chunks(32).map(|c| c.try_into().unwrap()).collect();
        prop_assert_eq!(verify_inclusion(i as u64, n, &leaf_hash(&leaves[i]), &theirs_for_us, &root), Ok(()));

        let m = old.index(leaves.len()) + 1; // 1..=n
        let (old_frontier, _, old_reference) = build(&leaves[..m]);
        let ours = proof(consistency_ranges(m as u64, n), &nodes);
        let theirs = reference.prove_consistency(leaves.len() - m);
        prop_assert_eq!(flat(&ours), theirs.as_bytes().to_vec());
        let ours_for_them = ConsistencyProof::<RefSha256>::try_from_bytes(flat(&ours)).unwrap();
        prop_assert!(reference.root().verify_consistency(&old_reference.root(), &ours_for_them).is_ok());
        prop_assert_eq!(verify_consistency(m as u64, n, &old_frontier.root(), &root, &ours), Ok(()));
        if m < leaves.len() {
            let wrong_old = RootHash::<RefSha256>::new(*reference_root.as_bytes(), m as u64);
            let wrong_old: Hash = wrong_old.as_bytes().as_slice().try_into().unwrap();
            prop_assert!(verify_consistency(m as u64, n, &wrong_old, &root, &ours).is_err());
        }
    }
}
