//! Default values: whether a field's JSON default is a value of its type (Java Avro 1.12's
//! lenient rules).

use super::{Body, Kind, Node, SchemaSet};
use crate::json::{Json, JsonNode};

/// Whether a JSON default is a valid value of a type (Java Avro 1.12's lenient rules: a union
/// default may match any branch; "NaN"/"Infinity" strings are valid float/double defaults).
pub fn default_matches(
    set: &SchemaSet,
    ty: &Node,
    value: &JsonNode,
    depth: usize,
) -> Result<(), String> {
    if depth > 64 {
        return Ok(());
    }
    let ok = match (&ty.kind, &value.value) {
        (Kind::Null, Json::Null) => true,
        (Kind::Boolean, Json::Bool(_)) => true,
        (Kind::Int, Json::Number(_)) => value.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        (Kind::Long, Json::Number(_)) => value.as_i64().is_some(),
        (Kind::Float | Kind::Double, Json::Number(_)) => true,
        (Kind::Float | Kind::Double, Json::String(s)) => {
            matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") && depth == 0
        }
        (Kind::Bytes | Kind::String, Json::String(_)) => true,
        (Kind::Array(items), Json::Array(values)) => {
            for v in values {
                default_matches(set, items, v, depth + 1)?;
            }
            true
        }
        (Kind::Map(values), Json::Object(members)) => {
            for m in members {
                default_matches(set, values, &m.value, depth + 1)?;
            }
            true
        }
        (Kind::Union(branches), _) => {
            return if branches
                .iter()
                .any(|b| default_matches(set, b, value, depth + 1).is_ok())
            {
                Ok(())
            } else {
                Err(format!("{} matches no branch of the union", value.kind()))
            };
        }
        (Kind::Named(id), _) => match (&set.types[*id].body, &value.value) {
            (Body::Enum(_), Json::String(_)) => true,
            (Body::Fixed { .. }, Json::String(_)) => true,
            (Body::Record(fields), Json::Object(_)) => {
                for f in fields {
                    match value.get(&f.name) {
                        Some(v) => default_matches(set, &f.ty, v, depth + 1)?,
                        None if f.default.is_some() => {}
                        None => return Err(format!("record default lacks field {:?}", f.name)),
                    }
                }
                true
            }
            _ => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not a valid {}",
            value.kind(),
            ty.type_name(set)
        ))
    }
}
