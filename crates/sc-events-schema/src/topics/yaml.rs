//! The `topic-config.yaml` reader, reading the file as it is: a small tree of YAML values with their byte spans (from
//! yaml-rust2's marked events), mapped key by key onto [`Topic`] and [`Consumer`]. Unknown
//! keys, missing keys and wrong types are errors at their line and column.
//!
//! ```yaml
//! schema_registry: {url: http://schema-registry:8081, compatibility: BACKWARD, auto_register: true}
//! topics:
//!   - name: connector.data.raw
//!     partitions: 12
//!     replication_factor: 3
//!     retention: 7d                 # or retention_ms: 604800000
//!     key: org_id
//!     value_schema: dataplatform.events.connector.DataRawEvent
//!     description: Raw data from DSP connectors
//! dead_letter: {pattern: "{topic}.dlq", retention: 14d}
//! consumer_groups:
//!   - group: bronze-processor
//!     topics: [connector.data.raw]
//!     purpose: Process raw data
//! ```

use super::{
    no_dlq, no_tier, Consumer, PrivacyTier, RegistryHints, RetryPolicy, Topic, TopicsFile,
};
use crate::config::Partitioner;
use crate::diag::{Diagnostic, Level};
use crate::retry::JitterStyle;
use crate::source::{SourceFile, Span};
use std::ops::Range;
use toml::Spanned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Nesting deeper than this is refused (the file is configuration, not data).
const MAX_DEPTH: usize = 32;

#[derive(Debug)]
enum Y {
    Scalar(String, Range<usize>),
    Seq(Vec<Y>, Range<usize>),
    Map(Vec<(Spanned<String>, Y)>, Range<usize>),
}

impl Y {
    fn span(&self) -> Range<usize> {
        match self {
            Y::Scalar(_, s) | Y::Seq(_, s) | Y::Map(_, s) => s.clone(),
        }
    }
    fn what(&self) -> &'static str {
        match self {
            Y::Scalar(..) => "a scalar",
            Y::Seq(..) => "a list",
            Y::Map(..) => "a mapping",
        }
    }
}

/// Builds the tree from marked events.
#[derive(Default)]
struct Builder {
    stack: Vec<Y>,
    /// Pending map key per open mapping.
    keys: Vec<Option<Spanned<String>>>,
    root: Option<Y>,
    error: Option<(usize, String)>,
}

impl Builder {
    fn push_value(&mut self, v: Y) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(v);
                }
            }
            Some(Y::Seq(items, _)) => items.push(v),
            Some(Y::Map(entries, _)) => {
                let Some(slot) = self.keys.last_mut() else {
                    return;
                };
                match slot.take() {
                    Some(k) => entries.push((k, v)),
                    None => match v {
                        Y::Scalar(s, span) => *slot = Some(Spanned::new(span, s)),
                        other => {
                            if self.error.is_none() {
                                self.error = Some((
                                    other.span().start,
                                    "mapping keys must be plain text".into(),
                                ));
                            }
                        }
                    },
                }
            }
            Some(Y::Scalar(..)) => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = mark.index();
        match ev {
            Event::Scalar(s, _, _, _) => {
                let end = at + s.len();
                self.push_value(Y::Scalar(s, at..end));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.error = Some((at, format!("nested deeper than {MAX_DEPTH} levels")));
                    return;
                }
                if matches!(ev, Event::MappingStart(..)) {
                    self.stack.push(Y::Map(Vec::new(), at..at));
                    self.keys.push(None);
                } else {
                    self.stack.push(Y::Seq(Vec::new(), at..at));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(mut v) = self.stack.pop() {
                    if matches!(v, Y::Map(..)) {
                        self.keys.pop();
                    }
                    if let Y::Seq(_, s) | Y::Map(_, s) = &mut v {
                        s.end = at.max(s.start);
                    }
                    self.push_value(v);
                }
            }
            Event::Alias(_) => {
                self.error = Some((at, "YAML aliases are not supported here".into()));
            }
            _ => {}
        }
    }
}

struct Cx<'a> {
    file: &'a SourceFile,
    errors: Vec<Diagnostic>,
}

