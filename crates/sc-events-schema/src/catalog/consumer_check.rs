//! The structural checks of the consuming jobs, run while the catalog is built: names unique,
//! every topic and event type resolves, the DLQ is a `dlq` topic, the retry policy is sane.
//! Whether a job can actually see what it handles is the lint rule `CONSUMER_TIER`.

use super::Domain;
use crate::diag::{Diagnostic, Level};
use crate::layout::Layout;
use crate::source::{SourceFile, Span};
use crate::text::glob_match;
use crate::topics::{is_unset, Consumer, Topic};

/// Structural checks: names unique, topics and event types exist, the DLQ is a `dlq` topic,
/// the retry policy is sane.
pub(super) fn check(
    layout: &Layout,
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
        if layout.section.privacy_tiers && is_unset(&c.max_tier) {
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
