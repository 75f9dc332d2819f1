//! Building and checking events in any workspace: the traits the generated code implements
//! ([`DomainEvent`] for each domain's top-level record, [`CheckFields`] for every record),
//! what an event tells about its payload ([`PayloadRef`]), and the typed
//! [`ValidationError`]s. The catalog tables' types are in [`crate::workspace`] and re-exported
//! here, since generated code names them beside these. The nested-envelope layout's helpers
//! (`Payload`, `Enveloped`, `Emitter`) are generated into each workspace that uses it, around
//! its own envelope record.

use std::borrow::Cow;
use std::fmt;

pub use crate::partition::KeyType;
pub use crate::workspace::{
    ConsumerInfo, EncryptedFields, EventInfo, JitterStyle, Partitioner, RetryPolicy, SchemaInfo,
    Tier, TopicInfo, WorkspaceCatalog,
};

/// For generated constraint checks (`"pattern"` with a full regular expression).
#[doc(hidden)]
pub use regex;

/// Why an event may not be built or serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// A `*_cents` or `*_count` field is negative. `field` is a path like
    /// `item_snapshots[2].unit_price_cents`.
    Negative { field: String, value: i64 },
    /// A field's value breaks one of its declared `"constraints"` (`rule` is the JSON Schema
    /// keyword: `maxLength`, `pattern`, `minimum`, ...; `limit` its value).
    Constraint {
        field: String,
        rule: &'static str,
        limit: &'static str,
        found: String,
    },
    /// `entity_version` below 1.
    EntityVersion(i64),
    /// `schema_version` below 1.
    SchemaVersion(i32),
    /// The envelope's `event_type` is not the payload's.
    EventTypeMismatch {
        envelope: String,
        payload: &'static str,
    },
    /// The envelope's version field is not the schema's version.
    VersionMismatch {
        envelope: String,
        schema: &'static str,
    },
    /// The envelope's entity type (its Avro symbol) is not the domain's.
    EntityTypeMismatch {
        envelope: &'static str,
        domain: &'static str,
    },
    /// The envelope's privacy tier is not the payload's (`None`: the payload has none).
    PrivacyTierMismatch {
        envelope: Tier,
        payload: Option<Tier>,
    },
    /// `entity_id` is empty.
    EmptyEntityId,
    /// `entity_id` differs from the payload's key field (e.g. `user_id`).
    EntityIdMismatch {
        entity_id: String,
        key_field: &'static str,
        payload: String,
    },
}

impl ValidationError {
    /// A broken declared constraint, built off the hot path: generated checks call it only
    /// when a value fails, and `found` (the formatted value) is computed only then.
    #[cold]
    #[inline(never)]
    pub fn constraint(
        field: &'static str,
        rule: &'static str,
        limit: &'static str,
        found: impl FnOnce() -> String,
    ) -> Self {
        ValidationError::Constraint {
            field: field.into(),
            rule,
            limit,
            found: found(),
        }
    }

    /// A negative value where the schema allows none, built off the hot path.
    #[cold]
    #[inline(never)]
    pub fn negative(field: &'static str, value: i64) -> Self {
        ValidationError::Negative {
            field: field.into(),
            value,
        }
    }

    /// The envelope's event type is not the payload's, built off the hot path.
    #[cold]
    #[inline(never)]
    pub fn event_type_mismatch(envelope: &str, payload: &'static str) -> Self {
        ValidationError::EventTypeMismatch {
            envelope: envelope.to_string(),
            payload,
        }
    }

    /// The envelope's entity id is not the payload's key, built off the hot path.
    #[cold]
    #[inline(never)]
    pub fn entity_id_mismatch(entity_id: &str, key_field: &'static str, payload: &str) -> Self {
        ValidationError::EntityIdMismatch {
            entity_id: entity_id.to_string(),
            key_field,
            payload: payload.to_string(),
        }
    }

