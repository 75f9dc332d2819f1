//! MONEY_HAS_CURRENCY: a record with `*_cents` amounts has a string `currency` field.

use super::*;
use crate::model::{Body, Kind};

pub static RULE: Rule = Rule {
    id: "MONEY_HAS_CURRENCY",
    family: Family::Lint,
    category: "TYPES",
    level: Level::Error,
    summary: "Checks that every record holding *_cents amounts also holds a string `currency` (ISO-4217).",
    why: "An amount in minor units means nothing without its currency.",
    hint: "add {\"name\": \"currency\", \"type\": \"string\", \"doc\": \"ISO-4217 code of every *_cents amount\"}",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (id, t) in cx.set().types.iter().enumerate() {
        let Body::Record(fields) = &t.body else {
            continue;
        };
        let Some(first) = fields.iter().position(|f| f.name.ends_with("_cents")) else {
            continue;
        };
        let has = fields
            .iter()
            .any(|f| f.name == "currency" && f.ty.non_null().kind == Kind::String);
        if !has {
            let msg = format!(
                "{} has `{}` but no string `currency` field",
                t.name.name, fields[first].name
            );
            out.push(cx.finding(
                &RULE,
                id,
                fields[first].name_span,
                cx.field_location(id, first),
                msg,
            ));
        }
    }
}
