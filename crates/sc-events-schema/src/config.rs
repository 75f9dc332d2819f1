//! `schemactl.toml`, read once: every section of the workspace configuration file typed in
//! [`WorkspaceConfig`], so an unknown key or a wrong type anywhere is an error at its
//! file:line:col. [`crate::layout::Layout`] is resolved from its `schemas`, `[layout]` and
//! `[lint]`; the CLI takes `[registry]`, `[subjects]`, `[compatibility]` and `[policy]` from it
//! as they are. Every key is optional; a workspace without the file reads as the defaults.
//!
//! ```toml
//! schemas = "schemas"                   # the schema directory (read recursively)
//! [layout]                              # see crate::layout for every key
//! envelope = "nested"
//! [lint]
//! allow = ["DOC_REQUIRED"]              # lint rules this workspace does not enforce
//! [registry]
//! url = "embedded"                      # or "https://sr.example:8081", or "git:main"
//! path = ".registry/registry.db"        # the embedded registry's file
//! ca_bundle = "certs/ca.pem"            # extra CA certificates (PEM)
//! connect_timeout_ms = 10000
//! request_timeout_ms = 30000
//! retries = 3
//! retry_initial_ms = 1000
//! retry_max_ms = 30000
//! [subjects]
//! envelope = "sc.events.common.Envelope" # the envelope's own subject
//! normalize = false                      # register and look up with normalize=true
//! [compatibility]
//! default = "BACKWARD"                  # for every subject without its own entry
//! subjects = { "sc.domain.order-value" = "FULL_TRANSITIVE" }
//! [policy]
//! file = "schemas/policy.toml"          # the evolution policy and its ignore entries
//! [serve]                               # `schemactl registry serve`'s limits (flags win)
//! idle_timeout_ms = 30000               # also: header_read_timeout_ms, body_read_timeout_ms,
//! max_connections = 4096                # max_header_bytes, max_body_bytes, max_in_flight,
//!                                       # heavy_workers, heavy_queue
//! ```

use crate::source::SourceFile;
use heck::ToSnakeCase as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The workspace configuration file, at the workspace root.
pub const CONFIG_FILE: &str = "schemactl.toml";

/// Every section of `schemactl.toml`, as written (defaults for what is left out).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// The schema directory, relative to the workspace root (`None`: `schemas`).
    pub schemas: Option<PathBuf>,
    #[serde(default)]
    pub layout: LayoutSection,
    #[serde(default)]
    pub lint: LintSection,
    #[serde(default)]
    pub registry: RegistrySection,
    #[serde(default)]
    pub subjects: SubjectsSection,
    #[serde(default)]
    pub compatibility: CompatibilitySection,
    #[serde(default)]
    pub policy: PolicySection,
    #[serde(default)]
    pub serve: ServeSection,
}

/// `[serve]`: the limits of `schemactl registry serve` (each flag of the same name wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    pub header_read_timeout_ms: Option<u64>,
    pub idle_timeout_ms: Option<u64>,
    pub body_read_timeout_ms: Option<u64>,
    pub max_header_bytes: Option<usize>,
    pub max_body_bytes: Option<usize>,
    pub max_connections: Option<usize>,
    pub max_in_flight: Option<usize>,
    pub heavy_workers: Option<usize>,
    pub heavy_queue: Option<usize>,
}

/// `[registry]`: which schema registry, and how the HTTP client talks to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// `embedded`, `embedded:PATH`, `http(s)://HOST:PORT` or `git:REF`.
    pub url: Option<String>,
    /// The embedded registry's file.
    pub path: Option<PathBuf>,
    /// Extra CA certificates (PEM).
    pub ca_bundle: Option<PathBuf>,
    pub connect_timeout_ms: Option<u64>,
    pub request_timeout_ms: Option<u64>,
    /// Retries on 5xx, 408, 429, connection errors and timeouts.
    pub retries: Option<u32>,
    pub retry_initial_ms: Option<u64>,
    pub retry_max_ms: Option<u64>,
}

/// `[subjects]`: how subjects are named and registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectsSection {
    /// The envelope's own subject.
    pub envelope: Option<String>,
    /// Register and look up with `normalize=true`.
    #[serde(default)]
    pub normalize: bool,
}

/// `[compatibility]`: the compatibility levels the workspace declares, as written
/// (`BACKWARD`, `FULL_TRANSITIVE`, ...); [`WorkspaceConfig::level_span`] finds one in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompatibilitySection {
    /// For every subject without its own entry.
    pub default: Option<String>,
    /// Per subject.
    #[serde(default)]
    pub subjects: BTreeMap<String, String>,
}

/// `[policy]`: where the evolution policy is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    pub file: Option<PathBuf>,
}

/// The `[lint]` table of `schemactl.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintSection {
    /// Lint rules (by id) the workspace does not enforce.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// How a top-level record carries the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeStyle {
    /// A field (`envelope`) of the shared envelope record, referenced by name.
    Nested,
    /// The envelope record's fields repeated at the top of every top-level record.
    Flat,
}

