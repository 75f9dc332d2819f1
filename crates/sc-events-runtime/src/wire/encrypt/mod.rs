//! Client-side field-level encryption, compatible with Confluent's (CSFLE): a subject's rule
//! set holds an `ENCRYPT` rule naming a key-encryption key (KEK) and the field tags it covers;
//! the serializer encrypts those fields with the subject's data key (DEK), which is stored in
//! the DEK registry wrapped by the KEK; the deserializer decrypts when its [`Kms`] holds the
//! KEK, and otherwise leaves the ciphertext (or refuses, as the reader chooses).
//!
//! The byte layout is Confluent's: a string field holds the base64 of the ciphertext, a bytes
//! field the ciphertext; with DEK rotation (`encrypt.dek.expiry.days`) the ciphertext is
//! prefixed with byte 0 and the DEK version (4 bytes, big-endian). So Confluent's clients
//! read what this one writes, and the other way round.
//!
//! The parts: `primitives` (RustCrypto's AES-GCM, AES-SIV and HKDF, behind the crate's
//! `encryption` feature), `cipher` (data keys and ciphers in Tink's formats), `kms` (KEKs: the
//! local KMS), `fields` (which fields a rule takes, and the pass rewriting them in a datum), and
//! this module, which reads the rule and gets or creates the keys through the registry.

mod cipher;
pub mod fields;
mod kms;
mod primitives;

pub use cipher::{DataKey, DekAlgorithm};
pub use kms::{Kms, LocalKms, LOCAL_SECRET_VAR};
pub use primitives::BUILT_IN;

use base64::Engine;
use fields::{FieldProgram, RewriteError};
use sc_events_registry::contracts::RuleSet;
use sc_events_registry::keys::{Dek, Kek, KeyRegistry, NewDek, NewKek};
use sc_events_registry::{ErrorKind, RegistryError};
use sc_events_schema::topics::EncryptedFields;
use std::collections::HashMap;
use std::sync::Arc;

pub const KEK_NAME: &str = "encrypt.kek.name";
pub const KMS_TYPE: &str = "encrypt.kms.type";
pub const KMS_KEY_ID: &str = "encrypt.kms.key.id";
pub const DEK_ALGORITHM: &str = "encrypt.dek.algorithm";
pub const DEK_EXPIRY_DAYS: &str = "encrypt.dek.expiry.days";

/// The most DEK versions a reader loads for a rotated subject.
const MAX_DEK_VERSIONS: i32 = 1000;

/// What a reader does with an encrypted field it cannot decrypt (no KMS holding the KEK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnEncrypted {
    /// Hand the handler the field as it is on the topic: ciphertext (Confluent's `NONE`).
    #[default]
    Ciphertext,
    /// Refuse the message.
    Refuse,
}

/// How a deserializer treats encrypted fields (a subject's `ENCRYPT` rule).
#[derive(Debug, Clone, Default)]
pub struct Decryption {
    /// The KMS holding the key-encryption key: with it, fields are decrypted.
    pub kms: Option<Arc<dyn Kms>>,
    /// Without it: ciphertext, or a refusal.
    pub on_encrypted: OnEncrypted,
}

impl Decryption {
    /// Decrypting with `kms`.
    pub fn with_kms(kms: Arc<dyn Kms>) -> Self {
        Decryption {
            kms: Some(kms),
            on_encrypted: OnEncrypted::Refuse,
        }
    }

    /// What a consuming job's catalog entry asks for; `decrypt` takes `kms`, else Confluent's
    /// local KMS when `LOCAL_SECRET` is set, else fails.
    pub fn for_job(fields: EncryptedFields, kms: Option<Arc<dyn Kms>>) -> Result<Self, String> {
        Ok(match fields {
            EncryptedFields::Ciphertext => Decryption::default(),
            EncryptedFields::Refuse => Decryption {
                kms: None,
                on_encrypted: OnEncrypted::Refuse,
            },
            EncryptedFields::Decrypt => {
                let kms = match kms {
                    Some(k) => k,
                    None => Arc::new(LocalKms::from_env().ok_or_else(|| {
                        format!(
                            "decrypts encrypted fields (encrypted_fields = \"decrypt\") but holds no key: set {LOCAL_SECRET_VAR} for the local KMS, or give it a KMS"
                        )
                    })?),
                };
                Decryption::with_kms(kms)
            }
        })
    }
}

