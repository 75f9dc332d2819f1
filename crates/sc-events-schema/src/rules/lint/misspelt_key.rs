//! MISSPELT_KEY: no attribute of a field or a named type is a near miss of a key Avro defines
//! (`defualt`, `namepsace`, `aliasses`): Avro keeps an unknown attribute as a custom property
//! without a word, so the misspelt default, namespace or alias silently does not exist.

use super::*;
use crate::model::walk_fields;
use crate::text::closest;

pub static RULE: Rule = Rule {
    id: "MISSPELT_KEY",
    family: Family::Lint,
    category: "SCHEMA",
    level: Level::Error,
    summary: "Checks that no attribute is a misspelling of a key Avro defines.",
    why: "Avro keeps an unknown attribute as a custom property, so a misspelt \"default\" or \"aliases\" silently does not exist.",
    hint: "spell the key as Avro does (or rename the custom attribute so it is not one edit away)",
};

/// The keys Avro defines on fields and named types.
const AVRO_KEYS: &[&str] = &[
    "aliases",
    "default",
    "doc",
    "fields",
    "items",
    "logicalType",
    "name",
    "namespace",
    "order",
    "precision",
    "scale",
    "size",
    "symbols",
    "type",
    "values",
];

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let mut flag = |owner, key: &str, span, location: String| {
        if let Some(k) = closest(key, AVRO_KEYS.iter().copied()) {
            out.push(cx.finding(
                &RULE,
                owner,
                span,
                location,
                format!("unknown attribute {key:?}: did you mean {k:?}? (Avro ignores {key:?})"),
            ));
        }
    };
    for (id, t) in set.types.iter().enumerate() {
        for m in &t.attrs {
            flag(id, &m.key, m.key_span, cx.type_location(id));
        }
    }
    walk_fields(set, |v| {
        for m in &v.field.attrs {
            flag(
                v.record,
                &m.key,
                m.key_span,
                cx.field_location(v.record, v.index),
            );
        }
    });
}
