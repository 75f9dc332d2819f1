//! Java Avro 1.12.1's validity rules that go beyond the shape of the JSON, as its
//! `Schema.Parser` (default `NameValidator.UTF_VALIDATOR`, defaults validated) applies them:
//! names ([`is_valid_name`]), the equality that lets a named type be defined twice identically
//! ([`Equality`]; an enum's default is not part of it), the union rules ([`check_unions`]) and
//! what Java's resolution refuses when it copies records, arrays and maps: a property holding
//! an integer beyond `long` ([`check_copied_props`]). Defaults are checked in
//! `java_defaults`, `Double.parseDouble` is modelled in `java_numbers`.

use super::java_chars::{is_letter, is_letter_or_digit};
use super::java_numbers::java_double;
use super::{Body, Field, Kind, Node, SchemaSet, SeededMap, SeededSet, TypeId};
use crate::diag::{Diagnostic, Level};
use crate::json::{Json, JsonNode};
use crate::source::FileId;
use crate::text::quoted;
use std::collections::HashMap;

/// Whether `s` is a valid name segment for Java's `NameValidator.UTF_VALIDATOR`: a letter or
/// `_`, then letters, digits or `_` (Java's `Character.isLetter`/`isLetterOrDigit`, one UTF-16
/// unit at a time, so characters outside the BMP never qualify).
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || is_letter(c))
        && chars.all(|c| c == '_' || is_letter_or_digit(c))
}

/// Java's reason for refusing a name segment (`None` when valid).
pub(super) fn name_error(s: &str) -> Option<String> {
    if s.is_empty() {
        Some("Empty name".into())
    } else if !s.starts_with(|c: char| c == '_' || is_letter(c)) {
        Some(format!("Illegal initial character: {}", quoted(s)))
    } else if !is_valid_name(s) {
        Some(format!("Illegal character in: {}", quoted(s)))
    } else {
        None
    }
}

/// `ParseContext.requireValidFullName`: every part of `fullname.split("\\.")` (Java drops
/// trailing empty parts) must be a valid name.
pub(super) fn fullname_error(fullname: &str) -> Option<String> {
    let mut parts: Vec<&str> = fullname.split('.').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    let last = parts.len() - 1;
    parts.iter().enumerate().find_map(|(i, p)| {
        name_error(p).map(|e| {
            let what = if i == last { "Name" } else { "Namespace part" };
            format!("{what} {} is invalid: {e}", quoted(p))
        })
    })
}

/// Jackson's number classes: an integer literal is an int, long or big integer by size; any
/// other number a double.
#[derive(PartialEq)]
enum Num {
    Int(i64),
    Long(i64),
    Big(String),
    Double(u64),
}

fn num(text: &str) -> Num {
    if text.contains(['.', 'e', 'E']) {
        let v: f64 = text.parse().unwrap_or(f64::NAN);
        // Double.compare: -0.0 and 0.0 differ; equal values have equal bits otherwise.
        return Num::Double(v.to_bits());
    }
    match text.parse::<i64>() {
        Ok(v) if i32::try_from(v).is_ok() => Num::Int(v),
        Ok(v) => Num::Long(v),
        Err(_) => Num::Big(
            text.trim_start_matches('-').to_string() + if text.starts_with('-') { "-" } else { "" },
        ),
    }
}

/// Jackson's `JsonNode.equals`: objects compare as maps (last duplicate key wins), numbers by
/// class and value.
pub(super) fn json_eq(a: &JsonNode, b: &JsonNode) -> bool {
    match (&a.value, &b.value) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::String(x), Json::String(y)) => x == y,
        (Json::Number(x), Json::Number(y)) => num(x) == num(y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Json::Object(_), Json::Object(_)) => props_eq(a, b, &[]),
        _ => false,
    }
}

/// Whether two objects have equal members, ignoring the `reserved` keys.
fn props_eq(a: &JsonNode, b: &JsonNode, reserved: &[&str]) -> bool {
    fn map<'n>(n: &'n JsonNode, reserved: &[&str]) -> HashMap<&'n str, &'n JsonNode> {
        n.as_object()
            .unwrap_or(&[])
            .iter()
            .filter(|m| !reserved.contains(&m.key.as_str()))
            .map(|m| (m.key.as_str(), &m.value))
            .collect()
    }
    let (x, y) = (map(a, reserved), map(b, reserved));
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
}

/// Java's `Schema.SCHEMA_RESERVED` (what is not a schema property).
const SCHEMA_RESERVED: [&str; 10] = [
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
];
/// Java's `Schema.FIELD_RESERVED`.
const FIELD_RESERVED: [&str; 6] = ["default", "doc", "name", "order", "type", "aliases"];

