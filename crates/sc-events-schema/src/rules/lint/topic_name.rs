//! TOPIC_NAME: every topic is named by the workspace's convention (`topic_pattern`; by default
//! `sc.<category>.<entity>[.<qualifier>]`), its category is one the workspace has
//! (`topic_categories`), and the name's category part is the topic's `category`.

use super::*;

pub static RULE: Rule = Rule {
    id: "TOPIC_NAME",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every topic name matches the workspace's topic_pattern (default sc.<category>.<entity>[.<qualifier>]), with a known category that the name repeats.",
    why: "Operators, ACLs and consumers find topics by their names: sc.dlq.* are the dead letters, sc.domain.* the sources of truth.",
    hint: "name the topic <prefix>.<category>.<entity>, e.g. sc.domain.user, with one of the workspace's categories",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let layout = &cx.catalog.layout;
    let categories = &layout.section.topic_categories;
    for t in &cx.catalog.topics {
        let name = t.name.get_ref();
        let message = if !categories.is_empty() && !categories.contains(&t.category) {
            Some(format!(
                "topic {name} has category {}, not one of {}",
                crate::text::quoted(&t.category),
                categories.join(", ")
            ))
        } else {
            match layout.topic_regex.as_ref().map(|r| r.captures(name)) {
                Some(None) => Some(format!(
                    "topic {name} does not match the workspace's topic_pattern {}",
                    layout.section.topic_pattern
                )),
                Some(Some(c)) => c
                    .name("category")
                    .filter(|m| m.as_str() != t.category)
                    .map(|m| {
                        format!(
                            "topic {name} is named as category {:?} but has category {:?}",
                            m.as_str(),
                            t.category
                        )
                    }),
                None => None,
            }
        };
        if let Some(message) = message {
            let span = t.name.span();
            out.push(
                Diagnostic::at(
                    RULE.level,
                    RULE.id,
                    message,
                    &cx.catalog.topics_file,
                    Span::new(span.start, span.end),
                )
                .with_hint(RULE.hint),
            );
        }
    }
}
