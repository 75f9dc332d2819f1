//! VERSION_BUMP: a schema's declared version moves with what changed, in the style of
//! cargo-semver-checks (below 1.0.0, as Cargo reads it: `0.y` → `0.(y+1)` is the breaking bump). The smallest bump a change needs, newest registered version → new:
//!
//! - **major**: a reader of the new schema cannot read old data (Avro BACKWARD fails) or the
//!   evolution policy calls the change breaking (a field removed, renamed, retyped, made
//!   required; an enum symbol or union branch removed);
//! - **minor**: anything else but docs (fields or event types added, defaults, attributes);
//! - **patch**: only `doc` text changed;
//! - none: the same schema.
//!
//! The version is the top-level record's `"schema_version"` attribute: a semver string
//! (`"1.4.0"`), where the declared bump must be at least the needed one and a new major
//! version needs a `"migration"` note on the record, or an integer (`2`), which must rise
//! with every change beyond docs.

use super::compat::{check_mode, Mode, SchemaRef};
use super::policy::{self, SubjectPolicy};
use super::{Family, Rule};
use crate::diag::{Diagnostic, Level};
use crate::json::{Json, JsonNode};
use crate::model::Kind;
use crate::text::Semver;
use std::fmt;

pub static RULE: Rule = Rule {
    id: policy::VERSION_BUMP,
    family: Family::Policy,
    category: "EVOLUTION",
    level: Level::Error,
    summary: "Checks that a schema's declared schema_version rises at least as much as its change needs.",
    why: "Consumers pin and migrate by version: a breaking change under a minor version, or an integer version that stays put while fields change, hides the change from them.",
    hint: "raise the version attribute (\"schema_version\", or the layout's version_attribute) on the top-level record: a major version for a breaking change, minor for additions, patch for docs only (an integer version: any change beyond docs)",
};

/// How big a change is, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "no",
            Bump::Patch => "a patch",
            Bump::Minor => "a minor",
            Bump::Major => "a major",
        })
    }
}

/// A declared version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    Counter(u64),
    Semver(u64, u64, u64),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Counter(n) => write!(f, "{n}"),
            Version::Semver(a, b, c) => write!(f, "{a}.{b}.{c}"),
        }
    }
}

impl Version {
    pub fn parse(n: &JsonNode) -> Option<Version> {
        match &n.value {
            Json::Number(_) => n
                .as_i64()
                .and_then(|v| u64::try_from(v).ok())
                .filter(|v| *v >= 1)
                .map(Version::Counter),
            Json::String(s) => Semver::parse(s)
                .ok()
                .map(|v| Version::Semver(v.major, v.minor, v.patch)),
            _ => None,
        }
    }

    /// The bump from `self` to `new`; `None` when `new` is lower or of another kind.
    fn bump_to(self, new: Version) -> Option<Bump> {
        match (self, new) {
            (Version::Counter(a), Version::Counter(b)) if b == a => Some(Bump::None),
            (Version::Counter(a), Version::Counter(b)) if b > a => Some(Bump::Major),
            (Version::Semver(a, b, c), Version::Semver(x, y, z)) => {
                use std::cmp::Ordering::{Equal, Greater};
                let bump = match (x.cmp(&a), y.cmp(&b), z.cmp(&c)) {
                    (Greater, _, _) => Bump::Major,
                    (Equal, Greater, _) => Bump::Minor,
                    (Equal, Equal, Greater) => Bump::Patch,
                    (Equal, Equal, Equal) => Bump::None,
                    _ => return None,
                };
                // Below 1.0.0, as Cargo reads it: the minor part is the breaking one and the
                // patch part takes additions.
                Some(match (a, bump) {
                    (0, Bump::Minor) => Bump::Major,
                    (0, Bump::Patch) => Bump::Minor,
                    (_, b) => b,
                })
            }
            _ => None,
        }
    }
}

/// The smallest bump from `old` to `new`, with the reason.
pub fn needed(
    old: SchemaRef<'_>,
    new: SchemaRef<'_>,
    attribute: &str,
    policy: &SubjectPolicy,
) -> (Bump, String) {
    let incompatible = check_mode(Mode::Backward, new, &[old]);
    if let Some(f) = incompatible.first() {
        return (
            Bump::Major,
            format!("the new schema cannot read old data ({})", f.summary()),
        );
    }
    if let Some(f) = policy::check(old, new, policy).first() {
        return (Bump::Major, format!("{} ({})", f.message, f.rule.id));
    }
    let json = |s: SchemaRef<'_>| {
        let file = match s.root.kind {
            Kind::Named(id) => s.set.types[id].file,
            _ => s.set.files.len() - 1,
        };
        crate::json::parse(&s.set.files[file].text)
            .ok()
            .map(|n| n.to_value())
    };
    let (Some(a), Some(b)) = (json(old), json(new)) else {
        return (Bump::Minor, "the schema text changed".into());
    };
    let (a, b) = (without(attribute, a), without(attribute, b));
    if a == b {
        return (Bump::None, "nothing changed".into());
    }
    if without("doc", a) == without("doc", b) {
        return (Bump::Patch, "only docs changed".into());
    }
    (
        Bump::Minor,
        "a backward-compatible change beyond docs".into(),
    )
}

