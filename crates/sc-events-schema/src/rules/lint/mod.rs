//! Lint: the workspace's contract conventions (the README's *The schemas*) and the team's
//! schema style, checked on one schema directory. Rules written in code live one per file
//! (`<rule_id>.rs`); pure field-name pattern rules are data in `field_patterns.toml`. [`RULES`]
//! is the sorted table of the coded ones.

mod constraint_valid;
mod consumer_tier;
mod doc_required;
mod enum_symbol_case;
mod event_type_format;
mod event_type_unique;
mod field_name_case;
mod key_field_present;
mod logical_type_valid;
mod login_event_no_ip;
mod misspelt_key;
mod money_has_currency;
mod object_id_format;
mod optional_default_null;
mod patterns;
mod pii_encrypted;
mod pii_tier;
pub(crate) mod pii_unmarked;
mod removal_event_tier;
mod topic_cleanup_policy;
mod topic_name;
mod type_name_case;
mod unique_short_name;

pub use patterns::{is_non_negative_field, pattern_rules, PatternRule};

use super::{definition_pointers, Family, Rule};
use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Level};
use crate::model::{SchemaSet, TypeId};
use crate::source::Span;

/// What a lint check sees: the loaded catalog and where each named type is defined.
pub struct LintContext<'a> {
    pub catalog: &'a Catalog,
    pointers: Vec<String>,
}

impl<'a> LintContext<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        LintContext {
            catalog,
            pointers: definition_pointers(&catalog.set),
        }
    }

    pub fn set(&self) -> &'a SchemaSet {
        &self.catalog.set
    }

    /// JSON pointer of a named type's definition (`/` for a file's root).
    pub fn type_location(&self, id: TypeId) -> String {
        match self.pointers[id].as_str() {
            "" => "/".to_string(),
            p => p.to_string(),
        }
    }

    /// JSON pointer of a record's field.
    pub fn field_location(&self, record: TypeId, index: usize) -> String {
        format!("{}/fields/{index}", self.pointers[record])
    }

    /// A finding of `rule` about a field, marked at the field's name.
    pub fn field_finding(
        &self,
        rule: &Rule,
        v: &crate::model::FieldVisit<'_>,
        message: String,
    ) -> Diagnostic {
        let loc = self.field_location(v.record, v.index);
        self.finding(rule, v.record, v.field.name_span, loc, message)
    }

    /// The short name of a named type (for messages).
    pub fn type_name(&self, id: TypeId) -> &'a str {
        &self.set().types[id].name.name
    }

    /// A finding of `rule` at `span` of the file that defines `owner`.
    pub fn finding(
        &self,
        rule: &Rule,
        owner: TypeId,
        span: Span,
        location: String,
        message: String,
    ) -> Diagnostic {
        let set = self.set();
        Diagnostic::at(
            rule.level,
            rule.id,
            message,
            &set.files[set.types[owner].file],
            span,
        )
        .with_location(location)
        .with_hint(rule.hint)
    }
}

/// A coded lint check.
pub type Check = fn(&LintContext<'_>, &mut Vec<Diagnostic>);

/// Every coded lint rule, sorted by id.
pub static RULES: &[(&Rule, Check)] = &[
    (&constraint_valid::RULE, constraint_valid::check),
    (&consumer_tier::RULE, consumer_tier::check),
    (&doc_required::RULE, doc_required::check),
    (&enum_symbol_case::RULE, enum_symbol_case::check),
    (&event_type_format::RULE, event_type_format::check),
    (&event_type_unique::RULE, event_type_unique::check),
    (&field_name_case::RULE, field_name_case::check),
    (&key_field_present::RULE, key_field_present::check),
    (&logical_type_valid::RULE, logical_type_valid::check),
    (&login_event_no_ip::RULE, login_event_no_ip::check),
    (&misspelt_key::RULE, misspelt_key::check),
    (&money_has_currency::RULE, money_has_currency::check),
    (&object_id_format::RULE, object_id_format::check),
    (&optional_default_null::RULE, optional_default_null::check),
    (&pii_encrypted::RULE, pii_encrypted::check),
    (&pii_tier::RULE, pii_tier::check),
    (&pii_unmarked::RULE, pii_unmarked::check),
    (&removal_event_tier::RULE, removal_event_tier::check),
    (&topic_cleanup_policy::RULE, topic_cleanup_policy::check),
    (&topic_name::RULE, topic_name::check),
    (&type_name_case::RULE, type_name_case::check),
    (&unique_short_name::RULE, unique_short_name::check),
];

/// Every lint rule, coded and pattern, sorted by id.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut v: Vec<&'static Rule> = RULES.iter().map(|(r, _)| *r).collect();
    v.extend(pattern_rules().iter().map(|p| &p.rule));
    v.sort_by_key(|r| r.id);
    v
}

/// Runs every lint rule; findings sorted by file, line and column, after an error for every
/// `[lint] allow` id that is not a lint rule (see [`super::check_lint_allow`]).
pub fn lint(catalog: &Catalog) -> Vec<Diagnostic> {
    let cx = LintContext::new(catalog);
    let mut out = Vec::new();
    for (_, check) in RULES {
        check(&cx, &mut out);
    }
    for p in pattern_rules() {
        p.check(&cx, &mut out);
    }
    out.retain(|d| !catalog.layout.lint_allow.contains(&d.code));
    out.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.code).cmp(&(&b.file, b.line, b.column, &b.code))
    });
    let mut config = super::check_lint_allow(&catalog.layout);
    config.append(&mut out);
    config
}

/// Whether `s` is PascalCase (`UserCreated`). Not `s.to_upper_camel_case() == s` (heck):
/// heck rewrites acronyms (`HTTPRequest` → `HttpRequest`), so it would flag type names this
/// rule accepts today.
pub(crate) fn is_pascal(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;
