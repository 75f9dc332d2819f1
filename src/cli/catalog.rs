//! `schemactl catalog`: the topic and event catalog as a JSON contract or Markdown tables.

use super::{load_catalog, report_load_errors, CatalogFormat};
use sc_events_schema::{Catalog, Format};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The JSON contract other tools read.
#[derive(Debug, Serialize)]
pub struct CatalogDoc {
    pub topics: Vec<TopicDoc>,
    pub events: Vec<EventDoc>,
}

#[derive(Debug, Serialize)]
pub struct TopicDoc {
    pub name: String,
    pub partitions: u32,
    pub key: Option<String>,
    pub retention_ms: u64,
    pub cleanup_policy: String,
    pub value_subject: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventDoc {
    pub event_type: String,
    pub topic: String,
    pub record: String,
    pub privacy_tier: String,
    pub entity_type: String,
}

impl CatalogDoc {
    pub fn new(c: &Catalog) -> Self {
        CatalogDoc {
            topics: c
                .topics
                .iter()
                .map(|t| TopicDoc {
                    name: t.name.get_ref().clone(),
                    partitions: t.partitions,
                    key: t.key.clone(),
                    retention_ms: t.retention_ms,
                    cleanup_policy: t.cleanup_policy.clone(),
                    value_subject: t.value_subject(),
                })
                .collect(),
            events: c
                .events()
                .map(|(d, e)| EventDoc {
                    event_type: e.event_type.clone(),
                    topic: d.topic.clone(),
                    record: c.set.types[e.record].name.fullname(),
                    privacy_tier: e.privacy_tier.as_str().to_string(),
                    entity_type: d.entity_type.clone(),
                })
                .collect(),
        }
    }
}

pub fn run(dir: Option<&Path>, format: CatalogFormat) -> ExitCode {
    let catalog = match load_catalog(dir) {
        Ok(c) => c,
        Err(e) => return report_load_errors(&e, Format::Human),
    };
    match format {
        CatalogFormat::Json => {
            let doc = CatalogDoc::new(&catalog);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CatalogFormat::Markdown => print!("{}", markdown(&catalog)),
    }
    ExitCode::SUCCESS
}

fn retention(ms: u64) -> String {
    const DAY: u64 = 86_400_000;
    match ms {
        DAY => "1 day".to_string(),
        ms if ms % DAY == 0 => format!("{} days", ms / DAY),
        ms => format!("{ms} ms"),
    }
}

/// Tables in the shape of seed 001: topics by category, then event types by domain.
pub fn markdown(c: &Catalog) -> String {
    let mut o = String::from("# Topic & event catalog\n\n## Topics\n");
    let mut category = "";
    for t in &c.topics {
        if t.category != category {
            category = &t.category;
            let _ = write!(o, "\n### `{category}`\n\n| Topic | Partitions | Key | Retention | Cleanup | Value subject | Description |\n|---|---|---|---|---|---|---|\n");
        }
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            t.name.get_ref(),
            t.partitions,
            t.key
                .as_deref()
                .map_or("-".to_string(), |k| format!("`{k}`")),
            retention(t.retention_ms),
            t.cleanup_policy,
            t.value_subject()
                .map_or("-".to_string(), |s| format!("`{s}`")),
            t.description
        );
    }
    o.push_str("\n## Event types\n");
    for d in &c.domains {
        let _ = write!(o, "\n### {} (`{}`, entity {})\n\n| Event type | Record | Privacy tier | Payload fields |\n|---|---|---|---|\n", d.name, d.topic, d.entity_type);
        for e in &d.events {
            let t = &c.set.types[e.record];
            let fields: Vec<String> = c
                .set
                .fields(e.record)
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            let _ = writeln!(
                o,
                "| `{}` | `{}` | {} | {} |",
                e.event_type,
                t.name.name,
                e.privacy_tier.as_str(),
                fields.join(", ")
            );
        }
    }
    o
}
