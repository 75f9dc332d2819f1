//! TOPIC_CLEANUP_POLICY: every topic's `cleanup_policy` is a Kafka `cleanup.policy` value
//! (`delete`, `compact`, or both) and one the workspace allows (`cleanup_policies`; by
//! default only `delete`: time-based retention everywhere).

use super::*;

pub static RULE: Rule = Rule {
    id: "TOPIC_CLEANUP_POLICY",
    family: Family::Lint,
    category: "CATALOG",
    level: Level::Error,
    summary: "Checks that every topic's cleanup_policy is a Kafka cleanup.policy (delete, compact, compact,delete) that the workspace allows (default: delete only).",
    why: "An unknown value fails when the topic is created; compaction keeps only the last event per key, which an event log cannot afford unless the workspace says so.",
    hint: "use cleanup_policy = \"delete\" (time-based retention), or list the policy in the layout's cleanup_policies",
};

/// Kafka's `cleanup.policy` values (a list of `delete` and `compact`, in any order).
fn kafka_value(p: &str) -> bool {
    let parts: Vec<&str> = p.split(',').map(str::trim).collect();
    !parts.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|x| matches!(*x, "delete" | "compact"))
        && !(parts.len() == 2 && parts[0] == parts[1])
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let allowed = &cx.catalog.layout.section.cleanup_policies;
    for t in &cx.catalog.topics {
        let p = &t.cleanup_policy;
        let message = if !kafka_value(p) {
            format!(
                "topic {} has cleanup_policy {}: Kafka knows delete, compact and compact,delete",
                t.name.get_ref(),
                crate::text::quoted(p)
            )
        } else if !allowed.is_empty() && !allowed.contains(p) {
            format!(
                "topic {} has cleanup_policy {}; the workspace allows {}",
                t.name.get_ref(),
                crate::text::quoted(p),
                allowed.join(", ")
            )
        } else {
            continue;
        };
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

#[cfg(test)]
mod tests {
    #[test]
    fn kafkas_values_in_either_order() {
        for ok in ["delete", "compact", "compact,delete", "delete, compact"] {
            assert!(super::kafka_value(ok), "{ok}");
        }
        for bad in [
            "",
            "remove",
            "delete,delete",
            "compact,delete,compact",
            "Delete",
        ] {
            assert!(!super::kafka_value(bad), "{bad}");
        }
    }
}
