//! What a request says: its query flags, its version and id path segments, and its JSON
//! bodies (a schema, a compatibility setting, a mode), each refused with Confluent's error
//! when it cannot be read.

use super::errors::{bad, ApiError};
use crate::error::{clip, ErrorKind, RegistryError};
use crate::types::{Compatibility, Metadata, Reference, SchemaDef, Version};
use serde::Deserialize;
use std::collections::HashMap;

/// Query flags (`?deleted=true&normalize=false&...`), read leniently like Confluent does.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub(super) struct Flags(HashMap<String, String>);

impl Flags {
    pub(super) fn flag(&self, name: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// A version path segment (`latest`, `-1` or a number from 1), or 42202.
pub(super) fn version(s: &str) -> Result<Version, ApiError> {
    s.parse()
        .map_err(|m: String| bad(ErrorKind::InvalidVersion, m))
}

/// A schema id path segment; one that is not a number names no schema (40403).
pub(super) fn id(s: &str) -> Result<i32, ApiError> {
    s.parse::<i32>()
        .map_err(|_| ApiError(RegistryError::schema_not_found(clip(s))))
}

/// The body of a registration, a lookup or a compatibility test.
#[derive(Deserialize)]
pub(super) struct SchemaBody {
    schema: Option<String>,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Option<Vec<Reference>>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(rename = "ruleSet", default)]
    rule_set: Option<crate::contracts::RuleSet>,
    pub(super) id: Option<i32>,
    pub(super) version: Option<i32>,
}

impl SchemaBody {
    /// The schema the body carries (moved out: a schema is often 10 KB and more).
    pub(super) fn into_def(self) -> Result<SchemaDef, ApiError> {
        let Some(schema) = self.schema else {
            return Err(bad(
                ErrorKind::InvalidSchema,
                "Invalid schema: the request has no \"schema\"",
            ));
        };
        Ok(SchemaDef {
            schema,
            schema_type: self
                .schema_type
                .map_or_else(|| "AVRO".to_string(), |t| t.to_ascii_uppercase()),
            references: self.references.unwrap_or_default(),
            metadata: self.metadata.filter(|m| !m.properties.is_empty()),
            rule_set: self.rule_set.filter(|r| !r.is_empty()),
        })
    }
}

/// The body of `PUT /config[/{subject}]`.
#[derive(Deserialize)]
pub(super) struct ConfigBody {
    pub(super) compatibility: Option<String>,
    #[serde(rename = "compatibilityLevel")]
    pub(super) compatibility_level: Option<String>,
    /// `""` removes the group.
    #[serde(rename = "compatibilityGroup")]
    pub(super) compatibility_group: Option<String>,
}

/// The body of `PUT /mode[/{subject}]`.
#[derive(Deserialize)]
pub(super) struct ModeBody {
    pub(super) mode: Option<String>,
}

/// The level a config body sets (`compatibility`, or `compatibilityLevel`), or 42203.
pub(super) fn level(b: &ConfigBody) -> Result<Compatibility, ApiError> {
    let s = b
        .compatibility
        .clone()
        .or_else(|| b.compatibility_level.clone())
        .unwrap_or_default();
    s.to_ascii_uppercase().parse().map_err(|_| {
        bad(
            ErrorKind::InvalidCompatibility,
            format!(
                "Invalid compatibility level '{}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
                clip(&s)
            ),
        )
    })
}

/// Confluent's `offset` and `limit` (-1: no limit) over a list.
pub(super) fn page<T>(items: Vec<T>, q: &Flags) -> Vec<T> {
    let offset = q
        .get("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|l| *l >= 0)
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    items.into_iter().skip(offset).take(limit).collect()
}