/// A subject's `ENCRYPT` rule, as its parameters say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptRule {
    pub name: String,
    pub tags: Vec<String>,
    pub kek_name: String,
    pub kms_type: Option<String>,
    pub kms_key_id: Option<String>,
    pub algorithm: DekAlgorithm,
    /// DEKs older than this are replaced on write (0: never); then ciphertexts carry the
    /// DEK version.
    pub expiry_days: u32,
}

impl EncryptRule {
    /// The enabled `ENCRYPT` rule of `rules` running on this side (`write`), if any.
    pub fn of(rules: Option<&RuleSet>, write: bool) -> Result<Option<Self>, String> {
        let Some(rule) =
            rules.and_then(|r| r.domain_rules_of("ENCRYPT").find(|r| r.runs_on(write)))
        else {
            return Ok(None);
        };
        let kek_name = rule
            .param(KEK_NAME)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| format!("ENCRYPT rule '{}' has no {KEK_NAME}", rule.name))?;
        let algorithm = DekAlgorithm::parse(rule.param(DEK_ALGORITHM).unwrap_or("AES256_GCM"))?;
        let expiry_days = match rule.param(DEK_EXPIRY_DAYS) {
            None => 0,
            Some(d) => d.parse::<u32>().map_err(|_| {
                format!(
                    "ENCRYPT rule '{}': {DEK_EXPIRY_DAYS} is not a number of days",
                    rule.name
                )
            })?,
        };
        Ok(Some(EncryptRule {
            name: rule.name.clone(),
            tags: rule.tags.clone(),
            kek_name: kek_name.to_string(),
            kms_type: rule.param(KMS_TYPE).map(str::to_string),
            kms_key_id: rule.param(KMS_KEY_ID).map(str::to_string),
            algorithm,
            expiry_days,
        }))
    }

    fn rotated(&self) -> bool {
        self.expiry_days > 0
    }
}

fn registry_error(what: &str, e: RegistryError) -> String {
    format!("{what}: {e}")
}

/// The KEK of `rule`, registered first when writing and it is missing.
async fn kek(keys: &dyn KeyRegistry, rule: &EncryptRule, write: bool) -> Result<Kek, String> {
    let found = match keys.kek(&rule.kek_name, false).await {
        Ok(k) => Some(k),
        Err(e) if e.is(ErrorKind::KekNotFound) || e.is(ErrorKind::NotFound) => None,
        Err(e) => {
            return Err(registry_error(
                &format!("cannot read KEK '{}'", rule.kek_name),
                e,
            ))
        }
    };
    let kek = match found {
        Some(k) => k,
        None if !write => return Err(format!("no KEK '{}' in the DEK registry", rule.kek_name)),
        None => {
            let (Some(kms_type), Some(kms_key_id)) = (&rule.kms_type, &rule.kms_key_id) else {
                return Err(format!(
                    "KEK '{}' is not registered and rule '{}' gives no {KMS_TYPE} and {KMS_KEY_ID} to register it",
                    rule.kek_name, rule.name
                ));
            };
            let new = NewKek {
                name: rule.kek_name.clone(),
                kms_type: kms_type.clone(),
                kms_key_id: kms_key_id.clone(),
                kms_props: Default::default(),
                doc: None,
                shared: false,
            };
            match keys.register_kek(&new).await {
                Ok(k) => k,
                Err(e) if e.is(ErrorKind::KekExists) => keys
                    .kek(&rule.kek_name, false)
                    .await
                    .map_err(|e| registry_error("cannot read the KEK", e))?,
                Err(e) => return Err(registry_error("cannot register the KEK", e)),
            }
        }
    };
    if let Some(t) = rule.kms_type.as_ref().filter(|t| **t != kek.kms_type) {
        return Err(format!(
            "KEK '{}' is in KMS type {}, the rule says {t}",
            kek.name, kek.kms_type
        ));
    }
    Ok(kek)
}

