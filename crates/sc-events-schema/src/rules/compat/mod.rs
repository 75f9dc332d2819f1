//! Compatibility: Java-Avro-exact reader/writer resolution ([`checker`]) applied under
//! Confluent Schema Registry's seven compatibility modes ([`check_mode`]).
//!
//! Confluent's semantics: BACKWARD = the new schema reads data of the newest existing one;
//! FORWARD = the newest existing schema reads the new one's data; FULL = both (old-reads-new
//! first); the `_TRANSITIVE` modes check every existing schema, newest first, and report only
//! the first that fails; NONE, or no existing schema, is always compatible.

pub mod checker;
mod path;
mod report;

pub use checker::{check, check_java_list, SchemaRef};

use super::{Family, Rule};
use crate::diag::Level;
use crate::source::{FileId, Span};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Java's `SchemaCompatibility.SchemaIncompatibilityType`, verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    pub const ALL: [IncompatibilityType; 6] = [
        Self::NameMismatch,
        Self::FixedSizeMismatch,
        Self::MissingEnumSymbols,
        Self::ReaderFieldMissingDefaultValue,
        Self::TypeMismatch,
        Self::MissingUnionBranch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameMismatch => "NAME_MISMATCH",
            Self::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            Self::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            Self::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            Self::TypeMismatch => "TYPE_MISMATCH",
            Self::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }

    /// How to fix an incompatibility of this type.
    /// Java's message of this type, said as the change it is (Java names only the field for
    /// a missing default: `channel` → ``field `channel` has no default``).
    pub fn plain(self, java_message: &str) -> String {
        match self {
            Self::ReaderFieldMissingDefaultValue => {
                format!("field `{java_message}` has no default")
            }
            Self::MissingEnumSymbols => format!("enum symbols missing: {java_message}"),
            _ => java_message.to_string(),
        }
    }

    pub fn hint(self) -> &'static str {
        self.rule().hint
    }

    /// The rule entry of this type (for `schemactl rules` and the docs).
    pub fn rule(self) -> &'static Rule {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        &RULES[i]
    }
}

const fn compat_rule(
    id: &'static str,
    summary: &'static str,
    why: &'static str,
    hint: &'static str,
) -> Rule {
    Rule {
        id,
        family: Family::Compat,
        category: "AVRO",
        level: Level::Error,
        summary,
        why,
        hint,
    }
}

/// One entry per Java incompatibility type, in [`IncompatibilityType::ALL`] order.
pub static RULES: [Rule; 6] = [
    compat_rule("NAME_MISMATCH", "Checks that a named type read in place of another has its name or lists it in \"aliases\".", "Avro resolves records, enums and fixed by unqualified name plus the reader's aliases.", "keep the old full name in the renamed type's \"aliases\""),
    compat_rule("FIXED_SIZE_MISMATCH", "Checks that a fixed type keeps its size.", "Fixed values are raw bytes of the declared size.", "a fixed type's size cannot change; add a new field with a new fixed type"),
    compat_rule("MISSING_ENUM_SYMBOLS", "Checks that the reading enum has every symbol the writer may write, or an enum-level default.", "An unknown symbol fails the read unless the reader enum has a default.", "keep the removed symbols, or give the reader enum a \"default\" symbol"),
    compat_rule("READER_FIELD_MISSING_DEFAULT_VALUE", "Checks that every reader field the writer lacks has a default.", "The reader must fill the field for data that never had it.", "add \"default\": null (type [\"null\", T]) or another default to the new field"),
    compat_rule("TYPE_MISMATCH", "Checks that reader and writer types match or promote (int→long→float→double, string↔bytes).", "Avro data carries no type tags; only the promotions of the spec are readable.", "keep the old type (only int→long→float→double and string↔bytes promote)"),
    compat_rule("MISSING_UNION_BRANCH", "Checks that the reading union has a branch for every type the writer may write.", "A value of a branch the reader lacks cannot be read.", "keep every branch the other side may write in the reading union"),
];

impl fmt::Display for IncompatibilityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason data of the writer cannot be read by the reader.
#[derive(Debug, Clone, PartialEq)]
pub struct Incompatibility {
    pub kind: IncompatibilityType,
    /// Java's JSON-pointer location in the reader schema (`/fields/3/type`, `/` for the root).
    pub location: String,
    /// Java's message (`reader type: INT not compatible with writer type: STRING`).
    pub message: String,
    /// Where the checked element is in the reader's and the writer's source.
    pub reader_span: (FileId, Span),
    pub writer_span: (FileId, Span),
    /// For MISSING_UNION_BRANCH of a changed record: the nested incompatibility Java does not
    /// report (the spans then point at it). Not part of Java's verdict.
    pub cause: Option<String>,
    /// The first of those nested causes, structured: what to fix (the field without a
    /// default, the removed symbol), where the wrapping union is only the context.
    pub root: Option<RootCause>,
    /// How often Java's list holds this incompatibility: once per path through shared named
    /// types that reaches it (saturating). [`check`] lists each distinct one once.
    pub occurrences: u64,
}

