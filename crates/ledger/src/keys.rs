//! Keys: the master key from configuration, the platform's signing key derived from it, and
//! per-person data keys that seal personal data inside ledger entries.
//!
//! Each person's data key is random, stored only wrapped (sealed) under the master key. Destroying
//! the wrapped key erases the person: their entries keep their bytes, so the tree still verifies,
//! but the sealed fields can no longer be opened. Sealing is XChaCha20-Poly1305 (an AEAD from the
//! RustCrypto `chacha20poly1305` crate) with a random 24-byte nonce, bound to the person's id as
//! associated data; the signing key is derived with HKDF-SHA256 (RFC 5869).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::{CryptoRng, RngCore};
use sha2::Sha256;
use uuid::Uuid;

/// Why a key or sealed value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The master key is not 32 bytes of standard base64.
    #[error("the master key must be 32 bytes, base64-encoded")]
    BadMasterKey,
    /// Authentication failed: wrong key, wrong person, or altered bytes.
    #[error("sealed data could not be opened")]
    CannotOpen,
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
    if sealed.len() < 24 {
        return Err(KeyError::CannotOpen);
    }
    let (nonce, ciphertext) = sealed.split_at(24);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| KeyError::CannotOpen)
}

fn seal(
    key: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut (impl RngCore + CryptoRng),
) -> Vec<u8> {
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let ciphertext = XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ciphertext);
    out
}

