//! [`CodegenError`]: why generation failed, printed as one line per diagnostic and then the
//! rendered report.

use sc_events_schema::diag::{render, Format};
use sc_events_schema::Diagnostic;
use std::fmt;
use std::path::PathBuf;

/// Why generation failed.
#[derive(Debug)]
pub enum CodegenError {
    /// The schemas are invalid, inconsistent or break a lint rule.
    Schemas(Vec<Diagnostic>),
    /// rsgen-avro refused the schemas.
    Rsgen(String),
    Io(PathBuf, std::io::Error),
    /// `OUT_DIR` is not set and no `out_dir` was configured.
    NoOutDir,
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Schemas(d) => {
                for x in d {
                    writeln!(f, "{}", x.one_line())?;
                }
                write!(f, "{}", render(d, Format::Human))
            }
            CodegenError::Rsgen(e) => write!(f, "rsgen-avro failed: {e}"),
            CodegenError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
            CodegenError::NoOutDir => write!(f, "OUT_DIR is not set; call Config::out_dir"),
        }
    }
}

impl std::error::Error for CodegenError {}
