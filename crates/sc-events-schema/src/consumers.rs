//! Consuming jobs as data: the `[[consumer]]` tables of `topics.toml`. Each names its consumer
//! group, the topics it reads, the event types it handles (names or `domain.*` / `*` patterns),
//! the most sensitive privacy tier it may see, its dead-letter topic, its retry policy and
//! optional de-duplication. The structural checks (every name resolves) live here; whether the
//! job can actually see what it handles is the lint rule `CONSUMER_TIER`.

use crate::catalog::{Domain, PrivacyTier, Topic};
use crate::diag::{Diagnostic, Level};
use crate::text::glob_match;
use crate::source::{SourceFile, Span};
pub use crate::retry::RetryPolicy;
use serde::Deserialize;
use toml::Spanned;

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
    #[serde(default = "crate::topics::no_tier")]
    pub max_tier: Spanned<PrivacyTier>,
    /// Dead-letter topic for events that cannot be decoded or keep failing; derived from the
    /// workspace's DLQ naming pattern when left out.
    #[serde(default = "crate::topics::no_dlq")]
    pub dlq: Spanned<String>,
    /// Topic the job writes its projection to, if it has one (documentation).
    #[serde(default)]
    pub output: Vec<String>,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// Remember this many recent event ids and skip repeats (at-least-once de-duplication).
    #[serde(default)]
    pub dedup_capacity: Option<usize>,
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

/// Structural checks: names unique, topics and event types exist, the DLQ is a `dlq` topic,
/// the retry policy is sane.
pub fn check(
    layout: &crate::layout::Layout,
    consumers: &[Consumer],
    topics: &[Topic],
    domains: &[Domain],
    file: &SourceFile,
    errors: &mut Vec<Diagnostic>,
) {
    let mut push = |span: std::ops::Range<usize>, message: String, hint: &str| {
        let d = Diagnostic::at(
            Level::Error,
            "CATALOG",
            message,
            file,
            Span::new(span.start, span.end),
        );
        errors.push(if hint.is_empty() {
            d
        } else {
            d.with_hint(hint)
        });
    };
    let topic = |name: &str| topics.iter().find(|t| t.name.get_ref() == name);
    for (i, c) in consumers.iter().enumerate() {
        let name = c.name.get_ref();
        if consumers[..i].iter().any(|p| p.name.get_ref() == name) {
            push(
                c.name.span(),
                format!("consumer {name:?} is listed twice"),
                "",
            );
        }
        if consumers[..i].iter().any(|p| p.group_id == c.group_id) {
            push(
                c.name.span(),
                format!(
                    "consumer {name:?} shares group id {:?} with another job",
                    c.group_id
                ),
                "each job needs its own consumer group, or the two would split the partitions",
            );
        }
        if c.topics.is_empty() {
            push(
                c.name.span(),
                format!("consumer {name:?} reads no topic"),
                "",
            );
        }
        for t in &c.topics {
            match topic(t.get_ref()) {
                None => push(
                    t.span(),
                    format!(
                        "consumer {name:?} reads {:?}, which is not a topic of the catalog",
                        t.get_ref()
                    ),
                    "",
                ),
                Some(t2) if t2.value_schema.is_none() => push(
                    t.span(),
                    format!(
                        "consumer {name:?} reads {:?}, which has no value schema",
                        t.get_ref()
                    ),
                    "",
                ),
                Some(_) => {}
            }
        }
        for e in &c.event_types {
            let pattern = e.get_ref();
            let carried = domains
                .iter()
                .filter(|d| c.reads(&d.topic))
                .flat_map(|d| d.events.iter())
                .any(|ev| glob_match(pattern, &ev.event_type));
            if !carried {
                let known = domains
                    .iter()
                    .flat_map(|d| d.events.iter().map(move |ev| (d, ev)))
                    .find(|(_, ev)| glob_match(pattern, &ev.event_type));
                let msg = match known {
                    Some((d, ev)) => format!(
                        "consumer {name:?} handles {:?} but does not read {:?}, the topic that carries it",
                        ev.event_type, d.topic
                    ),
                    None => format!("consumer {name:?} handles {pattern:?}, which matches no event type"),
                };
                push(e.span(), msg, "");
            }
        }
        if layout.section.privacy_tiers && crate::topics::is_unset(&c.max_tier) {
            push(
                c.name.span(),
                format!("consumer {name:?} needs max_tier"),
                "the most sensitive tier the job may read: PUBLIC, INTERNAL or RESTRICTED",
            );
        }
        match topic(c.dlq.get_ref()) {
            _ if c.dlq.get_ref().is_empty() => push(
                c.name.span(),
                format!("consumer {name:?} needs a dlq"),
                "name its dead-letter topic, or give the workspace a DLQ naming pattern (layout dlq = \"{topic}.dlq\")",
            ),
            Some(t) if t.category == "dlq" => {}
            Some(_) => push(
                c.dlq.span(),
                format!(
                    "the DLQ of {name:?}, {:?}, is not a dlq topic",
                    c.dlq.get_ref()
                ),
                "dead letters go to a topic with category = \"dlq\"",
            ),
            None => push(
                c.dlq.span(),
                format!(
                    "the DLQ of {name:?}, {:?}, is not a topic of the catalog",
                    c.dlq.get_ref()
                ),
                "",
            ),
        }
        for o in &c.output {
            if topic(o).is_none() {
                push(
                    c.name.span(),
                    format!("consumer {name:?} writes {o:?}, which is not a topic of the catalog"),
                    "",
                );
            }
        }
        let r = &c.retry;
        let sane = r.multiplier >= 1.0
            && r.multiplier.is_finite()
            && (0.0..=1.0).contains(&r.jitter)
            && r.initial_backoff_ms <= r.max_backoff_ms
            && r.max_retries <= 100;
        if !sane {
            push(
                c.name.span(),
                format!("the retry policy of {name:?} is not usable: {r:?}"),
                "multiplier >= 1, 0 <= jitter <= 1, initial_backoff_ms <= max_backoff_ms, max_retries <= 100",
            );
        }
        if c.dedup_capacity == Some(0) {
            push(
                c.name.span(),
                format!("consumer {name:?} has dedup_capacity 0"),
                "omit it to turn de-duplication off",
            );
        }
    }
}

/// The consumers that would see `event_type` on `topic` (they read it, handle it, and may see
/// its tier): whom a change to that event breaks.
pub fn affected<'a>(
    consumers: &'a [Consumer],
    topic: &'a str,
    event_type: &'a str,
    tier: Option<PrivacyTier>,
) -> impl Iterator<Item = &'a Consumer> + 'a {
    consumers.iter().filter(move |c| {
        c.reads(topic)
            && c.handles(event_type)
            && tier.unwrap_or(PrivacyTier::Public) <= *c.max_tier.get_ref()
    })
}
