//! `schemactl import jsonschema FILE... --out DIR`: draft-07 JSON Schema files to `.avsc`.
//! Every file is converted (and the result parsed as Avro) before anything is written; any
//! conversion error is reported at its `file:line:col` and JSON pointer, exit 1, and no file
//! is written. Outputs are staged as complete temporary files, then renamed, so a reader never
//! sees a half-written schema; a failing write removes what was staged.

use super::OutputFormat;
use crate::out as say;
use heck::ToSnakeCase as _;
use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::import::combine::{combine, DomainOptions};
use sc_events_schema::import::jsonschema::{import, Imported, Options};
use sc_events_schema::source::SourceFile;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The JUnit suite of `import`'s diagnostics.
const SUITE: &str = "schemactl import";

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Convert draft-07 JSON Schema event schemas to Avro records (one `.avsc` per file,
    /// named after the input), carrying validation keywords as field `"constraints"`.
    Jsonschema {
        /// The JSON Schema files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Directory to write the `.avsc` files to (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Namespace of the generated records.
        #[arg(long, default_value = "events")]
        namespace: String,
        /// The property that holds the event type (a single-valued enum or const).
        #[arg(long, default_value = "eventType")]
        event_type_field: String,
        /// Combine the events into one domain record of this name (a flat-envelope
        /// workspace): the shared fields become the envelope record, written once, and the
        /// payloads one union. Instead of one file per event, one file per shared record
        /// (the envelope, and each record its fields define, such as `EventMetadata`) and one
        /// for the domain record are written: three for the product events.
        #[arg(long)]
        domain: Option<String>,
        /// With --domain: the envelope record's name.
        #[arg(long, default_value = "EventEnvelope", requires = "domain")]
        envelope: String,
        /// With --domain: the property that holds each event's payload.
        #[arg(long, default_value = "data", requires = "domain")]
        payload_field: String,
        /// With --domain: the attribute naming the domain's version, and the version.
        #[arg(long, default_value = "version", requires = "domain")]
        version_attribute: String,
        #[arg(long, default_value = "1.0.0", requires = "domain")]
        version: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
}

pub fn run(command: ImportCommand) -> ExitCode {
    let ImportCommand::Jsonschema {
        files,
        out,
        namespace,
        event_type_field,
        domain,
        envelope,
        payload_field,
        version_attribute,
        version,
        format,
    } = command;
    let options = Options {
        namespace: namespace.clone(),
        event_type_field: event_type_field.clone(),
    };
    let mut imported: Vec<(PathBuf, Imported)> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut results: Vec<(PathBuf, String, String)> = Vec::new();
    for path in &files {
        let file = match SourceFile::read(path) {
            Ok(f) => f,
            Err(e) => {
                errors.push(Diagnostic::file_level(
                    Level::Error,
                    "IO",
                    format!("cannot read {}: {e}", path.display()),
                    path,
                ));
                continue;
            }
        };
        match import(&file, &options) {
            Ok(done) => {
                let stem = path
                    .file_stem()
                    .map_or_else(|| done.name.clone(), |s| s.to_string_lossy().into_owned());
                let target = out.join(format!("{stem}.avsc"));
                if let Some((other, _, _)) = results
                    .iter()
                    .find(|(p, n, _)| *p == target || *n == done.name)
                {
                    errors.push(Diagnostic::file_level(
                        Level::Error,
                        "IMPORT",
                        format!(
                            "{} and {} both become {} ({})",
                            path.display(),
                            other.display(),
                            done.name,
                            target.display()
                        ),
                        path,
                    ));
                    continue;
                }
                results.push((target, done.name.clone(), done.text.clone()));
                imported.push((path.clone(), done));
            }
            Err(mut d) => errors.append(&mut d),
        }
    }
    if !errors.is_empty() {
        say::eprint(&say::render(
            &errors,
            format.into(),
            say::Stream::Stderr,
            SUITE,
        ));
        say::error("nothing was written");
        return super::error_exit(&errors);
    }
    if let Some(domain) = domain {
        let o = DomainOptions {
            domain,
            envelope,
            namespace,
            payload_field,
            version_attribute,
            version,
            event_type_field,
        };
        let combined = match combine(&imported, &o) {
            Ok(c) => c,
            Err(e) => {
                say::error(e);
                say::error("nothing was written");
                return ExitCode::from(1);
            }
        };
        results = combined
            .shared
            .into_iter()
            .map(|(name, text)| {
                (
                    out.join(format!("{}.avsc", name.to_snake_case())),
                    name,
                    text,
                )
            })
            .collect();
        results.push((
            out.join(format!("{}.avsc", o.envelope.to_snake_case())),
            o.envelope.clone(),
            combined.envelope,
        ));
        results.push((
            out.join(format!("{}.avsc", o.domain.to_snake_case())),
            o.domain.clone(),
            combined.domain,
        ));
        // What Java would accept, and the catalog's shape, before anything is written.
        let files = results
            .iter()
            .map(|(p, _, t)| SourceFile::new(p.clone(), t.clone()))
            .collect();
        if let Err(d) = sc_events_schema::model::parse_files(files) {
            say::eprint(&say::render(&d, format.into(), say::Stream::Stderr, SUITE));
            say::error("nothing was written");
            return ExitCode::from(1);
        }
    }
    if let Err(e) = write_all(&out, &results) {
        say::error(e);
        return ExitCode::from(2);
    }
    say::detail(format_args!(
        "converted {} file(s) into {}",
        files.len(),
        out.display()
    ));
    if !say::quiet() {
        for (target, name, _) in &results {
            say::println(&format!("wrote {} ({name})", target.display()));
        }
    }
    ExitCode::SUCCESS
}

fn write_all(out: &Path, results: &[(PathBuf, String, String)]) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut staged: Vec<(PathBuf, &PathBuf)> = Vec::new();
    let clean = |staged: &[(PathBuf, &PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (target, _, text) in results {
        let tmp = target.with_extension("avsc.tmp");
        if let Err(e) = std::fs::write(&tmp, text) {
            staged.push((tmp.clone(), target));
            clean(&staged);
            return Err(format!(
                "cannot write {}: {e}; nothing was written",
                tmp.display()
            ));
        }
        staged.push((tmp, target));
    }
    // Every file is complete on disk before the first rename.
    for (i, (tmp, target)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            clean(&staged[i..]);
            return Err(format!(
                "cannot write {}: {e} (the files before it were replaced)",
                target.display()
            ));
        }
    }
    Ok(())
}
