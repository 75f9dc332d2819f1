//! The evolution policy (the README's *The gate*: `--policy`), stricter than Avro: no field
//! removal, no rename, no type change (promotions included unless a subject allows them), no
//! optional→required, no enum symbol or union branch removal, and every added field has a
//! default.
//!
//! Rules are data (one file per rule with its `RULE`), configured per Confluent subject in
//! `schemas/policy.toml` ([`config`]). An intentional break goes through an explicit ignore
//! entry (subject + rule + reason, optionally a location), which is reported, never silent.

pub mod config;
mod constraint_tightened;
pub mod diff;
mod enum_symbol_removed;
mod field_added_without_default;
mod field_made_required;
mod field_removed;
mod field_renamed;
mod field_type_changed;
mod union_branch_removed;

pub use config::{FieldRemoval, Ignore, PolicyConfig, SubjectPolicy};
pub use diff::{Change, Diff};

use super::compat::SchemaRef;
use super::Rule;
use crate::source::{FileId, Span};

/// A policy violation, located in the new schema.
#[derive(Debug, Clone)]
pub struct PolicyFinding {
    pub rule: &'static Rule,
    /// JSON pointer in the new schema.
    pub location: String,
    pub message: String,
    pub span: (FileId, Span),
    /// The reason of the ignore entry that covers this finding, if any.
    pub ignored: Option<String>,
}

/// A policy check over the diff.
pub type Check = fn(&Diff<'_>, &SubjectPolicy, &mut Vec<PolicyFinding>);

/// Every policy rule, sorted by id.
pub static RULES: &[(&Rule, Check)] = &[
    (&constraint_tightened::RULE, constraint_tightened::check),
    (&enum_symbol_removed::RULE, enum_symbol_removed::check),
    (
        &field_added_without_default::RULE,
        field_added_without_default::check,
    ),
    (&field_made_required::RULE, field_made_required::check),
    (&field_removed::RULE, field_removed::check),
    (&field_renamed::RULE, field_renamed::check),
    (&field_type_changed::RULE, field_type_changed::check),
    (&union_branch_removed::RULE, union_branch_removed::check),
];

/// The id of the version rule ([`crate::rules::version::RULE`]), which the policy file may
/// disable like its own rules; here so the policy needs nothing of the version check.
pub const VERSION_BUMP: &str = "VERSION_BUMP";

/// The rule with this id.
/// `; did you mean "X"?` for an unknown policy rule id close to a real one (or nothing).
pub fn did_you_mean(id: &str) -> String {
    let ids = RULES
        .iter()
        .map(|(r, _)| r.id)
        .chain(std::iter::once(VERSION_BUMP));
    crate::text::closest(id, ids).map_or(String::new(), |n| format!("; did you mean {n:?}?"))
}

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().map(|(r, _)| *r).find(|r| r.id == id)
}

/// Checks the change from `old` (the newest registered version) to `new` under a subject's
/// policy. Findings covered by an ignore entry are returned with `ignored` set.
pub fn check(old: SchemaRef<'_>, new: SchemaRef<'_>, policy: &SubjectPolicy) -> Vec<PolicyFinding> {
    let diff = Diff::new(old, new);
    let mut out = Vec::new();
    for (rule, check) in RULES {
        if !policy.disabled.iter().any(|d| d == rule.id) {
            check(&diff, policy, &mut out);
        }
    }
    for f in &mut out {
        f.ignored = policy
            .ignores
            .iter()
            .find(|i| i.rule == f.rule.id && i.location.as_ref().is_none_or(|l| *l == f.location))
            .map(|i| i.reason.clone());
    }
    out.sort_by(|a, b| {
        (a.span.0, a.span.1.start, a.rule.id).cmp(&(b.span.0, b.span.1.start, b.rule.id))
    });
    out
}

pub(crate) fn finding(
    diff: &Diff<'_>,
    rule: &'static Rule,
    change: &Change<'_>,
    message: String,
) -> PolicyFinding {
    PolicyFinding {
        rule,
        location: change.path().to_string(),
        message,
        span: diff.span(change),
        ignored: None,
    }
}

#[cfg(test)]
mod tests;
