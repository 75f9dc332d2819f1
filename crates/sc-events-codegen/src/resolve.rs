//! The single-pass resolving decoder (`resolve.rs`): one `Resolve` impl per generated record,
//! enum and fixed, reading another writer version's bytes straight into the type, driven by
//! the plan the runtime compiles per writer schema (`wire::resolve`). A record walks the
//! writer's fields in the writer's order, each filling its reader field through that field's
//! op (or skipped), then takes the defaults of the fields the writer lacks; where the
//! writer's kept fields are the reader's in order, the value is built in place field by
//! field instead; a record the writer wrote as the reader has it is handed to the plain
//! `Decode`.

use crate::codec::{dec, is_uuid, optional, rust_type, timestamp};
use crate::context::{BINARY, TYPES, WIRE};
use crate::ident::{field_name, type_name, union_name, union_variant, variant_name};
use sc_events_schema::model::{Body, Field, Kind, Node, SchemaSet};
use std::fmt::Write as _;

/// The runtime's single-pass helpers (imported at the top of the file as `read`).
const READ: &str = "read";

/// An expression reading the node's Rust type from `r` through the op `op` (plans in `p`),
/// `?` on errors.
fn res(set: &SchemaSet, n: &Node) -> String {
    let leaf = |f: &str| format!("{READ}::{f}(r, op)?");
    match &n.kind {
        Kind::Null => leaf("null"),
        Kind::Boolean => leaf("boolean"),
        Kind::Int => leaf("int"),
        Kind::Long => match timestamp(n) {
            Some(unit) => leaf(&format!("timestamp_{unit}")),
            None => leaf("long"),
        },
        Kind::Float => leaf("float"),
        Kind::Double => leaf("double"),
        Kind::Bytes => leaf("bytes"),
        Kind::String if is_uuid(n) => leaf("uuid"),
        Kind::String => leaf("string"),
        Kind::Array(item) => format!(
            "{READ}::array(r, op, p, |r, op, p| Ok({}))?",
            res(set, item)
        ),
        Kind::Map(val) => format!("{READ}::map(r, op, p, |r, op, p| Ok({}))?", res(set, val)),
        Kind::Union(b) => match optional(b) {
            Some((null, inner)) => format!(
                "{{ let (b, op) = {READ}::branch(r, op)?; if b == {null} {{ None }} else {{ Some({}) }} }}",
                res(set, inner)
            ),
            None => {
                let path = format!("{TYPES}::{}", union_name(set, b));
                let mut s = format!("{{ let (b, op) = {READ}::branch(r, op)?; match b {{ ");
                for (i, br) in b.iter().enumerate() {
                    let variant = union_variant(set, br);
                    if br.kind == Kind::Null {
                        let _ = write!(s, "{i} => {path}::{variant}, ");
                    } else {
                        let _ = write!(s, "{i} => {path}::{variant}({}), ", res(set, br));
                    }
                }
                let _ = write!(s, "b => return Err({READ}::no_branch(b)) }} }}");
                s
            }
        },
        Kind::Named(id) => format!(
            "<{TYPES}::{} as read::Resolve>::resolve(r, op, p)?",
            type_name(&set.types[*id].name.name)
        ),
    }
}

/// The opening of `impl Resolve for {ty}` up to the `resolve` body's brace.
fn head(ty: &str) -> String {
    format!("impl read::Resolve for {ty} {{\nfn resolve(r: &mut Reader<'_>, op: &Op, p: &Program) -> Result<Self, RunError> {{")
}

/// `if plan.{test}() { … }`: the record built in place in the reader's order, each field's
/// value by `field`, the writer-only fields after the last kept one skipped.
fn in_place(o: &mut String, test: &str, fields: &[Field], field: impl Fn(&Field) -> String) {
    let _ = writeln!(
        o,
        "if plan.{test}() {{\nlet mut w = plan.fields().iter();\nlet v = Self {{"
    );
    for f in fields {
        let _ = writeln!(o, "{}: {{ {} }},", field_name(&f.name), field(f));
    }
    let _ = writeln!(
        o,
        "}};\n{READ}::rest(r, w, p)?;\nr.leave();\nreturn Ok(v);\n}}"
    );
}

/// Every `Resolve` impl, for every named type.
pub fn generate(set: &SchemaSet) -> String {
    let mut o =
        format!("use {WIRE}::resolve::{{read, Op, Program, RunError}};\nuse {BINARY}::Reader;\n\n");
    for t in &set.types {
        let name = format!("{TYPES}::{}", type_name(&t.name.name));
        let _ = writeln!(o, "{}", head(&name));
        match &t.body {
            Body::Record(fields) => {
                let _ = writeln!(
                    o,
                    "let Some(plan) = {READ}::record(r, op, p)? else {{\nreturn Ok(<Self as {WIRE}::Decode>::decode(r)?);\n}};\nr.enter()?;"
                );
                // Kept fields in the reader's order, each written as the reader has it: read by
                // the reader's own decoders, only writer-only fields through their ops.
                in_place(&mut o, "verbatim", fields, |f| {
                    format!("{READ}::pass(r, &mut w, p)?; {}", dec(set, &f.ty, 0))
                });
                // Writer fields in the reader's order (writer-only ones aside): built in place.
                in_place(&mut o, "in_order", fields, |f| {
                    format!("let op = {READ}::next(r, &mut w, p)?; {}", res(set, &f.ty))
                });
                for (j, f) in fields.iter().enumerate() {
                    let _ = writeln!(o, "let mut f{j}: Option<{}> = None;", rust_type(set, &f.ty));
                }
                let _ = writeln!(o, "for (op, target) in plan.fields() {{\nmatch target {{");
                for (j, f) in fields.iter().enumerate() {
                    let _ = writeln!(o, "Some({j}) => f{j} = Some({}),", res(set, &f.ty));
                }
                let _ = writeln!(
                    o,
                    "_ => {READ}::skip(r, op, p)?,\n}}\n}}\nr.leave();\nOk(Self {{"
                );
                for (j, f) in fields.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "{}: match f{j} {{ Some(v) => v, None => plan.default({j}, |r| Ok({}))? }},",
                        field_name(&f.name),
                        dec(set, &f.ty, 0)
                    );
                }
                let _ = writeln!(o, "}})");
            }
            Body::Enum(e) => {
                let _ = writeln!(o, "Ok(match {READ}::enum_index(r, op)? {{");
                for (i, s) in e.symbols.iter().enumerate() {
                    let _ = writeln!(o, "{i} => {name}::{},", variant_name(s));
                }
                let _ = writeln!(o, "i => return Err({READ}::no_symbol(i)),\n}})");
            }
            Body::Fixed { size, .. } => {
                let _ = writeln!(o, "Ok(Self({READ}::fixed::<{size}>(r, op)?))");
            }
        }
        let _ = writeln!(o, "}}\n}}\n");
    }
    crate::emit::indent_blocks(&o)
}
