//! TYPE_NAME_CASE: record, enum and fixed names are PascalCase.

use super::*;

pub static RULE: Rule = Rule {
    id: "TYPE_NAME_CASE",
    family: Family::Lint,
    category: "NAMING",
    level: Level::Error,
    summary: "Checks that record, enum and fixed names are PascalCase.",
    why: "Names become Rust type names; PascalCase keeps them identical.",
    hint: "rename the type in PascalCase and keep the old full name in \"aliases\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (id, t) in cx.set().types.iter().enumerate() {
        if !is_pascal(&t.name.name) {
            let msg = format!(
                "{} name {:?} is not PascalCase",
                t.body.kind_name(),
                t.name.name
            );
            out.push(cx.finding(
                &RULE,
                id,
                t.name_span,
                format!("{}/name", cx.type_location(id).trim_end_matches('/')),
                msg,
            ));
        }
    }
}