/// What the parser knows about a schema's JSON for [`Equality`] and [`check_defaults`].
#[derive(Default, Clone)]
pub(super) struct Facts<'d> {
    /// The JSON definition of each named type.
    pub defs: SeededMap<TypeId, &'d JsonNode>,
    /// References that were placeholders when parsed (forward, or to an enclosing record),
    /// by (file, span start).
    pub placeholders: SeededSet<(FileId, usize)>,
    /// The type each JSON node denoting a named type resolved to, by (file, span start).
    pub named_at: SeededMap<(FileId, usize), TypeId>,
    /// The JSON node of every schema node and field object, by (file, span start).
    pub nodes: SeededMap<(FileId, usize), &'d JsonNode>,
    /// Named types in the order they were completed (Java's `ParseContext.put` order), first
    /// definitions only.
    pub completed: Vec<TypeId>,
}

/// Java's `Schema.equals` between a named type being put and the one already known under its
/// name, on the JSON as parsed (placeholders are distinct objects, equal to nothing).
pub(super) struct Equality<'a, 'd> {
    pub set: &'a SchemaSet,
    pub facts: &'a Facts<'d>,
    pub file: FileId,
    pub memo: SeededMap<(TypeId, TypeId), bool>,
}

impl Equality<'_, '_> {
    /// The named type a schema JSON node denotes, if any (`Err` for a placeholder).
    fn named(&self, file: FileId, j: &JsonNode) -> Result<Option<TypeId>, ()> {
        if self.facts.placeholders.contains(&(file, j.span.start)) && file == self.file {
            return Err(());
        }
        Ok(self.facts.named_at.get(&(file, j.span.start)).copied())
    }

    pub fn types(&mut self, a: TypeId, b: TypeId) -> bool {
        if a == b {
            return true;
        }
        if let Some(&r) = self.memo.get(&(a, b)) {
            return r;
        }
        self.memo.insert((a, b), true);
        let r = self.types_uncached(a, b);
        self.memo.insert((a, b), r);
        r
    }

    fn types_uncached(&mut self, a: TypeId, b: TypeId) -> bool {
        let (ta, tb) = (&self.set.types[a], &self.set.types[b]);
        let (Some(ja), Some(jb)) = (self.facts.defs.get(&a), self.facts.defs.get(&b)) else {
            return false;
        };
        if ta.name.fullname() != tb.name.fullname() {
            return false;
        }
        match (&ta.body, &tb.body) {
            (Body::Record(fa), Body::Record(fb)) => {
                props_eq(ja, jb, &SCHEMA_RESERVED)
                    && fa.len() == fb.len()
                    && fa
                        .iter()
                        .zip(fb)
                        .all(|(x, y)| self.field(ta.file, x, tb.file, y))
            }
            (Body::Enum(ea), Body::Enum(eb)) => {
                let mut reserved = SCHEMA_RESERVED.to_vec();
                reserved.push("default");
                // EnumSchema.equals: names, symbols, properties; not the enum default.
                props_eq(ja, jb, &reserved) && ea.symbols == eb.symbols
            }
            (Body::Fixed { size: x, .. }, Body::Fixed { size: y, .. }) => {
                props_eq(ja, jb, &SCHEMA_RESERVED) && x == y
            }
            _ => false,
        }
    }

    fn field(&mut self, fa: FileId, x: &Field, fb: FileId, y: &Field) -> bool {
        let (Some(jx), Some(jy)) = (
            self.facts.nodes.get(&(fa, x.span.start)),
            self.facts.nodes.get(&(fb, y.span.start)),
        ) else {
            return false;
        };
        let order = |j: &JsonNode| {
            j.get("order")
                .and_then(JsonNode::as_str)
                .map_or("ASCENDING".to_string(), str::to_uppercase)
        };
        let float = |f: &Field| matches!(f.ty.kind, Kind::Float | Kind::Double);
        let as_double = |f: &Field, d: &JsonNode| -> Option<u64> {
            match &d.value {
                Json::String(s) if float(f) => Some(canonical(java_double(s))),
                Json::Number(n) if float(f) && n.contains(['.', 'e', 'E']) => {
                    d.as_f64().map(canonical)
                }
                _ => None,
            }
        };
        let default_eq = match (&x.default, &y.default) {
            (None, None) => true,
            (Some(p), Some(q)) => match (as_double(x, p), as_double(y, q)) {
                (Some(u), Some(v)) => u == v,
                _ => json_eq(p, q),
            },
            _ => false,
        };
        x.name == y.name
            && default_eq
            && order(jx) == order(jy)
            && props_eq(jx, jy, &FIELD_RESERVED)
            && self.nodes(fa, &x.ty, fb, &y.ty)
    }

    fn nodes(&mut self, fa: FileId, a: &Node, fb: FileId, b: &Node) -> bool {
        let (Some(ja), Some(jb)) = (find_json(self.facts, fa, a), find_json(self.facts, fb, b))
        else {
            return false;
        };
        let (Ok(na), Ok(nb)) = (self.named(fa, ja), self.named(fb, jb)) else {
            return false;
        };
        match (na, nb, &a.kind, &b.kind) {
            (Some(x), Some(y), _, _) => self.types(x, y),
            (None, None, Kind::Union(xs), Kind::Union(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(p, q)| self.nodes(fa, p, fb, q))
            }
            (None, None, Kind::Array(p), Kind::Array(q))
            | (None, None, Kind::Map(p), Kind::Map(q)) => {
                prim_props_eq(ja, jb) && self.nodes(fa, p, fb, q)
            }
            (None, None, x, y) if std::mem::discriminant(x) == std::mem::discriminant(y) => {
                prim_props_eq(ja, jb)
            }
            _ => false,
        }
    }
}

