//! The topic catalog file and its values: [`Topic`], [`Consumer`], [`PrivacyTier`] and the
//! registry hints, shared by both readers — `toml.rs` for the `[[topic]]` and `[[consumer]]`
//! tables of a `topics.toml`, `yaml.rs` for a `topic-config.yaml` (`topics:`,
//! `consumer_groups:`, `dead_letter:`, `schema_registry:`) read as it is — with spans into the
//! file, so every later diagnostic points at its line. With a DLQ naming pattern (the
//! layout's `dlq`, or the YAML's `dead_letter.pattern`) every topic that has no DLQ listed
//! gets one derived, and every consumer without a `dlq` uses its first topic's.

mod toml;
mod yaml;

use crate::config::Partitioner;
use crate::diag::Diagnostic;
use crate::layout::Layout;
use crate::retry::RetryPolicy;
use crate::source::SourceFile;
use crate::text::glob_match;
use ::toml::Spanned;
use serde::{Deserialize, Serialize};

/// One topic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: Spanned<String>,
    pub category: String,
    pub partitions: u32,
    /// Replication factor the topic is created with, when the catalog fixes one.
    #[serde(default)]
    pub replication_factor: Option<u32>,
    /// Partition-key field; `None` for keyless topics.
    pub key: Option<String>,
    pub retention_ms: u64,
    pub cleanup_policy: String,
    pub description: String,
    /// Full name of the top-level record the topic carries.
    pub value_schema: Option<Spanned<String>>,
    /// How producers pick a keyed message's partition; the layout's `partitioner` (default
    /// `murmur2`, the Java client's) when the topic names none.
    #[serde(default)]
    pub partitioner: Option<Partitioner>,
}

impl Topic {
    /// The topic's partitioner (filled in from the layout once the file is parsed).
    pub fn partitioner(&self) -> Partitioner {
        self.partitioner.unwrap_or_default()
    }
}

/// The privacy tiers, from most to least open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyTier {
    Public,
    Internal,
    Restricted,
}

impl PrivacyTier {
    pub const ALL: [PrivacyTier; 3] = [Self::Public, Self::Internal, Self::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Internal => "INTERNAL",
            Self::Restricted => "RESTRICTED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One consuming job.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// Job name (`proj-user-cards`), unique in the catalog.
    pub name: Spanned<String>,
    /// Kafka consumer group id.
    pub group_id: String,
    pub description: String,
    /// Topics the job subscribes to.
    pub topics: Vec<Spanned<String>>,
    /// Event types it handles: exact names, or patterns with `*` (`post.*`, `*`).
    pub event_types: Vec<Spanned<String>>,
    /// The most sensitive tier the job may read; events above it are refused, never handled.
    /// Required where the workspace has privacy tiers; elsewhere RESTRICTED (everything).
    #[serde(default = "no_tier")]
    pub max_tier: Spanned<PrivacyTier>,
    /// Dead-letter topic for events that cannot be decoded or keep failing; derived from the
    /// workspace's DLQ naming pattern when left out.
    #[serde(default = "no_dlq")]
    pub dlq: Spanned<String>,
    /// Topic the job writes its projection to, if it has one (documentation).
    #[serde(default)]
    pub output: Vec<String>,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// Remember this many recent event ids and skip repeats (at-least-once de-duplication).
    #[serde(default)]
    pub dedup_capacity: Option<usize>,
    /// How long one handler attempt may take; a longer one is abandoned and counts as a
    /// failed attempt (a queue's visibility timeout). `None`: no limit.
    #[serde(default)]
    pub handler_timeout_ms: Option<u64>,
    /// What the job does with fields a subject's `ENCRYPT` rule encrypted: `ciphertext`
    /// (the default: the handler sees them encrypted), `decrypt` (the job holds the
    /// key-encryption key), or `refuse` (such a message goes to the DLQ).
    #[serde(default)]
    pub encrypted_fields: EncryptedFields,
}

/// A consuming job's treatment of encrypted fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncryptedFields {
    #[default]
    Ciphertext,
    Decrypt,
    Refuse,
}

