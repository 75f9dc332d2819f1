//! Key management: a [`Kms`] wraps and unwraps data keys with a key-encryption key it holds.
//! [`LocalKms`] is Confluent's local KMS (`local-kms://`): the KEK is AES-128-GCM with a key
//! derived from a secret by HKDF-SHA256 (no salt, no info), so a Confluent client given the
//! same secret unwraps what this one wraps. Other KMSs plug in by implementing the trait.

use super::primitives;
use sc_events_registry::keys::Kek;
use std::fmt;
use std::path::Path;

/// The environment variable Confluent's local KMS reads its secret from.
pub const LOCAL_SECRET_VAR: &str = "LOCAL_SECRET";

/// A key management service holding key-encryption keys.
pub trait Kms: Send + Sync + fmt::Debug {
    /// Whether this KMS holds `kek`'s key (by its `kmsType`, and key id where it matters).
    fn supports(&self, kek: &Kek) -> bool;
    /// Encrypts a data key with `kek`.
    fn wrap(&self, kek: &Kek, key: &[u8]) -> Result<Vec<u8>, String>;
    /// Decrypts a data key wrapped by `kek`.
    fn unwrap(&self, kek: &Kek, wrapped: &[u8]) -> Result<Vec<u8>, String>;
}

/// Confluent's local KMS: one secret, every `local-kms` KEK.
#[derive(Clone)]
pub struct LocalKms {
    key: [u8; 16],
}

impl fmt::Debug for LocalKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKms(redacted)")
    }
}

impl LocalKms {
    pub fn from_secret(secret: &str) -> Self {
        LocalKms {
            key: primitives::hkdf_sha256_16(secret.as_bytes()),
        }
    }

    /// The secret of `LOCAL_SECRET`, if set and not empty.
    pub fn from_env() -> Option<Self> {
        std::env::var(LOCAL_SECRET_VAR)
            .ok()
            .filter(|s| !s.is_empty())
            .map(|s| Self::from_secret(&s))
    }

    /// The secret in a file (its first line, trailing whitespace dropped).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("cannot read the KMS secret file {}: {e}", path.display()))?;
        if meta.len() > 64 * 1024 {
            return Err(format!(
                "the KMS secret file {} is over 64 KiB: not a secret",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the KMS secret file {}: {e}", path.display()))?;
        let secret = text.lines().next().unwrap_or_default().trim_end();
        if secret.is_empty() {
            return Err(format!("the KMS secret file {} is empty", path.display()));
        }
        Ok(Self::from_secret(secret))
    }
}

impl Kms for LocalKms {
    fn supports(&self, kek: &Kek) -> bool {
        kek.kms_type == "local-kms"
    }

    fn wrap(&self, _kek: &Kek, key: &[u8]) -> Result<Vec<u8>, String> {
        primitives::gcm_seal(&self.key, key)
    }

    fn unwrap(&self, kek: &Kek, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        primitives::gcm_open(&self.key, wrapped).map_err(|_| {
            format!(
                "the data key of KEK '{}' does not unwrap with this local KMS secret (another secret wrapped it)",
                kek.name
            )
        })
    }
}

#[cfg(all(test, feature = "encryption"))]
mod tests {
    use super::*;

    #[test]
    fn the_kek_key_is_hkdf_sha256_of_the_secret_as_confluents_local_kms_derives_it() {
        // Confluent's LocalKmsClient("mysecret")._get_key("mysecret"), printed by its Python
        // client 2.16.1.
        let kms = LocalKms::from_secret("mysecret");
        assert_eq!(hex(&kms.key), "1ae4d97ac1e81594bfd1993c1a75ee36");
        assert_eq!(format!("{kms:?}"), "LocalKms(redacted)");
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
