//! KEY_FIELD_PRESENT: every payload carries its topic's partition-key field as a string, unless
//! (flat envelope) the key is one of the envelope's own fields, such as an `org_id`.

use super::*;
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "KEY_FIELD_PRESENT",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every payload has its topic's key field (e.g. user_id on sc.domain.user) as a string.",
    why: "The key is the entity id: it keeps one entity's events in one partition, in order.",
    hint: "add {\"name\": \"<key>\", \"type\": \"string\", \"doc\": \"...\"} as the payload's first field",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    for (d, e) in cx.catalog.events() {
        let Some(key) = cx.catalog.topic(&d.topic).and_then(|t| t.key.as_deref()) else {
            continue;
        };
        let in_envelope = cx.catalog.layout.section.envelope == crate::layout::EnvelopeStyle::Flat
            && set.fields(cx.catalog.envelope).iter().any(|f| {
                f.name == key && matches!(f.ty.kind, Kind::String | Kind::Int | Kind::Long)
            });
        if in_envelope {
            continue;
        }
        let t = &set.types[e.record];
        match set.fields(e.record).iter().position(|f| f.name == key) {
            None => {
                let msg = format!(
                    "{} has no `{key}` field, the key of {}",
                    t.name.name, d.topic
                );
                out.push(cx.finding(
                    &RULE,
                    e.record,
                    t.name_span,
                    cx.type_location(e.record),
                    msg,
                ));
            }
            Some(i) => {
                let f = &set.fields(e.record)[i];
                if f.ty.non_null().kind != Kind::String {
                    let msg = format!(
                        "key field `{key}` of {} must be a string, found {}",
                        t.name.name,
                        f.ty.type_name(set)
                    );
                    out.push(cx.finding(
                        &RULE,
                        e.record,
                        f.ty.span,
                        cx.field_location(e.record, i),
                        msg,
                    ));
                }
            }
        }
    }
}
