//! The specialised Avro codec: one `Encode` and one `Decode` impl per generated record, enum
//! and union, written out as straight-line calls into `sc_events::wire::binary` (prost-style),
//! so encoding and decoding never go through serde or a `Value` tree.
//!
//! The Rust types are rsgen-avro's: `String`, `i32`/`i64`/`f32`/`f64`/`bool`, `Vec<u8>` for
//! bytes, `uuid::Uuid` for the `uuid` logical type, `Vec<T>`, `HashMap<String, T>`,
//! `Option<T>` for a union of null and one type, a generated `UnionAB…` enum for other unions.

use crate::ident::{field_name, type_name, variant_name};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet};
use std::fmt::Write as _;

const B: &str = "__RUNTIME__::wire::binary";
const T: &str = "crate::types";

/// The Rust type of a node, as rsgen-avro spells it.
pub(crate) fn rust_type(set: &SchemaSet, n: &Node) -> String {
    match &n.kind {
        Kind::Null => "()".into(),
        Kind::Boolean => "bool".into(),
        Kind::Int => "i32".into(),
        Kind::Long if timestamp(n).is_some() => "chrono::DateTime<chrono::Utc>".into(),
        Kind::Long => "i64".into(),
        Kind::Float => "f32".into(),
        Kind::Double => "f64".into(),
        Kind::Bytes => "Vec<u8>".into(),
        Kind::String if is_uuid(n) => "uuid::Uuid".into(),
        Kind::String => "String".into(),
        Kind::Array(i) => format!("Vec<{}>", rust_type(set, i)),
        Kind::Map(v) => format!("::std::collections::HashMap<String, {}>", rust_type(set, v)),
        Kind::Union(b) => match optional(b) {
            Some((_, inner)) => format!("Option<{}>", rust_type(set, inner)),
            None => format!("{T}::{}", union_name(set, b)),
        },
        Kind::Named(id) => format!("{T}::{}", type_name(&set.types[*id].name.name)),
    }
}

fn is_uuid(n: &Node) -> bool {
    n.logical_type.as_deref() == Some("uuid")
}

/// A `long` that rsgen-avro (with chrono dates) types as `chrono::DateTime<Utc>`, and its unit.
fn timestamp(n: &Node) -> Option<&'static str> {
    match (&n.kind, n.logical_type.as_deref()) {
        (Kind::Long, Some("timestamp-millis" | "local-timestamp-millis")) => Some("millis"),
        (Kind::Long, Some("timestamp-micros" | "local-timestamp-micros")) => Some("micros"),
        _ => None,
    }
}

/// `(index of null, the other branch)` for `["null", T]` in either order.
pub(crate) fn optional(b: &[Node]) -> Option<(usize, &Node)> {
    match b {
        [x, y] if x.kind == Kind::Null => Some((0, y)),
        [x, y] if y.kind == Kind::Null => Some((1, x)),
        _ => None,
    }
}

/// rsgen-avro's name of a union enum: `Union` + each named branch's type name.
pub(crate) fn union_name(set: &SchemaSet, b: &[Node]) -> String {
    let mut s = String::from("Union");
    for n in b {
        if let Kind::Named(id) = n.kind {
            s.push_str(&type_name(&set.types[id].name.name));
        }
    }
    s
}

