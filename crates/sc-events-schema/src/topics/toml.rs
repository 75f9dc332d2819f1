//! The `topics.toml` reader: `[[topic]]`, `[[consumer]]` and `[schema_registry]` tables
//! deserialized straight into the shared [`Topic`], [`Consumer`] and [`RegistryHints`].

use super::{Consumer, EncryptionPolicy, RegistryHints, Topic, TopicsFile};
use crate::diag::{Diagnostic, Level};
use crate::source::{SourceFile, Span};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    topic: Vec<Topic>,
    #[serde(default)]
    consumer: Vec<Consumer>,
    #[serde(default)]
    schema_registry: RegistryHints,
    #[serde(default)]
    encryption: Option<EncryptionPolicy>,
}

fn error(file: &SourceFile, span: Span, message: String) -> Diagnostic {
    Diagnostic::at(Level::Error, "PARSE", message, file, span)
}

/// Parses a `topics.toml`.
pub(super) fn parse(file: &SourceFile) -> Result<TopicsFile, Vec<Diagnostic>> {
    match toml::from_str::<TomlFile>(&file.text) {
        Ok(t) => Ok(TopicsFile {
            topics: t.topic,
            consumers: t.consumer,
            registry: t.schema_registry,
            encryption: t.encryption,
            dlq_pattern: None,
            dlq_retention_ms: None,
        }),
        Err(e) => {
            let span = e
                .span()
                .map_or(Span::default(), |r| Span::new(r.start, r.end));
            Err(vec![error(
                file,
                span,
                format!("invalid topic catalog: {}", e.message()),
            )])
        }
    }
}
