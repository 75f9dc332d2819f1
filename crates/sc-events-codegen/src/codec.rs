//! The specialised Avro codec (`codec.rs`): one `Encode` and one `Decode` impl per generated
//! record, enum and union, written out as straight-line calls into the runtime's
//! `wire::binary` (prost-style), so encoding and decoding never go through serde or a `Value`
//! tree. Also the decoding shapes [`crate::views`] shares.
//!
//! The Rust types are rsgen-avro's: `String`, `i32`/`i64`/`f32`/`f64`/`bool`, `Vec<u8>` for
//! bytes, `uuid::Uuid` for the `uuid` logical type, `Vec<T>`, `HashMap<String, T>`,
//! `Option<T>` for a union of null and one type, a generated `UnionAB…` enum for other unions.

use crate::context::{BINARY, RUNTIME, TYPES, WIRE};
use crate::ident::{field_name, type_name, union_name, union_variant, variant_name};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet};
use std::fmt::Write as _;

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
            None => format!("{TYPES}::{}", union_name(set, b)),
        },
        Kind::Named(id) => format!("{TYPES}::{}", type_name(&set.types[*id].name.name)),
    }
}

pub(crate) fn is_uuid(n: &Node) -> bool {
    n.logical_type.as_deref() == Some("uuid")
}

/// A `long` that rsgen-avro (with chrono dates) types as `chrono::DateTime<Utc>`, and its unit.
pub(crate) fn timestamp(n: &Node) -> Option<&'static str> {
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

/// Statements writing `v` (an expression of type `&T`) to `w`.
pub(crate) fn enc(set: &SchemaSet, n: &Node, v: &str, o: &mut String, depth: usize) {
    let x = format!("x{depth}");
    let _ = match &n.kind {
        Kind::Null => Ok(()),
        Kind::Boolean => writeln!(o, "{BINARY}::put_bool(w, *{v});"),
        Kind::Int => writeln!(o, "{BINARY}::put_int(w, *{v});"),
        Kind::Long => match timestamp(n) {
            Some(unit) => writeln!(o, "{BINARY}::put_timestamp_{unit}(w, {v});"),
            None => writeln!(o, "{BINARY}::put_long(w, *{v});"),
        },
        Kind::Float => writeln!(o, "{BINARY}::put_float(w, *{v});"),
        Kind::Double => writeln!(o, "{BINARY}::put_double(w, *{v});"),
        Kind::Bytes => writeln!(o, "{BINARY}::put_bytes(w, {v});"),
        Kind::String if is_uuid(n) => writeln!(o, "{BINARY}::put_uuid(w, {v});"),
        Kind::String => writeln!(o, "{BINARY}::put_str(w, {v});"),
        Kind::Array(item) => {
            let _ = writeln!(
                o,
                "{BINARY}::put_block_count(w, ({v}).len());\nfor {x} in ({v}).iter() {{"
            );
            enc(set, item, &x, o, depth + 1);
            writeln!(o, "}}\n{BINARY}::end_blocks(w);")
        }
        Kind::Map(val) => {
            let _ = writeln!(
                o,
                "{BINARY}::put_block_count(w, ({v}).len());\nfor (k{depth}, {x}) in ({v}).iter() {{\n{BINARY}::put_str(w, k{depth});"
            );
            enc(set, val, &x, o, depth + 1);
            writeln!(o, "}}\n{BINARY}::end_blocks(w);")
        }
        Kind::Union(b) => match optional(b) {
            Some((null, inner)) => {
                let _ = writeln!(
                    o,
                    "match {v} {{\nNone => {BINARY}::put_long(w, {null}),\nSome({x}) => {{\n{BINARY}::put_long(w, {});",
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
                        let _ = writeln!(
                            o,
                            "{TYPES}::{name}::{variant} => {BINARY}::put_long(w, {i}),"
                        );
                        continue;
                    }
                    let _ = writeln!(
                        o,
                        "{TYPES}::{name}::{variant}({x}) => {{\n{BINARY}::put_long(w, {i});"
                    );
                    enc(set, br, &x, o, depth + 1);
                    let _ = writeln!(o, "}}");
                }
                writeln!(o, "}}")
            }
        },
        Kind::Named(_) => writeln!(o, "{WIRE}::Encode::encode({v}, w);"),
    };
}

/// An expression decoding the node from `r` (a `&mut Reader`), `?` on errors.
pub(crate) fn dec(set: &SchemaSet, n: &Node, depth: usize) -> String {
    match &n.kind {
        Kind::Null => "()".into(),
        Kind::Boolean => "r.boolean()?".into(),
        Kind::Int => "r.int()?".into(),
        Kind::Long => match timestamp(n) {
            Some(unit) => format!("r.timestamp_{unit}()?"),
            None => "r.long()?".into(),
        },
        Kind::Float => "r.float()?".into(),
        Kind::Double => "r.double()?".into(),
        Kind::Bytes => "r.bytes()?.to_vec()".into(),
        Kind::String if is_uuid(n) => "r.uuid()?".into(),
        Kind::String => "r.string()?".into(),
        Kind::Array(item) => dec_blocks(
            depth,
            "Vec::new()",
            &format!("out{depth}.push({})", dec(set, item, depth + 1)),
        ),
        Kind::Map(val) => dec_blocks(
            depth,
            "::std::collections::HashMap::new()",
            &format!(
                "let k = r.string()?; out{depth}.insert(k, {})",
                dec(set, val, depth + 1)
            ),
        ),
        Kind::Union(b) => match optional(b) {
            Some((null, inner)) => dec_optional(null, &dec(set, inner, depth + 1)),
            None => dec_union(set, &format!("{TYPES}::{}", union_name(set, b)), b, |br| {
                dec(set, br, depth + 1)
            }),
        },
        Kind::Named(_) => format!("{WIRE}::Decode::decode(r)?"),
    }
}

