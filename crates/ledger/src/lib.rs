//! Staffbank's audit ledger, free of IO.
//!
//! - [`merkle`]: the RFC 6962 / RFC 9162 Merkle tree over entries: leaf and node hashes, hashes of
//!   ranges built from stored complete subtrees, inclusion and consistency proofs and their
//!   verification, and the [`merkle::Frontier`] the sequencer grows the tree with.
//! - [`head`]: signed tree heads (Ed25519).
//! - [`keys`]: the master key, per-person data keys, and the sealing of personal data, so that
//!   destroying one person's key erases what the ledger holds about them without changing a byte
//!   of the ledger.
//! - [`entry`]: what an entry says and its canonical bytes (the leaf).

pub mod entry;
pub mod head;
pub mod keys;
pub mod merkle;

pub use merkle::Hash;
