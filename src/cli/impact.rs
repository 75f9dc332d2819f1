//! Who an incompatible change breaks: each finding of the gate mapped to the event type whose
//! payload it sits in (by source line), then to the consuming jobs that read that event (they
//! read its topic, handle its type and may see its tier). A finding outside every payload (the
//! envelope, the domain record) touches every event of the topic, or of every topic for the
//! envelope's own subject.

use sc_events_schema::consumers::affected;
use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::{Catalog, Event};
use serde::Serialize;
use std::collections::BTreeMap;

/// One consumer group an incompatible subject would break, with the event types concerned.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Break {
    pub consumer: String,
    pub group_id: String,
    pub event_types: Vec<String>,
}

/// The events the error diagnostics of a subject touch; `topic` is the subject's topic (`None`
/// for the envelope, shared by all).
fn touched<'a>(
    catalog: &'a Catalog,
    topic: Option<&str>,
    diags: &[Diagnostic],
) -> Vec<(&'a str, &'a Event)> {
    let in_scope = |t: &str| topic.is_none_or(|x| x == t);
    let scope: Vec<(&str, &Event)> = catalog
        .events()
        .filter(|(d, _)| in_scope(&d.topic))
        .map(|(d, e)| (d.topic.as_str(), e))
        .collect();
    let mut out: Vec<(&str, &Event)> = Vec::new();
    for d in diags.iter().filter(|d| d.level == Level::Error) {
        let owner = scope.iter().find(|(_, e)| {
            let t = &catalog.set.types[e.record];
            let file = &catalog.set.files[t.file];
            let first = file.line_col(t.span.start).line;
            let last = file.line_col(t.span.end).line;
            file.path == d.file && (first..=last).contains(&d.line)
        });
        match owner {
            Some(hit) => out.push(*hit),
            None => out.extend(scope.iter().copied()),
        }
    }
    out.sort_by_key(|(_, e)| e.record);
    out.dedup_by_key(|(_, e)| e.record);
    out
}

/// The consumer groups the subject's findings break, in catalog order.
pub fn breaks(catalog: &Catalog, topic: Option<&str>, diags: &[Diagnostic]) -> Vec<Break> {
    let mut by_consumer: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (t, e) in touched(catalog, topic, diags) {
        for c in affected(&catalog.consumers, t, &e.event_type, e.privacy_tier) {
            let i = catalog
                .consumers
                .iter()
                .position(|x| std::ptr::eq(x, c))
                .unwrap_or(usize::MAX);
            by_consumer.entry(i).or_default().push(e.event_type.clone());
        }
    }
    by_consumer
        .into_iter()
        .filter_map(|(i, event_types)| {
            let c = catalog.consumers.get(i)?;
            Some(Break {
                consumer: c.name.get_ref().clone(),
                group_id: c.group_id.clone(),
                event_types,
            })
        })
        .collect()
}