/// Statements writing `v` (an expression of type `&T`) to `w`.
fn enc(set: &SchemaSet, n: &Node, v: &str, o: &mut String, depth: usize) {
    let x = format!("x{depth}");
    let _ = match &n.kind {
        Kind::Null => Ok(()),
        Kind::Boolean => writeln!(o, "{B}::put_bool(w, *{v});"),
        Kind::Int => writeln!(o, "{B}::put_int(w, *{v});"),
        Kind::Long => match timestamp(n) {
            Some(unit) => writeln!(o, "{B}::put_timestamp_{unit}(w, {v});"),
            None => writeln!(o, "{B}::put_long(w, *{v});"),
        },
        Kind::Float => writeln!(o, "{B}::put_float(w, *{v});"),
        Kind::Double => writeln!(o, "{B}::put_double(w, *{v});"),
        Kind::Bytes => writeln!(o, "{B}::put_bytes(w, {v});"),
        Kind::String if is_uuid(n) => writeln!(o, "{B}::put_uuid(w, {v});"),
        Kind::String => writeln!(o, "{B}::put_str(w, {v});"),
        Kind::Array(item) => {
            let _ = writeln!(
                o,
                "{B}::put_block_count(w, ({v}).len());\nfor {x} in ({v}).iter() {{"
            );
            enc(set, item, &x, o, depth + 1);
            writeln!(o, "}}\n{B}::end_blocks(w);")
        }
        Kind::Map(val) => {
            let _ = writeln!(
                o,
                "{B}::put_block_count(w, ({v}).len());\nfor (k{depth}, {x}) in ({v}).iter() {{\n{B}::put_str(w, k{depth});"
            );
            enc(set, val, &x, o, depth + 1);
            writeln!(o, "}}\n{B}::end_blocks(w);")
        }
        Kind::Union(b) => match optional(b) {
            Some((null, inner)) => {
                let _ = writeln!(
                    o,
                    "match {v} {{\nNone => {B}::put_long(w, {null}),\nSome({x}) => {{\n{B}::put_long(w, {});",
                    1 - null
                );
                enc(set, inner, &x, o, depth + 1);
                writeln!(o, "}}\n}}")
            }
            None => {
                let name = union_name(set, b);
                let _ = writeln!(o, "match {v} {{");
                for (i, br) in b.iter().enumerate() {
                    let variant = union_variant(set, br);
                    if br.kind == Kind::Null {
                        let _ = writeln!(o, "{T}::{name}::{variant} => {B}::put_long(w, {i}),");
                        continue;
                    }
                    let _ = writeln!(
                        o,
                        "{T}::{name}::{variant}({x}) => {{\n{B}::put_long(w, {i});"
                    );
                    enc(set, br, &x, o, depth + 1);
                    let _ = writeln!(o, "}}");
                }
                writeln!(o, "}}")
            }
        },
        Kind::Named(_) => writeln!(o, "__RUNTIME__::wire::Encode::encode({v}, w);"),
    };
}

/// The variant rsgen-avro gives a union branch.
pub(crate) fn union_variant(set: &SchemaSet, n: &Node) -> String {
    match &n.kind {
        Kind::Named(id) => type_name(&set.types[*id].name.name),
        Kind::Null => "Null".into(),
        Kind::Boolean => "Boolean".into(),
        Kind::Int => "Int".into(),
        Kind::Long => "Long".into(),
        Kind::Float => "Float".into(),
        Kind::Double => "Double".into(),
        Kind::Bytes => "Bytes".into(),
        Kind::String => "String".into(),
        Kind::Array(_) => "Array".into(),
        Kind::Map(_) => "Map".into(),
        Kind::Union(_) => "Union".into(),
    }
}

/// An expression decoding the node from `r` (a `&mut Reader`), `?` on errors.
pub(crate) fn dec(set: &SchemaSet, n: &Node, depth: usize) -> String {
    let r = "r";
    match &n.kind {
        Kind::Null => "()".into(),
        Kind::Boolean => format!("{r}.boolean()?"),
        Kind::Int => format!("{r}.int()?"),
        Kind::Long => match timestamp(n) {
            Some(unit) => format!("{r}.timestamp_{unit}()?"),
            None => format!("{r}.long()?"),
        },
        Kind::Float => format!("{r}.float()?"),
        Kind::Double => format!("{r}.double()?"),
        Kind::Bytes => format!("{r}.bytes()?.to_vec()"),
        Kind::String if is_uuid(n) => format!("{r}.uuid()?"),
        Kind::String => format!("{r}.string()?"),
        Kind::Array(item) => format!(
            "{{ let mut out{depth} = Vec::new(); {r}.blocks(|r| {{ out{depth}.push({}); Ok(()) }})?; out{depth} }}",
            dec(set, item, depth + 1)
        ),
        Kind::Map(val) => format!(
            "{{ let mut out{depth} = ::std::collections::HashMap::new(); {r}.blocks(|r| {{ let k = r.string()?; out{depth}.insert(k, {}); Ok(()) }})?; out{depth} }}",
            dec(set, val, depth + 1)
        ),
        Kind::Union(b) => match optional(b) {
            Some((null, inner)) => format!(
                "if {r}.union_index(2)? == {null} {{ None }} else {{ Some({}) }}",
                dec(set, inner, depth + 1)
            ),
            None => {
                let name = union_name(set, b);
                let mut s = format!("match {r}.union_index({})? {{ ", b.len());
                for (i, br) in b.iter().enumerate() {
                    let variant = union_variant(set, br);
                    if br.kind == Kind::Null {
                        let _ = write!(s, "{i} => {T}::{name}::{variant}, ");
                    } else {
                        let _ = write!(s, "{i} => {T}::{name}::{variant}({}), ", dec(set, br, depth + 1));
                    }
                }
                s.push_str("_ => unreachable!(\"union_index checks the range\") }");
                s
            }
        },
        Kind::Named(_) => format!("__RUNTIME__::wire::Decode::decode({r})?"),
    }
}