/// `v` without every object member named `key` (recursively).
fn without(key: &str, v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        V::Object(m) => V::Object(
            m.into_iter()
                .filter(|(k, _)| k != key)
                .map(|(k, v)| (k, without(key, v)))
                .collect(),
        ),
        V::Array(a) => V::Array(a.into_iter().map(|x| without(key, x)).collect()),
        x => x,
    }
}

fn declared<'s>(s: SchemaRef<'s>, attribute: &str) -> Option<(&'s JsonNode, Option<Version>)> {
    let Kind::Named(id) = s.root.kind else {
        return None;
    };
    let attr = s.set.types[id].attr(attribute)?;
    Some((attr, Version::parse(attr)))
}

/// The finding, when the new schema's declared version does not rise enough. Schemas without
/// the version attribute (`schema_version`, or the layout's `version_attribute`; the
/// envelope has none) are not versioned and pass.
pub fn check(
    old: SchemaRef<'_>,
    new: SchemaRef<'_>,
    attribute: &str,
    policy: &SubjectPolicy,
) -> Option<Diagnostic> {
    let (attr, new_v) = declared(new, attribute)?;
    let file = match new.root.kind {
        Kind::Named(id) => &new.set.files[new.set.types[id].file],
        _ => return None,
    };
    let finding = |message: String| {
        Some(Diagnostic::at(RULE.level, RULE.id, message, file, attr.span).with_hint(RULE.hint))
    };
    let Some(new_v) = new_v else {
        return finding(format!(
            "\"{attribute}\" must be an integer >= 1 or a semver string like \"1.2.0\""
        ));
    };
    let old_v = declared(old, attribute).and_then(|(_, v)| v)?;
    let (need, why) = needed(old, new, attribute, policy);
    match old_v.bump_to(new_v) {
        None => finding(format!(
            "{attribute} goes from {old_v} to {new_v}: versions only rise, in the same scheme"
        )),
        Some(have) => {
            let enough = match new_v {
                Version::Counter(_) => need <= Bump::Patch || have > Bump::None,
                Version::Semver(..) => have >= need,
            };
            if enough && have == Bump::Major && matches!(new_v, Version::Semver(..)) {
                let note = match new.root.kind {
                    Kind::Named(id) => new.set.types[id].attr("migration"),
                    _ => None,
                };
                if note
                    .and_then(JsonNode::as_str)
                    .is_none_or(|t| t.trim().is_empty())
                {
                    return finding(format!("{attribute} {old_v} → {new_v} is a major bump: it needs a \"migration\" note on the record saying how consumers move from {old_v}"));
                }
            }
            if enough {
                return None;
            }
            finding(format!("{attribute} {old_v} → {new_v} is {have} bump, but the change needs {need} bump: {why}"))
        }
    }
}

// The check itself, case by case (too small a bump, a major bump without a migration note,
// docs only, counters, ...), is the fixture folder tests/fixtures/rules/VERSION_BUMP/.
#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Option<Version> {
        Version::parse(&crate::json::parse(text).expect("json"))
    }

    #[test]
    fn versions_parse_and_compare() {
        assert_eq!(v("3"), Some(Version::Counter(3)));
        assert_eq!(v("\"1.20.3\""), Some(Version::Semver(1, 20, 3)));
        assert_eq!(v("\"1.2\""), None);
        assert_eq!(v("\"01.2.3\""), None);
        assert_eq!(v("-1"), None);
        assert_eq!(v("0"), None, "counters start at 1");
        assert_eq!(v("\"+1.2.3\""), None);
        assert_eq!(v("\"1.2.3-rc1\""), None);
        let s = |a, b, c| Version::Semver(a, b, c);
        assert_eq!(s(1, 2, 3).bump_to(s(2, 0, 0)), Some(Bump::Major));
        assert_eq!(s(1, 2, 3).bump_to(s(1, 3, 0)), Some(Bump::Minor));
        assert_eq!(s(1, 2, 3).bump_to(s(1, 2, 4)), Some(Bump::Patch));
        assert_eq!(s(1, 2, 3).bump_to(s(1, 2, 3)), Some(Bump::None));
        assert_eq!(s(1, 2, 3).bump_to(s(1, 1, 9)), None);
        assert_eq!(Version::Counter(2).bump_to(Version::Counter(1)), None);
        assert_eq!(Version::Counter(1).bump_to(s(1, 0, 0)), None);
        // 0.y.z as Cargo reads it.
        assert_eq!(s(0, 3, 1).bump_to(s(0, 4, 0)), Some(Bump::Major));
        assert_eq!(s(0, 3, 1).bump_to(s(0, 3, 2)), Some(Bump::Minor));
    }
}