/// The nested incompatibility under a MISSING_UNION_BRANCH: the change to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    pub kind: IncompatibilityType,
    /// Java's JSON-pointer location of the nested element in the reader schema.
    pub location: String,
    pub message: String,
}

/// Confluent's compatibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
    None,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Self::Backward,
        Self::BackwardTransitive,
        Self::Forward,
        Self::ForwardTransitive,
        Self::Full,
        Self::FullTransitive,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
            Self::None => "NONE",
        }
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }

    /// (old reads new, new reads old)
    fn directions(self) -> (bool, bool) {
        match self {
            Self::Backward | Self::BackwardTransitive => (false, true),
            Self::Forward | Self::ForwardTransitive => (true, false),
            Self::Full | Self::FullTransitive => (true, true),
            Self::None => (false, false),
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown compatibility mode {s:?}; use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE"))
    }
}

/// Which side read in a failed check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reader {
    New,
    /// An existing (registered) schema; serialized as Java's and the corpus' `"old"`.
    #[serde(rename = "old")]
    Existing,
}

/// An incompatibility found under a mode: which existing schema, and which side was reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub incompatibility: Incompatibility,
    pub reader: Reader,
    /// Index into `existing` (oldest first).
    pub existing_index: usize,
}

impl Finding {
    /// The one human rendering of a finding, shared by the CLI's diagnostics and the
    /// registry's verbose messages: Java's message, which side cannot read which (`version`
    /// names the existing schema: `version 2`, `version #1 of the existing schemas`), and the
    /// nested cause when there is one.
    ///
    /// With a nested root cause, that cause leads (`READER_FIELD_MISSING_DEFAULT_VALUE at
    /// /fields/1/type/0/fields/2: channel`) and the wrapping incompatibility follows as
    /// context; [`Finding::headline`] is then the root cause's type.
    pub fn describe(&self, version: &str) -> String {
        let inc = &self.incompatibility;
        let direction = match self.reader {
            Reader::New => format!("the new schema cannot read {version}"),
            Reader::Existing => format!("{version} cannot read the new schema"),
        };
        match &inc.root {
            Some(root) => {
                let more = inc
                    .cause
                    .as_deref()
                    .and_then(|c| c.split_once("; "))
                    .map_or(String::new(), |(_, rest)| format!("; also {rest}"));
                format!(
                    "{} at {} ({direction}); inside {} at {}: {}{more}",
                    root.kind.plain(&root.message),
                    root.location,
                    inc.kind,
                    inc.location,
                    inc.message
                )
            }
            None => {
                let cause = inc
                    .cause
                    .as_ref()
                    .map_or(String::new(), |c| format!("; because {c}"));
                format!(
                    "{} at {} ({direction}){cause}",
                    inc.kind.plain(&inc.message),
                    inc.location
                )
            }
        }
    }

    /// What the change is, in one phrase: the root cause's, else Java's message.
    pub fn summary(&self) -> String {
        let inc = &self.incompatibility;
        match &inc.root {
            Some(r) => r.kind.plain(&r.message),
            None => inc.kind.plain(&inc.message),
        }
    }

    /// The incompatibility type a message leads with: the root cause's, when there is one.
    pub fn headline(&self) -> IncompatibilityType {
        self.incompatibility
            .root
            .as_ref()
            .map_or(self.incompatibility.kind, |r| r.kind)
    }

    /// The finding in the format of the upstream corpus and the oracles:
    /// `{"type", "location", "message", "reader", "existing_index"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "type": self.incompatibility.kind.as_str(),
            "location": self.incompatibility.location,
            "message": self.incompatibility.message,
            "reader": self.reader,
            "existing_index": self.existing_index,
        })
    }
}

/// Checks `new` against the registered `existing` schemas (oldest first) under `mode`.
/// Empty means compatible.
pub fn check_mode(mode: Mode, new: SchemaRef<'_>, existing: &[SchemaRef<'_>]) -> Vec<Finding> {
    let (old_reads_new, new_reads_old) = mode.directions();
    let candidates: Vec<usize> = if mode.transitive() {
        (0..existing.len()).rev().collect()
    } else {
        existing.len().checked_sub(1).into_iter().collect()
    };
    let one = |&i: &usize| {
        let mut out = Vec::new();
        if old_reads_new {
            out.extend(check(existing[i], new).into_iter().map(|inc| Finding {
                incompatibility: inc,
                reader: Reader::Existing,
                existing_index: i,
            }));
        }
        if new_reads_old {
            out.extend(check(new, existing[i]).into_iter().map(|inc| Finding {
                incompatibility: inc,
                reader: Reader::New,
                existing_index: i,
            }));
        }
        out
    };
    // The newest version that breaks is the one reported; the versions of a transitive
    // history are checked side by side, on every core.
    crate::parallel::map(&candidates, one)
        .into_iter()
        .find(|out| !out.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
