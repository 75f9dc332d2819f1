//! FIELD_NAME_CASE: field names are snake_case.

use super::*;
use crate::model::walk_fields;

pub static RULE: Rule = Rule {
    id: "FIELD_NAME_CASE",
    family: Family::Lint,
    category: "NAMING",
    level: Level::Error,
    summary: "Checks that field names are snake_case.",
    why:
        "The seed's field patterns (*_cents, *_at) and the generated Rust fields assume snake_case.",
    hint: "rename the field in snake_case and keep the old name in \"aliases\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    walk_fields(set, |v| {
        if !is_snake(&v.field.name) {
            let msg = format!(
                "field `{}` of {} is not snake_case",
                v.field.name,
                cx.type_name(v.record)
            );
            out.push(cx.field_finding(&RULE, &v, msg));
        }
    });
}
