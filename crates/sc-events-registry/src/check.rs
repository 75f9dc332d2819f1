//! Registered schema texts meet the checker: parse a schema with its resolved references
//! (Java Avro 1.12's validity, through `sc-events-schema`) and test it against earlier versions
//! under a Confluent compatibility level, with Confluent's verbose message format.

use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{Compatibility, Reference, SchemaDef, Version};
use crate::Registry;
use sc_events_schema::model::{parse_files, parse_files_sharing, SchemaSet};
use sc_events_schema::rules::compat::{check_mode, Finding, SchemaRef};
use sc_events_schema::source::SourceFile;
use std::collections::HashSet;
use std::sync::Arc;

/// At most this many messages come back from one check (the first are the useful ones).
pub const MAX_MESSAGES: usize = 50;
/// The most references one schema may follow, transitively, a repeated one each time.
pub const MAX_REFERENCES: usize = 1000;
/// The deepest chain of references a schema may pull in.
pub const MAX_REFERENCE_DEPTH: usize = 32;

/// The work one schema's references may cost: every reference followed counts, a repeated
/// one (in the request or in the schemas it pulls in) too, so duplicates cannot multiply the
/// work; at most [`MAX_REFERENCES`], in chains at most [`MAX_REFERENCE_DEPTH`] deep.
#[derive(Debug, Default)]
pub struct ReferenceBudget {
    followed: usize,
}

impl ReferenceBudget {
    /// Counts one reference at `depth` (1: named by the schema itself); refused (42201) past
    /// the budget.
    pub fn follow(&mut self, label: &str, depth: usize) -> Result<()> {
        self.followed += 1;
        let why = if self.followed > MAX_REFERENCES {
            format!("more than {MAX_REFERENCES} references, counting each every time it is named")
        } else if depth > MAX_REFERENCE_DEPTH {
            format!("references nested more than {MAX_REFERENCE_DEPTH} deep")
        } else {
            return Ok(());
        };
        Err(RegistryError::api(
            ErrorKind::InvalidSchema,
            format!("Invalid schema {}: {why}", clip(label)),
        ))
    }

    /// Refuses at once a schema naming more references than the budget allows.
    pub fn check_direct(label: &str, references: &[Reference]) -> Result<()> {
        if references.len() > MAX_REFERENCES {
            return ReferenceBudget {
                followed: MAX_REFERENCES,
            }
            .follow(label, 1);
        }
        Ok(())
    }
}

/// One schema text with the texts it references, dependencies first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolved {
    /// What to call the schema in messages (`subject 'x' version 3`, `request`).
    pub label: String,
    /// `(label, text)` of every referenced schema, transitively, dependencies first.
    pub references: Vec<(String, String)>,
    pub text: String,
}

/// A parsed schema; its root is the last file's.
pub struct Parsed {
    pub set: SchemaSet,
}

impl Parsed {
    pub fn root(&self) -> SchemaRef<'_> {
        SchemaRef {
            set: &self.set,
            root: &self.set.roots[self.set.roots.len() - 1],
        }
    }
}

/// Parses a schema with its references; the error is a one-line diagnostic
/// (`label:line:col: error[CODE]: message`) for Confluent's 42201 answer.
pub fn parse(r: &Resolved) -> std::result::Result<Parsed, String> {
    let mut files = references(r);
    files.push(SourceFile::new(&r.label, r.text.as_str()));
    parsed(r, parse_files(files))
}

