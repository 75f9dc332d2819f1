//! `schemactl compat`: the compatibility gate for one subject. Checks a new schema against the
//! registered versions (oldest first) under a Confluent mode and points every incompatibility
//! at the line of the new `.avsc` it concerns.

use super::{out, OutputFormat};
use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::model::{parse_files, SchemaSet};
use sc_events_schema::rules::compat::{check_mode, Finding, Mode, Reader, SchemaRef};
use sc_events_schema::rules::policy::{self, PolicyConfig, PolicyFinding, SubjectPolicy};
use sc_events_schema::source::SourceFile;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The JSON contract: `{"compatible", "messages": [{"type", "location", "message", "file",
/// "line", "column", "root_cause"}]}` in Java's terms, plus the keys every command's JSON
/// has: `ok`, `errors`, `warnings` and `findings` (the diagnostics, as `lint` prints them).
#[derive(Debug, Serialize)]
pub struct CompatReport {
    pub compatible: bool,
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<Diagnostic>,
    pub messages: Vec<Message>,
    /// Policy findings covered by an ignore entry (reported, not failing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<IgnoredMessage>,
}

#[derive(Debug, Serialize)]
pub struct IgnoredMessage {
    #[serde(flatten)]
    pub message: Message,
    pub reason: String,
}

/// The JUnit suite of `compat`'s diagnostics.
const SUITE: &str = "schemactl compat";

/// `--policy` and its options.
#[derive(Debug, Clone)]
pub struct PolicyArgs {
    pub file: Option<PathBuf>,
    pub subject: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    #[serde(rename = "type")]
    pub kind: String,
    pub location: String,
    pub message: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What to fix, when the incompatibility wraps it (a record's field inside a union):
    /// the nested type, location and message; `file`/`line`/`column` point at it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<RootCauseMessage>,
}

/// [`Message::root_cause`].
#[derive(Debug, Clone, Serialize)]
pub struct RootCauseMessage {
    #[serde(rename = "type")]
    pub kind: String,
    pub location: String,
    pub message: String,
}

/// The message of an Avro finding: Java's type, location and message, with the root cause.
pub(crate) fn finding_message(f: &Finding, d: &Diagnostic) -> Message {
    let inc = &f.incompatibility;
    let mut m = message(inc.kind.as_str(), &inc.location, &inc.message, d);
    m.root_cause = inc.root.as_ref().map(|r| RootCauseMessage {
        kind: r.kind.as_str().to_string(),
        location: r.location.clone(),
        message: r.message.clone(),
    });
    m
}

/// Parses `refs` + `file` as one set; the schema checked is the last file's root.
fn load(file: &Path, refs: &[PathBuf]) -> Result<SchemaSet, Vec<Diagnostic>> {
    let mut files = Vec::with_capacity(refs.len() + 1);
    for p in refs
        .iter()
        .map(PathBuf::as_path)
        .chain(std::iter::once(file))
    {
        let f = SourceFile::read(p).map_err(|e| {
            vec![Diagnostic::file_level(
                Level::Error,
                "IO",
                format!("cannot read {}: {e}", p.display()),
                p,
            )]
        })?;
        files.push(f);
    }
    parse_files(files)
}

fn root(set: &SchemaSet) -> SchemaRef<'_> {
    SchemaRef {
        set,
        root: &set.roots[set.roots.len() - 1],
    }
}

/// A finding as a diagnostic located in the new schema; `version` names the existing schema
/// it concerns (`version #2 of the existing schemas`).
pub(crate) fn diagnostic(new: &SchemaSet, f: &Finding, version: &str) -> Diagnostic {
    let inc = &f.incompatibility;
    let (file, span) = match f.reader {
        Reader::New => inc.reader_span,
        Reader::Existing => inc.writer_span,
    };
    Diagnostic::at(
        Level::Error,
        f.headline().as_str(),
        f.describe(version),
        &new.files[file],
        span,
    )
    .with_location(
        inc.root
            .as_ref()
            .map_or(inc.location.clone(), |r| r.location.clone()),
    )
    .with_hint(f.headline().hint())
}

/// The subject's policy: from `--policy-file`, else `schemas/policy.toml`, else all rules on.
fn subject_policy(
    args: &PolicyArgs,
    new: &Path,
    new_set: &SchemaSet,
) -> Result<SubjectPolicy, Vec<Diagnostic>> {
    let subject = match &args.subject {
        Some(s) => s.clone(),
        None => default_subject(new, new_set),
    };
    let path = match &args.file {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("schemas/policy.toml")).filter(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(PolicyConfig::default().for_subject(&subject));
    };
    let file = SourceFile::read(&path).map_err(|e| {
        vec![Diagnostic::file_level(
            Level::Error,
            "IO",
            format!("cannot read {}: {e}", path.display()),
            &path,
        )]
    })?;
    Ok(PolicyConfig::parse(&file)?.for_subject(&subject))
}

