//! `schemactl catalog`: the topic and event catalog as a JSON contract or Markdown tables.

use super::{load_catalog, report_load_errors, CatalogFormat};
use sc_events_schema::{Catalog, Consumer, Format};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The JSON contract other tools read.
#[derive(Debug, Serialize)]
pub struct CatalogDoc {
    pub topics: Vec<TopicDoc>,
    pub events: Vec<EventDoc>,
    pub consumers: Vec<ConsumerDoc>,
}

/// One consuming job, with the event types it will actually be handed (matched and visible).
#[derive(Debug, Serialize)]
pub struct ConsumerDoc {
    pub name: String,
    pub group_id: String,
    pub topics: Vec<String>,
    pub event_types: Vec<String>,
    /// `null` where the workspace has no privacy tiers.
    pub max_tier: Option<String>,
    pub dlq: String,
    pub output: Vec<String>,
    pub retry: RetryDoc,
    pub dedup_capacity: Option<usize>,
    pub handler_timeout_ms: Option<u64>,
    /// Every event type the job receives: on its topics, matching its filter, within its tier.
    pub receives: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RetryDoc {
    pub max_retries: u32,
    pub initial_backoff_ms: u64,
    pub multiplier: f64,
    pub max_backoff_ms: u64,
    pub jitter: f64,
    /// `symmetric` (±jitter) or `below` (only earlier, never past the backoff).
    pub jitter_style: &'static str,
}

/// The event types `c` is handed.
pub fn receives(cat: &Catalog, c: &Consumer) -> Vec<String> {
    cat.events()
        .filter(|(d, e)| {
            c.reads(&d.topic)
                && c.handles(&e.event_type)
                && e.tier_or_public() <= *c.max_tier.get_ref()
        })
        .map(|(_, e)| e.event_type.clone())
        .collect()
}

#[derive(Debug, Serialize)]
pub struct TopicDoc {
    pub name: String,
    pub category: String,
    pub partitions: u32,
    pub replication_factor: Option<u32>,
    pub key: Option<String>,
    pub retention_ms: u64,
    pub cleanup_policy: String,
    /// `murmur2` (the Java client's), `consistent_random` (librdkafka's) or
    /// `java_hash_code` (`Math.abs(key.hashCode()) % partitions`).
    pub partitioner: &'static str,
    pub value_subject: Option<String>,
    /// The topic's dead-letter topic under the workspace's DLQ naming, when it has one.
    pub dlq: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventDoc {
    pub event_type: String,
    pub topic: String,
    pub record: String,
    /// `null` where the workspace has no privacy tiers.
    pub privacy_tier: Option<String>,
    /// `null` where the workspace has no entity types.
    pub entity_type: Option<String>,
    /// The declared version of the event's schema (`"2"`, `"1.0.0"`).
    pub version: String,
}

/// The DLQ of `topic`: the workspace's naming pattern applied, or the DLQ every consumer of
/// the topic shares.
fn dlq_of(c: &Catalog, topic: &str) -> Option<String> {
    if let Some(t) = c.dlq_of(topic) {
        return Some(t.name.get_ref().clone());
    }
    let mut dlqs = c
        .consumers
        .iter()
        .filter(|k| k.reads(topic))
        .map(|k| k.dlq.get_ref());
    let first = dlqs.next()?;
    dlqs.all(|d| d == first).then(|| first.clone())
}

impl CatalogDoc {
    pub fn new(c: &Catalog) -> Self {
        CatalogDoc {
            topics: c
                .topics
                .iter()
                .map(|t| TopicDoc {
                    name: t.name.get_ref().clone(),
                    category: t.category.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                    key: t.key.clone(),
                    retention_ms: t.retention_ms,
                    cleanup_policy: t.cleanup_policy.clone(),
                    partitioner: t.partitioner().as_str(),
                    value_subject: c.value_subject(t),
                    dlq: dlq_of(c, t.name.get_ref()),
                })
                .collect(),
            events: c
                .events()
                .map(|(d, e)| EventDoc {
                    event_type: e.event_type.clone(),
                    topic: d.topic.clone(),
                    record: c.set.types[e.record].name.fullname(),
                    privacy_tier: e.privacy_tier.map(|t| t.as_str().to_string()),
                    entity_type: d.entity_type.clone(),
                    version: d.version.clone(),
                })
                .collect(),
            consumers: c
                .consumers
                .iter()
                .map(|k| ConsumerDoc {
                    name: k.name.get_ref().clone(),
                    group_id: k.group_id.clone(),
                    topics: k.topics.iter().map(|t| t.get_ref().clone()).collect(),
                    event_types: k.event_types.iter().map(|t| t.get_ref().clone()).collect(),
                    max_tier: c
                        .layout
                        .section
                        .privacy_tiers
                        .then(|| k.max_tier.get_ref().as_str().to_string()),
                    dlq: k.dlq.get_ref().clone(),
                    output: k.output.clone(),
                    retry: RetryDoc {
                        max_retries: k.retry.max_retries,
                        initial_backoff_ms: k.retry.initial_backoff_ms,
                        multiplier: k.retry.multiplier,
                        max_backoff_ms: k.retry.max_backoff_ms,
                        jitter: k.retry.jitter,
                        jitter_style: match k.retry.jitter_style {
                            sc_events_schema::JitterStyle::Symmetric => "symmetric",
                            sc_events_schema::JitterStyle::Below => "below",
                        },
                    },
                    dedup_capacity: k.dedup_capacity,
                    handler_timeout_ms: k.handler_timeout_ms,
                    receives: receives(c, k),
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
            super::out::println(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CatalogFormat::Markdown => {
            super::out::print(&markdown(&catalog));
        }
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

/// Markdown tables: topics by category, then event types by domain, then consumers.
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
            c.value_subject(t)
                .map_or("-".to_string(), |s| format!("`{s}`")),
            t.description
        );
    }
    o.push_str("\n## Event types\n");
    for d in &c.domains {
        let entity = d
            .entity_type
            .as_ref()
            .map_or(String::new(), |e| format!(", entity {e}"));
        let _ = write!(o, "\n### {} (`{}`{entity}, version {})\n\n| Event type | Record | Privacy tier | Payload fields |\n|---|---|---|---|\n", d.name, d.topic, d.version);
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
                e.privacy_tier.map_or("-", |t| t.as_str()),
                fields.join(", ")
            );
        }
    }
    o.push_str("\n## Consumers\n\n| Job | Group | Topics | Max tier | Handles | DLQ | Retries | Dedup |\n|---|---|---|---|---|---|---|---|\n");
    for k in &c.consumers {
        let r = &k.retry;
        let _ = writeln!(
            o,
            "| `{}` | `{}` | {} | {} | {} of {} | `{}` | {} (x{} from {} ms to {} ms, ±{:.0} %) | {} |",
            k.name.get_ref(),
            k.group_id,
            k.topics
                .iter()
                .map(|t| format!("`{}`", t.get_ref()))
                .collect::<Vec<_>>()
                .join(", "),
            if c.layout.section.privacy_tiers {
                k.max_tier.get_ref().as_str()
            } else {
                "-"
            },
            receives(c, k).len(),
            k.event_types
                .iter()
                .map(|t| format!("`{}`", t.get_ref()))
                .collect::<Vec<_>>()
                .join(", "),
            k.dlq.get_ref(),
            r.max_retries,
            r.multiplier,
            r.initial_backoff_ms,
            r.max_backoff_ms,
            r.jitter * 100.0,
            k.dedup_capacity
                .map_or("-".to_string(), |n| format!("last {n} ids"))
        );
    }
    o
}