/// Every `Encode`/`Decode` impl, for every named type and every union enum.
pub fn generate(set: &SchemaSet) -> String {
    let mut o = String::new();
    for t in &set.types {
        let name = format!("{T}::{}", type_name(&t.name.name));
        match &t.body {
            Body::Record(fields) => {
                let _ = writeln!(o, "impl __RUNTIME__::wire::Encode for {name} {{\n#[inline]\nfn encode(&self, w: &mut Vec<u8>) {{");
                for f in fields {
                    enc(
                        set,
                        &f.ty,
                        &format!("&self.{}", field_name(&f.name)),
                        &mut o,
                        0,
                    );
                }
                let _ = writeln!(o, "}}\n}}\n");
                let _ = writeln!(o, "impl<'a> __RUNTIME__::wire::Decode<'a> for {name} {{\n#[inline]\nfn decode(r: &mut {B}::Reader<'a>) -> Result<Self, {B}::DecodeError> {{\nOk(Self {{");
                for f in fields {
                    let _ = writeln!(o, "{}: {},", field_name(&f.name), dec(set, &f.ty, 0));
                }
                let _ = writeln!(o, "}})\n}}\n}}\n");
            }
            Body::Enum(e) => {
                let _ = writeln!(o, "impl __RUNTIME__::wire::Encode for {name} {{\n#[inline]\nfn encode(&self, w: &mut Vec<u8>) {{\nlet i: i32 = match self {{");
                for (i, s) in e.symbols.iter().enumerate() {
                    let _ = writeln!(o, "{name}::{} => {i},", variant_name(s));
                }
                let _ = writeln!(o, "}};\n{B}::put_int(w, i);\n}}\n}}\n");
                let _ = writeln!(o, "impl {name} {{\n/// The symbol's name in the schema.\npub fn as_str(&self) -> &'static str {{\nmatch self {{");
                for s in &e.symbols {
                    let _ = writeln!(o, "{name}::{} => {s:?},", variant_name(s));
                }
                let _ = writeln!(o, "}}\n}}\n}}\n");
                let _ = writeln!(o, "impl<'a> __RUNTIME__::wire::Decode<'a> for {name} {{\n#[inline]\nfn decode(r: &mut {B}::Reader<'a>) -> Result<Self, {B}::DecodeError> {{\nOk(match r.enum_index({})? {{", e.symbols.len());
                for (i, s) in e.symbols.iter().enumerate() {
                    let _ = writeln!(o, "{i} => {name}::{},", variant_name(s));
                }
                let _ = writeln!(
                    o,
                    "_ => unreachable!(\"enum_index checks the range\"),\n}})\n}}\n}}\n"
                );
            }
            Body::Fixed { size, .. } => {
                let _ = writeln!(o, "impl __RUNTIME__::wire::Encode for {name} {{\n#[inline]\nfn encode(&self, w: &mut Vec<u8>) {{ w.extend_from_slice(&self.0); }}\n}}\n");
                let _ = writeln!(o, "impl<'a> __RUNTIME__::wire::Decode<'a> for {name} {{\n#[inline]\nfn decode(r: &mut {B}::Reader<'a>) -> Result<Self, {B}::DecodeError> {{ Ok(Self(r.fixed::<{size}>()?)) }}\n}}\n");
            }
        }
    }
    o
}
