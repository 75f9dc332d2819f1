//! EVENT_TYPE_FORMAT: an event type matches the workspace's `event_type_pattern` (by default
//! `^[a-z]+\.[a-z_]+$`) and, where the layout asks for it, starts with its domain's entity type.

use super::*;

pub static RULE: Rule = Rule {
    id: "EVENT_TYPE_FORMAT",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every event type matches the workspace's event_type_pattern (default ^[a-z]+\\.[a-z_]+$) and, with event_type_prefix = \"entity_type\", starts with the domain's entity type.",
    why: "The envelope's validation rules fix the format; consumers route on the prefix.",
    hint: "name the event after the workspace's pattern, e.g. \"user.created\" (\"<domain>.<past_tense_action>\")",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let layout = &cx.catalog.layout;
    let attr = &layout.section.event_type_attribute;
    for (d, e) in cx.catalog.events() {
        let t = &set.types[e.record];
        let span = t.attr(attr).map_or(t.name_span, |a| a.span);
        let loc = cx.type_location(e.record);
        let prefix = match (&d.entity_type, layout.section.event_type_prefix.as_str()) {
            (Some(entity), "entity_type") => Some(entity.to_ascii_lowercase()),
            _ => None,
        };
        if !layout.event_type_regex.is_match(&e.event_type) {
            let msg = format!(
                "event type {:?} of {} does not match {}",
                e.event_type, t.name.name, layout.section.event_type_pattern
            );
            out.push(cx.finding(&RULE, e.record, span, loc, msg));
        } else if let Some(prefix) = prefix {
            if e.event_type.split('.').next() != Some(prefix.as_str()) {
                let msg = format!(
                    "event_type {:?} of {} must start with \"{prefix}.\" (its domain's entity type)",
                    e.event_type, t.name.name
                );
                out.push(cx.finding(&RULE, e.record, span, loc, msg));
            }
        }
    }
}
