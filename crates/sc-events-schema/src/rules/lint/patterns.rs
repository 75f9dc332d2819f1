//! Pattern rules loaded from `field_patterns.toml`: field-name globs with a type constraint.

use super::*;
use crate::model::walk_fields;
use crate::text::glob_match;
use serde::Deserialize;
use std::sync::OnceLock;

/// A rule that is only data: a name pattern and the types it requires.
#[derive(Debug)]
pub struct PatternRule {
    pub rule: Rule,
    pub globs: Vec<String>,
    pub types: Vec<String>,
    pub logical_types: Vec<String>,
    pub non_negative: bool,
    /// Globs exempt from `non_negative` (signed changes such as `*_delta`).
    pub signed: Vec<String>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    category: String,
    summary: String,
    why: String,
    hint: String,
    globs: Vec<String>,
    types: Vec<String>,
    #[serde(default)]
    logical_types: Vec<String>,
    #[serde(default)]
    non_negative: bool,
    #[serde(default)]
    signed: Vec<String>,
    message: String,
}

#[derive(Deserialize)]
struct File {
    rule: Vec<Raw>,
}

/// The pattern rules (parsed once; the file is part of the crate, checked by a test).
pub fn pattern_rules() -> &'static [PatternRule] {
    static RULES: OnceLock<Vec<PatternRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let file: File = match toml::from_str(include_str!("field_patterns.toml")) {
            Ok(f) => f,
            Err(_) => return Vec::new(), // unreachable: `pattern_rules_load` tests the file
        };
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        file.rule
            .into_iter()
            .map(|r| PatternRule {
                rule: Rule {
                    id: leak(r.id),
                    family: Family::Lint,
                    category: leak(r.category),
                    level: Level::Error,
                    summary: leak(r.summary),
                    why: leak(r.why),
                    hint: leak(r.hint),
                },
                globs: r.globs,
                types: r.types,
                logical_types: r.logical_types,
                non_negative: r.non_negative,
                signed: r.signed,
                message: r.message,
            })
            .collect()
    })
}

/// Whether a field must never be negative (used by the generated runtime validation):
/// it matches a `non_negative` pattern rule and none of that rule's `signed` globs.
pub fn is_non_negative_field(name: &str) -> bool {
    pattern_rules()
        .iter()
        .any(|p| p.non_negative && p.matches(name) && !p.signed.iter().any(|g| glob_match(g, name)))
}

impl PatternRule {
    pub fn matches(&self, field: &str) -> bool {
        self.globs.iter().any(|g| glob_match(g, field))
    }

    pub(super) fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        let set = cx.set();
        walk_fields(set, |v| {
            if !self.matches(&v.field.name) {
                return;
            }
            let ty = v.field.ty.non_null();
            let type_ok = self.types.iter().any(|t| t == ty.type_name(set));
            let logical_ok = self.logical_types.is_empty()
                || ty
                    .logical_type
                    .as_ref()
                    .is_some_and(|l| self.logical_types.contains(l));
            if type_ok && logical_ok {
                return;
            }
            let found = match &ty.logical_type {
                Some(l) => format!("{} ({l})", ty.type_name(set)),
                None => ty.type_name(set).to_string(),
            };
            let msg = self
                .message
                .replace("{field}", &v.field.name)
                .replace("{record}", &set.types[v.record].name.name)
                .replace("{found}", &found);
            out.push(cx.finding(
                &self.rule,
                v.record,
                ty.span,
                cx.field_location(v.record, v.index),
                msg,
            ));
        });
    }
}