impl EncryptedFields {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ciphertext" => Some(EncryptedFields::Ciphertext),
            "decrypt" => Some(EncryptedFields::Decrypt),
            "refuse" => Some(EncryptedFields::Refuse),
            _ => None,
        }
    }
}

impl Consumer {
    /// Whether the job handles `event_type` (by name or pattern).
    pub fn handles(&self, event_type: &str) -> bool {
        self.event_types
            .iter()
            .any(|p| glob_match(p.get_ref(), event_type))
    }

    /// Whether the job reads `topic`.
    pub fn reads(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t.get_ref() == topic)
    }
}

/// What the topic file says about the schema registry (YAML `schema_registry:`, TOML
/// `[schema_registry]`); the CLI's own configuration takes precedence.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryHints {
    pub url: Option<String>,
    /// The default compatibility level of the workspace's subjects.
    pub compatibility: Option<String>,
    /// Producers register a schema that is not registered yet.
    #[serde(default)]
    pub auto_register: bool,
}

/// The field property listing a field's tags (Confluent's data contracts).
pub const CONFLUENT_TAGS: &str = "confluent:tags";

/// Field-level encryption of the workspace (TOML `[encryption]`): the `ENCRYPT` rule
/// `schemactl publish` attaches to every subject whose schema has a field tagged with one of
/// `tags` (`"confluent:tags": ["PII"]`), as Confluent's data contracts do.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionPolicy {
    /// The key-encryption key's name in the DEK registry.
    pub kek_name: String,
    /// Its KMS: `local-kms` (Confluent's local KMS, a secret in `LOCAL_SECRET`), `aws-kms`, ...
    #[serde(default = "local_kms")]
    pub kms_type: String,
    /// The key's id in that KMS.
    pub kms_key_id: String,
    /// The field tags encrypted.
    #[serde(default = "pii")]
    pub tags: Vec<String>,
    /// `AES256_GCM` (default), `AES128_GCM` or `AES256_SIV` (deterministic).
    #[serde(default = "aes256_gcm")]
    pub dek_algorithm: String,
    /// Data keys older than this are replaced (rotation); none by default.
    #[serde(default)]
    pub dek_expiry_days: Option<u32>,
}

fn local_kms() -> String {
    "local-kms".into()
}

fn pii() -> Vec<String> {
    vec!["PII".into()]
}

fn aes256_gcm() -> String {
    "AES256_GCM".into()
}

/// The parsed topic file.
#[derive(Debug, Clone, Default)]
pub struct TopicsFile {
    pub topics: Vec<Topic>,
    pub consumers: Vec<Consumer>,
    pub registry: RegistryHints,
    pub encryption: Option<EncryptionPolicy>,
    /// The DLQ naming pattern the file declares (YAML `dead_letter.pattern`).
    pub dlq_pattern: Option<String>,
    pub dlq_retention_ms: Option<u64>,
}

/// Parses the topic file of `layout` (TOML or YAML by extension), then derives DLQs.
pub fn parse(layout: &Layout, file: &SourceFile) -> Result<TopicsFile, Vec<Diagnostic>> {
    let mut parsed = if layout.topics_are_yaml() {
        yaml::parse(file)?
    } else {
        toml::parse(file)?
    };
    for t in &mut parsed.topics {
        t.partitioner.get_or_insert(layout.section.partitioner);
    }
    derive_dlqs(layout, &mut parsed);
    Ok(parsed)
}

