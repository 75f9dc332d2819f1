//! Rules as data. Every rule has an id, a family, a category, a default level, a one-line
//! summary ("Checks that …"), a fix hint and its own fixture test; the tables in each family's
//! `mod.rs` are the single list the checker, `schemactl rules` and the docs read.
//!
//! Families: [`lint`] checks one schema directory at a time (the contract conventions and the
//! team's style); [`compat`] is Avro schema resolution as Java Avro decides it, with Java's
//! incompatibility types as ids; [`policy`] is the team's evolution policy, stricter than Avro.

pub mod compat;
pub mod lint;
mod pointer;
pub mod policy;
pub mod version;

pub use pointer::definition_pointers;

use crate::diag::{Diagnostic, Level};
use crate::layout::{Layout, CONFIG_FILE};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Lint,
    Compat,
    Policy,
}

/// Every rule of every family: lint, then compat, then policy, each sorted by id.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut v = lint::all_rules();
    let mut c: Vec<&'static Rule> = compat::RULES.iter().collect();
    c.sort_by_key(|r| r.id);
    v.extend(c);
    v.extend(policy::RULES.iter().map(|(r, _)| *r));
    v.push(&version::RULE);
    v
}

/// A rule's metadata. Findings carry `id` as their code and `hint` as their help line.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub family: Family,
    /// Buf-style category: NAMING, DOCS, TYPES, PRIVACY, CATALOG, EVOLUTION, CODEGEN.
    pub category: &'static str,
    pub level: Level,
    /// "Checks that …".
    pub summary: &'static str,
    /// Why the rule exists.
    pub why: &'static str,
    /// How to fix a finding.
    pub hint: &'static str,
}

/// The layout's `[lint] allow` checked against the rule table: one error (`CONFIG`, on
/// `schemactl.toml`) for every id that is not a lint rule. [`lint::lint`] reports them too.
pub fn check_lint_allow(layout: &Layout) -> Vec<Diagnostic> {
    let file = if layout.root == Path::new(".") || layout.root.as_os_str().is_empty() {
        Path::new(CONFIG_FILE).to_path_buf()
    } else {
        layout.root.join(CONFIG_FILE)
    };
    let lint_rules = lint::all_rules();
    layout
        .lint_allow
        .iter()
        .filter(|id| !lint_rules.iter().any(|r| r.id == id.as_str()))
        .map(|id| {
            Diagnostic::file_level(
                Level::Error,
                "CONFIG",
                format!(
                    "[lint] allow names {id:?}, which is not a lint rule (see schemactl rules){}",
                    crate::text::closest(id, lint_rules.iter().map(|r| r.id))
                        .map_or(String::new(), |n| format!("; did you mean {n:?}?"))
                ),
                &file,
            )
        })
        .collect()
}

/// Kept at its old path for the CLI (`sc_events_schema::rules::glob_match`).
pub use crate::text::glob_match;

#[cfg(test)]
mod bounds_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_allow_names_lint_rules_only() {
        let text = "[lint]\nallow = [\"DOC_REQUIRED\", \"NO_SUCH_RULE\", \"FIELD_REMOVED\"]\n";
        let layout = Layout::parse(Path::new("w"), Path::new("w/schemactl.toml"), text)
            .expect("the layout itself is fine");
        let errors = check_lint_allow(&layout);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].message.contains("\"NO_SUCH_RULE\""),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.contains("\"FIELD_REMOVED\""),
            "{}",
            errors[1].message
        );
        assert_eq!(errors[0].file, Path::new("w/schemactl.toml"));
        assert!(check_lint_allow(&Layout::default()).is_empty());
    }
}
