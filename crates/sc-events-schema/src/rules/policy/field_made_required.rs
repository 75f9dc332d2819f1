//! FIELD_MADE_REQUIRED: an optional field stays optional.

use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::model::{Kind, Node};
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "FIELD_MADE_REQUIRED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no optional field (a union with null) becomes required.",
    why: "The evolution policy forbids optional → required: data already written holds nulls.",
    hint: "keep [\"null\", T] with \"default\": null",
};

fn nullable(n: &Node) -> bool {
    match &n.kind {
        Kind::Null => true,
        Kind::Union(b) => b.iter().any(|x| x.kind == Kind::Null),
        _ => false,
    }
}

pub fn check(d: &Diff<'_>, _: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldKept { old, new, .. } | Change::FieldRenamed { old, new, .. } = c {
            if nullable(&old.ty) && !nullable(&new.ty) {
                out.push(finding(
                    d,
                    &RULE,
                    c,
                    format!("field `{}` was optional and is now required", new.name),
                ));
            }
        }
    }
}
