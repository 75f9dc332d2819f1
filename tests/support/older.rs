//! An older writer version of every record, made from today's schemas by the changes
//! resolution must undo: a writer-only field at the front of every record, (with `alter`)
//! strings written as bytes and enum symbols and optional branches in reverse order, (with
//! `reverse`) fields in reverse order, and (with `drop_defaulted`) the fields that have a
//! default missing from the writer.
//! Both directions resolve, so today's bytes can be written in the older layout.
#![allow(dead_code)]

use sc_events::wire::resolve::{compile_between, Plan, Program};
use sc_events_schema::json::{Json, JsonNode};
use sc_events_schema::model::{Body, Field, Kind, Node, SchemaSet};
use sc_events_schema::rules::compat::SchemaRef;

/// The programs between today's record `root` and its older version: `down` writes today's
/// bytes in the older layout, `up` reads the older layout as today's.
pub struct Versions {
    pub down: Program,
    pub up: Program,
}

fn older_node(n: &mut Node) {
    match &mut n.kind {
        Kind::String if n.logical_type.is_none() => n.kind = Kind::Bytes,
        Kind::Array(i) | Kind::Map(i) => older_node(i),
        Kind::Union(b) => {
            b.reverse();
            b.iter_mut().for_each(older_node);
        }
        _ => {}
    }
}

/// The older version of every named type of `set`.
pub fn older_set(set: &SchemaSet, drop_defaulted: bool, reverse: bool, alter: bool) -> SchemaSet {
    let mut old = set.clone();
    for t in &mut old.types {
        match &mut t.body {
            Body::Record(fields) => {
                if drop_defaulted {
                    fields.retain(|f| f.default.is_none());
                }
                if reverse {
                    fields.reverse();
                }
                if alter {
                    fields.iter_mut().for_each(|f| older_node(&mut f.ty));
                }
                let gone = Field {
                    name: "zz_gone".into(),
                    name_span: Default::default(),
                    span: Default::default(),
                    aliases: Vec::new(),
                    doc: None,
                    ty: Node {
                        kind: Kind::String,
                        span: Default::default(),
                        file: t.file,
                        logical_type: None,
                    },
                    default: Some(JsonNode {
                        value: Json::String("gone".into()),
                        span: Default::default(),
                    }),
                    attrs: Vec::new(),
                };
                fields.insert(0, gone);
            }
            Body::Enum(e) if alter => e.symbols.reverse(),
            _ => {}
        }
    }
    old
}

fn program(writer: SchemaRef<'_>, reader: SchemaRef<'_>) -> Program {
    match compile_between(writer, reader).unwrap_or_else(|e| panic!("resolves: {e}")) {
        Plan::Resolve(p) => p,
        Plan::Same => panic!("the versions differ"),
    }
}

/// The programs between file `file`'s root in today's `set` and in `old`.
pub fn versions(set: &SchemaSet, old: &SchemaSet, file: usize) -> Versions {
    let today = SchemaRef {
        set,
        root: &set.roots[file],
    };
    let older = SchemaRef {
        set: old,
        root: &old.roots[file],
    };
    Versions {
        down: program(today, older),
        up: program(older, today),
    }
}
