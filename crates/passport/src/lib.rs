//! The Digital Staff Passport's formats, with no HTTP and no database.
//!
//! - [`jws`]: ES256 compact JWS and P-256 JWKs (RFC 7515, 7517, 7518), on the `p256` crate;
//! - [`sd_jwt`]: selective disclosure (RFC 9901): issuing, choosing what to disclose, processing;
//! - [`key_binding`]: the holder's `kb+jwt` that binds a presentation to a verifier and a nonce;
//! - [`proof_of_possession`]: a holder's proof that they hold a key (OpenID4VCI proofs, sign-on);
//! - [`status_list`]: the IETF Token Status List (`statuslist+jwt`, zlib-compressed bits);
//! - [`vc`]: SD-JWT VCs (`dc+sd-jwt`) with `vct`, `cnf.jwk` and `status`;
//! - [`verify`]: the verifier, which runs every check in order and names the first that fails.

pub mod jws;
pub mod key_binding;
pub mod proof_of_possession;
pub mod sd_jwt;
pub mod status_list;
pub mod vc;
pub mod verify;

/// base64url without padding, the encoding of every JOSE part (RFC 7515 section 2).
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; `None` for anything else.
pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// base64url of the SHA-256 of `text`: SD-JWT's disclosure digests and `sd_hash` (RFC 9901
/// sections 4.2.3 and 4.3.1).
pub(crate) fn sha256_b64(text: &str) -> String {
    use sha2::Digest;
    b64(sha2::Sha256::digest(text.as_bytes()))
}