/// The DLQ topics the naming pattern implies, and each consumer's DLQ when it names none.
fn derive_dlqs(layout: &Layout, parsed: &mut TopicsFile) {
    let pattern = layout
        .section
        .dlq
        .clone()
        .or_else(|| parsed.dlq_pattern.clone());
    let retention = layout.section.dlq_retention_ms.or(parsed.dlq_retention_ms);
    let dlq_of = |topic: &str| pattern.as_ref().map(|p| p.replace("{topic}", topic));
    let mut derived = Vec::new();
    if pattern.is_some() {
        for t in parsed.topics.iter().filter(|t| t.category != "dlq") {
            let Some(name) = dlq_of(t.name.get_ref()) else {
                continue;
            };
            if parsed.topics.iter().any(|x| *x.name.get_ref() == name) {
                continue;
            }
            derived.push(Topic {
                name: Spanned::new(t.name.span(), name),
                category: "dlq".into(),
                partitions: t.partitions,
                replication_factor: t.replication_factor,
                key: t.key.clone(),
                retention_ms: retention.unwrap_or(t.retention_ms),
                cleanup_policy: "delete".into(),
                description: format!("Dead letters of {}", t.name.get_ref()),
                value_schema: None,
                partitioner: t.partitioner,
            });
        }
    }
    parsed.topics.append(&mut derived);
    for c in &mut parsed.consumers {
        if !c.dlq.get_ref().is_empty() {
            continue;
        }
        if let Some(first) = c.topics.first() {
            if let Some(name) = dlq_of(first.get_ref()) {
                c.dlq = Spanned::new(c.name.span(), name);
            }
        }
    }
}

/// A consumer field left out: the sentinel `(0..0, default)` the checks recognise.
pub(crate) fn unset<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Whether a spanned value was left out of the file (see [`unset`]).
pub(crate) fn is_unset<T>(s: &Spanned<T>) -> bool {
    s.span() == (0..0)
}

pub(crate) fn no_dlq() -> Spanned<String> {
    unset(String::new())
}

pub(crate) fn no_tier() -> Spanned<PrivacyTier> {
    unset(PrivacyTier::Restricted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn layout(config: &str) -> Layout {
        Layout::parse(Path::new("/w"), Path::new("/w/schemactl.toml"), config).expect("layout")
    }

    const TOPIC: &str = "[[topic]]\nname = \"a\"\ncategory = \"domain\"\npartitions = 3\nkey = \"id\"\nretention_ms = 1\ncleanup_policy = \"delete\"\ndescription = \"d\"\n";

    #[test]
    fn a_topic_takes_the_layouts_partitioner_unless_it_names_its_own() {
        let two = format!(
            "{TOPIC}{}partitioner = \"consistent_random\"\n",
            TOPIC.replace("\"a\"", "\"b\"")
        );
        let java = layout("[layout]\npartitioner = \"java_hash_code\"\n");
        let parsed = parse(&java, &SourceFile::new("topics.toml", two)).expect("parses");
        assert_eq!(parsed.topics[0].partitioner(), Partitioner::JavaHashCode);
        assert_eq!(
            parsed.topics[1].partitioner(),
            Partitioner::ConsistentRandom
        );
        let parsed = parse(&layout(""), &SourceFile::new("topics.toml", TOPIC)).expect("parses");
        assert_eq!(parsed.topics[0].partitioner(), Partitioner::Murmur2);
        let bad = SourceFile::new("topics.toml", format!("{TOPIC}partitioner = \"crc32\"\n"));
        let e = parse(&layout(""), &bad).unwrap_err();
        assert!(
            e[0].message.contains("unknown variant `crc32`"),
            "{}",
            e[0].message
        );
        assert_eq!(e[0].line, 9);
    }

    #[test]
    fn a_yaml_topic_may_name_its_partitioner() {
        let yaml = layout("[layout]\ntopics = \"topic-config.yaml\"\n");
        let text = "topics:\n  - name: a\n    partitions: 3\n    retention: 7d\n    key: id\n    partitioner: java_hash_code\n";
        let parsed = parse(&yaml, &SourceFile::new("topic-config.yaml", text)).expect("parses");
        assert_eq!(parsed.topics[0].partitioner(), Partitioner::JavaHashCode);
        let bad = SourceFile::new("topic-config.yaml", text.replace("java_hash_code", "crc"));
        let e = parse(&yaml, &bad).unwrap_err();
        assert!(
            e[0].message.contains("unknown partitioner \"crc\""),
            "{}",
            e[0].message
        );
        assert_eq!((e[0].line, e[0].column), (6, 18));
    }
}
