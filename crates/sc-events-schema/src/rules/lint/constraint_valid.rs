//! CONSTRAINT_VALID: a field's `"constraints"` (JSON Schema's validation keywords, written by
//! `schemactl import jsonschema` or by hand) are keywords this engine enforces, with values of
//! the right kind, on a field of a type they apply to, and consistent with each other; a
//! record's own `"constraints"` (`present_when`, [`crate::model::record_constraints`]) name
//! its optional fields, enum fields and symbols. The generated code enforces exactly these
//! when an event is built or serialized.

use super::*;
use crate::json::{Json, JsonNode};
use crate::model::{Body, Kind, Node, SchemaSet};

pub static RULE: Rule = Rule {
    id: "CONSTRAINT_VALID",
    family: Family::Lint,
    category: "TYPES",
    level: Level::Error,
    summary: "Checks that field constraints are known keywords with valid values that fit the field's type, and that a record's present_when names its optional fields, enum fields and their symbols.",
    why: "A constraint is enforced on every event built or serialized; one that cannot apply, or a pattern that does not compile, would fail every event or none.",
    hint: "use minLength/maxLength/pattern on strings, minimum/maximum/exclusiveMinimum/exclusiveMaximum/multipleOf on numbers, minItems/maxItems/uniqueItems on arrays, with numbers (pattern: a regex string)",
};

/// Which kind of field a keyword applies to.
fn applies(key: &str) -> Option<&'static str> {
    Some(match key {
        "minLength" | "maxLength" | "pattern" => "string",
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => "number",
        "minItems" | "maxItems" | "uniqueItems" => "array",
        _ => return None,
    })
}

fn kind_of(n: &Node) -> &'static str {
    match (&n.kind, n.logical_type.as_deref()) {
        (Kind::String, None) => "string",
        (Kind::Int | Kind::Long | Kind::Float | Kind::Double, None) => "number",
        (Kind::Array(_), _) => "array",
        _ => "other",
    }
}

fn problem(set: &SchemaSet, field: &Node, key: &str, v: &JsonNode) -> Option<String> {
    let Some(wants) = applies(key) else {
        return Some(format!("`{key}` is not a constraint this engine enforces"));
    };
    let have = kind_of(field);
    if wants != have {
        return Some(format!(
            "`{key}` applies to {wants} fields, not to this {have} field"
        ));
    }
    match key {
        "pattern" => match v.as_str() {
            Some(p) => regex::Regex::new(p)
                .err()
                .map(|e| format!("pattern {p:?} does not compile: {e}")),
            None => Some("`pattern` must be a string".into()),
        },
        "uniqueItems" => match (&v.value, &field.kind) {
            (Json::Bool(false), _) => None,
            (Json::Bool(true), Kind::Array(items)) => {
                let ok = matches!(
                    items.kind,
                    Kind::String | Kind::Int | Kind::Long | Kind::Boolean | Kind::Bytes
                ) || matches!(&items.kind, Kind::Named(id) if matches!(set.types[*id].body, Body::Enum(_)));
                (!ok).then(|| "`uniqueItems` is enforced on arrays of strings, integers, booleans, bytes or enums only".into())
            }
            _ => Some("`uniqueItems` must be true or false".into()),
        },
        "minLength" | "maxLength" | "minItems" | "maxItems" => match v.as_i64() {
            Some(n) if n >= 0 => None,
            _ => Some(format!("`{key}` must be a non-negative integer")),
        },
        "multipleOf" => match (v.as_i64(), &field.kind) {
            (Some(n), Kind::Int | Kind::Long) if n > 0 => None,
            _ => Some("`multipleOf` is enforced as a positive integer on integer fields".into()),
        },
        _ => match (&v.value, v.as_f64()) {
            (Json::Number(_), Some(x)) if x.is_finite() => None,
            _ => Some(format!("`{key}` must be a number")),
        },
    }
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    for (id, t) in set.types.iter().enumerate() {
        let Body::Record(fields) = &t.body else {
            continue;
        };
        // The record's own constraints, tying its fields together (present_when).
        if let Err(e) = crate::model::record_constraints::present_when(set, id) {
            out.push(cx.finding(&RULE, id, e.span, cx.type_location(id), e.message));
        }
        for (i, f) in fields.iter().enumerate() {
            let Some(c) = f.attr("constraints") else {
                continue;
            };
            let loc = cx.field_location(id, i);
            let Some(members) = c.as_object() else {
                let msg = format!("`constraints` of field `{}` must be an object", f.name);
                out.push(cx.finding(&RULE, id, c.span, loc, msg));
                continue;
            };
            let inner = f.ty.non_null();
            for m in members {
                if let Some(p) = problem(set, inner, &m.key, &m.value) {
                    let msg = format!("field `{}` of {}: {p}", f.name, t.name.name);
                    out.push(cx.finding(&RULE, id, m.key_span, loc.clone(), msg));
                }
            }
            let num = |k: &str| c.get(k).and_then(JsonNode::as_f64);
            for (lo, hi) in [
                ("minLength", "maxLength"),
                ("minimum", "maximum"),
                ("minItems", "maxItems"),
            ] {
                if let (Some(a), Some(b)) = (num(lo), num(hi)) {
                    if a > b {
                        let msg = format!(
                            "field `{}` of {}: {lo} {a} is above {hi} {b}: no value passes",
                            f.name, t.name.name
                        );
                        out.push(cx.finding(&RULE, id, c.span, loc.clone(), msg));
                    }
                }
            }
        }
    }
}
