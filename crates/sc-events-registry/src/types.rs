//! The registry's data model, shaped like Confluent Schema Registry's REST payloads: schemas
//! with references, registered versions, compatibility levels and modes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use sc_events_schema::rules::compat::Mode as Compatibility;

/// A reference from one schema to a named type registered under another subject
/// (Confluent's `SchemaReference`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// The full name of the referenced type, as the referencing schema spells it.
    pub name: String,
    pub subject: String,
    pub version: i32,
}

/// A schema as it is registered: its text, type and references.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemaDef {
    pub schema: String,
    /// `AVRO` unless said otherwise; only Avro is checked.
    #[serde(
        rename = "schemaType",
        default = "avro",
        skip_serializing_if = "is_avro"
    )]
    pub schema_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Confluent's schema metadata (data contracts); its `properties` are what a subject's
    /// `compatibilityGroup` compares. Part of the schema's identity, as in Confluent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Confluent's data-contract rules (`ruleSet`), such as field encryption; part of the
    /// schema's identity, as in Confluent.
    #[serde(rename = "ruleSet", default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<crate::contracts::RuleSet>,
}

/// Schema metadata (Confluent's `Metadata`): only `properties` are kept and compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, String>,
}

impl Metadata {
    /// Metadata with one property.
    pub fn property(key: impl Into<String>, value: impl Into<String>) -> Self {
        Metadata {
            properties: [(key.into(), value.into())].into_iter().collect(),
        }
    }
}

fn avro() -> String {
    "AVRO".to_string()
}

fn is_avro(s: &String) -> bool {
    s == "AVRO"
}

impl SchemaDef {
    /// An Avro schema without references.
    pub fn avro(schema: impl Into<String>) -> Self {
        SchemaDef {
            schema: schema.into(),
            schema_type: avro(),
            references: Vec::new(),
            metadata: None,
            rule_set: None,
        }
    }

    pub fn with_references(mut self, references: Vec<Reference>) -> Self {
        self.references = references;
        self
    }

    pub fn with_metadata(mut self, metadata: Option<Metadata>) -> Self {
        self.metadata = metadata.filter(|m| !m.properties.is_empty());
        self
    }

    pub fn with_rule_set(mut self, rule_set: Option<crate::contracts::RuleSet>) -> Self {
        self.rule_set = rule_set.filter(|r| !r.is_empty());
        self
    }

    /// The value of a metadata property, if the schema has it.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.properties.get(key))
            .map(String::as_str)
    }
}

/// One version of a subject (Confluent's `GET /subjects/{s}/versions/{v}` body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub subject: String,
    pub version: i32,
    pub id: i32,
    #[serde(flatten)]
    pub schema: SchemaDef,
}

/// A version selector: a number or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    Number(i32),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Number(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for Version {
    type Err = String;

    /// `latest`, `-1` (Confluent's spelling of latest) or a version number from 1.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "latest" | "-1" => Ok(Version::Latest),
            _ => match s.parse::<i32>() {
                Ok(n) if n >= 1 => Ok(Version::Number(n)),
                _ => Err(format!(
                    "The specified version '{}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"",
                    crate::error::clip(s)
                )),
            },
        }
    }
}

/// Confluent's registry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegistryMode {
    ReadWrite,
    ReadOnly,
    Import,
}

impl RegistryMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryMode::ReadWrite => "READWRITE",
            RegistryMode::ReadOnly => "READONLY",
            RegistryMode::Import => "IMPORT",
        }
    }
}

impl FromStr for RegistryMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "READWRITE" => Ok(RegistryMode::ReadWrite),
            "READONLY" => Ok(RegistryMode::ReadOnly),
            "IMPORT" => Ok(RegistryMode::Import),
            _ => Err(format!(
                "Invalid mode '{}'. Valid values are READWRITE, READONLY, IMPORT",
                crate::error::clip(s)
            )),
        }
    }
}

/// The answer of a compatibility test (`POST /compatibility/...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompatibilityResult {
    pub is_compatible: bool,
    /// With `verbose=true`: why not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
}

/// Options of a registration beyond the schema itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegisterOptions {
    /// Register the normalized form (Confluent's `normalize=true`).
    pub normalize: bool,
    /// In IMPORT mode: the id and version to register under.
    pub id: Option<i32>,
    pub version: Option<i32>,
}