/// The KEK of `rule` (see [`kek`]), refused unless `kms` holds its key.
async fn held_kek(
    keys: &dyn KeyRegistry,
    kms: &dyn Kms,
    rule: &EncryptRule,
    write: bool,
) -> Result<Kek, String> {
    let kek = kek(keys, rule, write).await?;
    if !kms.supports(&kek) {
        return Err(format!(
            "KEK '{}' is held by KMS type {}, which this process's KMS ({kms:?}) does not hold",
            kek.name, kek.kms_type
        ));
    }
    Ok(kek)
}

fn unwrap_dek(
    kms: &dyn Kms,
    kek: &Kek,
    dek: &Dek,
    algorithm: DekAlgorithm,
) -> Result<DataKey, String> {
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(dek.encrypted_key_material.as_bytes())
        .map_err(|_| {
            format!(
                "DEK version {} of '{}' is not base64",
                dek.version, dek.subject
            )
        })?;
    let tink = kms.unwrap(kek, &wrapped)?;
    DataKey::from_tink(algorithm, &tink)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Encrypts one subject's tagged fields on write.
#[derive(Debug)]
pub struct Encryptor {
    program: FieldProgram,
    /// The unwrapped DEK, or why this writer has none (no KMS): then only events without a
    /// tagged value can be written, as with Confluent's clients.
    key: Result<DataKey, String>,
    /// The DEK version, prefixed to each ciphertext when DEKs rotate.
    version: Option<i32>,
}

impl Encryptor {
    /// Gets the subject's KEK and latest DEK from the registry, creating them when missing
    /// (or the DEK expired), and unwraps the DEK with `kms`.
    pub async fn prepare(
        keys: &dyn KeyRegistry,
        kms: &dyn Kms,
        subject: &str,
        rule: &EncryptRule,
        program: FieldProgram,
    ) -> Result<Self, String> {
        let kek = held_kek(keys, kms, rule, true).await?;
        let alg = rule.algorithm.name();
        let wanted = if rule.rotated() { None } else { Some(1) };
        let latest = match keys.dek(&kek.name, subject, wanted, alg, false).await {
            Ok(d) => Some(d),
            Err(e) if e.is(ErrorKind::DekNotFound) || e.is(ErrorKind::NotFound) => None,
            Err(e) => return Err(registry_error("cannot read the DEK", e)),
        };
        let expired = |d: &Dek| {
            rule.rotated() && (now_ms() - d.ts) / 86_400_000 > i64::from(rule.expiry_days)
        };
        let dek = match latest {
            Some(d) if !expired(&d) => d,
            old => {
                let version = old.as_ref().map_or(1, |d| d.version + 1);
                let fresh = DataKey::generate(rule.algorithm)?;
                let wrapped = kms.wrap(&kek, &fresh.to_tink())?;
                let new = NewDek {
                    subject: subject.to_string(),
                    version: Some(version),
                    algorithm: Some(alg.to_string()),
                    encrypted_key_material: Some(
                        base64::engine::general_purpose::STANDARD.encode(wrapped),
                    ),
                };
                match keys.register_dek(&kek.name, &new).await {
                    Ok(d) => d,
                    // Another producer created it first: use theirs.
                    Err(e) if e.is(ErrorKind::DekExists) => keys
                        .dek(&kek.name, subject, Some(version), alg, false)
                        .await
                        .map_err(|e| registry_error("cannot read the DEK", e))?,
                    Err(e) => return Err(registry_error("cannot register the DEK", e)),
                }
            }
        };
        let key = unwrap_dek(kms, &kek, &dek, rule.algorithm)?;
        Ok(Encryptor {
            program,
            key: Ok(key),
            version: rule.rotated().then_some(dek.version),
        })
    }

    /// An encryptor holding no key: writing a tagged value fails with `why`.
    pub fn without_key(program: FieldProgram, why: String) -> Self {
        Encryptor {
            program,
            key: Err(why),
            version: None,
        }
    }

    /// The fields it encrypts.
    pub fn fields(&self) -> &[String] {
        &self.program.fields
    }

    /// Copies `datum` into `out` with every tagged field encrypted.
    pub fn encrypt(&self, datum: &[u8], out: &mut Vec<u8>) -> Result<(), RewriteError> {
        self.program.rewrite(datum, out, &mut |value, is_string| {
            let mut ct = Vec::new();
            if let Some(v) = self.version {
                ct.push(0);
                ct.extend_from_slice(&v.to_be_bytes());
            }
            let key = self.key.as_ref().map_err(Clone::clone)?;
            ct.extend_from_slice(&key.encrypt(value)?);
            Ok(if is_string {
                base64::engine::general_purpose::STANDARD
                    .encode(ct)
                    .into_bytes()
            } else {
                ct
            })
        })
    }
}

/// Decrypts one writer schema's tagged fields on read.
#[derive(Debug)]
pub struct Decryptor {
    program: FieldProgram,
    /// DEK version → key (only version 1 unless DEKs rotate).
    keys: HashMap<i32, DataKey>,
    rotated: bool,
}

impl Decryptor {
    /// Loads the subject's DEKs (every version when they rotate) and unwraps them.
    pub async fn prepare(
        keys: &dyn KeyRegistry,
        kms: &dyn Kms,
        subject: &str,
        rule: &EncryptRule,
        program: FieldProgram,
    ) -> Result<Self, String> {
        let kek = held_kek(keys, kms, rule, false).await?;
        let alg = rule.algorithm.name();
        let read = |v: Option<i32>| keys.dek(&kek.name, subject, v, alg, true);
        let latest = read(if rule.rotated() { None } else { Some(1) })
            .await
            .map_err(|e| registry_error(&format!("no DEK of '{}' for {subject}", kek.name), e))?;
        let mut map = HashMap::new();
        map.insert(
            latest.version,
            unwrap_dek(kms, &kek, &latest, rule.algorithm)?,
        );
        if rule.rotated() {
            for v in 1..latest.version.min(MAX_DEK_VERSIONS) {
                if let Ok(d) = read(Some(v)).await {
                    map.insert(v, unwrap_dek(kms, &kek, &d, rule.algorithm)?);
                }
            }
        }
        Ok(Decryptor {
            program,
            keys: map,
            rotated: rule.rotated(),
        })
    }

    pub fn fields(&self) -> &[String] {
        &self.program.fields
    }

    /// Copies `datum` into `out` with every tagged field decrypted.
    pub fn decrypt(&self, datum: &[u8], out: &mut Vec<u8>) -> Result<(), RewriteError> {
        self.program.rewrite(datum, out, &mut |value, is_string| {
            let decoded;
            let mut ct: &[u8] = if is_string {
                decoded = base64::engine::general_purpose::STANDARD
                    .decode(value)
                    .map_err(|_| "an encrypted string field is not base64".to_string())?;
                &decoded
            } else {
                value
            };
            let version = if self.rotated {
                if ct.len() < 5 {
                    return Err("the ciphertext has no DEK version prefix".to_string());
                }
                let v = i32::from_be_bytes([ct[1], ct[2], ct[3], ct[4]]);
                ct = &ct[5..];
                v
            } else {
                1
            };
            let key = self
                .keys
                .get(&version)
                .ok_or_else(|| format!("no DEK version {version} for this subject"))?;
            let plain = key.decrypt(ct)?;
            if is_string && std::str::from_utf8(&plain).is_err() {
                return Err("a decrypted string field is not UTF-8".to_string());
            }
            Ok(plain)
        })
    }
}