/// How a topic's value schema is named in the registry (Confluent's subject name strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectStrategy {
    /// TopicNameStrategy: `<topic>-value`.
    Topic,
    /// RecordNameStrategy: the record's full name.
    Record,
    /// TopicRecordNameStrategy: `<topic>-<record full name>`.
    TopicRecord,
}

/// How a producer picks the partition of a keyed message on a topic: as the topic's other
/// producers do, so one key stays on one partition whoever writes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioner {
    /// The Java client's default: `toPositive(murmur2(key bytes)) % partitions`.
    #[default]
    Murmur2,
    /// librdkafka's default (CRC32 of the key); what Rust, C, Go and Python clients do
    /// unless told otherwise.
    ConsistentRandom,
    /// `Math.abs(key.hashCode()) % partitions` over the key field's Java value
    /// (`String.hashCode`, `Long.hashCode`, `Integer.hashCode`): a platform that computes
    /// partitions itself (the data platform's `orgId`).
    JavaHashCode,
}

impl Partitioner {
    pub const ALL: [Partitioner; 3] = [
        Partitioner::Murmur2,
        Partitioner::ConsistentRandom,
        Partitioner::JavaHashCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Partitioner::Murmur2 => "murmur2",
            Partitioner::ConsistentRandom => "consistent_random",
            Partitioner::JavaHashCode => "java_hash_code",
        }
    }
}

/// The naming convention of field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Case {
    #[serde(rename = "snake_case")]
    Snake,
    #[serde(rename = "camelCase")]
    Camel,
}

impl Case {
    pub fn as_str(self) -> &'static str {
        match self {
            Case::Snake => "snake_case",
            Case::Camel => "camelCase",
        }
    }

    /// Whether `s` follows the convention: ASCII, starting with a lower-case letter, and
    /// snake_case (heck's `to_snake_case` leaves it as it is: no `__`, no trailing `_`, no
    /// capitals) or camelCase (letters and digits only).
    pub fn matches(self, s: &str) -> bool {
        let first_ok = s.starts_with(|c: char| c.is_ascii_lowercase());
        first_ok
            && s.is_ascii()
            && match self {
                Case::Snake => s.to_snake_case() == s,
                // Not `to_lower_camel_case() == s`: heck rewrites acronyms (`createdURL` →
                // `createdUrl`), and camelCase workspaces have names like that today.
                Case::Camel => s.chars().all(|c| c.is_ascii_alphanumeric()),
            }
    }
}

/// The `schemas` key and `[layout]` table of `schemactl.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LayoutSection {
    pub topics: Option<PathBuf>,
    pub envelope: EnvelopeStyle,
    pub envelope_record: String,
    pub envelope_field: String,
    pub payload_field: String,
    pub event_type_attribute: String,
    pub event_type_field: String,
    pub event_type_pattern: String,
    /// `"entity_type"`: an event type starts with its domain's entity type, lower-cased;
    /// `""`: no prefix rule.
    pub event_type_prefix: String,
    pub event_id_field: String,
    pub version_attribute: String,
    pub version_field: String,
    pub privacy_tiers: bool,
    pub entity_types: bool,
    pub field_case: Case,
    pub dlq: Option<String>,
    pub dlq_retention_ms: Option<u64>,
    pub subject_strategy: SubjectStrategy,
    /// Where a domain's version is semver: the schema metadata property holding its major,
    /// and the subject's Confluent `compatibilityGroup`, so a major version starts a new
    /// group (`""`: no groups).
    pub compatibility_group: String,
    /// The partitioner of every topic that names none.
    pub partitioner: Partitioner,
    /// Every topic name matches it; a `(?P<category>…)` group must equal the topic's
    /// `category` (`""`: any name).
    pub topic_pattern: String,
    /// The categories a topic may have (empty: any).
    pub topic_categories: Vec<String>,
    /// The `cleanup.policy` values a topic may have, among Kafka's (empty: any of Kafka's).
    pub cleanup_policies: Vec<String>,
}

impl Default for LayoutSection {
    fn default() -> Self {
        LayoutSection {
            topics: None,
            envelope: EnvelopeStyle::Nested,
            envelope_record: "sc.events.common.Envelope".into(),
            envelope_field: "envelope".into(),
            payload_field: "data".into(),
            event_type_attribute: "event_type".into(),
            event_type_field: "event_type".into(),
            event_type_pattern: r"^[a-z]+\.[a-z_]+$".into(),
            event_type_prefix: "entity_type".into(),
            event_id_field: "event_id".into(),
            version_attribute: "schema_version".into(),
            version_field: "schema_version".into(),
            privacy_tiers: true,
            entity_types: true,
            field_case: Case::Snake,
            dlq: None,
            dlq_retention_ms: None,
            subject_strategy: SubjectStrategy::Topic,
            compatibility_group: "application.major.version".into(),
            partitioner: Partitioner::Murmur2,
            // sc.<category>.<entity>[.<qualifier>], with the categories and the one cleanup
            // policy the social-commerce catalog allows.
            topic_pattern: r"^sc\.(?P<category>[a-z]+)\.[a-z0-9-]+(\.[a-z0-9-]+)*$".into(),
            topic_categories: ["domain", "proj", "analytics", "dlq", "retry", "internal"]
                .map(String::from)
                .to_vec(),
            cleanup_policies: vec!["delete".into()],
        }
    }
}

