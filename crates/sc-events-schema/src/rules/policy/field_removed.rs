//! FIELD_REMOVED: no field is removed (with `field_removal = "with_default"`: none that had no
//! default).

use super::config::FieldRemoval;
use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "FIELD_REMOVED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no field is removed (or, where the policy sets field_removal = \"with_default\", none without a default).",
    why: "The evolution policy forbids removing fields: consumers built on the old schema still read them.",
    hint: "keep the field (document it as deprecated); producers may stop filling it if it is optional",
};

pub fn check(d: &Diff<'_>, policy: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldRemoved { old, record, .. } = c {
            if policy.field_removal == FieldRemoval::WithDefault && old.default.is_some() {
                continue;
            }
            let msg = format!(
                "field `{}` was removed from {}",
                old.name, d.new.types[*record].name.name
            );
            out.push(finding(d, &RULE, c, msg));
        }
    }
}
