//! FIELD_ADDED_WITHOUT_DEFAULT: every added field has a default.

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "FIELD_ADDED_WITHOUT_DEFAULT",
    family: Family::Policy,
    category: "DEFAULTS",
    level: Level::Error,
    summary: "Checks that every added field has a default.",
    why: "The evolution policy allows adding a field only as an optional one with a default: old data has no value for the field.",
    hint: "add \"default\": null (type [\"null\", T]) or another default",
};

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldAdded { new, .. } = c {
            if new.default.is_none() {
                out.push(finding(
                    d,
                    &RULE,
                    c,
                    format!("added field `{}` has no default", new.name),
                ));
            }
        }
    }
}