/// Why `schemactl.toml` cannot be read: the file, the place in it, and what is wrong. It
/// prints as `path:line:column: message` (`path: message` without a place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// Byte range of the offending text, when there is one.
    pub span: Option<Range<usize>>,
    /// 1-based line and column of `span`'s start (0 without a span).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.span.is_some() {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl WorkspaceConfig {
    /// Reads `root/schemactl.toml`; an absent file is every default.
    pub fn load(root: &Path) -> Result<WorkspaceConfig, ConfigError> {
        let path = root.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WorkspaceConfig::default()),
            Err(e) => Err(ConfigError {
                message: format!("cannot read {}: {e}", path.display()),
                path,
                span: None,
                line: 0,
                column: 0,
            }),
        }
    }

    /// Parses the text of a `schemactl.toml` read from `path` (`path` only names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<WorkspaceConfig, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let span = e.span();
            let (line, column) = span.as_ref().map_or((0, 0), |r| {
                let f = SourceFile::new(path.to_path_buf(), text.to_string());
                let lc = f.line_col(r.start);
                (lc.line, lc.column)
            });
            ConfigError {
                path: path.to_path_buf(),
                span,
                line,
                column,
                message: e.message().to_string(),
            }
        })
    }

    /// Where a compatibility level of `[compatibility]` is written in `text` (the file this
    /// configuration was parsed from), quotes included, for an error that points at it.
    pub fn level_span(text: &str, level: &str) -> Option<Range<usize>> {
        let quoted = format!("\"{level}\"");
        text.find(&quoted).map(|at| at..at + quoted.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert!(Case::Snake.matches("created_at") && !Case::Snake.matches("createdAt"));
        assert!(Case::Camel.matches("createdAt") && !Case::Camel.matches("created_at"));
        assert!(!Case::Camel.matches("CreatedAt") && !Case::Snake.matches("a__b"));
        for ok in ["a", "created_at", "item_2", "v2_id", "ab12cd"] {
            assert!(Case::Snake.matches(ok), "{ok}");
        }
        for bad in ["_a", "a_", "1a", "a-b", "é", "a b", "aB", ""] {
            assert!(!Case::Snake.matches(bad), "{bad}");
        }
    }

    #[test]
    fn every_section_is_typed() {
        let c = WorkspaceConfig::parse(
            Path::new("schemactl.toml"),
            "schemas = \"s\"\n[registry]\nurl = \"https://sr:8081\"\nca_bundle = \"ca.pem\"\nconnect_timeout_ms = 5\nrequest_timeout_ms = 6\nretries = 2\n[subjects]\nenvelope = \"env\"\nnormalize = true\n[compatibility]\ndefault = \"FULL\"\nsubjects = { \"a-value\" = \"NONE\" }\n[policy]\nfile = \"p.toml\"\n[lint]\nallow = [\"DOC_REQUIRED\"]\n",
        )
        .expect("parses");
        assert_eq!(c.schemas.as_deref(), Some(Path::new("s")));
        assert_eq!(c.registry.url.as_deref(), Some("https://sr:8081"));
        assert_eq!(c.registry.ca_bundle.as_deref(), Some(Path::new("ca.pem")));
        assert_eq!(
            (
                c.registry.connect_timeout_ms,
                c.registry.request_timeout_ms,
                c.registry.retries
            ),
            (Some(5), Some(6), Some(2))
        );
        assert_eq!(c.subjects.envelope.as_deref(), Some("env"));
        assert!(c.subjects.normalize);
        assert_eq!(c.compatibility.default.as_deref(), Some("FULL"));
        assert_eq!(c.compatibility.subjects["a-value"], "NONE");
        assert_eq!(c.policy.file.as_deref(), Some(Path::new("p.toml")));
        assert_eq!(c.lint.allow, ["DOC_REQUIRED"]);
    }

    #[test]
    fn unknown_keys_and_wrong_types_point_at_their_line() {
        let e = WorkspaceConfig::parse(Path::new("w/schemactl.toml"), "[registry]\nurll = \"x\"\n")
            .expect_err("unknown key");
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert!(e.to_string().starts_with("w/schemactl.toml:2:1: ") && e.message.contains("urll"));
        let e = WorkspaceConfig::parse(
            Path::new("schemactl.toml"),
            "\n[registry]\nretries = \"3\"\n",
        )
        .expect_err("wrong type");
        assert_eq!(e.line, 3, "{e}");
        let e = WorkspaceConfig::parse(Path::new("schemactl.toml"), "colour = 1\n")
            .expect_err("unknown section");
        assert_eq!(e.line, 1, "{e}");
        let text = "[compatibility]\ndefault = \"SIDEWAYS\"\n";
        let c = WorkspaceConfig::parse(Path::new("schemactl.toml"), text).expect("strings");
        let at = WorkspaceConfig::level_span(text, c.compatibility.default.as_deref().unwrap());
        assert_eq!(at, Some(26..36));
    }
}
