//! UNION_BRANCH_REMOVED: a union keeps every branch (for `data`: every event type).

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "UNION_BRANCH_REMOVED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary:
        "Checks that no union branch is removed (for a domain's `data`: no event type is removed).",
    why:
        "Data already written uses the branch; the evolution policy only allows adding event types.",
    hint: "keep the branch; stop producing the event type instead of removing it",
};

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::UnionBranchRemoved { branch, .. } = c {
            out.push(finding(
                d,
                &RULE,
                c,
                format!("union branch `{branch}` was removed"),
            ));
        }
    }
}
