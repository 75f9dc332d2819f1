//! CONSTRAINT_TIGHTENED: a field's declared `"constraints"` never get stricter: a lower bound
//! never rises, an upper bound never falls, and a pattern, format, `multipleOf` or
//! `uniqueItems` is never added or changed. Avro's resolution ignores constraints, so a
//! tighter one is compatible to Java; it is the data already written that breaks it.

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::model::Field;
use crate::rules::{Family, Rule};
use serde_json::Value;

pub static RULE: Rule = Rule {
    id: "CONSTRAINT_TIGHTENED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no field constraint gets stricter (a higher minLength or minimum, a lower maxLength or maximum, a new or changed pattern, format, multipleOf or uniqueItems).",
    why: "Events written under the old constraint (a 200-character name under maxLength 200) fail the new one: consumers that validate refuse the topic's own history and a replay fails.",
    hint: "keep the old bound (validate the stricter rule in the producer's own code), or tighten it in a new major version",
};

/// Keys whose larger value is stricter, and whose smaller value is.
const LOWER: &[&str] = &["minLength", "minItems", "minimum", "exclusiveMinimum"];
const UPPER: &[&str] = &["maxLength", "maxItems", "maximum", "exclusiveMaximum"];

fn constraints(f: &Field) -> serde_json::Map<String, Value> {
    match f.attr("constraints").map(|c| c.to_value()) {
        Some(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// How `key` got stricter from `old` to `new`, if it did.
fn tighter(key: &str, old: Option<&Value>, new: &Value) -> Option<String> {
    let num = |v: &Value| v.as_f64();
    let show = |v: &Value| v.to_string();
    let moved = |stricter: bool| {
        stricter.then(|| match old {
            Some(o) => format!("{key} {} → {}", show(o), show(new)),
            None => format!("{key} {} added", show(new)),
        })
    };
    if LOWER.contains(&key) {
        moved(old.is_none_or(|o| num(new) > num(o)))
    } else if UPPER.contains(&key) {
        moved(old.is_none_or(|o| num(new) < num(o)))
    } else if key == "uniqueItems" {
        moved(new == &Value::Bool(true) && old != Some(&Value::Bool(true)))
    } else {
        moved(old != Some(new))
    }
}

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldKept { old, new, .. } | Change::FieldRenamed { old, new, .. } = c {
            let (was, now) = (constraints(old), constraints(new));
            let changes: Vec<String> = now
                .iter()
                .filter_map(|(k, v)| tighter(k, was.get(k), v))
                .collect();
            if !changes.is_empty() {
                let msg = format!(
                    "field `{}` has stricter constraints: {}; events already written may break them",
                    new.name,
                    changes.join(", ")
                );
                out.push(finding(d, &RULE, c, msg));
            }
        }
    }
}
