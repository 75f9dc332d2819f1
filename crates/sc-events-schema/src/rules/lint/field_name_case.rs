//! FIELD_NAME_CASE: field names follow the workspace's `field_case` (snake_case by default, or
//! camelCase).

use super::*;
use crate::model::walk_fields;

pub static RULE: Rule = Rule {
    id: "FIELD_NAME_CASE",
    family: Family::Lint,
    category: "NAMING",
    level: Level::Error,
    summary: "Checks that field names follow the workspace's field_case (snake_case unless the layout says camelCase).",
    why: "The field patterns (*_cents, *_at) and the generated Rust fields assume one convention per workspace.",
    hint: "rename the field in the workspace's case and keep the old name in \"aliases\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let case = cx.catalog.layout.section.field_case;
    walk_fields(set, |v| {
        if !case.matches(&v.field.name) {
            let msg = format!(
                "field `{}` of {} is not {}",
                v.field.name,
                cx.type_name(v.record),
                case.as_str()
            );
            out.push(cx.field_finding(&RULE, &v, msg));
        }
    });
}
