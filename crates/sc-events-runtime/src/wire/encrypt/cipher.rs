//! Data keys and the ciphers over them, in Tink's formats as Confluent's clients use them: a
//! DEK is the serialized Tink key proto (`AesGcmKey` or `AesSivKey`, version 0), a GCM
//! ciphertext is Tink's RAW output (12-byte nonce, ciphertext, 16-byte tag) and a SIV one is
//! RFC 5297's (16-byte synthetic IV, ciphertext) over one empty associated-data component.
//! The primitives are in [`super::primitives`].

use super::primitives;
use std::fmt;

/// Confluent's `DekAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DekAlgorithm {
    Aes128Gcm,
    Aes256Gcm,
    /// Deterministic: equal plaintexts give equal ciphertexts (joinable, and so weaker).
    Aes256Siv,
}

impl DekAlgorithm {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "AES128_GCM" => Ok(DekAlgorithm::Aes128Gcm),
            "AES256_GCM" => Ok(DekAlgorithm::Aes256Gcm),
            "AES256_SIV" => Ok(DekAlgorithm::Aes256Siv),
            other => Err(format!(
                "unknown DEK algorithm '{}' (AES128_GCM, AES256_GCM or AES256_SIV)",
                sc_events_schema::text::cap(other.to_string(), 64)
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DekAlgorithm::Aes128Gcm => "AES128_GCM",
            DekAlgorithm::Aes256Gcm => "AES256_GCM",
            DekAlgorithm::Aes256Siv => "AES256_SIV",
        }
    }

    fn key_len(self) -> usize {
        match self {
            DekAlgorithm::Aes128Gcm => 16,
            DekAlgorithm::Aes256Gcm => 32,
            DekAlgorithm::Aes256Siv => 64,
        }
    }

    /// The protobuf field number of `key_value` in Tink's key message (AesGcmKey: 3,
    /// AesSivKey: 2).
    fn key_field(self) -> u8 {
        match self {
            DekAlgorithm::Aes128Gcm | DekAlgorithm::Aes256Gcm => 3,
            DekAlgorithm::Aes256Siv => 2,
        }
    }
}

/// A data key in clear. Its bytes never appear in `Debug`, errors or logs.
#[derive(Clone)]
pub struct DataKey {
    algorithm: DekAlgorithm,
    key: Vec<u8>,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({}, redacted)", self.algorithm.name())
    }
}

impl DataKey {
    /// A fresh random key.
    pub fn generate(algorithm: DekAlgorithm) -> Result<Self, String> {
        let key =
            primitives::random(algorithm.key_len()).map_err(|e| format!("no data key: {e}"))?;
        Ok(DataKey { algorithm, key })
    }

    pub fn algorithm(&self) -> DekAlgorithm {
        self.algorithm
    }

    /// The serialized Tink key (what the KEK wraps): `version` 0 is proto3's default and so
    /// absent, then `key_value` as a length-delimited field.
    pub fn to_tink(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.key.len() + 2);
        out.push((self.algorithm.key_field() << 3) | 2);
        // Key lengths (16, 32, 64) fit a one-byte varint.
        out.push(self.key.len() as u8);
        out.extend_from_slice(&self.key);
        out
    }

    /// Reads a serialized Tink key of `algorithm`: field 1 (`version`, must be 0) and the
    /// key field, in any order; anything else is refused.
    pub fn from_tink(algorithm: DekAlgorithm, bytes: &[u8]) -> Result<Self, String> {
        let bad = |why: &str| format!("not a Tink {} key: {why}", algorithm.name());
        let mut key = None;
        let mut i = 0;
        while i < bytes.len() {
            let tag = bytes[i];
            i += 1;
            let value = bytes.get(i).copied().ok_or_else(|| bad("truncated"))?;
            i += 1;
            if value & 0x80 != 0 {
                return Err(bad("a field too long"));
            }
            match (tag >> 3, tag & 7) {
                (1, 0) if value == 0 => {}
                (1, 0) => return Err(bad("key version is not 0")),
                (f, 2) if f == algorithm.key_field() => {
                    let end = i + usize::from(value);
                    let v = bytes.get(i..end).ok_or_else(|| bad("truncated"))?;
                    key = Some(v.to_vec());
                    i = end;
                }
                _ => return Err(bad("an unexpected field")),
            }
        }
        let key = key.ok_or_else(|| bad("no key value"))?;
        if key.len() != algorithm.key_len() {
            return Err(bad(&format!(
                "a {}-byte key, expected {}",
                key.len(),
                algorithm.key_len()
            )));
        }
        Ok(DataKey { algorithm, key })
    }

    /// Encrypts with empty associated data (as Confluent does).
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        match self.algorithm {
            DekAlgorithm::Aes128Gcm | DekAlgorithm::Aes256Gcm => {
                primitives::gcm_seal(&self.key, plaintext)
            }
            DekAlgorithm::Aes256Siv => primitives::siv_seal(&self.key, plaintext),
        }
    }

    /// Decrypts; a wrong key or altered bytes fail (authenticated encryption).
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        match self.algorithm {
            DekAlgorithm::Aes128Gcm | DekAlgorithm::Aes256Gcm => {
                primitives::gcm_open(&self.key, ciphertext)
            }
            DekAlgorithm::Aes256Siv => primitives::siv_open(&self.key, ciphertext),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "encryption")]
    #[test]
    fn every_algorithm_round_trips_and_its_tink_key_reads_back() {
        for a in [
            DekAlgorithm::Aes128Gcm,
            DekAlgorithm::Aes256Gcm,
            DekAlgorithm::Aes256Siv,
        ] {
            let k = DataKey::generate(a).unwrap();
            let again = DataKey::from_tink(a, &k.to_tink()).unwrap();
            let ct = k.encrypt(b"alice@example.com").unwrap();
            assert_eq!(again.decrypt(&ct).unwrap(), b"alice@example.com");
            let mut bent = ct.clone();
            let last = bent.len() - 1;
            bent[last] ^= 1;
            assert!(
                again.decrypt(&bent).is_err(),
                "{a:?}: altered bytes decrypted"
            );
            assert!(!format!("{k:?}").contains(&format!("{:?}", &k.key[..4])));
        }
        // Tink's layouts: 12-byte nonce + 16-byte tag around GCM; SIV adds its 16-byte IV.
        let gcm = DataKey::generate(DekAlgorithm::Aes256Gcm).unwrap();
        assert_eq!(gcm.encrypt(b"hello").unwrap().len(), 33);
        assert_eq!(gcm.to_tink()[..2], [0x1a, 0x20]);
        let siv = DataKey::generate(DekAlgorithm::Aes256Siv).unwrap();
        assert_eq!(siv.encrypt(b"hello").unwrap().len(), 21);
        assert_eq!(
            siv.encrypt(b"hello").unwrap(),
            siv.encrypt(b"hello").unwrap()
        );
        assert_eq!(siv.to_tink()[..2], [0x12, 0x40]);
    }

    #[test]
    fn malformed_tink_keys_are_refused() {
        for bad in [
            &b""[..],
            b"\x1a",
            b"\x1a\x20abc",
            b"\x08\x01\x1a\x01a",
            b"\x22\x01a",
        ] {
            assert!(
                DataKey::from_tink(DekAlgorithm::Aes256Gcm, bad).is_err(),
                "{bad:?}"
            );
        }
    }
}
