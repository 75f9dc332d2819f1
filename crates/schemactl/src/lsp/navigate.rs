//! Reading a position in a schema: which named type or field is under the cursor, and the
//! answers built on it — hover (doc, type, PII mark, tier, the events and consumer jobs that
//! carry it), go to definition and find references for named types across files.

use crate::describe;
use sc_events_schema::model::{Body, Field, Kind, Node, TypeId};
use sc_events_schema::source::{FileId, Span};
use sc_events_schema::Catalog;
use std::fmt::Write as _;

/// The events a hover lists (a shared type such as the envelope is in every event).
const MAX_EVENTS: usize = 12;

/// What the cursor is on.
pub enum Target<'a> {
    /// A named type: its definition's name, or a reference to it.
    Type(TypeId),
    /// A field of a record (the innermost field object around the cursor).
    Field(TypeId, &'a Field),
}

/// Every place a named type is written as a reference (a name string, not a definition):
/// `(file, span of the string)`.
pub fn references(catalog: &Catalog, target: TypeId) -> Vec<(FileId, Span)> {
    let mut out = Vec::new();
    each_node(catalog, &mut |n| {
        if matches!(n.kind, Kind::Named(id) if id == target) && is_name_string(catalog, n) {
            out.push((n.file, n.span));
        }
    });
    out
}

/// Whether `n` is written as a name (`"Money"`) rather than an inline definition object.
fn is_name_string(catalog: &Catalog, n: &Node) -> bool {
    catalog.set.files[n.file]
        .text
        .as_bytes()
        .get(n.span.start)
        .is_some_and(|b| *b == b'"')
}

/// Calls `f` on every type node of every file: roots, fields, items, values and branches.
fn each_node<'a>(catalog: &'a Catalog, f: &mut impl FnMut(&'a Node)) {
    fn walk<'a>(n: &'a Node, f: &mut impl FnMut(&'a Node)) {
        f(n);
        match &n.kind {
            Kind::Array(inner) | Kind::Map(inner) => walk(inner, f),
            Kind::Union(branches) => branches.iter().for_each(|b| walk(b, f)),
            _ => {}
        }
    }
    for root in &catalog.set.roots {
        walk(root, f);
    }
    for t in &catalog.set.types {
        if let Body::Record(fields) = &t.body {
            for field in fields {
                walk(&field.ty, f);
            }
        }
    }
}

fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// What is at byte `offset` of `file`: a type name (definition or reference) first, else the
/// innermost field.
pub fn target_at(catalog: &Catalog, file: FileId, offset: usize) -> Option<Target<'_>> {
    for (id, t) in catalog.set.types.iter().enumerate() {
        if t.file == file && contains(t.name_span, offset) {
            return Some(Target::Type(id));
        }
    }
    let mut best: Option<(usize, TypeId)> = None;
    each_node(catalog, &mut |n| {
        if let Kind::Named(id) = n.kind {
            if n.file == file && contains(n.span, offset) && is_name_string(catalog, n) {
                best = Some((n.span.end - n.span.start, id));
            }
        }
    });
    if let Some((_, id)) = best {
        return Some(Target::Type(id));
    }
    let mut field: Option<(usize, TypeId, &Field)> = None;
    for (id, t) in catalog.set.types.iter().enumerate() {
        if let Body::Record(fields) = &t.body {
            for f in fields {
                let len = f.span.end - f.span.start;
                let inner = field.is_none_or(|(best, _, _)| len < best);
                if t.file == file && contains(f.span, offset) && inner {
                    field = Some((len, id, f));
                }
            }
        }
    }
    field.map(|(_, id, f)| Target::Field(id, f))
}

/// The hover text (Markdown) of a target.
pub fn hover(catalog: &Catalog, target: &Target<'_>) -> String {
    let set = &catalog.set;
    let mut o = String::new();
    let ty = match target {
        Target::Type(id) => {
            let t = &set.types[*id];
            let _ = writeln!(o, "**{}** `{}`", t.body.kind_name(), t.name.fullname());
            if let Some(doc) = &t.doc {
                let _ = writeln!(o, "\n{doc}");
            }
            if let Body::Enum(e) = &t.body {
                let _ = writeln!(o, "\nsymbols: {}", e.symbols.join(", "));
            }
            let _ = writeln!(o, "\ndefined in `{}`", catalog.rel_path(t.file));
            *id
        }
        Target::Field(record, f) => {
            let _ = writeln!(
                o,
                "**field** `{}`: `{}`",
                f.name,
                describe::type_text(set, &f.ty)
            );
            if let Some(doc) = &f.doc {
                let _ = writeln!(o, "\n{doc}");
            }
            let _ = writeln!(o);
            if let Some(d) = describe::default(f) {
                let _ = writeln!(o, "- default: `{d}`");
            }
            if let Some(p) = describe::pii(f) {
                let _ = writeln!(o, "- PII: **{p}**");
            }
            if let Some(c) = describe::constraints(f) {
                let _ = writeln!(o, "- constraints: `{c}`");
            }
            let _ = writeln!(o, "- in record `{}`", set.types[*record].name.fullname());
            *record
        }
    };
    let carried = describe::carried_by(catalog, ty);
    if !carried.is_empty() {
        let _ = writeln!(o, "\ncarried by:");
        let shown = carried.len().min(MAX_EVENTS);
        let more = carried.len() - shown;
        for (event, readers) in carried.into_iter().take(shown) {
            let who = if readers.is_empty() {
                "no consumer job".to_string()
            } else {
                readers.join(", ")
            };
            let _ = writeln!(o, "- {event}; read by {who}");
        }
        if more > 0 {
            let _ = writeln!(o, "- and {more} more event type(s)");
        }
    }
    o
}