    /// Prefixes the field path of a nested error (`within("final_stats")`); only errors take
    /// this path.
    #[cold]
    pub fn within(self, outer: &str) -> Self {
        match self {
            ValidationError::Negative { field, value } => ValidationError::Negative {
                field: format!("{outer}.{field}"),
                value,
            },
            ValidationError::Constraint {
                field,
                rule,
                limit,
                found,
            } => ValidationError::Constraint {
                field: format!("{outer}.{field}"),
                rule,
                limit,
                found,
            },
            other => other,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Negative { field, value } => {
                write!(f, "{field} must be >= 0, got {value}")
            }
            Self::Constraint {
                field,
                rule,
                limit,
                found,
            } => write!(f, "{field} breaks its constraint {rule} {limit}: {found}"),
            Self::EntityVersion(v) => write!(f, "entity_version must be >= 1, got {v}"),
            Self::SchemaVersion(v) => write!(f, "schema_version must be >= 1, got {v}"),
            Self::EventTypeMismatch { envelope, payload } => write!(
                f,
                "envelope event_type {envelope:?} does not match the payload's {payload:?}"
            ),
            Self::VersionMismatch { envelope, schema } => write!(
                f,
                "envelope version {envelope:?} is not the schema's {schema:?}"
            ),
            Self::EntityTypeMismatch { envelope, domain } => write!(
                f,
                "envelope entity_type {envelope} does not match the domain's {domain}"
            ),
            Self::PrivacyTierMismatch { envelope, payload } => match payload {
                Some(p) => write!(
                    f,
                    "envelope privacy_tier {} does not match the payload's {}",
                    envelope.as_str(),
                    p.as_str()
                ),
                None => write!(
                    f,
                    "envelope privacy_tier {} is set, but the payload has no tier",
                    envelope.as_str()
                ),
            },
            Self::EmptyEntityId => write!(f, "entity_id must not be empty"),
            Self::EntityIdMismatch {
                entity_id,
                key_field,
                payload,
            } => write!(
                f,
                "entity_id {entity_id:?} differs from the payload's {key_field} {payload:?}"
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Implemented (by generated code) for every record: rejects negative `*_cents`/`*_count` and
/// values outside a field's declared `"constraints"`.
pub trait CheckFields {
    fn check_fields(&self) -> Result<(), ValidationError>;
}

/// Whether two texts are equal, for the checks generated code runs on every serialize (the
/// envelope's `entity_id` against the payload's key field): texts of up to 32 bytes are
/// compared as two overlapping words each way, inline, instead of through a `memcmp` call.
#[inline(always)]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let pair = |s: &[u8], at: usize| u128::from(word(s, at)) | (u128::from(word(s, at + 8)) << 64);
    match n {
        8..=16 => (word(a, 0) ^ word(b, 0)) | (word(a, n - 8) ^ word(b, n - 8)) == 0,
        17..=32 => (pair(a, 0) ^ pair(b, 0)) | (pair(a, n - 16) ^ pair(b, n - 16)) == 0,
        _ => a == b,
    }
}

/// What an event knows about its payload, for validation.
pub struct PayloadRef<'a> {
    pub event_type: &'static str,
    /// `None` where the workspace has no privacy tiers.
    pub privacy_tier: Option<Tier>,
    /// The payload's key field value (e.g. `user_id`), when it has one.
    pub entity_key: Option<&'a str>,
    pub check: &'a dyn CheckFields,
}

/// A domain's top-level event record, in any workspace layout. Implemented by generated code.
pub trait DomainEvent: serde::Serialize + serde::de::DeserializeOwned + Sized {
    /// The workspace whose catalog the event belongs to.
    type Workspace: WorkspaceCatalog;
    const TOPIC: &'static str;
    const KEY_FIELD: Option<&'static str>;
    /// The key field's Avro type, for a partitioner that hashes its Java value.
    const KEY_TYPE: crate::partition::KeyType = crate::partition::KeyType::String;
    /// Full Avro name of the record.
    const RECORD: &'static str;
    /// The canonical `.avsc` text (references shared types by name).
    const SCHEMA: &'static str;
    fn payload(&self) -> PayloadRef<'_>;
    /// The event's unique id.
    fn event_id(&self) -> uuid::Uuid;
    /// The Kafka message key: the value of the topic's key field (`None`: a keyless topic).
    fn key(&self) -> Option<Cow<'_, str>>;
    /// Every check the event must pass before it is serialized.
    fn validate(&self) -> Result<(), ValidationError>;
}

#[cfg(test)]
mod tests {
    use super::same_text;

    #[test]
    fn same_text_agrees_with_str_equality_at_every_length_and_position() {
        let base: String = ('a'..='z').chain('A'..='Z').take(40).collect();
        for n in 0..=40 {
            let a = &base[..n];
            assert!(same_text(a, a), "{n}");
            assert!(!same_text(a, &base[..n.saturating_sub(1)]) || n == 0);
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] = b'0';
                let b = String::from_utf8(b).expect("ascii");
                assert_eq!(same_text(a, &b), a == b, "length {n}, byte {i}");
            }
        }
    }
}
