//! Rules as data. Every rule has an id, a family, a category, a default level, a one-line
//! summary ("Checks that …"), a fix hint and its own fixture test; the tables in each family's
//! `mod.rs` are the single list the checker, `schemactl rules` and the docs read.
//!
//! Families: [`lint`] checks one schema directory at a time (conventions of seed 000 §6 and the
//! team's style); [`compat`] is Avro schema resolution as Java Avro decides it, with Java's
//! incompatibility types as ids; [`policy`] is the team's evolution policy (seed 000 §5).

pub mod compat;
pub mod lint;
mod pointer;
pub mod policy;
pub mod version;

pub use pointer::definition_pointers;

use crate::diag::Level;
use serde::Serialize;

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

/// Kept at its old path for the CLI (`sc_events_schema::rules::glob_match`).
pub use crate::text::glob_match;