/// [`parse`] of each schema, in order: schemas with the same references (the versions of a
/// history) parse those once ([`parse_files_sharing`]), side by side on every core.
pub fn parse_all(rs: &[&Resolved]) -> Vec<std::result::Result<Parsed, String>> {
    let mut out: Vec<Option<std::result::Result<Parsed, String>>> =
        std::iter::repeat_with(|| None).take(rs.len()).collect();
    // Groups of the same references, in order of first appearance.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: std::collections::HashMap<&[(String, String)], usize> =
        std::collections::HashMap::new();
    for (i, r) in rs.iter().enumerate() {
        let g = *group_of.entry(&r.references).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    // Schemas that share nothing with another: all side by side, in one pass.
    let (shared, single): (Vec<Vec<usize>>, Vec<Vec<usize>>) = groups
        .into_iter()
        .partition(|g| g.len() > 1 && !rs[g[0]].references.is_empty());
    let single: Vec<usize> = single.into_iter().flatten().collect();
    for (i, p) in single
        .iter()
        .zip(sc_events_schema::parallel::map(&single, |&i| parse(rs[i])))
    {
        out[*i] = Some(p);
    }
    for g in shared {
        let rests = g
            .iter()
            .map(|&i| vec![SourceFile::new(&rs[i].label, rs[i].text.as_str())])
            .collect();
        let sets = parse_files_sharing(references(rs[g[0]]), rests);
        for (i, set) in g.into_iter().zip(sets) {
            out[i] = Some(parsed(rs[i], set));
        }
    }
    out.into_iter()
        .map(|p| p.unwrap_or_else(|| Err("not parsed".into())))
        .collect()
}

/// A schema's references as the files parsed before it.
fn references(r: &Resolved) -> Vec<SourceFile> {
    let mut files = Vec::with_capacity(r.references.len() + 1);
    for (label, text) in &r.references {
        files.push(SourceFile::new(label, text.as_str()));
    }
    files
}

fn parsed(
    r: &Resolved,
    set: std::result::Result<SchemaSet, Vec<sc_events_schema::diag::Diagnostic>>,
) -> std::result::Result<Parsed, String> {
    match set {
        Ok(set) if !set.roots.is_empty() => Ok(Parsed { set }),
        Ok(_) => Err(format!("{}: empty schema", r.label)),
        Err(diags) => Err(diags
            .iter()
            .take(5)
            .map(|d| d.one_line())
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

/// Resolves a schema's references through any registry (`GET /subjects/{s}/versions/{v}`),
/// transitively, dependencies first, each once; within a [`ReferenceBudget`].
pub async fn resolve(registry: &dyn Registry, label: &str, def: &SchemaDef) -> Result<Resolved> {
    ReferenceBudget::check_direct(label, &def.references)?;
    let mut budget = ReferenceBudget::default();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // (reference, its depth, its text once its dependencies were pushed)
    let mut stack: Vec<(Reference, usize, Option<String>)> = def
        .references
        .iter()
        .rev()
        .map(|r| (r.clone(), 1, None))
        .collect();
    while let Some((r, depth, text)) = stack.pop() {
        if let Some(text) = text {
            let label = format!(
                "{} (subject '{}' version {})",
                r.name,
                clip(&r.subject),
                r.version
            );
            out.push((label, text));
            continue;
        }
        budget.follow(label, depth)?;
        if !seen.insert((r.subject.clone(), r.version)) {
            continue;
        }
        let target = registry
            .version(&r.subject, Version::Number(r.version), true)
            .await?;
        let deps = target.schema.references.clone();
        stack.push((r, depth, Some(target.schema.schema)));
        stack.extend(deps.into_iter().rev().map(|d| (d, depth + 1, None)));
    }
    Ok(Resolved {
        label: label.to_string(),
        references: out,
        text: def.schema.clone(),
    })
}

/// Tests `new` against `existing` (`(version, schema)`, oldest first) under `level`, in
/// Confluent's verbose format. Empty means compatible.
pub fn compatibility(
    level: Compatibility,
    new: &Parsed,
    existing: &[(i32, Arc<Parsed>)],
) -> Vec<String> {
    let refs: Vec<SchemaRef> = existing.iter().map(|(_, p)| p.root()).collect();
    let findings = check_mode(level, new.root(), &refs);
    let Some(first) = findings.first() else {
        return Vec::new();
    };
    let version = existing.get(first.existing_index).map_or(0, |(v, _)| *v);
    let mut out: Vec<String> = findings
        .iter()
        .take(MAX_MESSAGES)
        .map(|f| message(f, existing))
        .collect();
    if findings.len() > MAX_MESSAGES {
        out.push(format!(
            "... and {} more incompatibilities",
            findings.len() - MAX_MESSAGES
        ));
    }
    out.push(format!("{{oldSchemaVersion: {version}}}"));
    out.push(format!("{{compatibility: '{}'}}", level.as_str()));
    out
}

fn message(f: &Finding, existing: &[(i32, Arc<Parsed>)]) -> String {
    let inc = &f.incompatibility;
    let version = existing.get(f.existing_index).map_or(0, |(v, _)| *v);
    format!(
        "{{errorType:'{}', description:'{}', location:'{}'}}",
        inc.kind.as_str(),
        f.describe(&format!("version {version}")),
        inc.location
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Resolved {
        Resolved {
            label: "request".into(),
            references: Vec::new(),
            text: text.into(),
        }
    }

    #[test]
    fn invalid_schema_names_the_position() {
        let e = parse(&r(
            r#"{"type": "record", "name": "A", "fields": [{"name": "x"}]}"#,
        ))
        .err()
        .unwrap();
        assert!(e.starts_with("request:1:"), "{e}");
    }

    #[test]
    fn backward_break_is_reported_with_version_and_level() {
        let v1 = parse(&r(r#"{"type":"record","name":"A","fields":[]}"#)).unwrap();
        let v2 = parse(&r(
            r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}"#,
        ))
        .unwrap();
        let m = compatibility(Compatibility::Backward, &v2, &[(1, Arc::new(v1))]);
        assert!(m[0].contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{m:?}");
        assert!(m.contains(&"{oldSchemaVersion: 1}".to_string()));
        assert!(m.contains(&"{compatibility: 'BACKWARD'}".to_string()));
    }

    #[test]
    fn parsing_a_history_at_once_answers_each_version_as_parse_does() {
        let env = (
            "Env (subject 'env' version 1)".to_string(),
            r#"{"type":"record","name":"Env","namespace":"a","fields":[{"name":"id","type":"string"}]}"#
                .to_string(),
        );
        let with = |label: &str, refs: Vec<(String, String)>, text: &str| Resolved {
            label: label.into(),
            references: refs,
            text: text.into(),
        };
        let uses_env = r#"{"type":"record","name":"T","fields":[{"name":"e","type":"a.Env"}]}"#;
        let rs = [
            with("t version 1", vec![env.clone()], uses_env),
            r(r#"{"type":"record","name":"Alone","fields":[]}"#),
            with(
                "t version 2",
                vec![env.clone()],
                r#"{"type":"record","name":"T","fields":[{"name":"e","type":"a.Nope"}]}"#,
            ),
            with(
                "u version 1",
                vec![(
                    "Other".into(),
                    r#"{"type":"fixed","name":"a.Env","size":2}"#.into(),
                )],
                uses_env,
            ),
            with("t version 3", vec![env.clone()], uses_env),
            with("t version 4", vec![env], "{"),
        ];
        let all = parse_all(&rs.iter().collect::<Vec<_>>());
        assert_eq!(all.len(), rs.len());
        for (r, got) in rs.iter().zip(&all) {
            let one = |p: &std::result::Result<Parsed, String>| match p {
                Ok(p) => format!("{:?} {:?}", p.set.roots, p.set.types),
                Err(e) => e.clone(),
            };
            assert_eq!(one(got), one(&parse(r)), "{}", r.label);
        }
        assert!(all[0].is_ok() && all[1].is_ok() && all[4].is_ok());
        assert!(all[2].as_ref().err().unwrap().contains("a.Nope"));
        assert!(all[3].is_ok() && all[5].is_err());
    }
}