/// The platform's root secret, from configuration. Never logged.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// Parses 32 bytes of standard base64.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::BadMasterKey)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| KeyError::BadMasterKey)
    }

    /// A new random master key, base64 (for `staffbank demo` and tests).
    pub fn generate_base64(rng: &mut (impl RngCore + CryptoRng)) -> String {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// The key that signs tree heads, derived so that one secret configures the platform.
    pub fn signing_key(&self) -> SigningKey {
        let mut seed = [0u8; 32];
        let hk = Hkdf::<Sha256>::new(Some(b"staffbank"), &self.0);
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expansion cannot fail.
        let _ = hk.expand(b"ledger tree-head signing key v1", &mut seed);
        SigningKey::from_bytes(&seed)
    }

    /// A key for one purpose (named by `purpose`), derived with HKDF so that one secret
    /// configures the platform; e.g. the key that seals short-lived tokens for wallet apps.
    pub fn derived(&self, purpose: &[u8]) -> DataKey {
        let mut key = [0u8; 32];
        let hk = Hkdf::<Sha256>::new(Some(b"staffbank"), &self.0);
        let _ = hk.expand(purpose, &mut key);
        DataKey(key)
    }

    /// The server's own MAC over an entry's bytes (HMAC-SHA256, RFC 2104, under a key derived
    /// for this purpose alone). Written with every entry in the transaction of its change, it
    /// lets the sequencer refuse a row someone slipped into the tables with plain SQL, and lets
    /// an operator holding the master key name a rewritten entry even when every hash above it
    /// was recomputed.
    pub fn entry_mac(&self, body: &[u8]) -> [u8; 32] {
        let mut mac = self.entry_mac_state();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is this server's MAC over `body` (compared in constant time).
    pub fn entry_mac_matches(&self, body: &[u8], tag: &[u8]) -> bool {
        let mut mac = self.entry_mac_state();
        mac.update(body);
        mac.verify_slice(tag).is_ok()
    }

    fn entry_mac_state(&self) -> Hmac<Sha256> {
        let mut key = [0u8; 32];
        let hk = Hkdf::<Sha256>::new(Some(b"staffbank"), &self.0);
        let _ = hk.expand(b"ledger entry mac key v1", &mut key);
        // HMAC takes a key of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!())
    }

    /// A 32-byte secret for one purpose (named by `purpose`), derived with HKDF like
    /// [`Self::derived`], for a keyed hash rather than sealing: e.g. the HMAC key that gives
    /// workers stable pseudonyms in the analytics tables, which never store the key itself.
    pub fn derived_secret(&self, purpose: &[u8]) -> [u8; 32] {
        let mut key = [0u8; 32];
        let hk = Hkdf::<Sha256>::new(Some(b"staffbank"), &self.0);
        let _ = hk.expand(purpose, &mut key);
        key
    }

    /// The P-256 key that signs Web Push requests (VAPID, RFC 8292), derived with HKDF so every
    /// server of one platform presents the same public key to browsers and push services. A
    /// derived value that is not a valid scalar (chance about 2^-32) is skipped for the next.
    pub fn vapid_key(&self) -> Result<p256::SecretKey, KeyError> {
        let hk = Hkdf::<Sha256>::new(Some(b"staffbank"), &self.0);
        for attempt in 0u8..=255 {
            let mut bytes = [0u8; 32];
            let _ = hk.expand(
                &[b"web push vapid key v1 ".as_slice(), &[attempt]].concat(),
                &mut bytes,
            );
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                return Ok(key);
            }
        }
        Err(KeyError::BadMasterKey)
    }

    /// Wraps a person's data key for storage.
    pub fn wrap(
        &self,
        person: Uuid,
        key: &DataKey,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Vec<u8> {
        seal(&self.0, person.as_bytes(), &key.0, rng)
    }

    /// Unwraps a person's stored data key.
    pub fn unwrap(&self, person: Uuid, wrapped: &[u8]) -> Result<DataKey, KeyError> {
        let bytes = open(&self.0, person.as_bytes(), wrapped)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(DataKey)
            .map_err(|_| KeyError::CannotOpen)
    }
}

/// One person's data key. Never logged.
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A new random key.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Seals personal data about `person`.
    pub fn seal(
        &self,
        person: Uuid,
        plaintext: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Vec<u8> {
        seal(&self.0, person.as_bytes(), plaintext, rng)
    }

    /// Opens personal data sealed for `person`.
    pub fn open(&self, person: Uuid, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        open(&self.0, person.as_bytes(), sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_person() {
        let master = MasterKey::from_base64(&MasterKey::generate_base64(&mut OsRng)).unwrap();
        let person = Uuid::new_v4();
        let key = DataKey::generate(&mut OsRng);
        let wrapped = master.wrap(person, &key, &mut OsRng);
        let unwrapped = master.unwrap(person, &wrapped).unwrap();
        let sealed = key.seal(person, b"Amira Hassan", &mut OsRng);
        assert_eq!(unwrapped.open(person, &sealed).unwrap(), b"Amira Hassan");
        assert_eq!(key.open(Uuid::new_v4(), &sealed), Err(KeyError::CannotOpen));
        assert!(master.unwrap(Uuid::new_v4(), &wrapped).is_err());
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert_eq!(key.open(person, &altered), Err(KeyError::CannotOpen));
        assert_eq!(
            DataKey::generate(&mut OsRng).open(person, &sealed),
            Err(KeyError::CannotOpen)
        );
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn derived_keys_are_stable_and_one_per_purpose() {
        let master = MasterKey([9u8; 32]);
        let person = Uuid::nil();
        let sealed = master.derived(b"a").seal(person, b"token", &mut OsRng);
        assert_eq!(
            master.derived(b"a").open(person, &sealed).unwrap(),
            b"token"
        );
        assert!(master.derived(b"b").open(person, &sealed).is_err());
        assert!(MasterKey([8u8; 32])
            .derived(b"a")
            .open(person, &sealed)
            .is_err());
    }

    #[test]
    fn the_vapid_key_is_stable_for_a_master_key_and_differs_between_them() {
        let one = MasterKey([9u8; 32]).vapid_key().unwrap();
        assert_eq!(one, MasterKey([9u8; 32]).vapid_key().unwrap());
        assert_ne!(one, MasterKey([8u8; 32]).vapid_key().unwrap());
    }

    #[test]
    fn the_signing_key_is_stable_for_a_master_key() {
        let master = MasterKey([9u8; 32]);
        assert_eq!(
            master.signing_key().to_bytes(),
            master.signing_key().to_bytes()
        );
        assert_ne!(
            master.signing_key().to_bytes(),
            MasterKey([8u8; 32]).signing_key().to_bytes()
        );
    }
}
