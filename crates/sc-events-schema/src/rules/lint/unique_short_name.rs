//! UNIQUE_SHORT_NAME: short names of named types are unique across every file.

use super::*;

pub static RULE: Rule = Rule {
    id: "UNIQUE_SHORT_NAME",
    family: Family::Lint,
    category: "CODEGEN",
    level: Level::Error,
    summary: "Checks that no two named types share a short name, whatever their namespaces.",
    why: "rsgen-avro ignores namespaces: two `Status` types would generate one Rust type.",
    hint: "prefix the name with its domain, e.g. \"OrderStatus\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let types = &cx.set().types;
    for (id, t) in types.iter().enumerate() {
        if let Some(first) = types[..id].iter().find(|f| f.name.name == t.name.name) {
            let msg = format!(
                "{} reuses the short name of {}",
                t.name.fullname(),
                first.name.fullname()
            );
            out.push(cx.finding(&RULE, id, t.name_span, cx.type_location(id), msg));
        }
    }
}
