//! The catalog's static tables (`TOPICS`, `EVENTS`, `CONSUMERS`, `SCHEMAS`, `TOPIC_FILE`) and
//! the `Workspace` struct that hands them to the runtime as its `WorkspaceCatalog`.

use crate::context::{file_order, runtime_tier, EVENT};
use sc_events_schema::model::Kind;
use sc_events_schema::Catalog;
use std::fmt::Write as _;
use std::path::Path;

/// Writes `pub static {name}: &[{row_type}] = &[ … ];` with its doc lines, one row a line.
fn table(o: &mut String, doc: &[&str], name: &str, row_type: &str, rows: Vec<String>) {
    for line in doc {
        let _ = writeln!(o, "/// {line}");
    }
    let _ = writeln!(o, "pub static {name}: &[{row_type}] = &[");
    for row in rows {
        let _ = writeln!(o, "    {row},");
    }
    let _ = writeln!(o, "];\n");
}

/// `"a", "b"`: the items quoted, for a `&[&str]` literal.
fn quoted_list<'s>(items: impl Iterator<Item = &'s str>) -> String {
    items
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes every table and `Workspace`; `dir` is the canonical schema directory.
pub(crate) fn generate(catalog: &Catalog, dir: &Path, o: &mut String) {
    let set = &catalog.set;
    let topics = catalog.topics.iter().map(|t| {
        format!(
            "{EVENT}::TopicInfo {{ name: {:?}, category: {:?}, partitions: {}, replication_factor: {:?}, key: {:?}, retention_ms: {}, cleanup_policy: {:?}, description: {:?}, value_schema: {:?}, partitioner: {EVENT}::Partitioner::{:?} }}",
            t.name.get_ref(),
            t.category,
            t.partitions,
            t.replication_factor,
            t.key,
            t.retention_ms,
            t.cleanup_policy,
            t.description,
            t.value_schema.as_ref().map(|v| v.get_ref().as_str()),
            t.partitioner()
        )
    });
    table(
        o,
        &["Every topic of the topic file, in file order (derived DLQs last)."],
        "TOPICS",
        &format!("{EVENT}::TopicInfo"),
        topics.collect(),
    );
    let events = catalog.events().map(|(d, e)| {
        format!(
            "{EVENT}::EventInfo {{ event_type: {:?}, topic: {:?}, record: {:?}, privacy_tier: {}, entity_type: {:?} }}",
            e.event_type,
            d.topic,
            set.types[e.record].name.fullname(),
            e.privacy_tier
                .map_or("None".to_string(), |t| format!("Some({})", runtime_tier(t))),
            d.entity_type.as_deref()
        )
    });
    table(
        o,
        &["Every event type, domain by domain, in `data` union order."],
        "EVENTS",
        &format!("{EVENT}::EventInfo"),
        events.collect(),
    );
    let consumers = catalog.consumers.iter().map(|c| {
        let r = &c.retry;
        format!(
            "{EVENT}::ConsumerInfo {{ name: {:?}, group_id: {:?}, description: {:?}, topics: &[{}], event_types: &[{}], max_tier: {}, dlq: {:?}, output: &[{}], retry: {EVENT}::RetryPolicy {{ max_retries: {}, initial_backoff_ms: {}, multiplier: {:?}, max_backoff_ms: {}, jitter: {:?}, jitter_style: {EVENT}::JitterStyle::{:?} }}, dedup_capacity: {:?}, handler_timeout_ms: {:?}, encrypted_fields: {EVENT}::EncryptedFields::{:?} }}",
            c.name.get_ref(),
            c.group_id,
            c.description,
            quoted_list(c.topics.iter().map(|t| t.get_ref().as_str())),
            quoted_list(c.event_types.iter().map(|t| t.get_ref().as_str())),
            runtime_tier(*c.max_tier.get_ref()),
            c.dlq.get_ref(),
            quoted_list(c.output.iter().map(String::as_str)),
            r.max_retries,
            r.initial_backoff_ms,
            r.multiplier,
            r.max_backoff_ms,
            r.jitter,
            r.jitter_style,
            c.dedup_capacity,
            c.handler_timeout_ms,
            c.encrypted_fields,
        )
    });
    table(
        o,
        &["Every consuming job of the topic file, in file order."],
        "CONSUMERS",
        &format!("{EVENT}::ConsumerInfo"),
        consumers.collect(),
    );
    let schemas = file_order(catalog).into_iter().map(|i| {
        let name = catalog.rel_path(i);
        let record = match set.roots[i].kind {
            Kind::Named(id) => set.types[id].name.fullname(),
            _ => String::new(),
        };
        format!(
            "{EVENT}::SchemaInfo {{ file: {name:?}, record: {record:?}, text: include_str!({:?}) }}",
            dir.join(&name).display().to_string()
        )
    });
    table(
        o,
        &[
            "The canonical `.avsc` text of every schema file (what is registered and read with),",
            "referenced schemas first: the envelope, then the domains in topic order.",
        ],
        "SCHEMAS",
        &format!("{EVENT}::SchemaInfo"),
        schemas.collect(),
    );
    topic_file(catalog, o);
    workspace(catalog, o);
}

/// `TOPIC_FILE` (and `TOPICS_TOML` when it is TOML).
fn topic_file(catalog: &Catalog, o: &mut String) {
    let topics_path = catalog
        .topics_file
        .path
        .canonicalize()
        .unwrap_or_else(|_| catalog.topics_file.path.clone());
    let topics_name = topics_path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let _ = writeln!(o, "/// The topic file: its name and text.");
    let _ = writeln!(
        o,
        "pub static TOPIC_FILE: (&str, &str) = ({topics_name:?}, include_str!({:?}));\n",
        topics_path.display().to_string()
    );
    if topics_name.ends_with(".toml") {
        let _ = writeln!(o, "/// The text of the topic file.");
        let _ = writeln!(o, "pub static TOPICS_TOML: &str = TOPIC_FILE.1;\n");
    }
}

/// The `Workspace` struct and its `WorkspaceCatalog` impl (the tables plus `schemactl.toml`).
fn workspace(catalog: &Catalog, o: &mut String) {
    let config = catalog
        .layout
        .root
        .join(sc_events_schema::layout::CONFIG_FILE);
    let config = match config.canonicalize() {
        Ok(p) if p.is_file() => format!("include_str!({:?})", p.display().to_string()),
        _ => "\"\"".to_string(),
    };
    let _ = writeln!(o, "/// This workspace's catalog: the tables above and its layout.\n#[derive(Debug, Clone, Copy, Default)]\npub struct Workspace;\n");
    let _ = writeln!(o, "impl {EVENT}::WorkspaceCatalog for Workspace {{\n    const SCHEMAS: &'static [{EVENT}::SchemaInfo] = SCHEMAS;\n    const TOPICS: &'static [{EVENT}::TopicInfo] = TOPICS;\n    const EVENTS: &'static [{EVENT}::EventInfo] = EVENTS;\n    const CONSUMERS: &'static [{EVENT}::ConsumerInfo] = CONSUMERS;\n    const CONFIG: &'static str = {config};\n    const TOPIC_FILE: (&'static str, &'static str) = TOPIC_FILE;\n}}\n");
}
