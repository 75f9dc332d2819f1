//! Confluent's DEK registry (`/dek-registry/v1`): key-encryption keys (KEKs), which name a key
//! in a KMS, and the data keys (DEKs) of each subject, stored only wrapped by their KEK. Field
//! encryption (the runtime's `wire::encrypt`) reads and creates them through [`KeyRegistry`];
//! the embedded registry stores them and `registry serve` answers Confluent's endpoints.
//!
//! The registry never sees a key in clear: a DEK's `encryptedKeyMaterial` is its Tink key,
//! encrypted by the KMS. (Confluent's *shared* KEKs, where the registry itself calls the KMS,
//! are not offered: `shared: true` is refused.)

use crate::error::{clip, ErrorKind, RegistryError, Result};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A key-encryption key: a name for a key held in a KMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kek {
    pub name: String,
    /// `local-kms`, `aws-kms`, `azure-kms`, `gcp-kms` or `hcvault`.
    #[serde(rename = "kmsType")]
    pub kms_type: String,
    /// The key's id in that KMS.
    #[serde(rename = "kmsKeyId")]
    pub kms_key_id: String,
    #[serde(
        rename = "kmsProps",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub kms_props: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(default)]
    pub shared: bool,
    #[serde(default)]
    pub ts: i64,
    #[serde(default)]
    pub deleted: bool,
}

/// The data-key algorithms (Confluent's `DekAlgorithm`).
pub const DEK_ALGORITHMS: [&str; 3] = ["AES128_GCM", "AES256_GCM", "AES256_SIV"];

/// A data key of one subject, wrapped by its KEK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dek {
    #[serde(rename = "kekName")]
    pub kek_name: String,
    pub subject: String,
    pub version: i32,
    pub algorithm: String,
    /// Base64 of the KMS-encrypted Tink key.
    #[serde(rename = "encryptedKeyMaterial")]
    pub encrypted_key_material: String,
    #[serde(default)]
    pub ts: i64,
    #[serde(default)]
    pub deleted: bool,
}

/// `POST /dek-registry/v1/keks`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKek {
    pub name: String,
    #[serde(rename = "kmsType")]
    pub kms_type: String,
    #[serde(rename = "kmsKeyId")]
    pub kms_key_id: String,
    #[serde(
        rename = "kmsProps",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub kms_props: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(default)]
    pub shared: bool,
}

/// `POST /dek-registry/v1/keks/{kek}/deks/{subject}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDek {
    pub subject: String,
    /// 1 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// AES256_GCM when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(
        rename = "encryptedKeyMaterial",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub encrypted_key_material: Option<String>,
}

impl NewKek {
    /// Refuses what this registry cannot hold: an empty or oversized name or key id, a
    /// shared KEK (the registry would have to call the KMS).
    pub fn validate(&self) -> Result<()> {
        name_ok("KEK name", &self.name)?;
        if self.kms_type.trim().is_empty() || self.kms_key_id.trim().is_empty() {
            return Err(invalid("a KEK needs kmsType and kmsKeyId"));
        }
        if self.kms_type.len() > 256 || self.kms_key_id.len() > 4096 {
            return Err(invalid("kmsType or kmsKeyId is too long"));
        }
        if self.shared {
            return Err(invalid(
                "shared KEKs are not supported: this registry never calls a KMS; wrap DEKs on the client (shared: false)",
            ));
        }
        Ok(())
    }
}

impl NewDek {
    /// The version and algorithm with their defaults, after checking them.
    pub fn resolved(&self) -> Result<(i32, String)> {
        name_ok("subject", &self.subject)?;
        let version = self.version.unwrap_or(1);
        if version < 1 {
            return Err(invalid(format!("DEK version {version} is not 1 or more")));
        }
        let algorithm = algorithm(self.algorithm.as_deref())?;
        match &self.encrypted_key_material {
            None => Err(invalid(
                "encryptedKeyMaterial is required: this registry does not generate keys (no shared KEKs)",
            )),
            Some(m) if m.is_empty() || m.len() > 4096 => {
                Err(invalid("encryptedKeyMaterial is empty or too long"))
            }
            Some(_) => Ok((version, algorithm)),
        }
    }
}

/// An algorithm name, AES256_GCM by default.
pub fn algorithm(given: Option<&str>) -> Result<String> {
    let a = given.unwrap_or("AES256_GCM");
    if DEK_ALGORITHMS.contains(&a) {
        Ok(a.to_string())
    } else {
        Err(invalid(format!(
            "unknown DEK algorithm '{}': use {}",
            clip(a),
            DEK_ALGORITHMS.join(", ")
        )))
    }
}

fn name_ok(what: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 1024 || name.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{what} '{}' must be 1 to 1024 bytes without control characters",
            clip(name)
        )));
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> RegistryError {
    RegistryError::api(ErrorKind::BadRequest, message)
}

pub fn kek_not_found(name: &str) -> RegistryError {
    RegistryError::api(
        ErrorKind::KekNotFound,
        format!("Key encryption key '{}' not found", clip(name)),
    )
}

pub fn dek_not_found(kek: &str, subject: &str) -> RegistryError {
    RegistryError::api(
        ErrorKind::DekNotFound,
        format!(
            "Data encryption key of KEK '{}' for subject '{}' not found",
            clip(kek),
            clip(subject)
        ),
    )
}

/// The DEK registry's calls (Confluent's `/dek-registry/v1` API).
#[async_trait]
pub trait KeyRegistry: Send + Sync {
    /// `GET /dek-registry/v1/keks/{name}[?deleted=]`
    async fn kek(&self, name: &str, deleted: bool) -> Result<Kek>;

    /// `POST /dek-registry/v1/keks`: registers the KEK, or returns the same one registered
    /// before; another with this name is [`ErrorKind::KekExists`].
    async fn register_kek(&self, kek: &NewKek) -> Result<Kek>;

    /// `GET /dek-registry/v1/keks/{kek}/deks/{subject}/versions/{version|latest}?algorithm=`
    async fn dek(
        &self,
        kek: &str,
        subject: &str,
        version: Option<i32>,
        algorithm: &str,
        deleted: bool,
    ) -> Result<Dek>;

    /// `POST /dek-registry/v1/keks/{kek}/deks/{subject}`: an existing version is
    /// [`ErrorKind::DekExists`].
    async fn register_dek(&self, kek: &str, dek: &NewDek) -> Result<Dek>;
}
