//! ENUM_SYMBOL_REMOVED: an enum keeps every symbol it ever had.

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "ENUM_SYMBOL_REMOVED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no enum symbol is removed.",
    why: "The evolution policy forbids removing enum values: data already written holds them, and readers without an enum default fail on them.",
    hint: "keep the symbol (document it as deprecated); readers map unknown values through the enum \"default\"",
};

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::EnumSymbolsRemoved { removed, new, .. } = c {
            let msg = format!(
                "enum {} lost symbol(s) {}",
                d.new.types[*new].name.name,
                removed.join(", ")
            );
            out.push(finding(d, &RULE, c, msg));
        }
    }
}
