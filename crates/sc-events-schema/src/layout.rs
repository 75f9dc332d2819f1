//! A workspace's layout: where its schemas and topics live and which conventions its events
//! follow. It is the `schemas` key and the `[layout]` table of `schemactl.toml`; every key has
//! the default of the social-commerce layout, so a workspace without the file reads as before.
//!
//! ```toml
//! schemas = "schemas"                        # the schema directory (read recursively)
//! [layout]
//! topics = "schemas/topics.toml"             # or a topic-config.yaml, read as it is
//! envelope = "nested"                        # "nested": {envelope: Envelope, data: [payloads]}
//!                                            # "flat": the envelope's fields, then the payload
//! envelope_record = "sc.events.common.Envelope"  # the envelope (flat: the field template)
//! envelope_field = "envelope"                # nested only: the field holding the envelope
//! payload_field = "data"                     # the union (or single record) of payloads
//! event_type_attribute = "event_type"        # payload-record attribute naming its event type
//! event_type_field = "event_type"            # envelope field carrying it
//! event_type_pattern = '^[a-z]+\.[a-z_]+$'   # what an event type looks like
//! event_type_prefix = "entity_type"          # event types start with the lower-cased entity type
//! event_id_field = "event_id"                # envelope field with the event's unique id
//! version_attribute = "schema_version"       # top-level record attribute: its version
//! version_field = "schema_version"           # envelope field carrying it ("" = none)
//! privacy_tiers = true                       # payloads declare "privacy_tier"
//! entity_types = true                        # top-level records declare "entity_type"
//! field_case = "snake_case"                  # or "camelCase"
//! dlq = "{topic}.dlq"                        # derive a DLQ topic per topic (default: none)
//! dlq_retention_ms = 1209600000              # retention of the derived DLQs
//! subject_strategy = "topic"                 # <topic>-value; "record": the record's full
//!                                            # name; "topic_record": <topic>-<record>
//! compatibility_group = "application.major.version"  # semver domains: one Confluent
//!                                            # compatibility group per major ("" = none)
//! [lint]
//! allow = ["DOC_REQUIRED"]                   # lint rules this workspace does not enforce
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The workspace configuration file, at the workspace root.
pub const CONFIG_FILE: &str = "schemactl.toml";

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

    /// Whether `s` follows the convention.
    pub fn matches(self, s: &str) -> bool {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        first_ok
            && match self {
                Case::Snake => {
                    s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                        && !s.contains("__")
                        && !s.ends_with('_')
                }
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
        }
    }
}

/// A resolved layout: [`LayoutSection`] plus the directories it is relative to.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workspace root (where `schemactl.toml` is).
    pub root: PathBuf,
    /// The schema directory.
    pub schemas: PathBuf,
    /// The topic catalog file (`.toml`, or `.yaml` / `.yml`).
    pub topics: PathBuf,
    pub section: LayoutSection,
    /// Lint rules the workspace does not enforce (`[lint] allow`).
    pub lint_allow: Vec<String>,
    /// Compiled `event_type_pattern`.
    pub event_type_regex: regex::Regex,
}

/// Only the keys of `schemactl.toml` that the layout reads; the rest belong to the CLI.
#[derive(Deserialize)]
struct LayoutKeys {
    schemas: Option<PathBuf>,
    #[serde(default)]
    layout: LayoutSection,
    #[serde(default)]
    lint: LintSection,
}

/// The `[lint]` table of `schemactl.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintSection {
    /// Lint rules (by id) the workspace does not enforce.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// Why a layout cannot be read: the message names the file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LayoutError(pub String);

impl Layout {
    /// The social-commerce layout with the schema directory `schemas` (topics in
    /// `schemas/topics.toml`).
    pub fn for_schemas(schemas: &Path) -> Layout {
        Self::resolve(
            Path::new("."),
            Some(schemas.to_path_buf()),
            LayoutSection::default(),
            Vec::new(),
        )
        .unwrap_or_else(|_| unreachable!("the default pattern compiles"))
    }

