//! Confluent's framing and the registry-aware serializer and deserializer.
//!
//! A framed message is magic byte 0, the schema id as 4 big-endian bytes, then the Avro datum.
//! The [`Serializer`] (`serializer.rs`) resolves its subject's schema id once (a lookup of the
//! exact schema, registering it only when asked) and then writes with no registry call and,
//! into a reused buffer, no allocation. The [`Deserializer`] (`deserializer.rs`) fetches each
//! writer schema once per id, compiles a writer-to-reader plan for it (resolution, decryption,
//! upcasting from an older major) and caches the plan; after that a decode is synchronous.
//! This module holds the framing, the errors and what both sides share.

mod deserializer;
mod plans;
mod serializer;

pub use crate::wire::encrypt::Decryption;
pub use deserializer::{Decoded, Deserializer, ReaderOptions};
pub use serializer::{Serializer, SerializerConfig};

use crate::event::{DomainEvent, ValidationError};
use crate::wire::binary::DecodeError;
use crate::wire::encrypt::fields;
use crate::wire::encrypt::EncryptRule;
use sc_events_registry::subjects::{subjects, Naming, SubjectSchema};
use sc_events_registry::{check, Registry, RegistryError, SchemaDef};
use std::fmt;

pub const MAGIC: u8 = 0;
/// Magic byte and schema id.
pub const HEADER_LEN: usize = 5;

/// Why a message could not be written or read.
#[derive(Debug)]
pub enum WireError {
    /// Fewer than the 5 header bytes.
    TooShort(usize),
    /// The first byte is not Confluent's magic byte 0.
    BadMagic(u8),
    /// The registry has no schema with this id.
    UnknownSchemaId(u32),
    /// `deserialize_cached` before the id's plan was fetched (call `deserialize` or `warm`).
    NotWarmed(u32),
    /// The writer schema cannot be read into this type: the first reason.
    Incompatible {
        schema_id: u32,
        reason: String,
    },
    /// The datum is not valid for its writer schema; the offset counts from the message start.
    Decode {
        schema_id: u32,
        error: DecodeError,
    },
    /// The subject's schema is not registered and auto-registration is off.
    NotRegistered {
        subject: String,
    },
    Registry(RegistryError),
    Invalid(ValidationError),
    /// Field encryption could not be set up (no KMS, no DEK registry, a key that does not
    /// unwrap), or failed on write.
    Encryption(String),
    /// The message has encrypted fields this reader was told to refuse.
    Encrypted {
        schema_id: u32,
        fields: Vec<String>,
    },
    /// An encrypted field did not decrypt (the offset counts from the datum's start).
    Decrypt {
        schema_id: u32,
        offset: usize,
        reason: String,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::TooShort(n) => write!(f, "message of {n} bytes is shorter than the 5-byte Confluent header"),
            WireError::BadMagic(b) => write!(f, "at byte 0: magic byte {b}, expected 0 (not a Confluent-framed Avro message)"),
            WireError::UnknownSchemaId(id) => write!(f, "at byte 1: schema id {id} is not in the registry"),
            WireError::NotWarmed(id) => write!(f, "schema id {id} is not loaded yet; deserialize it once asynchronously"),
            WireError::Incompatible { schema_id, reason } => write!(f, "writer schema {schema_id} cannot be read into this type: {reason}"),
            WireError::Decode { schema_id, error } => write!(f, "message with schema id {schema_id}: {error}"),
            WireError::NotRegistered { subject } => write!(f, "the schema of subject {subject} is not registered; run `schemactl publish` or enable auto-registration"),
            WireError::Registry(e) => write!(f, "{e}"),
            WireError::Invalid(e) => write!(f, "invalid event: {e}"),
            WireError::Encryption(e) => write!(f, "field encryption: {e}"),
            WireError::Encrypted { schema_id, fields } => write!(f, "message with schema id {schema_id} has encrypted fields ({}) and this reader refuses ciphertext", fields.join(", ")),
            WireError::Decrypt { schema_id, offset, reason } => write!(f, "message with schema id {schema_id}: the encrypted field at datum byte {offset} does not decrypt: {reason}"),
        }
    }
}

impl std::error::Error for WireError {}

impl From<RegistryError> for WireError {
    fn from(e: RegistryError) -> Self {
        WireError::Registry(e)
    }
}

/// Writes the 5-byte header.
#[inline]
pub fn write_header(id: u32, w: &mut Vec<u8>) {
    w.push(MAGIC);
    w.extend_from_slice(&id.to_be_bytes());
}

/// Splits a framed message into its schema id and Avro datum.
#[inline]
pub fn split(message: &[u8]) -> Result<(u32, &[u8]), WireError> {
    if message.len() < HEADER_LEN {
        return Err(WireError::TooShort(message.len()));
    }
    if message[0] != MAGIC {
        return Err(WireError::BadMagic(message[0]));
    }
    let id = u32::from_be_bytes([message[1], message[2], message[3], message[4]]);
    Ok((id, &message[HEADER_LEN..]))
}

/// The field program of `def`'s rule for `write`, over the schema as the registry holds it.
async fn field_program(
    registry: &dyn Registry,
    label: &str,
    def: &SchemaDef,
    rule: &EncryptRule,
) -> Result<Option<fields::FieldProgram>, WireError> {
    let resolved = check::resolve(registry, label, def).await?;
    let parsed = check::parse(&resolved).map_err(WireError::Encryption)?;
    fields::compile(parsed.root(), &rule.tags).map_err(WireError::Encryption)
}

fn keys_of(
    registry: &dyn Registry,
) -> Result<&dyn sc_events_registry::keys::KeyRegistry, WireError> {
    registry.keys().ok_or_else(|| {
        WireError::Encryption(format!(
            "{} has no DEK registry to hold the data keys",
            registry.describe()
        ))
    })
}

/// The workspace subject of `E`, from the schemas built into this crate.
fn subject_of<E: DomainEvent>(naming: &Naming) -> Result<Vec<SubjectSchema>, WireError> {
    let catalog = <E::Workspace as crate::workspace::WorkspaceCatalog>::catalog();
    let all = subjects(catalog, naming);
    let Some(me) = all
        .iter()
        .position(|s| s.topic.as_deref() == Some(E::TOPIC))
    else {
        return Err(WireError::NotRegistered {
            subject: format!("{}-value", E::TOPIC),
        });
    };
    // The referenced subjects first, then E's.
    let mut chain: Vec<SubjectSchema> = all
        .iter()
        .filter(|s| all[me].references.iter().any(|(_, r)| *r == s.subject))
        .cloned()
        .collect();
    chain.push(all[me].clone());
    Ok(chain)
}

thread_local! {
    /// Cleartext datums of encrypting writes and decrypting reads, reused across messages.
    static CLEAR: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}
