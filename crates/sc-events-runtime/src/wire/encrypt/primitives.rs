//! The cryptographic primitives field encryption stands on: randomness, AES-GCM (Tink's RAW
//! layout: 12-byte nonce, ciphertext, 16-byte tag), AES-SIV (RFC 5297, one empty associated-data
//! component) and HKDF-SHA256, all RustCrypto's.
//!
//! They are behind the crate's `encryption` feature, so a service whose subjects encrypt nothing
//! leaves the ciphers out. Built without it, every primitive fails with [`NOT_BUILT`]: a subject
//! whose rule set encrypts fields is then refused, never written in clear, and a reader can still
//! take the ciphertext as it is.

/// Whether this build can encrypt and decrypt (the `encryption` feature).
pub const BUILT_IN: bool = cfg!(feature = "encryption");

/// Why a primitive fails in a build without the `encryption` feature.
#[cfg_attr(feature = "encryption", allow(dead_code))]
pub const NOT_BUILT: &str = "field encryption is not built into this program (enable the `encryption` feature of sc-events-runtime)";

#[cfg(feature = "encryption")]
mod real {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes128Gcm, Aes256Gcm};
    use aes_siv::siv::Aes256Siv;

    const NONCE: usize = 12;
    const TAG: usize = 16;

    pub fn random(len: usize) -> Result<Vec<u8>, String> {
        let mut out = vec![0u8; len];
        getrandom::fill(&mut out).map_err(|e| format!("no randomness: {e}"))?;
        Ok(out)
    }

    /// AES-128-GCM or AES-256-GCM, by the key's length.
    pub fn gcm_seal(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, String> {
        match key.len() {
            16 => seal::<Aes128Gcm>(key, plaintext),
            32 => seal::<Aes256Gcm>(key, plaintext),
            n => Err(format!("a {n}-byte AES-GCM key (16 or 32 expected)")),
        }
    }

    pub fn gcm_open(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        match key.len() {
            16 => open::<Aes128Gcm>(key, ciphertext),
            32 => open::<Aes256Gcm>(key, ciphertext),
            n => Err(format!("a {n}-byte AES-GCM key (16 or 32 expected)")),
        }
    }

    pub fn siv_seal(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, String> {
        Aes256Siv::new_from_slice(key)
            .map_err(|_| "bad SIV key".to_string())?
            .encrypt([b"".as_slice()], plaintext)
            .map_err(|_| "encryption failed".to_string())
    }

    pub fn siv_open(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        Aes256Siv::new_from_slice(key)
            .map_err(|_| "bad SIV key".to_string())?
            .decrypt([b"".as_slice()], ciphertext)
            .map_err(|_| "the ciphertext does not decrypt with this key".to_string())
    }

    /// HKDF-SHA256 of `secret` with no salt and no info, 16 bytes.
    pub fn hkdf_sha256_16(secret: &[u8]) -> [u8; 16] {
        let h = hkdf::Hkdf::<sha2::Sha256>::new(None, secret);
        let mut key = [0u8; 16];
        // 16 bytes is far below HKDF-SHA256's 8160-byte limit: expand cannot fail.
        let _ = h.expand(&[], &mut key);
        key
    }

    fn seal<C: KeyInit + Aead>(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let cipher = C::new_from_slice(key).map_err(|_| "bad AES-GCM key length".to_string())?;
        let nonce = random(NONCE)?;
        let n = aes_gcm::aead::Nonce::<C>::try_from(&nonce[..])
            .map_err(|_| "bad nonce length".to_string())?;
        let sealed = cipher
            .encrypt(
                &n,
                Payload {
                    msg: plaintext,
                    aad: b"",
                },
            )
            .map_err(|_| "encryption failed".to_string())?;
        let mut out = Vec::with_capacity(NONCE + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn open<C: KeyInit + Aead>(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        if ciphertext.len() < NONCE + TAG {
            return Err(format!(
                "a {}-byte ciphertext is shorter than AES-GCM's nonce and tag ({} bytes)",
                ciphertext.len(),
                NONCE + TAG
            ));
        }
        let cipher = C::new_from_slice(key).map_err(|_| "bad AES-GCM key length".to_string())?;
        let n = aes_gcm::aead::Nonce::<C>::try_from(&ciphertext[..NONCE])
            .map_err(|_| "bad nonce length".to_string())?;
        cipher
            .decrypt(
                &n,
                Payload {
                    msg: &ciphertext[NONCE..],
                    aad: b"",
                },
            )
            .map_err(|_| "the ciphertext does not decrypt with this key".to_string())
    }
}

#[cfg(not(feature = "encryption"))]
mod real {
    use super::NOT_BUILT;

    pub fn random(_len: usize) -> Result<Vec<u8>, String> {
        Err(NOT_BUILT.to_string())
    }
    pub fn gcm_seal(_key: &[u8], _plaintext: &[u8]) -> Result<Vec<u8>, String> {
        Err(NOT_BUILT.to_string())
    }
    pub fn gcm_open(_key: &[u8], _ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        Err(NOT_BUILT.to_string())
    }
    pub fn siv_seal(_key: &[u8], _plaintext: &[u8]) -> Result<Vec<u8>, String> {
        Err(NOT_BUILT.to_string())
    }
    pub fn siv_open(_key: &[u8], _ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        Err(NOT_BUILT.to_string())
    }
    /// No key: every use of it fails (above).
    pub fn hkdf_sha256_16(_secret: &[u8]) -> [u8; 16] {
        [0; 16]
    }
}

pub use real::{gcm_open, gcm_seal, hkdf_sha256_16, random, siv_open, siv_seal};

#[cfg(all(test, not(feature = "encryption")))]
mod tests {
    use crate::wire::encrypt::{DataKey, DekAlgorithm, Kms, LocalKms};
    use sc_events_registry::keys::Kek;

    /// Built without the feature, no key is made and nothing is sealed or opened, so a subject
    /// that encrypts is refused instead of written in clear.
    #[test]
    fn without_the_feature_every_primitive_refuses_with_the_reason() {
        let e = DataKey::generate(DekAlgorithm::Aes256Gcm).unwrap_err();
        assert!(e.contains("`encryption` feature"), "{e}");
        let k = DataKey::from_tink(
            DekAlgorithm::Aes128Gcm,
            &[0x1a, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        )
        .unwrap();
        assert!(k
            .encrypt(b"alice@example.com")
            .unwrap_err()
            .contains("not built"));
        assert!(k.decrypt(&[0; 40]).unwrap_err().contains("not built"));
        let kek: Kek = serde_json::from_value(
            serde_json::json!({"name": "k", "kmsType": "local-kms", "kmsKeyId": "k"}),
        )
        .unwrap();
        let kms = LocalKms::from_secret("mysecret");
        assert!(kms.wrap(&kek, &[1; 16]).unwrap_err().contains("not built"));
    }
}
