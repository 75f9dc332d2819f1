//! `schemactl fmt`: every `.avsc` in the one layout of [`sc_events_schema::format`].
//!
//! Files: the arguments (a directory stands for its `.avsc` files, recursively), else the
//! workspace's schema directory, read as `lint` reads it. Every file is read and formatted
//! before anything is written: a file that does not parse (or holds a comment) is an error
//! at `file:line:col`, exit 2, and no file is touched. `--write` (the default, as for
//! `cargo fmt`) replaces each changed file atomically (a temporary file in the same
//! directory, renamed over it); `--check` names the files that would change and `--diff`
//! prints a unified diff, both exit 1 when any would.

use super::{out, report_load_errors, workspace_layout};
use clap::Args;
use sc_events_schema::catalog::avsc_files;
use sc_events_schema::diag::Format;
use sc_events_schema::source::{SourceFile, Span};
use sc_events_schema::{Diagnostic, Level};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or directories to format; default: the workspace's schema directory.
    pub paths: Vec<PathBuf>,
    /// Write nothing; name each file that would change, exit 1 if any.
    #[arg(long, conflicts_with_all = ["diff", "write"])]
    pub check: bool,
    /// Write nothing; print a unified diff of each file that would change, exit 1 if any.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Rewrite the files that change (the default).
    #[arg(long)]
    pub write: bool,
}

/// One file and its formatted text.
struct Formatted {
    file: SourceFile,
    text: String,
}

impl Formatted {
    fn changed(&self) -> bool {
        self.file.text != self.text
    }
}

pub fn run(args: &FmtArgs) -> ExitCode {
    let paths = match files(&args.paths) {
        Ok(p) => p,
        Err(e) => return report_load_errors(&e, Format::Human),
    };
    let mut errors = Vec::new();
    let mut done = Vec::with_capacity(paths.len());
    for path in paths {
        let file = match SourceFile::read(&path) {
            Ok(f) => f,
            Err(e) => {
                errors.push(Diagnostic::file_level(
                    Level::Error,
                    "IO",
                    format!("cannot read {}: {e}", path.display()),
                    &path,
                ));
                continue;
            }
        };
        match sc_events_schema::format::format(&file.text) {
            Ok(text) => done.push(Formatted { file, text }),
            Err(e) => {
                let at = Span::new(e.offset, e.offset + 1);
                errors.push(Diagnostic::at(Level::Error, "PARSE", e.message, &file, at));
            }
        }
    }
    if !errors.is_empty() {
        out::eprint(&out::render(
            &errors,
            Format::Human,
            out::Stream::Stderr,
            "schemactl fmt",
        ));
        out::error("nothing was formatted");
        return ExitCode::from(2);
    }
    let changed: Vec<&Formatted> = done.iter().filter(|f| f.changed()).collect();
    if args.check || args.diff {
        for f in &changed {
            let path = f.file.path.display().to_string();
            let open = if args.diff {
                out::print(&unified_diff(&path, &f.file.text, &f.text))
            } else {
                out::println(&format!("{path}: not formatted (run schemactl fmt)"))
            };
            if !open {
                break; // stdout closed (piped into head)
            }
        }
        return ExitCode::from(u8::from(!changed.is_empty()));
    }
    for f in changed {
        if let Err(e) = write_atomic(&f.file.path, &f.text) {
            out::error(format_args!("cannot write {}: {e}", f.file.path.display()));
            return ExitCode::from(2);
        }
        out::info(format_args!("formatted {}", f.file.path.display()));
    }
    ExitCode::SUCCESS
}

/// The files to format, sorted, each once.
fn files(args: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    if args.is_empty() {
        return avsc_files(&workspace_layout()?.schemas);
    }
    let mut out = Vec::new();
    for p in args {
        if p.is_dir() {
            out.extend(avsc_files(p)?);
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A unified diff (3 lines of context) from `old` to `new`, headed `a/PATH` and `b/PATH`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Replaces `path` with `text`: written to a new file beside it (same permissions), synced,
/// then renamed over it, so a reader sees the old file or the new one, never a part.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_names_both_sides() {
        let d = unified_diff("s/a.avsc", "{\"a\":1}\n", "{\n  \"a\": 1\n}\n");
        assert!(d.starts_with("--- a/s/a.avsc\n+++ b/s/a.avsc\n@@"), "{d}");
        assert!(d.contains("-{\"a\":1}\n+{\n+  \"a\": 1\n+}\n"), "{d}");
    }

    #[test]
    fn writes_atomically_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.avsc");
        std::fs::write(&p, "old").expect("write");
        write_atomic(&p, "new").expect("replace");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "new");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
