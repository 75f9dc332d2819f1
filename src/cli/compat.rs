//! `schemactl compat`: the compatibility gate for one subject. Checks a new schema against the
//! registered versions (oldest first) under a Confluent mode and points every incompatibility
//! at the line of the new `.avsc` it concerns.

use super::OutputFormat;
use sc_events_schema::diag::{render, Diagnostic, Level};
use sc_events_schema::model::{parse_files, SchemaSet};
use sc_events_schema::rules::compat::{check_mode, Finding, Mode, Reader, SchemaRef};
use sc_events_schema::source::SourceFile;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The JSON contract: `{"compatible", "messages": [{"type", "location", "message", "file",
/// "line", "column"}]}`.
#[derive(Debug, Serialize)]
pub struct CompatReport {
    pub compatible: bool,
    pub messages: Vec<Message>,
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

/// A finding as a diagnostic located in the new schema.
fn diagnostic(new: &SchemaSet, f: &Finding) -> Diagnostic {
    let inc = &f.incompatibility;
    let (file, span) = match f.reader {
        Reader::New => inc.reader_span,
        Reader::Existing => inc.writer_span,
    };
    let direction = match f.reader {
        Reader::New => format!(
            "the new schema cannot read version #{} of the existing schemas",
            f.existing_index + 1
        ),
        Reader::Existing => format!(
            "version #{} of the existing schemas cannot read the new schema",
            f.existing_index + 1
        ),
    };
    let cause = inc
        .cause
        .as_ref()
        .map_or(String::new(), |c| format!("; because {c}"));
    Diagnostic::at(
        Level::Error,
        inc.kind.as_str(),
        format!("{} ({direction}){cause}", inc.message),
        &new.files[file],
        span,
    )
    .with_location(inc.location.clone())
    .with_hint(inc.kind.hint())
}

pub fn run(
    mode: Mode,
    new: &Path,
    existing: &[PathBuf],
    refs: &[PathBuf],
    format: OutputFormat,
) -> ExitCode {
    let new_set = match load(new, refs) {
        Ok(s) => s,
        Err(e) => {
            eprint!("{}", render(&e, format.into()));
            return ExitCode::from(2);
        }
    };
    let mut sets = Vec::with_capacity(existing.len());
    for p in existing {
        match load(p, refs) {
            Ok(s) => sets.push(s),
            Err(e) => {
                eprint!("{}", render(&e, format.into()));
                return ExitCode::from(2);
            }
        }
    }
    let ex: Vec<SchemaRef> = sets.iter().map(root).collect();
    let findings = check_mode(mode, root(&new_set), &ex);
    let diags: Vec<Diagnostic> = findings.iter().map(|f| diagnostic(&new_set, f)).collect();
    match format {
        OutputFormat::Json => {
            let report = CompatReport {
                compatible: findings.is_empty(),
                messages: findings
                    .iter()
                    .zip(&diags)
                    .map(|(f, d)| Message {
                        kind: f.incompatibility.kind.as_str().to_string(),
                        location: f.incompatibility.location.clone(),
                        message: f.incompatibility.message.clone(),
                        file: d.file.clone(),
                        line: d.line,
                        column: d.column,
                    })
                    .collect(),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        OutputFormat::Human if findings.is_empty() => {
            println!(
                "compatible: {} is {} with {} existing schema(s)",
                new.display(),
                mode.as_str(),
                existing.len()
            );
        }
        _ => print!("{}", render(&diags, format.into())),
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
