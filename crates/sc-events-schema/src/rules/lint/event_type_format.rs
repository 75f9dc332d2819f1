//! EVENT_TYPE_FORMAT: `event_type` matches `^[a-z]+\.[a-z_]+$` and starts with its domain.

use super::*;

pub static RULE: Rule = Rule {
    id: "EVENT_TYPE_FORMAT",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every event_type matches ^[a-z]+\\.[a-z_]+$ and its prefix is the domain's entity type.",
    why: "The envelope's validation rules fix the format; consumers route on the prefix.",
    hint: "name the event \"<domain>.<past_tense_action>\", e.g. \"user.created\"",
};

/// `^[a-z]+\.[a-z_]+$`
pub(crate) fn valid_event_type(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && a.chars().all(|c| c.is_ascii_lowercase())
                && !b.is_empty()
                && b.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        }
        None => false,
    }
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    for (d, e) in cx.catalog.events() {
        let t = &set.types[e.record];
        let span = t.attr("event_type").map_or(t.name_span, |a| a.span);
        let loc = cx.type_location(e.record);
        let prefix = d.entity_type.to_ascii_lowercase();
        if !valid_event_type(&e.event_type) {
            let msg = format!(
                "event_type {:?} of {} does not match ^[a-z]+\\.[a-z_]+$",
                e.event_type, t.name.name
            );
            out.push(cx.finding(&RULE, e.record, span, loc, msg));
        } else if e.event_type.split('.').next() != Some(prefix.as_str()) {
            let msg = format!(
                "event_type {:?} of {} must start with \"{prefix}.\" (its domain's entity type)",
                e.event_type, t.name.name
            );
            out.push(cx.finding(&RULE, e.record, span, loc, msg));
        }
    }
}
