//! What the readers of a contract want to know about a type or a field, in words: its Avro
//! type as written, its PII mark and constraints, the events that carry it (with their tiers
//! and topics) and the consumer jobs that read those events. Shared by the editor's hover
//! (`schemactl lsp`) and the HTML catalog (`schemactl docs`), so both say the same.

use sc_events_schema::model::{Body, Field, Kind, Node, SchemaSet, TypeId};
use sc_events_schema::{Catalog, Consumer, Domain, Event};
use std::collections::BTreeSet;

/// A type as a reader writes it: `string`, `["null", "string"]`, `array<Money>`,
/// `long (timestamp-millis)`; named types by their short name.
pub fn type_text(set: &SchemaSet, node: &Node) -> String {
    let base = match &node.kind {
        Kind::Array(items) => format!("array<{}>", type_text(set, items)),
        Kind::Map(values) => format!("map<{}>", type_text(set, values)),
        Kind::Union(branches) => {
            let b: Vec<String> = branches
                .iter()
                .map(|b| match &b.kind {
                    Kind::Named(_) | Kind::Array(_) | Kind::Map(_) => type_text(set, b),
                    _ => format!("\"{}\"", type_text(set, b)),
                })
                .collect();
            format!("[{}]", b.join(", "))
        }
        Kind::Named(id) => set.types[*id].name.name.clone(),
        _ => node.type_name(set).to_string(),
    };
    match &node.logical_type {
        Some(l) => format!("{base} ({l})"),
        None => base,
    }
}

/// The named types `node` refers to (not following them further).
fn named_in(node: &Node, out: &mut Vec<TypeId>) {
    match &node.kind {
        Kind::Array(inner) | Kind::Map(inner) => named_in(inner, out),
        Kind::Union(branches) => branches.iter().for_each(|b| named_in(b, out)),
        Kind::Named(id) => out.push(*id),
        _ => {}
    }
}

/// Every named type reachable from `root` (itself included).
pub fn reachable(set: &SchemaSet, root: TypeId) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Body::Record(fields) = &set.types[id].body {
            for f in fields {
                named_in(&f.ty, &mut todo);
            }
        }
    }
    seen
}

/// The events whose datum carries `ty`: through their payload, or through the envelope (then
/// every event).
pub fn events_carrying(catalog: &Catalog, ty: TypeId) -> Vec<(&Domain, &Event)> {
    let in_envelope = reachable(&catalog.set, catalog.envelope).contains(&ty);
    catalog
        .events()
        .filter(|(_, e)| in_envelope || reachable(&catalog.set, e.record).contains(&ty))
        .collect()
}

/// The consumer jobs that are handed `event` of `domain` (they read its topic, handle its
/// type and may see its tier).
pub fn readers<'a>(
    catalog: &'a Catalog,
    domain: &'a Domain,
    event: &'a Event,
) -> Vec<&'a Consumer> {
    sc_events_schema::consumers::affected(
        &catalog.consumers,
        &domain.topic,
        &event.event_type,
        event.privacy_tier,
    )
    .collect()
}

/// A field's PII mark (`EMAIL`, `PHONE`, ...), when it has one.
pub fn pii(field: &Field) -> Option<String> {
    field.attr("pii").map(|v| match v.as_str() {
        Some(s) => s.to_string(),
        None => v.to_value().to_string(),
    })
}

/// A field's declared `"constraints"` as compact JSON, when it has any.
pub fn constraints(field: &Field) -> Option<String> {
    field.attr("constraints").map(|c| c.to_value().to_string())
}

/// A field's default as compact JSON, when it has one.
pub fn default(field: &Field) -> Option<String> {
    field.default.as_ref().map(|d| d.to_value().to_string())
}

/// `order.created (INTERNAL) on sc.domain.order` for each event, and who reads it.
pub fn carried_by(catalog: &Catalog, ty: TypeId) -> Vec<(String, Vec<String>)> {
    events_carrying(catalog, ty)
        .into_iter()
        .map(|(d, e)| {
            let tier = e
                .privacy_tier
                .map_or(String::new(), |t| format!(" ({})", t.as_str()));
            let readers = readers(catalog, d, e)
                .into_iter()
                .map(|c| format!("{} (group {})", c.name.get_ref(), c.group_id))
                .collect();
            (format!("{}{tier} on {}", e.event_type, d.topic), readers)
        })
        .collect()
}
