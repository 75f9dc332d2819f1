//! Borrowed views (`views.rs`): for every record (and union) that holds a string or bytes, a `…<'a>` twin
//! whose strings are `&'a str` and bytes `&'a [u8]` into the message, decoded without
//! allocating for them, plus `owned()` to turn a view into the generated type. Types with
//! nothing to borrow (enums, all-number records) are the generated types themselves.

use crate::codec::{
    dec_blocks, dec_optional, dec_union, decode_head, optional, rust_type, write_record_decode,
};
use crate::context::{TYPES, WIRE};
use crate::ident::{field_name, type_name, union_name, union_variant};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use std::collections::HashSet;
use std::fmt::Write as _;

/// The named records that borrow (hold a string or bytes, directly or through a field).
fn borrowing(set: &SchemaSet) -> HashSet<TypeId> {
    let mut out = HashSet::new();
    loop {
        let before = out.len();
        for (id, t) in set.types.iter().enumerate() {
            if let Body::Record(fields) = &t.body {
                if fields.iter().any(|f| borrows(&f.ty, &out)) {
                    out.insert(id);
                }
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

fn borrows(n: &Node, bs: &HashSet<TypeId>) -> bool {
    match &n.kind {
        Kind::String => n.logical_type.as_deref() != Some("uuid"),
        Kind::Bytes => true,
        Kind::Array(i) | Kind::Map(i) => matches!(n.kind, Kind::Map(_)) || borrows(i, bs),
        Kind::Union(b) => b.iter().any(|x| borrows(x, bs)),
        Kind::Named(id) => bs.contains(id),
        _ => false,
    }
}

struct Gen<'s> {
    set: &'s SchemaSet,
    bs: HashSet<TypeId>,
}

impl Gen<'_> {
    fn ty(&self, n: &Node) -> String {
        let owned = rust_type(self.set, n);
        if !borrows(n, &self.bs) {
            return owned;
        }
        match &n.kind {
            Kind::String => "&'a str".into(),
            Kind::Bytes => "&'a [u8]".into(),
            Kind::Array(i) => format!("Vec<{}>", self.ty(i)),
            Kind::Map(v) => format!("Vec<(&'a str, {})>", self.ty(v)),
            Kind::Union(b) => match optional(b) {
                Some((_, inner)) => format!("Option<{}>", self.ty(inner)),
                None => format!("{}<'a>", union_name(self.set, b)),
            },
            Kind::Named(id) => format!("{}<'a>", type_name(&self.set.types[*id].name.name)),
            _ => owned,
        }
    }

    fn dec(&self, n: &Node, depth: usize) -> String {
        if !borrows(n, &self.bs) {
            return crate::codec::dec(self.set, n, depth);
        }
        match &n.kind {
            Kind::String => "r.str()?".into(),
            Kind::Bytes => "r.bytes()?".into(),
            Kind::Array(i) => dec_blocks(
                depth,
                "Vec::new()",
                &format!("out{depth}.push({})", self.dec(i, depth + 1)),
            ),
            Kind::Map(v) => dec_blocks(
                depth,
                "Vec::new()",
                &format!(
                    "let k = r.str()?; out{depth}.push((k, {}))",
                    self.dec(v, depth + 1)
                ),
            ),
            Kind::Union(b) => match optional(b) {
                Some((null, inner)) => dec_optional(null, &self.dec(inner, depth + 1)),
                None => dec_union(self.set, &union_name(self.set, b), b, |br| {
                    self.dec(br, depth + 1)
                }),
            },
            _ => format!("{WIRE}::Decode::decode(r)?"),
        }
    }

    /// An expression turning `x` (a `&` to the view type) into the owned type.
    fn owned(&self, n: &Node, x: &str, depth: usize) -> String {
        let x = &format!("({x})");
        if !borrows(n, &self.bs) {
            return format!("{x}.clone()");
        }
        let y = format!("y{depth}");
        match &n.kind {
            Kind::String => format!("(*{x}).to_owned()"),
            Kind::Bytes => format!("{x}.to_vec()"),
            Kind::Array(i) => format!(
                "{x}.iter().map(|{y}| {}).collect()",
                self.owned(i, &y, depth + 1)
            ),
            Kind::Map(v) => format!(
                "{x}.iter().map(|(k, {y})| ((*k).to_owned(), {})).collect()",
                self.owned(v, &y, depth + 1)
            ),
            Kind::Union(b) => match optional(b) {
                Some((_, inner)) => format!(
                    "{x}.as_ref().map(|{y}| {})",
                    self.owned(inner, &y, depth + 1)
                ),
                None => {
                    let name = union_name(self.set, b);
                    let mut s = format!("match {x} {{ ");
                    for br in b {
                        let v = union_variant(self.set, br);
                        if br.kind == Kind::Null {
                            let _ = write!(s, "{name}::{v} => {TYPES}::{name}::{v}, ");
                        } else {
                            let _ = write!(
                                s,
                                "{name}::{v}({y}) => {TYPES}::{name}::{v}({}), ",
                                self.owned(br, &y, depth + 1)
                            );
                        }
                    }
                    s.push('}');
                    s
                }
            },
            _ => format!("{x}.owned()"),
        }
    }
}

/// The `views` module body.
pub fn generate(set: &SchemaSet) -> String {
    let g = Gen {
        set,
        bs: borrowing(set),
    };
    let mut o = String::new();
    let mut unions = Vec::new();
    for (id, t) in set.types.iter().enumerate() {
        let name = type_name(&t.name.name);
        let Body::Record(fields) = &t.body else {
            let _ = writeln!(o, "pub use {TYPES}::{name};");
            continue;
        };
        for f in fields {
            collect_unions(&f.ty, &g.bs, &mut unions);
        }
        if !g.bs.contains(&id) {
            let _ = writeln!(o, "pub use {TYPES}::{name};");
            continue;
        }
        let _ = writeln!(o, "/// A borrowed view of [`{TYPES}::{name}`].\n#[derive(Debug, Clone, PartialEq)]\npub struct {name}<'a> {{");
        for f in fields {
            let _ = writeln!(o, "pub {}: {},", field_name(&f.name), g.ty(&f.ty));
        }
        let _ = writeln!(o, "}}\n");
        write_record_decode(
            &mut o,
            &format!("{name}<'a>"),
            fields
                .iter()
                .map(|f| (field_name(&f.name), g.dec(&f.ty, 0))),
        );
        let _ = writeln!(o, "impl {name}<'_> {{\n/// The owned value.\npub fn owned(&self) -> {TYPES}::{name} {{\n{TYPES}::{name} {{");
        for f in fields {
            let fname = field_name(&f.name);
            let _ = writeln!(
                o,
                "{fname}: {},",
                g.owned(&f.ty, &format!("&self.{fname}"), 0)
            );
        }
        let _ = writeln!(o, "}}\n}}\n}}\n");
        let _ = writeln!(o, "impl {WIRE}::HasView for {TYPES}::{name} {{\ntype View<'a> = {name}<'a>;\nfn from_view(view: &{name}<'_>) -> Self {{ view.owned() }}\n}}\n");
    }
    let mut seen = HashSet::new();
    for b in unions {
        let name = union_name(set, &b);
        if !seen.insert(name.clone()) {
            continue;
        }
        let _ = writeln!(o, "/// A borrowed view of [`{TYPES}::{name}`].\n#[derive(Debug, Clone, PartialEq)]\n#[allow(clippy::large_enum_variant)]\npub enum {name}<'a> {{");
        for br in &b {
            let v = union_variant(set, br);
            if br.kind == Kind::Null {
                let _ = writeln!(o, "{v},");
            } else {
                let _ = writeln!(o, "{v}({}),", g.ty(br));
            }
        }
        let _ = writeln!(o, "}}\n");
        let node = Node {
            kind: Kind::Union(b.clone()),
            span: Default::default(),
            file: 0,
            logical_type: None,
        };
        let _ = writeln!(
            o,
            "{}\nOk({})\n}}\n}}\n",
            decode_head(&format!("{name}<'a>")),
            g.dec(&node, 0)
        );
        let _ = writeln!(o, "impl {name}<'_> {{\n/// The owned value.\npub fn owned(&self) -> {TYPES}::{name} {{\n{}\n}}\n}}\n", g.owned(&node, "self", 0));
    }
    crate::emit::indent_blocks(&o)
}

/// The general (not `["null", T]`) unions that borrow, reachable from a node.
fn collect_unions(n: &Node, bs: &HashSet<TypeId>, out: &mut Vec<Vec<Node>>) {
    match &n.kind {
        Kind::Array(i) | Kind::Map(i) => collect_unions(i, bs, out),
        Kind::Union(b) => {
            if optional(b).is_none() && borrows(n, bs) {
                out.push(b.clone());
            }
            for x in b {
                collect_unions(x, bs, out);
            }
        }
        _ => {}
    }
}
