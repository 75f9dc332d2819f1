//! REMOVAL_EVENT_TIER: whoever may learn that an entity exists may learn that it is gone. An
//! event that withdraws an entity (deleted, hidden, suspended, ...) is no more sensitive than
//! the most open event that announces one (created, published, activated) in its domain;
//! otherwise a PUBLIC projection keeps showing what was removed.

use super::*;
use crate::topics::PrivacyTier;

pub static RULE: Rule = Rule {
    id: "REMOVAL_EVENT_TIER",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that events withdrawing an entity are no more sensitive than the events announcing it.",
    why: "A consumer that saw an entity appear must see it disappear: a post deleted in an INTERNAL event stays in every PUBLIC feed.",
    hint: "lower the removal event's \"privacy_tier\" to that of the announcing event, moving any sensitive detail (who, free-text notes) to the envelope's actor or to a separate event",
};

/// Actions that announce an entity to its readers (the part after the domain's dot).
pub const ANNOUNCING: &[&str] = &["created", "published", "activated"];
/// Actions that withdraw it.
pub const WITHDRAWING: &[&str] = &[
    "deleted",
    "hidden",
    "unpublished",
    "suspended",
    "paused",
    "ended",
    "cancelled",
];

fn action(event_type: &str) -> &str {
    event_type.split_once('.').map_or("", |(_, a)| a)
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.catalog.layout.section.privacy_tiers {
        return; // a workspace without privacy tiers
    }
    let set = cx.set();
    for d in &cx.catalog.domains {
        let announcing = d
            .events
            .iter()
            .filter(|e| ANNOUNCING.contains(&action(&e.event_type)))
            .min_by_key(|e| e.tier_or_public());
        let Some(open) = announcing else { continue };
        for e in d
            .events
            .iter()
            .filter(|e| WITHDRAWING.contains(&action(&e.event_type)))
            .filter(|e| e.tier_or_public() > open.tier_or_public())
        {
            let t = &set.types[e.record];
            let span = t.attr("privacy_tier").map_or(t.name_span, |a| a.span);
            let msg = format!(
                "{} is {} but {} is {}: readers of {} could never learn of the removal",
                e.event_type,
                e.tier_or_public().as_str(),
                open.event_type,
                open.tier_or_public().as_str(),
                tier_readers(open.tier_or_public())
            );
            out.push(cx.finding(&RULE, e.record, span, cx.type_location(e.record), msg));
        }
    }
}

fn tier_readers(t: PrivacyTier) -> &'static str {
    match t {
        PrivacyTier::Public => "PUBLIC projections",
        PrivacyTier::Internal => "INTERNAL jobs",
        PrivacyTier::Restricted => "RESTRICTED jobs",
    }
}