    /// Reads `root/schemactl.toml` (absent: the defaults).
    pub fn load(root: &Path) -> Result<Layout, LayoutError> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(LayoutError(format!("cannot read {}: {e}", path.display()))),
        };
        Self::parse(root, &path, &text)
    }

    /// Parses the layout keys of a `schemactl.toml` text (other keys are ignored here).
    pub fn parse(root: &Path, path: &Path, text: &str) -> Result<Layout, LayoutError> {
        let keys: LayoutKeys = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(String::new(), |r| {
                let f = crate::source::SourceFile::new(path.to_path_buf(), text.to_string());
                let lc = f.line_col(r.start);
                format!(":{}:{}", lc.line, lc.column)
            });
            LayoutError(format!("{}{at}: {}", path.display(), e.message()))
        })?;
        Self::resolve(root, keys.schemas, keys.layout, keys.lint.allow)
            .map_err(|m| LayoutError(format!("{}: {m}", path.display())))
    }

    fn resolve(
        root: &Path,
        schemas: Option<PathBuf>,
        section: LayoutSection,
        lint_allow: Vec<String>,
    ) -> Result<Layout, String> {
        for id in &lint_allow {
            let known = crate::rules::all_rules()
                .iter()
                .any(|r| r.id == id && r.family == crate::rules::Family::Lint);
            if !known {
                return Err(format!(
                    "[lint] allow names {id:?}, which is not a lint rule (see schemactl rules)"
                ));
            }
        }
        let under = |p: &Path| {
            if root == Path::new(".") || root.as_os_str().is_empty() {
                p.to_path_buf()
            } else {
                root.join(p)
            }
        };
        let schemas = under(&schemas.unwrap_or_else(|| PathBuf::from("schemas")));
        let topics = match &section.topics {
            Some(t) => under(t),
            None => schemas.join("topics.toml"),
        };
        let event_type_regex = regex::Regex::new(&section.event_type_pattern)
            .map_err(|e| format!("[layout] event_type_pattern is not a regular expression: {e}"))?;
        if let Some(d) = &section.dlq {
            if !d.contains("{topic}") {
                return Err(format!("[layout] dlq = {d:?} must contain {{topic}}"));
            }
        }
        if section.event_type_prefix != "entity_type" && !section.event_type_prefix.is_empty() {
            return Err(format!(
                "[layout] event_type_prefix = {:?}: use \"entity_type\" or \"\"",
                section.event_type_prefix
            ));
        }
        if section.event_type_prefix == "entity_type" && !section.entity_types {
            return Err(
                "[layout] event_type_prefix = \"entity_type\" needs entity_types = true".into(),
            );
        }
        Ok(Layout {
            root: root.to_path_buf(),
            schemas,
            topics,
            section,
            lint_allow,
            event_type_regex,
        })
    }

    /// Whether the topic file is YAML (seed-style `topic-config.yaml`).
    pub fn topics_are_yaml(&self) -> bool {
        self.topics
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
    }

    /// The DLQ topic name of `topic` under the `dlq` naming pattern, if there is one.
    pub fn dlq_of(&self, topic: &str) -> Option<String> {
        self.section
            .dlq
            .as_ref()
            .map(|p| p.replace("{topic}", topic))
    }
}

impl Default for Layout {
    fn default() -> Self {
        Layout::for_schemas(Path::new("schemas"))
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
    }

    #[test]
    fn defaults_and_errors() {
        let l = Layout::parse(Path::new("w"), Path::new("w/schemactl.toml"), "").expect("ok");
        assert_eq!(l.topics, Path::new("w/schemas/topics.toml"));
        assert_eq!(l.section.envelope, EnvelopeStyle::Nested);
        let l = Layout::parse(
            Path::new("w"),
            Path::new("w/schemactl.toml"),
            "schemas = \"s\"\n[layout]\nenvelope = \"flat\"\ntopics = \"t.yaml\"\ndlq = \"{topic}.dlq\"\nentity_types = false\nevent_type_prefix = \"\"\n[registry]\nurl = \"x\"\n",
        )
        .expect("ok");
        assert!(l.topics_are_yaml() && l.section.envelope == EnvelopeStyle::Flat);
        assert_eq!(l.dlq_of("a.b").as_deref(), Some("a.b.dlq"));
        let e = Layout::parse(
            Path::new("w"),
            Path::new("w/schemactl.toml"),
            "[layout]\nenvelope = \"sideways\"\n",
        )
        .expect_err("bad style");
        assert!(e.0.starts_with("w/schemactl.toml:2:"), "{e}");
        let e = Layout::parse(
            Path::new("w"),
            Path::new("w/schemactl.toml"),
            "[layout]\nevent_type_pattern = \"(\"\n",
        )
        .expect_err("bad regex");
        assert!(e.0.contains("event_type_pattern"), "{e}");
    }
}
