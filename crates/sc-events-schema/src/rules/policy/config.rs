//! `policy.toml`: the evolution policy per Confluent subject, and the reviewable ignore entries.
//!
//! ```toml
//! [default]                         # every subject
//! allow_promotions = false
//! disabled = []                     # rule ids
//! field_removal = "never"           # or "with_default": a field that had a default may go
//! across_majors = []                # rule ids also checked against the previous major
//!
//! [subject."sc.domain.order-value"] # overrides for one subject
//! allow_promotions = true
//!
//! [[ignore]]                        # one intentional break
//! subject = "sc.domain.user-value"
//! rule = "FIELD_RENAMED"
//! location = "/fields/1/type/2/fields/1"   # optional: only this finding
//! reason = "bio renamed to about; approved in ADR-17, consumers migrated"
//! ```

use crate::diag::{Diagnostic, Level};
use crate::source::{SourceFile, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    allow_promotions: Option<bool>,
    #[serde(default)]
    disabled: Vec<Spanned<String>>,
    field_removal: Option<FieldRemoval>,
    #[serde(default)]
    across_majors: Vec<Spanned<String>>,
}

/// Which fields may be removed (`FIELD_REMOVED`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRemoval {
    /// No field is removed (consumers built on the old schema still read them).
    #[default]
    Never,
    /// A field that had a default may be removed: old readers fill it from their default.
    WithDefault,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    subject: String,
    rule: Spanned<String>,
    location: Option<String>,
    reason: Spanned<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    default: Settings,
    #[serde(default)]
    subject: BTreeMap<String, Settings>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

/// An accepted intentional break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub subject: String,
    pub rule: String,
    pub location: Option<String>,
    pub reason: String,
}

/// The whole policy file.
#[derive(Debug, Clone, Default)]
pub struct PolicyConfig {
    raw: Raw,
}

/// The resolved policy of one subject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectPolicy {
    pub subject: String,
    pub allow_promotions: bool,
    pub disabled: Vec<String>,
    pub field_removal: FieldRemoval,
    /// Rules checked against the newest version of the previous major too, where a major
    /// version starts a new compatibility group (a type change is never allowed, say).
    pub across_majors: Vec<String>,
    pub ignores: Vec<Ignore>,
}

impl PolicyConfig {
    /// Parses and validates a policy file (unknown rule ids and empty reasons are errors).
    pub fn parse(file: &SourceFile) -> Result<PolicyConfig, Vec<Diagnostic>> {
        let err = |span: Span, msg: String| Diagnostic::at(Level::Error, "POLICY", msg, file, span);
        let raw: Raw = toml::from_str(&file.text).map_err(|e| {
            let span = e
                .span()
                .map_or(Span::default(), |r| Span::new(r.start, r.end));
            vec![err(span, format!("invalid policy file: {}", e.message()))]
        })?;
        let mut errors = Vec::new();
        let sp = |s: &std::ops::Range<usize>| Span::new(s.start, s.end);
        let all = std::iter::once(&raw.default).chain(raw.subject.values());
        for id in all.flat_map(|s| s.disabled.iter().chain(s.across_majors.iter())) {
            if super::rule(id.get_ref()).is_none() && id.get_ref() != super::VERSION_BUMP {
                errors.push(err(
                    sp(&id.span()),
                    format!(
                        "unknown policy rule {:?}{}",
                        id.get_ref(),
                        super::did_you_mean(id.get_ref())
                    ),
                ));
            }
        }
        for i in &raw.ignore {
            if super::rule(i.rule.get_ref()).is_none() {
                errors.push(err(
                    sp(&i.rule.span()),
                    format!(
                        "unknown policy rule {:?}{}",
                        i.rule.get_ref(),
                        super::did_you_mean(i.rule.get_ref())
                    ),
                ));
            }
            if i.reason.get_ref().trim().is_empty() {
                errors.push(err(
                    sp(&i.reason.span()),
                    "an ignore entry needs a reason a reviewer can judge".into(),
                ));
            }
        }
        if errors.is_empty() {
            Ok(PolicyConfig { raw })
        } else {
            Err(errors)
        }
    }

    /// The policy of one subject: its overrides on top of `[default]`, and its ignore entries.
    pub fn for_subject(&self, subject: &str) -> SubjectPolicy {
        let over = self.raw.subject.get(subject);
        let ids = |s: &Settings| {
            s.disabled
                .iter()
                .map(|x| x.get_ref().clone())
                .collect::<Vec<_>>()
        };
        let mut disabled = ids(&self.raw.default);
        if let Some(o) = over {
            disabled.extend(ids(o));
        }
        let mut across_majors: Vec<String> = (self.raw.default.across_majors.iter())
            .chain(over.into_iter().flat_map(|o| o.across_majors.iter()))
            .map(|x| x.get_ref().clone())
            .collect();
        across_majors.dedup();
        SubjectPolicy {
            subject: subject.to_string(),
            allow_promotions: over
                .and_then(|o| o.allow_promotions)
                .or(self.raw.default.allow_promotions)
                .unwrap_or(false),
            disabled,
            field_removal: over
                .and_then(|o| o.field_removal)
                .or(self.raw.default.field_removal)
                .unwrap_or_default(),
            across_majors,
            ignores: self
                .raw
                .ignore
                .iter()
                .filter(|i| i.subject == subject)
                .map(|i| Ignore {
                    subject: i.subject.clone(),
                    rule: i.rule.get_ref().clone(),
                    location: i.location.clone(),
                    reason: i.reason.get_ref().clone(),
                })
                .collect(),
        }
    }
}
