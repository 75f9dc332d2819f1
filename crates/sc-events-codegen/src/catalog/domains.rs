//! One module per domain (`pub mod user { … }`): short names for the top-level record, the
//! payload union, the payloads and every type they use, and the domain's event types; then
//! the layout's trait impls for it ([`crate::layout`]).

use crate::context::{DomainCx, TYPES};
use crate::ident::{field_name, type_name, union_name};
use sc_events_schema::model::{Kind, Node, TypeId};
use sc_events_schema::{Catalog, Domain};
use std::fmt::Write as _;
use std::path::Path;

/// The named types the domain's payloads use, directly or nested, other than the payloads
/// themselves and the envelope's (which the crate root exports), in first-use order.
fn used_types(catalog: &Catalog, d: &Domain) -> Vec<String> {
    let set = &catalog.set;
    let envelope_file = set.types[catalog.envelope].file;
    let payloads: Vec<TypeId> = d.events.iter().map(|e| e.record).collect();
    let mut seen: Vec<TypeId> = Vec::new();
    let mut stack: Vec<&Node> = payloads
        .iter()
        .rev()
        .flat_map(|&p| set.fields(p).iter().rev().map(|f| &f.ty))
        .collect();
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::Array(i) | Kind::Map(i) => stack.push(i),
            Kind::Union(b) => stack.extend(b.iter().rev()),
            Kind::Named(id) if !seen.contains(id) => {
                seen.push(*id);
                stack.extend(set.fields(*id).iter().rev().map(|f| &f.ty));
            }
            _ => {}
        }
    }
    seen.into_iter()
        .filter(|id| !payloads.contains(id) && set.types[*id].file != envelope_file)
        .map(|id| type_name(&set.types[id].name.name))
        .collect()
}

/// Writes the domain's module and its layout impls; `dir` is the canonical schema directory.
pub(crate) fn generate(catalog: &Catalog, d: &Domain, dir: &Path, o: &mut String) {
    let set = &catalog.set;
    let root = &set.types[d.record];
    let ev = type_name(&root.name.name);
    let pf = &catalog.layout.section.payload_field;
    let Some(data) = set.fields(d.record).iter().find(|f| f.name == *pf) else {
        return;
    };
    let union = match &data.ty.kind {
        Kind::Union(branches) => Some(union_name(set, branches)),
        _ => None,
    };
    let key = catalog.topic(&d.topic).and_then(|t| t.key.clone());
    let file = catalog.rel_path(d.file);

    // The domain module: short names for everything a service of this domain touches.
    let payloads: Vec<String> = d
        .events
        .iter()
        .map(|e| type_name(&set.types[e.record].name.name))
        .collect();
    let _ = writeln!(
        o,
        "/// The `{}` domain: events on `{}` (schema `{file}`).",
        d.name, d.topic
    );
    let _ = writeln!(o, "pub mod {} {{", field_name(&d.name));
    let _ = writeln!(
        o,
        "    /// The top-level record: envelope plus one payload."
    );
    let _ = writeln!(o, "    pub type Event = {TYPES}::{ev};");
    if let Some(union) = &union {
        let _ = writeln!(o, "    /// The payload union: one variant per event type.");
        let _ = writeln!(o, "    pub type Data = {TYPES}::{union};");
    }
    let _ = writeln!(o, "    pub use {TYPES}::{{{}}};", payloads.join(", "));
    let used = used_types(catalog, d);
    if !used.is_empty() {
        let _ = writeln!(
            o,
            "    /// Every other type the payloads use (enums, nested records)."
        );
        let _ = writeln!(o, "    pub use {TYPES}::{{{}}};", used.join(", "));
    }
    let types: Vec<String> = d
        .events
        .iter()
        .map(|e| format!("{:?}", e.event_type))
        .collect();
    let _ = writeln!(
        o,
        "    /// Every event type of the domain, in payload union order."
    );
    let _ = writeln!(
        o,
        "    pub const EVENT_TYPES: &[&str] = &[{}];",
        types.join(", ")
    );
    let _ = writeln!(o, "}}\n");
    let cx = DomainCx {
        d,
        ev,
        payload_field: field_name(pf),
        union,
        key,
        payloads,
        schema_path: dir.join(&file).display().to_string(),
    };
    crate::layout::generate(catalog, &cx, o);
}
