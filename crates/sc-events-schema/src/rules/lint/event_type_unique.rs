//! EVENT_TYPE_UNIQUE: no two payload records claim the same event_type.

use super::*;

pub static RULE: Rule = Rule {
    id: "EVENT_TYPE_UNIQUE",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every event_type is claimed by exactly one payload record.",
    why: "Consumers dispatch on event_type; two payloads under one name cannot be told apart.",
    hint: "give the second payload its own event_type",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let events: Vec<_> = cx.catalog.events().collect();
    for (i, (_, e)) in events.iter().enumerate() {
        if let Some((_, first)) = events[..i]
            .iter()
            .find(|(_, f)| f.event_type == e.event_type)
        {
            let t = &set.types[e.record];
            let span = t.attr("event_type").map_or(t.name_span, |a| a.span);
            let msg = format!(
                "event_type {:?} of {} is already used by {}",
                e.event_type, t.name.name, set.types[first.record].name.name
            );
            out.push(cx.finding(&RULE, e.record, span, cx.type_location(e.record), msg));
        }
    }
}
