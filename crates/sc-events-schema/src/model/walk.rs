//! Walks every record field reachable from the types of a set, with its JSON-pointer location.

use super::{Body, Field, Kind, Node, SchemaSet, TypeId};

/// One field seen by [`walk_fields`].
pub struct FieldVisit<'a> {
    /// The record that declares the field.
    pub record: TypeId,
    pub index: usize,
    pub field: &'a Field,
}

/// Calls `f` for every field of every record in the set, records in definition order.
pub fn walk_fields<'a>(set: &'a SchemaSet, mut f: impl FnMut(FieldVisit<'a>)) {
    for (record, t) in set.types.iter().enumerate() {
        if let Body::Record(fields) = &t.body {
            for (index, field) in fields.iter().enumerate() {
                f(FieldVisit {
                    record,
                    index,
                    field,
                });
            }
        }
    }
}

/// Calls `f` on a node and every node nested in it (array items, map values, union branches),
/// without following named references.
pub fn visit_nodes_mut(node: &mut Node, f: &mut impl FnMut(&mut Node)) {
    f(node);
    match &mut node.kind {
        Kind::Array(inner) | Kind::Map(inner) => visit_nodes_mut(inner, f),
        Kind::Union(branches) => {
            for b in branches {
                visit_nodes_mut(b, f);
            }
        }
        _ => {}
    }
}