impl Cx<'_> {
    /// `murmur2`, `consistent_random` or `java_hash_code`.
    fn partitioner(&mut self, v: &Y) -> Option<Partitioner> {
        let s = self.text(v, "partitioner")?;
        let found = Partitioner::ALL
            .into_iter()
            .find(|p| p.as_str() == s.get_ref().as_str());
        if found.is_none() {
            let message = format!(
                "unknown partitioner {}: murmur2, consistent_random or java_hash_code",
                crate::text::quoted(s.get_ref())
            );
            self.err(s.span(), message);
        }
        found
    }

    fn err(&mut self, span: Range<usize>, message: String) {
        self.errors.push(Diagnostic::at(
            Level::Error,
            "PARSE",
            message,
            self.file,
            Span::new(span.start, span.end),
        ));
    }

    /// The entries of a mapping, refusing keys outside `known`.
    fn map<'y>(
        &mut self,
        y: &'y Y,
        what: &str,
        known: &[&str],
    ) -> Option<&'y [(Spanned<String>, Y)]> {
        match y {
            Y::Map(entries, _) => {
                for (k, _) in entries {
                    if !known.contains(&k.get_ref().as_str()) {
                        self.err(
                            k.span(),
                            format!(
                                "unknown key {:?} in {what} (expected one of: {})",
                                k.get_ref(),
                                known.join(", ")
                            ),
                        );
                    }
                }
                Some(entries)
            }
            other => {
                self.err(
                    other.span(),
                    format!("{what} must be a mapping, not {}", other.what()),
                );
                None
            }
        }
    }

    fn text(&mut self, y: &Y, key: &str) -> Option<Spanned<String>> {
        match y {
            Y::Scalar(s, span) => Some(Spanned::new(span.clone(), s.clone())),
            other => {
                self.err(
                    other.span(),
                    format!("{key} must be text, not {}", other.what()),
                );
                None
            }
        }
    }

    fn number(&mut self, y: &Y, key: &str) -> Option<u64> {
        let t = self.text(y, key)?;
        match t.get_ref().replace('_', "").parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.err(
                    t.span(),
                    format!(
                        "{key} must be a non-negative integer, got {:?}",
                        t.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// `7d`, `12h`, `30m`, `45s`, `500ms` or a bare number of milliseconds.
    fn duration_ms(&mut self, y: &Y, key: &str) -> Option<u64> {
        let t = self.text(y, key)?;
        let s = t.get_ref().trim();
        let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let scale: Option<u64> = match unit {
            "" | "ms" => Some(1),
            "s" => Some(1000),
            "m" => Some(60_000),
            "h" => Some(3_600_000),
            "d" => Some(86_400_000),
            _ => None,
        };
        match (digits.parse::<u64>().ok(), scale) {
            (Some(n), Some(k)) if n.checked_mul(k).is_some() => Some(n * k),
            _ => {
                self.err(
                    t.span(),
                    format!("{key} must be a duration like 7d, 12h or 500ms, got {s:?}"),
                );
                None
            }
        }
    }

    fn list(&mut self, y: &Y, key: &str) -> Vec<Spanned<String>> {
        match y {
            Y::Seq(items, _) => items.iter().filter_map(|i| self.text(i, key)).collect(),
            Y::Scalar(..) => self.text(y, key).into_iter().collect(),
            other => {
                self.err(
                    other.span(),
                    format!("{key} must be a list, not {}", other.what()),
                );
                Vec::new()
            }
        }
    }

    fn topic(&mut self, y: &Y) -> Option<Topic> {
        const KEYS: &[&str] = &[
            "name",
            "category",
            "partitions",
            "replication_factor",
            "retention",
            "retention_ms",
            "key",
            "value_schema",
            "description",
            "cleanup_policy",
            "partitioner",
        ];
        let entries = self.map(y, "a topic", KEYS)?;
        let (mut name, mut partitions, mut retention) = (None, None, None);
        let mut t = Topic {
            name: Spanned::new(0..0, String::new()),
            category: "event".into(),
            partitions: 0,
            replication_factor: None,
            key: None,
            retention_ms: 0,
            cleanup_policy: "delete".into(),
            description: String::new(),
            value_schema: None,
            partitioner: None,
        };
        for (k, v) in entries {
            match k.get_ref().as_str() {
                "name" => name = self.text(v, "name"),
                "category" => t.category = self.text(v, "category")?.into_inner(),
                "partitions" => partitions = self.number(v, "partitions"),
                "replication_factor" => {
                    t.replication_factor = self
                        .number(v, "replication_factor")
                        .map(|n| n.min(u32::MAX as u64) as u32)
                }
                "retention" => retention = self.duration_ms(v, "retention"),
                "retention_ms" => retention = self.number(v, "retention_ms"),
                "key" => t.key = self.text(v, "key").map(Spanned::into_inner),
                "value_schema" => t.value_schema = self.text(v, "value_schema"),
                "description" => t.description = self.text(v, "description")?.into_inner(),
                "cleanup_policy" => t.cleanup_policy = self.text(v, "cleanup_policy")?.into_inner(),
                "partitioner" => t.partitioner = self.partitioner(v),
                _ => {}
            }
        }
        let missing = |cx: &mut Self, key: &str| {
            cx.err(y.span(), format!("a topic needs {key}"));
        };
        match (name, partitions, retention) {
            (Some(n), Some(p), Some(r)) => {
                t.name = n;
                t.partitions = p.min(u32::MAX as u64) as u32;
                t.retention_ms = r;
                Some(t)
            }
            (n, p, r) => {
                for (absent, key) in [
                    (n.is_none(), "name"),
                    (p.is_none(), "partitions"),
                    (r.is_none(), "retention (or retention_ms)"),
                ] {
                    if absent {
                        missing(self, key);
                    }
                }
                None
            }
        }
    }

    fn retry(&mut self, y: &Y) -> RetryPolicy {
        const KEYS: &[&str] = &[
            "max_retries",
            "initial_backoff_ms",
            "multiplier",
            "max_backoff_ms",
            "jitter",
            "jitter_style",
        ];
        let mut r = RetryPolicy::default();
        let Some(entries) = self.map(y, "retry", KEYS) else {
            return r;
        };
        for (k, v) in entries {
            let key = k.get_ref().as_str();
            match key {
                "max_retries" => {
                    r.max_retries = self
                        .number(v, key)
                        .map_or(r.max_retries, |n| n.min(u32::MAX as u64) as u32)
                }
                "initial_backoff_ms" => {
                    r.initial_backoff_ms = self.number(v, key).unwrap_or(r.initial_backoff_ms)
                }
                "max_backoff_ms" => {
                    r.max_backoff_ms = self.number(v, key).unwrap_or(r.max_backoff_ms)
                }
                "jitter_style" => match self
                    .text(v, key)
                    .as_ref()
                    .map(|t| (t.get_ref().as_str(), t.span()))
                {
                    Some(("symmetric", _)) => r.jitter_style = JitterStyle::Symmetric,
                    Some(("below", _)) => r.jitter_style = JitterStyle::Below,
                    Some((_, span)) => {
                        self.err(span, "jitter_style must be symmetric or below".into())
                    }
                    None => {}
                },
                "multiplier" | "jitter" => {
                    let Some(t) = self.text(v, key) else { continue };
                    match t.get_ref().parse::<f64>() {
                        Ok(f) if key == "multiplier" => r.multiplier = f,
                        Ok(f) => r.jitter = f,
                        Err(_) => self.err(t.span(), format!("{key} must be a number")),
                    }
                }
                _ => {}
            }
        }
        r
    }

    fn consumer(&mut self, y: &Y) -> Option<Consumer> {
        const KEYS: &[&str] = &[
            "group",
            "topics",
            "purpose",
            "event_types",
            "max_tier",
            "dlq",
            "output",
            "retry",
            "dedup_capacity",
            "handler_timeout_ms",
            "encrypted_fields",
        ];
        let entries = self.map(y, "a consumer group", KEYS)?;
        let mut c = Consumer {
            name: Spanned::new(0..0, String::new()),
            group_id: String::new(),
            description: String::new(),
            topics: Vec::new(),
            event_types: Vec::new(),
            max_tier: no_tier(),
            dlq: no_dlq(),
            output: Vec::new(),
            retry: RetryPolicy::default(),
            dedup_capacity: None,
            handler_timeout_ms: None,
            encrypted_fields: Default::default(),
        };
        for (k, v) in entries {
            match k.get_ref().as_str() {
                "group" => {
                    if let Some(g) = self.text(v, "group") {
                        c.group_id = g.get_ref().clone();
                        c.name = g;
                    }
                }
                "topics" => c.topics = self.list(v, "topics"),
                "purpose" => c.description = self.text(v, "purpose")?.into_inner(),
                "event_types" => c.event_types = self.list(v, "event_types"),
                "max_tier" => {
                    let t = self.text(v, "max_tier")?;
                    match PrivacyTier::parse(t.get_ref()) {
                        Some(p) => c.max_tier = Spanned::new(t.span(), p),
                        None => self.err(
                            t.span(),
                            "max_tier must be PUBLIC, INTERNAL or RESTRICTED".into(),
                        ),
                    }
                }
                "dlq" => c.dlq = self.text(v, "dlq")?,
                "output" => {
                    c.output = self
                        .list(v, "output")
                        .into_iter()
                        .map(Spanned::into_inner)
                        .collect()
                }
                "retry" => c.retry = self.retry(v),
                "dedup_capacity" => {
                    c.dedup_capacity = self.number(v, "dedup_capacity").map(|n| n as usize)
                }
                "handler_timeout_ms" => c.handler_timeout_ms = self.number(v, "handler_timeout_ms"),
                "encrypted_fields" => {
                    let t = self.text(v, "encrypted_fields")?;
                    match super::EncryptedFields::parse(t.get_ref()) {
                        Some(e) => c.encrypted_fields = e,
                        None => self.err(
                            t.span(),
                            "encrypted_fields must be ciphertext, decrypt or refuse".into(),
                        ),
                    }
                }
                _ => {}
            }
        }
        if c.group_id.is_empty() {
            self.err(y.span(), "a consumer group needs group".into());
            return None;
        }
        if c.event_types.is_empty() {
            c.event_types.push(Spanned::new(c.name.span(), "*".into()));
        }
        Some(c)
    }
}

/// Parses a `topic-config.yaml`.
pub(super) fn parse(file: &SourceFile) -> Result<TopicsFile, Vec<Diagnostic>> {
    let mut b = Builder::default();
    let mut cx = Cx {
        file,
        errors: Vec::new(),
    };
    if let Err(e) = Parser::new_from_str(&file.text).load(&mut b, false) {
        let at = e.marker().index();
        cx.err(at..at, format!("invalid YAML: {}", e.info()));
        return Err(cx.errors);
    }
    if let Some((at, m)) = b.error.take() {
        cx.err(at..at, m);
        return Err(cx.errors);
    }
    let Some(root) = b.root else {
        cx.err(0..0, "the topic file is empty".into());
        return Err(cx.errors);
    };
    const KEYS: &[&str] = &[
        "schema_registry",
        "topics",
        "dead_letter",
        "consumer_groups",
    ];
    let mut out = TopicsFile::default();
    let Some(entries) = cx.map(&root, "the topic file", KEYS) else {
        return Err(cx.errors);
    };
    for (k, v) in entries {
        match k.get_ref().as_str() {
            "schema_registry" => {
                let Some(es) = cx.map(
                    v,
                    "schema_registry",
                    &["url", "compatibility", "auto_register"],
                ) else {
                    continue;
                };
                let mut hints = RegistryHints::default();
                for (k, v) in es {
                    let Some(t) = cx.text(v, k.get_ref()) else {
                        continue;
                    };
                    match k.get_ref().as_str() {
                        "url" => hints.url = Some(t.into_inner()),
                        "compatibility" => hints.compatibility = Some(t.into_inner()),
                        _ => match t.get_ref().as_str() {
                            "true" => hints.auto_register = true,
                            "false" => hints.auto_register = false,
                            _ => cx.err(t.span(), "auto_register must be true or false".into()),
                        },
                    }
                }
                out.registry = hints;
            }
            "topics" => match v {
                Y::Seq(items, _) => out.topics = items.iter().filter_map(|i| cx.topic(i)).collect(),
                other => cx.err(
                    other.span(),
                    format!("topics must be a list, not {}", other.what()),
                ),
            },
            "dead_letter" => {
                let Some(es) = cx.map(v, "dead_letter", &["pattern", "retention", "retention_ms"])
                else {
                    continue;
                };
                for (k, v) in es {
                    match k.get_ref().as_str() {
                        "pattern" => {
                            if let Some(p) = cx.text(v, "pattern") {
                                if !p.get_ref().contains("{topic}") {
                                    cx.err(p.span(), "the DLQ pattern must contain {topic}".into());
                                }
                                out.dlq_pattern = Some(p.into_inner());
                            }
                        }
                        "retention" => out.dlq_retention_ms = cx.duration_ms(v, "retention"),
                        _ => out.dlq_retention_ms = cx.number(v, "retention_ms"),
                    }
                }
            }
            "consumer_groups" => match v {
                Y::Seq(items, _) => {
                    out.consumers = items.iter().filter_map(|i| cx.consumer(i)).collect()
                }
                other => cx.err(
                    other.span(),
                    format!("consumer_groups must be a list, not {}", other.what()),
                ),
            },
            _ => {}
        }
    }
    if cx.errors.is_empty() {
        Ok(out)
    } else {
        Err(cx.errors)
    }
}
