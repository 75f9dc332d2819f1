//! Constraints that tie a record's fields together, declared on the record as its
//! `"constraints"` (field-level constraints are the JSON Schema keywords on each field):
//!
//! ```json
//! {"type": "record", "name": "Actor", "fields": [...],
//!  "constraints": {"present_when": {"actor_id": {"actor_type": ["USER", "SUPPLIER", "ADMIN"]}}}}
//! ```
//!
//! `present_when`: the optional field (`actor_id`) is set exactly when the enum field
//! (`actor_type`) holds one of the symbols, and null otherwise. The lint (`CONSTRAINT_VALID`)
//! refuses a malformed one at its place; the generated `CheckFields` enforces it.

use super::{Body, Kind, SchemaSet, TypeId};
use crate::json::JsonNode;
use crate::source::Span;

/// One `present_when` entry: field `field` (an index into the record's fields) is non-null
/// exactly when the enum field `when` holds one of `symbols`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentWhen {
    pub field: usize,
    pub when: usize,
    pub symbols: Vec<String>,
}

/// What is wrong with a record's `constraints`, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordConstraintError {
    pub span: Span,
    pub message: String,
}

/// The `present_when` entries of `record` (none when it declares no record constraints).
pub fn present_when(
    set: &SchemaSet,
    record: TypeId,
) -> Result<Vec<PresentWhen>, RecordConstraintError> {
    let t = &set.types[record];
    let Body::Record(fields) = &t.body else {
        return Ok(Vec::new());
    };
    let Some(c) = t.attr("constraints") else {
        return Ok(Vec::new());
    };
    let err = |n: &JsonNode, message: String| RecordConstraintError {
        span: n.span,
        message,
    };
    let Some(members) = c.as_object() else {
        return Err(err(
            c,
            "a record's \"constraints\" must be an object".into(),
        ));
    };
    let mut out = Vec::new();
    for m in members {
        if m.key != "present_when" {
            return Err(err(
                &m.value,
                format!(
                    "unknown record constraint {}: records know present_when",
                    crate::text::quoted(&m.key)
                ),
            ));
        }
        let Some(entries) = m.value.as_object() else {
            return Err(err(
                &m.value,
                "present_when must be an object: {\"field\": {\"enum_field\": [symbols]}}".into(),
            ));
        };
        for e in entries {
            let field = fields.iter().position(|f| f.name == e.key);
            let Some(field) = field.filter(|&i| fields[i].ty.nullable_inner().is_some()) else {
                return Err(err(
                    &e.value,
                    format!(
                        "present_when names {}, which is not an optional field of {}",
                        crate::text::quoted(&e.key),
                        t.name.name
                    ),
                ));
            };
            let condition = e.value.as_object().filter(|c| c.len() == 1);
            let Some(cond) = condition.and_then(|c| c.first()) else {
                return Err(err(
                    &e.value,
                    "a present_when condition is one enum field and its symbols".into(),
                ));
            };
            let when = fields.iter().position(|f| f.name == cond.key);
            let enum_symbols = when.and_then(|i| match &fields[i].ty.kind {
                Kind::Named(id) => match &set.types[*id].body {
                    Body::Enum(b) => Some(&b.symbols),
                    _ => None,
                },
                _ => None,
            });
            let (Some(when), Some(known)) = (when, enum_symbols) else {
                return Err(err(
                    &cond.value,
                    format!(
                        "present_when's condition {} is not an enum field of {}",
                        crate::text::quoted(&cond.key),
                        t.name.name
                    ),
                ));
            };
            let mut symbols = Vec::new();
            for s in cond.value.as_array().unwrap_or(&[]) {
                match s.as_str() {
                    Some(sym) if known.iter().any(|k| k == sym) => symbols.push(sym.to_string()),
                    _ => {
                        return Err(err(
                            s,
                            format!("not a symbol of {}: {}", cond.key, known.join(", ")),
                        ))
                    }
                }
            }
            if symbols.is_empty() {
                return Err(err(
                    &cond.value,
                    "present_when needs a list of symbols".into(),
                ));
            }
            out.push(PresentWhen {
                field,
                when,
                symbols,
            });
        }
    }
    Ok(out)
}