fn prim_props_eq(a: &JsonNode, b: &JsonNode) -> bool {
    let empty = JsonNode {
        value: Json::Object(Vec::new()),
        span: a.span,
    };
    let obj = |n: &JsonNode| {
        if n.as_object().is_some() {
            n.clone()
        } else {
            empty.clone()
        }
    };
    props_eq(&obj(a), &obj(b), &SCHEMA_RESERVED)
}

/// The JSON node a model node was parsed from.
fn find_json<'d>(facts: &Facts<'d>, file: FileId, n: &Node) -> Option<&'d JsonNode> {
    facts.nodes.get(&(file, n.span.start)).copied()
}

/// A double's bits with every NaN the same (Avro's `defaultValueEquals`).
fn canonical(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

/// Java's `UnionSchema` rules, on the resolved branches: no union directly in a union, no two
/// branches of the same type (named types by full name).
pub(super) fn check_unions(set: &SchemaSet, errors: &mut Vec<Diagnostic>) {
    fn visit(set: &SchemaSet, n: &Node, errors: &mut Vec<Diagnostic>) {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            match &n.kind {
                Kind::Array(x) | Kind::Map(x) => stack.push(x),
                Kind::Union(bs) => {
                    let mut seen = std::collections::HashSet::with_capacity(bs.len());
                    for b in bs {
                        let key = match &b.kind {
                            Kind::Named(id) => set.types[*id].name.fullname(),
                            _ => b.type_name(set).to_string(),
                        };
                        if !seen.insert(key.clone()) {
                            errors.push(Diagnostic::at(
                                Level::Error,
                                "SCHEMA",
                                format!("duplicate {} in union", quoted(&key)),
                                &set.files[b.file],
                                b.span,
                            ));
                            return;
                        }
                        stack.push(b);
                    }
                }
                _ => {}
            }
        }
    }
    for root in &set.roots {
        visit(set, root, errors);
    }
    for t in &set.types {
        if let Body::Record(fields) = &t.body {
            for f in fields {
                visit(set, &f.ty, errors);
                if !errors.is_empty() {
                    return;
                }
            }
        }
    }
}

/// Whether a JSON value holds an integer outside Java's `long` (Jackson's `BigIntegerNode`),
/// anywhere inside it (objects as Jackson keeps them, last duplicate key winning).
fn holds_big_integer(j: &JsonNode) -> bool {
    let mut stack = vec![j];
    while let Some(j) = stack.pop() {
        match &j.value {
            Json::Number(n) if !n.contains(['.', 'e', 'E']) && n.parse::<i64>().is_err() => {
                return true
            }
            Json::Array(items) => stack.extend(items),
            Json::Object(_) => stack.extend(j.unique_members().into_iter().map(|m| &m.value)),
            _ => {}
        }
    }
    false
}

/// Java's resolution copies every record, array and map, their properties through
/// `getObjectProps` (`JacksonUtils.toObject`, which has no case for a big integer and yields
/// `null`) and `addProp` (which refuses `null`): a custom property of a record, array or map
/// holding an integer beyond `long` fails the parse ("Can't set a property to null"). The
/// properties of primitives, enums, fixed and fields are not converted and may hold one.
pub(super) fn check_copied_props(set: &SchemaSet, facts: &Facts<'_>, errors: &mut Vec<Diagnostic>) {
    let mut check = |file: FileId, what: &str, j: &JsonNode| {
        let bad = j
            .unique_members()
            .into_iter()
            .find(|m| !SCHEMA_RESERVED.contains(&m.key.as_str()) && holds_big_integer(&m.value));
        if let Some(m) = bad {
            errors.push(
                Diagnostic::at(
                    Level::Error,
                    "SCHEMA",
                    format!(
                        "property {} of this {what} holds an integer beyond the 64-bit range, which Java Avro cannot copy (\"Can't set a property to null\")",
                        quoted(&m.key)
                    ),
                    &set.files[file],
                    m.value.span,
                )
                .with_hint("write the number as a string, or move the property to the field"),
            );
            return true;
        }
        false
    };
    let mut nodes: Vec<&Node> = set.roots.iter().collect();
    for (id, t) in set.types.iter().enumerate() {
        if let Body::Record(fields) = &t.body {
            if let Some(j) = facts.defs.get(&id) {
                if check(t.file, "record", j) {
                    return;
                }
            }
            nodes.extend(fields.iter().map(|f| &f.ty));
        }
    }
    while let Some(n) = nodes.pop() {
        match &n.kind {
            Kind::Array(inner) | Kind::Map(inner) => {
                if let Some(j) = facts.nodes.get(&(n.file, n.span.start)) {
                    if check(n.file, n.type_name(set), j) {
                        return;
                    }
                }
                nodes.push(inner);
            }
            Kind::Union(branches) => nodes.extend(branches),
            _ => {}
        }
    }
}
