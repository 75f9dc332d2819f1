//! One workspace's catalog as the runtime sees it: the [`WorkspaceCatalog`] trait the
//! generated unit struct `Workspace` implements (the static tables of topics, event types,
//! consuming jobs and embedded schemas, its layout and topic file), the table entries' types,
//! and the checked catalog of those schemas, parsed once per workspace type as the reader side
//! of schema resolution.

use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::layout::{Layout, CONFIG_FILE};
use sc_events_schema::rules::glob_match;
use sc_events_schema::source::SourceFile;
use sc_events_schema::Catalog;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// How a failing handler is retried before its event is dead-lettered.
pub use sc_events_schema::config::Partitioner;
pub use sc_events_schema::topics::EncryptedFields;
/// The privacy tier the runtime compares (every workspace's; a workspace's generated
/// `PrivacyTier` enum converts into it).
pub use sc_events_schema::PrivacyTier as Tier;
pub use sc_events_schema::{JitterStyle, RetryPolicy};

/// One workspace's generated catalog, implemented by the unit struct `Workspace` the build
/// generates beside the types: every table, and the schemas parsed once as the reader side
/// of schema resolution.
pub trait WorkspaceCatalog: Send + Sync + 'static {
    const SCHEMAS: &'static [SchemaInfo];
    const TOPICS: &'static [TopicInfo];
    const EVENTS: &'static [EventInfo];
    const CONSUMERS: &'static [ConsumerInfo];
    /// The workspace's `schemactl.toml` text (empty without one): its layout.
    const CONFIG: &'static str;
    /// The topic file: its name (`topics.toml`, `topic-config.yaml`) and text.
    const TOPIC_FILE: (&'static str, &'static str);

    /// The catalog entry of a consuming job by name.
    fn job(name: &str) -> Option<&'static ConsumerInfo> {
        Self::CONSUMERS.iter().find(|c| c.name == name)
    }

    /// The catalog entry of an event type.
    fn event_info(event_type: &str) -> Option<&'static EventInfo> {
        Self::EVENTS.iter().find(|e| e.event_type == event_type)
    }

    fn topic(name: &str) -> Option<&'static TopicInfo> {
        Self::TOPICS.iter().find(|t| t.name == name)
    }

    /// The workspace's schemas as a checked catalog, parsed once per process.
    fn catalog() -> &'static Catalog {
        catalog_of::<Self>()
    }
}

/// Static facts about one topic (from the topic file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: &'static str,
    pub category: &'static str,
    pub partitions: u32,
    /// The replication factor the catalog fixes, if any.
    pub replication_factor: Option<u32>,
    pub key: Option<&'static str>,
    pub retention_ms: u64,
    pub cleanup_policy: &'static str,
    pub description: &'static str,
    /// Full name of the record the topic carries, if it has a schema.
    pub value_schema: Option<&'static str>,
    /// How the producer picks a keyed message's partition ([`crate::partition`]).
    pub partitioner: Partitioner,
}

/// Static facts about one event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    pub event_type: &'static str,
    pub topic: &'static str,
    pub record: &'static str,
    /// `None` where the workspace has no privacy tiers.
    pub privacy_tier: Option<Tier>,
    /// The domain's entity type, where the workspace has them.
    pub entity_type: Option<&'static str>,
}

/// Static facts about one consuming job (a `[[consumer]]` of the topic file).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumerInfo {
    pub name: &'static str,
    pub group_id: &'static str,
    pub description: &'static str,
    pub topics: &'static [&'static str],
    /// Exact event types or `*` patterns.
    pub event_types: &'static [&'static str],
    /// The most sensitive tier the job may read (RESTRICTED where the workspace has none).
    pub max_tier: Tier,
    pub dlq: &'static str,
    /// Topics the job writes its projection to.
    pub output: &'static [&'static str],
    pub retry: RetryPolicy,
    /// How many recent event ids to remember for de-duplication, if any.
    pub dedup_capacity: Option<usize>,
    /// How long one handler attempt may take before it counts as failed, if limited.
    pub handler_timeout_ms: Option<u64>,
    /// What the job does with encrypted fields.
    pub encrypted_fields: EncryptedFields,
}

impl ConsumerInfo {
    /// Whether the job handles `event_type`.
    pub fn handles(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|p| glob_match(p, event_type))
    }
}

/// One canonical schema file, embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaInfo {
    pub file: &'static str,
    pub record: &'static str,
    pub text: &'static str,
}

/// A workspace's embedded schemas, topic file and layout as a checked catalog.
pub fn load_workspace<W: WorkspaceCatalog + ?Sized>() -> Result<Catalog, Vec<Diagnostic>> {
    let dir = Path::new("<embedded>");
    let mut layout = Layout::parse(dir, &dir.join(CONFIG_FILE), W::CONFIG).map_err(|e| {
        vec![Diagnostic::file_level(
            Level::Error,
            "CONFIG",
            e.0,
            &dir.join(CONFIG_FILE),
        )]
    })?;
    layout.schemas = dir.to_path_buf();
    layout.topics = dir.join(W::TOPIC_FILE.0);
    let files = W::SCHEMAS
        .iter()
        .map(|s| SourceFile::new(dir.join(s.file), s.text))
        .collect();
    let topics = SourceFile::new(dir.join(W::TOPIC_FILE.0), W::TOPIC_FILE.1);
    Catalog::from_files_layout(layout, files, topics)
}

/// The catalog of workspace `W`, built once per process.
pub fn catalog_of<W: WorkspaceCatalog + ?Sized>() -> &'static Catalog {
    static CATALOGS: OnceLock<Mutex<HashMap<std::any::TypeId, &'static Catalog>>> = OnceLock::new();
    let map = CATALOGS.get_or_init(Default::default);
    let key = std::any::TypeId::of::<W>();
    let mut guard = match map.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    guard
        .entry(key)
        .or_insert_with(|| match load_workspace::<W>() {
            // One catalog per workspace type, kept for the process: leaked once, on purpose.
            Ok(c) => Box::leak(Box::new(c)),
            // The same schemas passed the build (its lint included); they cannot fail here.
            Err(e) => panic!("embedded schemas do not load: {e:?}"),
        })
}
