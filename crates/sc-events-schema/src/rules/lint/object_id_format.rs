//! OBJECT_ID_FORMAT: a string field documented as a MongoDB ObjectId (seed 000: entity ids are
//! ObjectIds) carries the ObjectId form as its `pattern` constraint, so the generated checks
//! refuse anything else (24 lower-case hexadecimal digits).

use super::*;
use crate::json::Json;
use crate::model::{walk_fields, Kind};

/// An ObjectId as text: 12 bytes in lower-case hexadecimal.
pub const OBJECT_ID_PATTERN: &str = "^[0-9a-f]{24}$";

pub static RULE: Rule = Rule {
    id: "OBJECT_ID_FORMAT",
    family: Family::Lint,
    category: "TYPES",
    level: Level::Error,
    summary: "Checks that string fields documented as MongoDB ObjectIds carry the ObjectId pattern constraint.",
    why: "Entity ids are MongoDB ObjectIds (24 hex digits); without the constraint any string passes and a typo'd id reaches every consumer.",
    hint: "add \"constraints\": {\"pattern\": \"^[0-9a-f]{24}$\"} to the field",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    walk_fields(set, |v| {
        let f = v.field;
        let documented = f.doc.as_deref().is_some_and(|d| d.contains("ObjectId"));
        if !documented || !matches!(f.ty.non_null().kind, Kind::String) {
            return;
        }
        let pattern = f
            .attr("constraints")
            .and_then(|c| c.get("pattern"))
            .map(|p| &p.value);
        if !matches!(pattern, Some(Json::String(p)) if p == OBJECT_ID_PATTERN) {
            let msg = format!(
                "field `{}` of {} is a MongoDB ObjectId but is not constrained to one ({OBJECT_ID_PATTERN})",
                f.name, set.types[v.record].name.name
            );
            out.push(cx.field_finding(&RULE, &v, msg));
        }
    });
}
