//! FIELD_RENAMED: no field is renamed, with or without an alias.

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "FIELD_RENAMED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no field is renamed (an alias makes it Avro-compatible, not allowed).",
    why: "The evolution policy forbids renames: JSON consumers, projections and queries use field names.",
    hint: "keep the old name; if the rename is intended, keep the old name in \"aliases\" and add an ignore entry with the reason",
};

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldRenamed {
            old, new, by_alias, ..
        } = c
        {
            let how = if *by_alias {
                "with an alias"
            } else {
                "without an alias: readers will lose its data"
            };
            let msg = format!("field `{}` was renamed to `{}` ({how})", old.name, new.name);
            out.push(finding(d, &RULE, c, msg));
        }
    }
}
