//! Who an incompatible change breaks: each finding of the gate mapped to the event type whose
//! payload it sits in (by source line), then to the consuming jobs that read that event (they
//! read its topic, handle its type and may see its tier). A finding outside every payload (the
//! envelope, the domain record) touches every event of the topic, or of every topic for the
//! envelope's own subject.

use sc_events_schema::consumers::affected;
use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
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
/// for the envelope, shared by all). A finding inside a named type touches every payload that
/// reaches that type (a shared enum defined in one payload and used by others touches all of
/// them); one outside every payload's types touches every event in scope.
fn touched<'a>(
    catalog: &'a Catalog,
    topic: Option<&str>,
    diags: &[Diagnostic],
) -> Vec<(&'a str, &'a Event)> {
    let set = &catalog.set;
    let in_scope = |t: &str| topic.is_none_or(|x| x == t);
    let scope: Vec<(&str, &Event)> = catalog
        .events()
        .filter(|(d, _)| in_scope(&d.topic))
        .map(|(d, e)| (d.topic.as_str(), e))
        .collect();
    let payloads: Vec<TypeId> = scope.iter().map(|(_, e)| e.record).collect();
    let mut out: Vec<(&str, &Event)> = Vec::new();
    for d in diags.iter().filter(|d| d.level == Level::Error) {
        // The innermost payload or payload-reachable named type whose definition holds the line.
        let owner = set
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                let file = &set.files[t.file];
                let first = file.line_col(t.span.start).line;
                let last = file.line_col(t.span.end).line;
                file.path == d.file && (first..=last).contains(&d.line)
            })
            .filter(|(id, _)| payloads.iter().any(|p| reaches(set, *p, *id)))
            .min_by_key(|(_, t)| t.span.end - t.span.start)
            .map(|(id, _)| id);
        match owner {
            Some(id) => out.extend(scope.iter().filter(|(_, e)| reaches(set, e.record, id))),
            None => out.extend(scope.iter().copied()),
        }
    }
    out.sort_by_key(|(_, e)| e.record);
    out.dedup_by_key(|(_, e)| e.record);
    out
}

/// Whether the named type `target` is `from` or used somewhere inside it.
fn reaches(set: &SchemaSet, from: TypeId, target: TypeId) -> bool {
    let mut seen = vec![from];
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        if id == target {
            return true;
        }
        let Body::Record(fields) = &set.types[id].body else {
            continue;
        };
        let mut nodes: Vec<&Node> = fields.iter().map(|f| &f.ty).collect();
        while let Some(n) = nodes.pop() {
            match &n.kind {
                Kind::Named(x) if !seen.contains(x) => {
                    seen.push(*x);
                    stack.push(*x);
                }
                Kind::Array(i) | Kind::Map(i) => nodes.push(i),
                Kind::Union(bs) => nodes.extend(bs.iter()),
                _ => {}
            }
        }
    }
    false
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
