//! A workspace's layout: where its schemas and topics live and which conventions its events
//! follow, resolved from the `schemas` key and the `[layout]` and `[lint]` tables of
//! `schemactl.toml` (read by [`crate::config`]); every key has the default of the
//! social-commerce layout, so a workspace without the file reads as before.
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

pub use crate::config::{
    Case, EnvelopeStyle, LayoutSection, LintSection, SubjectStrategy, CONFIG_FILE,
};
use crate::config::{ConfigError, WorkspaceConfig};
use std::path::{Path, PathBuf};

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
    /// Compiled `topic_pattern` (`None` for `""`: any name).
    pub topic_regex: Option<regex::Regex>,
}

/// Why a layout cannot be read: the message names the file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LayoutError(pub String);

impl From<ConfigError> for LayoutError {
    fn from(e: ConfigError) -> Self {
        LayoutError(e.to_string())
    }
}

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
        let config = WorkspaceConfig::load(root)?;
        Self::from_config(root, &root.join(CONFIG_FILE), &config)
    }

    /// Parses a `schemactl.toml` text and resolves its layout (the other sections are parsed
    /// and checked too, and left to [`WorkspaceConfig`]'s readers).
    pub fn parse(root: &Path, path: &Path, text: &str) -> Result<Layout, LayoutError> {
        let config = WorkspaceConfig::parse(path, text)?;
        Self::from_config(root, path, &config)
    }

    /// The layout of a parsed configuration, relative to `root`; `path` (the file it came
    /// from) names it in errors. Whether `[lint] allow` names real rules is checked by
    /// [`crate::rules::check_lint_allow`], not here.
    pub fn from_config(
        root: &Path,
        path: &Path,
        config: &WorkspaceConfig,
    ) -> Result<Layout, LayoutError> {
        Self::resolve(
            root,
            config.schemas.clone(),
            config.layout.clone(),
            config.lint.allow.clone(),
        )
        .map_err(|m| LayoutError(format!("{}: {m}", path.display())))
    }

    fn resolve(
        root: &Path,
        schemas: Option<PathBuf>,
        section: LayoutSection,
        lint_allow: Vec<String>,
    ) -> Result<Layout, String> {
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
        let topic_regex =
            match section.topic_pattern.as_str() {
                "" => None,
                p => Some(regex::Regex::new(p).map_err(|e| {
                    format!("[layout] topic_pattern is not a regular expression: {e}")
                })?),
            };
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
            topic_regex,
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
