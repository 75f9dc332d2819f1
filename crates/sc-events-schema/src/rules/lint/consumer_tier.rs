//! CONSUMER_TIER: every consuming job can see every event it says it handles. A job reads only
//! events at or below its `max_tier`, so an event it names that sits above it would be refused
//! forever: the projection silently misses it (a user card that never learns of a new user).

use super::*;
use crate::text::glob_match;

pub static RULE: Rule = Rule {
    id: "CONSUMER_TIER",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that no consumer handles an event above the privacy tier it may read.",
    why: "Events above a job's max_tier are refused before its handler; an event the job needs but can never receive is a projection that silently goes stale.",
    hint: "move the sensitive fields into a separate event of the higher tier so the event the job needs can be PUBLIC or INTERNAL, or (if the job may see them) raise its max_tier",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.catalog.layout.section.privacy_tiers {
        return; // a workspace without privacy tiers
    }
    let catalog = cx.catalog;
    for c in &catalog.consumers {
        let max = *c.max_tier.get_ref();
        let name = c.name.get_ref();
        for pattern in &c.event_types {
            let matched: Vec<_> = catalog
                .events()
                .filter(|(d, e)| c.reads(&d.topic) && glob_match(pattern.get_ref(), &e.event_type))
                .map(|(_, e)| e)
                .collect();
            let visible = matched.iter().any(|e| e.tier_or_public() <= max);
            let message = match matched.as_slice() {
                [e] if !visible => format!(
                    "consumer {name:?} may read up to {} but handles {}, which is {}: it would never receive it",
                    max.as_str(),
                    e.event_type,
                    e.tier_or_public().as_str()
                ),
                [_, ..] if !visible => format!(
                    "consumer {name:?} may read up to {} but every event matching {:?} is above it",
                    max.as_str(),
                    pattern.get_ref()
                ),
                _ => continue,
            };
            let span = pattern.span();
            out.push(
                Diagnostic::at(
                    RULE.level,
                    RULE.id,
                    message,
                    &catalog.topics_file,
                    Span::new(span.start, span.end),
                )
                .with_hint(RULE.hint),
            );
        }
    }
}
