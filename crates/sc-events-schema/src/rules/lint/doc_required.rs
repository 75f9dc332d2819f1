//! DOC_REQUIRED: every record, enum, fixed and field has a non-empty `doc`.

use super::*;
use crate::model::walk_fields;

pub static RULE: Rule = Rule {
    id: "DOC_REQUIRED",
    family: Family::Lint,
    category: "DOCS",
    level: Level::Error,
    summary: "Checks that every record, enum, fixed and field has a non-empty doc.",
    why: "Schemas are the contract other teams read; an undocumented field gets misused.",
    hint: "add \"doc\": \"<what it means, its unit, when it is null>\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let empty = |d: &Option<String>| d.as_deref().is_none_or(|d| d.trim().is_empty());
    for (id, t) in set.types.iter().enumerate() {
        if empty(&t.doc) {
            let msg = format!("{} {} has no doc", t.body.kind_name(), t.name.name);
            out.push(cx.finding(&RULE, id, t.name_span, cx.type_location(id), msg));
        }
    }
    walk_fields(set, |v| {
        if empty(&v.field.doc) {
            let msg = format!(
                "field `{}` of {} has no doc",
                v.field.name,
                cx.type_name(v.record)
            );
            out.push(cx.field_finding(&RULE, &v, msg));
        }
    });
}
