//! The `schemactl` command line: argument parsing (clap) and dispatch. Each subcommand lives in
//! its own module and returns an [`ExitCode`]: 0 clean, 1 findings, 2 usage or I/O error.

mod catalog;
mod compat;
mod lint;

use clap::{Parser, Subcommand, ValueEnum};
use sc_events_schema::{Catalog, Diagnostic, Format};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Avro event contracts of the social-commerce platform: lint, catalog, compatibility gate.
#[derive(Debug, Parser)]
#[command(name = "schemactl", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a schema directory against every lint rule (seed 000 §6 and the team's conventions).
    Lint {
        /// Schema directory (`*.avsc` + `topics.toml`); default `schemas/` if it exists, else
        /// the schemas built into this binary.
        dir: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Print the topic and event catalog.
    Catalog {
        /// Schema directory; default as for `lint`.
        #[arg(long)]
        schemas: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = CatalogFormat::Json)]
        format: CatalogFormat,
    },
    /// Check a new schema against the registered versions under a Confluent compatibility mode.
    /// Exit 0 compatible, 1 incompatible, 2 usage or parse error.
    Compat {
        /// BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.
        #[arg(long, default_value = "BACKWARD")]
        mode: sc_events_schema::rules::compat::Mode,
        /// The new schema (`.avsc`).
        new: PathBuf,
        /// The registered versions, oldest first.
        existing: Vec<PathBuf>,
        /// A referenced schema (e.g. the envelope), parsed before each checked schema; repeatable.
        #[arg(long = "ref")]
        refs: Vec<PathBuf>,
        /// Also apply the evolution policy (seed 000 §5) against the newest existing schema.
        #[arg(long)]
        policy: bool,
        /// Policy file; default `schemas/policy.toml` when it exists, else every rule on.
        #[arg(long, requires = "policy")]
        policy_file: Option<PathBuf>,
        /// Confluent subject whose policy applies; default: the value subject of the topic that
        /// carries the new schema's record in the catalog, else the file stem.
        #[arg(long)]
        subject: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// List every rule with its id, category and summary.
    Rules {
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippet with a marker and the fix hint.
    Human,
    /// Machine-readable JSON.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Json,
    Markdown,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    run(cli)
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Lint { dir, format } => lint::run(dir.as_deref(), format.into()),
        Command::Catalog { schemas, format } => catalog::run(schemas.as_deref(), format),
        Command::Compat {
            mode,
            new,
            existing,
            refs,
            policy,
            policy_file,
            subject,
            format,
        } => {
            let policy = policy.then_some(compat::PolicyArgs {
                file: policy_file,
                subject,
            });
            compat::run(mode, &new, &existing, &refs, policy.as_ref(), format)
        }
        Command::Rules { format } => lint::rules(format),
    }
}

/// Loads the catalog from `dir`, `./schemas`, or the schemas embedded at build time.
pub(crate) fn load_catalog(dir: Option<&Path>) -> Result<Catalog, Vec<Diagnostic>> {
    match dir {
        Some(d) => Catalog::load(d),
        None if Path::new("schemas").join("topics.toml").is_file() => {
            Catalog::load(Path::new("schemas"))
        }
        None => embedded_catalog(),
    }
}

/// The catalog of the schemas this binary was built from.
pub fn embedded_catalog() -> Result<Catalog, Vec<Diagnostic>> {
    use sc_events_schema::source::SourceFile;
    let dir = Path::new("<embedded>");
    let files = crate::SCHEMAS
        .iter()
        .map(|s| SourceFile::new(dir.join(s.file), s.text))
        .collect();
    let topics = SourceFile::new(dir.join("topics.toml"), crate::TOPICS_TOML);
    Catalog::from_files(dir, files, topics)
}

/// Prints load errors and returns the matching exit code (2: nothing could be checked).
pub(crate) fn report_load_errors(errors: &[Diagnostic], format: Format) -> ExitCode {
    eprint!("{}", sc_events_schema::diag::render(errors, format));
    let io = errors.iter().any(|d| d.code == "IO");
    ExitCode::from(if io { 2 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_subcommand() {
        let c = Cli::try_parse_from(["schemactl", "lint", "x", "--format", "json"]).unwrap();
        assert!(matches!(
            c.command,
            Command::Lint {
                format: OutputFormat::Json,
                ..
            }
        ));
        let c = Cli::try_parse_from(["schemactl", "catalog", "--format", "markdown"]).unwrap();
        assert!(matches!(
            c.command,
            Command::Catalog {
                format: CatalogFormat::Markdown,
                ..
            }
        ));
        assert!(Cli::try_parse_from(["schemactl", "catalog", "--format", "xml"]).is_err());
        assert!(Cli::try_parse_from(["schemactl", "rules"]).is_ok());
    }

    #[test]
    fn embedded_catalog_loads() {
        let c = embedded_catalog().unwrap();
        assert_eq!(c.events().count(), 74);
        assert_eq!(c.topics.len(), 32);
    }
}