/// The value subject of the topic carrying the new schema's record, else the file stem.
fn default_subject(new: &Path, new_set: &SchemaSet) -> String {
    let stem = new
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let Some(sc_events_schema::model::Kind::Named(id)) = new_set.roots.last().map(|r| &r.kind)
    else {
        return stem;
    };
    let record = new_set.types[*id].name.fullname();
    let Ok(catalog) = super::load_catalog(None) else {
        return stem;
    };
    catalog
        .domains
        .iter()
        .find(|d| catalog.set.types[d.record].name.fullname() == record)
        .and_then(|d| catalog.topic(&d.topic))
        .and_then(|t| catalog.value_subject(t))
        .unwrap_or(stem)
}

pub(crate) fn policy_diagnostic(new: &SchemaSet, f: &PolicyFinding) -> Diagnostic {
    let (level, message) = match &f.ignored {
        Some(reason) => (Level::Warning, format!("{} (ignored: {reason})", f.message)),
        None => (Level::Error, f.message.clone()),
    };
    Diagnostic::at(level, f.rule.id, message, &new.files[f.span.0], f.span.1)
        .with_location(f.location.clone())
        .with_hint(f.rule.hint)
}

pub(crate) fn message(kind: &str, location: &str, text: &str, d: &Diagnostic) -> Message {
    Message {
        kind: kind.to_string(),
        location: location.to_string(),
        message: text.to_string(),
        file: d.file.clone(),
        line: d.line,
        column: d.column,
        root_cause: None,
    }
}

pub fn run(
    mode: Mode,
    new: &Path,
    existing: &[PathBuf],
    refs: &[PathBuf],
    policy_args: Option<&PolicyArgs>,
    format: OutputFormat,
) -> ExitCode {
    let new_set = match load(new, refs) {
        Ok(s) => s,
        Err(e) => {
            out::eprint(&out::render(&e, format.into(), out::Stream::Stderr, SUITE));
            return super::error_exit(&e);
        }
    };
    let mut sets = Vec::with_capacity(existing.len());
    for p in existing {
        match load(p, refs) {
            Ok(s) => sets.push(s),
            Err(e) => {
                out::eprint(&out::render(&e, format.into(), out::Stream::Stderr, SUITE));
                return super::error_exit(&e);
            }
        }
    }
    out::detail(format_args!(
        "read {} and {} existing schema(s) with {} reference(s); mode {}",
        new.display(),
        existing.len(),
        refs.len(),
        mode.as_str()
    ));
    let ex: Vec<SchemaRef> = sets.iter().map(root).collect();
    let findings = check_mode(mode, root(&new_set), &ex);
    let mut diags: Vec<Diagnostic> = findings
        .iter()
        .map(|f| {
            let v = format!("version #{} of the existing schemas", f.existing_index + 1);
            diagnostic(&new_set, f, &v)
        })
        .collect();
    let mut messages: Vec<Message> = findings
        .iter()
        .zip(&diags)
        .map(|(f, d)| finding_message(f, d))
        .collect();
    let mut ignored = Vec::new();
    if let (Some(args), Some(newest)) = (policy_args, ex.last()) {
        let subject_policy = match subject_policy(args, new, &new_set) {
            Ok(p) => p,
            Err(e) => {
                out::eprint(&out::render(&e, format.into(), out::Stream::Stderr, SUITE));
                return super::error_exit(&e);
            }
        };
        for f in policy::check(*newest, root(&new_set), &subject_policy) {
            let d = policy_diagnostic(&new_set, &f);
            let m = message(f.rule.id, &f.location, &f.message, &d);
            match &f.ignored {
                Some(reason) => ignored.push(IgnoredMessage {
                    message: m,
                    reason: reason.clone(),
                }),
                None => messages.push(m),
            }
            diags.push(d);
        }
    }
    let compatible = messages.is_empty();
    match format {
        OutputFormat::Json => {
            let errors = diags.iter().filter(|d| d.level == Level::Error).count();
            let report = CompatReport {
                compatible,
                ok: compatible,
                errors,
                warnings: diags.len() - errors,
                findings: diags,
                messages,
                ignored,
            };
            out::println(&serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        OutputFormat::Human if diags.is_empty() || (out::quiet() && compatible) => {
            if out::quiet() {
                return ExitCode::SUCCESS;
            }
            let what = if policy_args.is_some() {
                " and follows the evolution policy"
            } else {
                ""
            };
            out::println(&format!(
                "compatible: {} is {} with {} existing schema(s){what}",
                new.display(),
                mode.as_str(),
                existing.len()
            ));
        }
        _ => {
            out::print(&out::render(
                &diags,
                format.into(),
                out::Stream::Stdout,
                SUITE,
            ));
        }
    }
    if compatible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
