//! OPTIONAL_DEFAULT_NULL: optional fields are `["null", T]` with `"default": null`.

use super::*;
use crate::json::Json;
use crate::model::{walk_fields, Kind};

pub static RULE: Rule = Rule {
    id: "OPTIONAL_DEFAULT_NULL",
    family: Family::Lint,
    category: "EVOLUTION",
    level: Level::Error,
    summary:
        "Checks that every field whose union allows null lists \"null\" first and defaults to null.",
    why: "A null default is what lets readers fill the field when it is missing.",
    hint: "write the type as [\"null\", T] and add \"default\": null",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    walk_fields(set, |v| {
        let Kind::Union(branches) = &v.field.ty.kind else {
            return;
        };
        let Some(null_at) = branches.iter().position(|b| b.kind == Kind::Null) else {
            return;
        };
        let rec = &set.types[v.record].name.name;
        let loc = cx.field_location(v.record, v.index);
        let problem = if null_at != 0 {
            Some((
                v.field.ty.span,
                format!(
                    "optional field `{}` of {rec} must list \"null\" first",
                    v.field.name
                ),
            ))
        } else {
            match &v.field.default {
                None => Some((
                    v.field.name_span,
                    format!("optional field `{}` of {rec} has no default", v.field.name),
                )),
                Some(d) if d.value != Json::Null => Some((
                    d.span,
                    format!(
                        "optional field `{}` of {rec} must default to null",
                        v.field.name
                    ),
                )),
                _ => None,
            }
        };
        if let Some((span, msg)) = problem {
            out.push(cx.finding(&RULE, v.record, span, loc, msg));
        }
    });
}
