//! ENUM_SYMBOL_CASE: enum symbols are UPPER_SNAKE_CASE.

use super::*;
use crate::model::Body;

pub static RULE: Rule = Rule {
    id: "ENUM_SYMBOL_CASE",
    family: Family::Lint,
    category: "NAMING",
    level: Level::Error,
    summary: "Checks that enum symbols are UPPER_SNAKE_CASE.",
    why: "Generated Rust variants are derived from symbols; one style keeps them predictable.",
    hint: "spell the symbol in UPPER_SNAKE_CASE, e.g. \"PENDING_VERIFICATION\"",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (id, t) in cx.set().types.iter().enumerate() {
        if let Body::Enum(e) = &t.body {
            for s in &e.symbols {
                // Not `to_shouty_snake_case() == s` (heck): that would also refuse `A__B` and
                // a trailing `_`, which the rule has always accepted.
                let ok = s.starts_with(|c: char| c.is_ascii_uppercase())
                    && s.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !ok {
                    let msg = format!(
                        "symbol {s:?} of enum {} is not UPPER_SNAKE_CASE",
                        t.name.name
                    );
                    out.push(cx.finding(
                        &RULE,
                        id,
                        e.symbols_span,
                        format!("{}/symbols", cx.type_location(id).trim_end_matches('/')),
                        msg,
                    ));
                }
            }
        }
    }
}