/// An expression collecting an array's or map's blocks into `out{depth}` (starting as
/// `init`), running `step` (which reads from `r`) for each item.
pub(crate) fn dec_blocks(depth: usize, init: &str, step: &str) -> String {
    format!("{{ let mut out{depth} = {init}; r.blocks(|r| {{ {step}; Ok(()) }})?; out{depth} }}")
}

/// An expression decoding `["null", T]` (null at index `null`), `inner` decoding the `T`.
pub(crate) fn dec_optional(null: usize, inner: &str) -> String {
    format!("if r.union_index(2)? == {null} {{ None }} else {{ Some({inner}) }}")
}

/// An expression decoding a general union into the enum at `path`, `branch` decoding each
/// non-null branch's value.
pub(crate) fn dec_union(
    set: &SchemaSet,
    path: &str,
    branches: &[Node],
    branch: impl Fn(&Node) -> String,
) -> String {
    let mut s = format!("match r.union_index({})? {{ ", branches.len());
    for (i, br) in branches.iter().enumerate() {
        let variant = union_variant(set, br);
        if br.kind == Kind::Null {
            let _ = write!(s, "{i} => {path}::{variant}, ");
        } else {
            let _ = write!(s, "{i} => {path}::{variant}({}), ", branch(br));
        }
    }
    s.push_str("_ => unreachable!(\"union_index checks the range\") }");
    s
}

/// The opening of `impl Encode for {ty}` up to the `encode` body's brace.
fn encode_head(ty: &str) -> String {
    format!("impl {WIRE}::Encode for {ty} {{\n#[inline]\nfn encode(&self, w: &mut Vec<u8>) {{")
}

/// The opening of `impl Decode<'a> for {ty}` up to the `decode` body's brace.
pub(crate) fn decode_head(ty: &str) -> String {
    format!("impl<'a> {WIRE}::Decode<'a> for {ty} {{\n#[inline]\nfn decode(r: &mut {BINARY}::Reader<'a>) -> Result<Self, {BINARY}::DecodeError> {{")
}

/// A record's whole `Decode` impl: `Ok(Self { field: expr, … })`.
pub(crate) fn write_record_decode(
    o: &mut String,
    ty: &str,
    fields: impl IntoIterator<Item = (String, String)>,
) {
    let _ = writeln!(o, "{}\nOk(Self {{", decode_head(ty));
    for (name, expr) in fields {
        let _ = writeln!(o, "{name}: {expr},");
    }
    let _ = writeln!(o, "}})\n}}\n}}\n");
}

/// Every `Encode`/`Decode` impl, for every named type and every union enum. The records in
/// `fused` (domain events of the nested layout) override `Encode::encode_validated` with the
/// fused pass the layout generates beside them (`encode_validated_fused`).
pub fn generate(set: &SchemaSet, fused: &[usize]) -> String {
    let mut o = String::new();
    for (id, t) in set.types.iter().enumerate() {
        let name = format!("{TYPES}::{}", type_name(&t.name.name));
        match &t.body {
            Body::Record(fields) => {
                let _ = writeln!(o, "{}", encode_head(&name));
                for f in fields {
                    enc(
                        set,
                        &f.ty,
                        &format!("&self.{}", field_name(&f.name)),
                        &mut o,
                        0,
                    );
                }
                let _ = writeln!(o, "}}");
                if fused.contains(&id) {
                    let _ = writeln!(o, "#[inline]\nfn encode_validated(&self, w: &mut Vec<u8>) -> Result<(), {RUNTIME}::event::ValidationError> {{ self.encode_validated_fused(w) }}");
                }
                let _ = writeln!(o, "}}\n");
                write_record_decode(
                    &mut o,
                    &name,
                    fields
                        .iter()
                        .map(|f| (field_name(&f.name), dec(set, &f.ty, 0))),
                );
            }
            Body::Enum(e) => {
                let _ = writeln!(o, "{}\nlet i: i32 = match self {{", encode_head(&name));
                for (i, s) in e.symbols.iter().enumerate() {
                    let _ = writeln!(o, "{name}::{} => {i},", variant_name(s));
                }
                let _ = writeln!(o, "}};\n{BINARY}::put_int(w, i);\n}}\n}}\n");
                let _ = writeln!(o, "impl {name} {{\n/// The symbol's name in the schema.\npub fn as_str(&self) -> &'static str {{\nmatch self {{");
                for s in &e.symbols {
                    let _ = writeln!(o, "{name}::{} => {s:?},", variant_name(s));
                }
                let _ = writeln!(o, "}}\n}}\n}}\n");
                let _ = writeln!(
                    o,
                    "{}\nOk(match r.enum_index({})? {{",
                    decode_head(&name),
                    e.symbols.len()
                );
                for (i, s) in e.symbols.iter().enumerate() {
                    let _ = writeln!(o, "{i} => {name}::{},", variant_name(s));
                }
                let _ = writeln!(
                    o,
                    "_ => unreachable!(\"enum_index checks the range\"),\n}})\n}}\n}}\n"
                );
            }
            Body::Fixed { size, .. } => {
                let _ = writeln!(
                    o,
                    "{} w.extend_from_slice(&self.0); }}\n}}\n",
                    encode_head(&name)
                );
                let _ = writeln!(
                    o,
                    "{} Ok(Self(r.fixed::<{size}>()?)) }}\n}}\n",
                    decode_head(&name)
                );
            }
        }
    }
    crate::emit::indent_blocks(&o)
}
