//! The `schemactl` command line, for any workspace (found by walking up from the current
//! directory, or `--workspace DIR`, or `--config FILE`: see [`discover`]; its
//! `schemactl.toml`, schemas and topic file): argument parsing (clap), the global flags
//! (`--color`, `-q`, `-v`: [`out`]) and dispatch. Each subcommand lives in its own module and
//! returns an [`ExitCode`]: 0 clean, 1 findings, 2 usage, configuration, I/O or registry
//! error. Outside a workspace every workspace command says so and exits 2; no schemas are
//! built into the binary.

mod catalog;
pub mod check;
mod compat;
mod concurrent;
pub mod config;
mod describe;
mod discover;
mod docs;
mod fmt;
pub mod gate;
mod impact;
mod import;
mod lint;
mod lsp;
pub mod out;
mod publish;
mod report;
mod serve;
mod tail;
mod topics;

pub use publish::PublishFormat;
pub use report::CheckFormat;

use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};
use sc_events_schema::{Catalog, Diagnostic, Format};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Avro event contracts of any sc-events workspace: lint, catalog, compatibility gate, publish.
#[derive(Debug, Parser)]
#[command(name = "schemactl", version, about)]
pub struct Cli {
    /// Run in this workspace directory (its `schemactl.toml`, `schemas/`, `.registry/`), as
    /// `git -C` does: relative paths in other arguments are taken from there too.
    /// Default: the current directory.
    /// Without it (and without --config) the workspace is the nearest directory, from the
    /// current one up, holding a `schemactl.toml` (or `schemas/topics.toml`).
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// The workspace's `schemactl.toml`; its directory is the workspace root.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "workspace")]
    pub config: Option<PathBuf>,
    /// Colour human diagnostics: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = out::ColorChoice::Auto)]
    pub color: out::ColorChoice,
    /// Print errors only: no progress, summaries or warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print what the command did: workspace, files read, registry, cluster, timing.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a schema directory against every lint rule (naming, docs, types, privacy and catalog conventions).
    Lint {
        /// Schema directory (`*.avsc` + `topics.toml`); default: the workspace's (`schemas` in
        /// schemactl.toml, else `schemas/`).
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
        /// Also apply the evolution policy against the newest existing schema.
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
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// The gate: every subject of the workspace against its registered history, in the
    /// subject's compatibility level, plus the evolution policy. Exit 0 compatible,
    /// 1 incompatible, 2 usage, load or registry error.
    Check {
        /// Registry to check against: `embedded` (default; `.registry/registry.db`),
        /// `embedded:PATH`, `http(s)://HOST:PORT` (Confluent Schema Registry) or `git:REF`.
        /// Default: $SCHEMA_REGISTRY_URL, else `registry.url` in schemactl.toml, else the topic
        /// file's `schema_registry.url`, else embedded.
        #[arg(long)]
        against: Option<String>,
        /// Schema directory; default `schemas` in schemactl.toml, else `schemas/`.
        #[arg(long)]
        schemas: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Run the gate, then register every changed subject (references first), all or nothing.
    /// A re-run registers nothing and reports the existing ids.
    Publish {
        /// Registry to publish to; as for `check`.
        #[arg(long)]
        against: Option<String>,
        #[arg(long)]
        schemas: Option<PathBuf>,
        /// Run every check and print the plan; register nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = PublishFormat::Human)]
        format: PublishFormat,
    },
    /// Kafka topics: compare the catalog with a cluster (`plan`) or create what is missing
    /// (`apply`). Exit 0 in sync, 1 missing topics (plan) or drift, 2 cluster error.
    Topics {
        #[command(subcommand)]
        command: topics::TopicsCommand,
    },
    /// Format `.avsc` files in the one layout (default: rewrite the workspace's schemas).
    /// Exit 0 formatted (or already), 1 would change (`--check`, `--diff`), 2 usage, I/O or
    /// parse error (nothing written).
    Fmt(fmt::FmtArgs),
    /// Convert schemas from other languages to `.avsc` files.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Print a topic's events as JSON lines, decoded through the registry (a console consumer).
    Tail(tail::TailArgs),
    /// The embedded registry.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// Write the event catalog as a static HTML site (works from file://): a page per topic,
    /// event type and consumer job, the registered versions with their diffs, a picture of
    /// producers, topics, consumer groups and dead letters, and search.
    Docs(docs::DocsArgs),
    /// A Language Server for the workspace's `.avsc` files, topic file and `schemactl.toml`,
    /// over stdio: diagnostics (parse, lint and the gate) as you type, quick fixes, hover,
    /// go to definition, find references, completion and formatting (README "Editors").
    Lsp,
    /// Print a shell completion script (e.g. `schemactl completions bash > ~/.local/share/bash-completion/completions/schemactl`).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) to stdout (`schemactl man | man -l -`).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Serve the embedded registry over Confluent Schema Registry's REST API. Prints
    /// `listening on http://ADDR` first; stops on SIGTERM or Ctrl-C. Basic auth is on when
    /// SCHEMACTL_SERVE_BASIC_AUTH holds `user:secret` pairs (comma-separated).
    Serve {
        /// Address to listen on (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:8081")]
        addr: std::net::SocketAddr,
        /// The registry file; default `.registry/registry.db` in the workspace.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Allow a non-loopback address.
        #[arg(long)]
        allow_remote: bool,
        /// A `Host` name the server answers to, besides the loopback names and the listen
        /// address (repeatable; `*`: any). Others get 421, which stops DNS rebinding.
        #[arg(long = "allowed-host", value_name = "NAME")]
        allowed_hosts: Vec<String>,
        /// Start a new registry in an empty (0-byte) file, which is refused otherwise: it is
        /// more likely a truncated registry than a new one. A missing file is created.
        #[arg(long)]
        init: bool,
        /// Check the whole file at start with SQLite's integrity_check (default: quick_check).
        #[arg(long)]
        full_check: bool,
        #[command(flatten)]
        limits: serve::LimitArgs,
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
    /// JUnit XML: a test case per file with findings.
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
            OutputFormat::Junit => Format::Junit,
            OutputFormat::Sarif => Format::Sarif,
        }
    }
}

/// How `rules` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
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

pub fn run(mut cli: Cli) -> ExitCode {
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => out::Verbosity::Quiet,
        (_, true) => out::Verbosity::Verbose,
        _ => out::Verbosity::Normal,
    };
    out::init(cli.color, verbosity);
    let started = std::time::Instant::now();
    let code = match enter_workspace(&mut cli) {
        Ok(()) => dispatch(cli.command),
        Err(code) => code,
    };
    out::detail(format_args!(
        "finished in {} ms",
        started.elapsed().as_millis()
    ));
    code
}

/// Changes to the workspace root (see [`discover`]), after making the command's relative
/// paths absolute when the root was discovered rather than named by `--workspace`.
fn enter_workspace(cli: &mut Cli) -> Result<(), ExitCode> {
    if matches!(cli.command, Command::Completions { .. } | Command::Man) {
        return Ok(());
    }
    let cwd = std::env::current_dir().map_err(|e| {
        out::error(format_args!("cannot read the current directory: {e}"));
        ExitCode::from(2)
    })?;
    let (root, found) = discover::root(cli.workspace.as_deref(), cli.config.as_deref(), &cwd)
        .map_err(|e| {
            out::error(e);
            ExitCode::from(2)
        })?;
    // Paths typed here keep their meaning once the command runs in the workspace root; where
    // that is the current directory already, they stay as typed (and print as typed).
    if found != discover::Found::Workspace && root != cwd {
        discover::rebase_paths(&mut cli.command, &cwd);
    }
    if root != cwd {
        if let Err(e) = std::env::set_current_dir(&root) {
            out::error(format_args!(
                "cannot enter workspace {}: {e}",
                root.display()
            ));
            return Err(ExitCode::from(2));
        }
    }
    let how = match found {
        discover::Found::Workspace => "--workspace",
        discover::Found::Config => "--config",
        discover::Found::Ancestor => "found from the current directory",
        discover::Found::CurrentDir => "the current directory (no workspace above it)",
    };
    out::detail(format_args!("workspace {} ({how})", root.display()));
    Ok(())
}

fn dispatch(command: Command) -> ExitCode {
    match command {
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
        Command::Check {
            against,
            schemas,
            format,
        } => check::run(against.as_deref(), schemas.as_deref(), format),
        Command::Publish {
            against,
            schemas,
            dry_run,
            format,
        } => publish::run(against.as_deref(), schemas.as_deref(), dry_run, format),
        Command::Topics { command } => topics::run(command),
        Command::Tail(args) => tail::run(args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Import { command } => import::run(command),
        Command::Registry {
            command:
                RegistryCommand::Serve {
                    addr,
                    db,
                    allow_remote,
                    allowed_hosts,
                    init,
                    full_check,
                    limits,
                },
        } => serve::run(serve::Serve {
            addr,
            db,
            allow_remote,
            allowed_hosts,
            init,
            full_check,
            limits,
        }),
        Command::Lsp => lsp::run(),
        Command::Docs(args) => docs::run(&args),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "schemactl", &mut buf);
            out::print(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut buf = Vec::new();
            if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                out::error(format_args!("cannot render the man page: {e}"));
                return ExitCode::from(2);
            }
            out::print(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
    }
}

/// The catalog of the workspace in the current directory: its layout from `schemactl.toml`
/// (the defaults without one), with `dir` as the schema directory when given. A directory
/// that is no workspace (no `schemactl.toml`, no topic file where the layout puts it) is a
/// `WORKSPACE` error: nothing is built into this binary to fall back on.
pub(crate) fn load_catalog(dir: Option<&Path>) -> Result<Catalog, Vec<Diagnostic>> {
    let mut layout = match dir {
        Some(_) => load_layout()?,
        None => workspace_layout()?,
    };
    if let Some(d) = dir {
        with_schema_dir(&mut layout, d);
    }
    out::detail(format_args!(
        "reading schemas from {} and topics from {}",
        layout.schemas.display(),
        layout.topics.display()
    ));
    let catalog = Catalog::load_layout(layout)?;
    out::detail(format_args!(
        "read {} schema file(s): {} domain(s), {} topic(s)",
        catalog.set.files.len(),
        catalog.domains.len(),
        catalog.topics.len()
    ));
    Ok(catalog)
}

/// `layout` reading its schemas from `dir` (and its topics from `dir/topics.toml` unless
/// `schemactl.toml` names the topic file).
pub(crate) fn with_schema_dir(layout: &mut sc_events_schema::Layout, dir: &Path) {
    if layout.section.topics.is_none() {
        layout.topics = dir.join("topics.toml");
    }
    layout.schemas = dir.to_path_buf();
}

fn load_layout() -> Result<sc_events_schema::Layout, Vec<Diagnostic>> {
    sc_events_schema::Layout::load(Path::new(".")).map_err(|e| {
        vec![Diagnostic::file_level(
            sc_events_schema::Level::Error,
            "CONFIG",
            e.0,
            Path::new(sc_events_schema::layout::CONFIG_FILE),
        )]
    })
}

/// The layout of the workspace in the current directory; outside a workspace (no
/// `schemactl.toml` and no topic file where the layout puts it) a `WORKSPACE` error, since
/// there is nothing to work on (and no schemas are built into the binary).
pub(crate) fn workspace_layout() -> Result<sc_events_schema::Layout, Vec<Diagnostic>> {
    let layout = load_layout()?;
    let config = Path::new(sc_events_schema::layout::CONFIG_FILE);
    if config.is_file() || layout.topics.is_file() {
        return Ok(layout);
    }
    let here = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".into());
    Err(vec![Diagnostic::file_level(
        sc_events_schema::Level::Error,
        "WORKSPACE",
        format!(
            "{here} is not a workspace: it has no {} and no {}; run schemactl in (or below) a workspace, or pass --workspace DIR or --config FILE",
            config.display(),
            layout.topics.display()
        ),
        config,
    )])
}

/// A tokio runtime for one command; big stacks for deeply nested schemas.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .map_err(|e| {
            out::error(format_args!("cannot start the async runtime: {e}"));
            ExitCode::from(2)
        })
}

/// A command stopped by `message` (an unreachable or unknown registry, a refused argument):
/// `error: …` on stderr and, in a machine format, the same as one finding with `code` on
/// stdout in that format's shape, so a CI job parsing stdout sees why; exit 2.
pub(crate) fn fail(format: Format, code: &str, message: impl std::fmt::Display) -> ExitCode {
    let message = message.to_string();
    out::error(&message);
    if format != Format::Human {
        let d =
            Diagnostic::file_level(sc_events_schema::Level::Error, code, message, Path::new(""));
        out::print(&out::render(&[d], format, out::Stream::Stdout, "schemactl"));
    }
    ExitCode::from(2)
}

/// Prints load errors and returns the matching exit code (2: nothing could be checked).
pub(crate) fn report_load_errors(errors: &[Diagnostic], format: Format) -> ExitCode {
    out::eprint(&out::render(
        errors,
        format,
        out::Stream::Stderr,
        "schemactl",
    ));
    error_exit(errors)
}

/// The exit code of errors that stopped a command, the same for every command: 2 when a file
/// could not be read or is not JSON/TOML/YAML at all (`IO`, `PARSE`), or the configuration or
/// workspace or policy file is wrong (`CONFIG`, `WORKSPACE`, `POLICY`); 1 when the files parsed and what they say is
/// wrong (an invalid Avro schema, an unknown type, a duplicate field: findings).
pub(crate) fn error_exit(errors: &[Diagnostic]) -> ExitCode {
    let unreadable = errors.iter().any(|d| {
        matches!(
            d.code.as_str(),
            "IO" | "PARSE" | "CONFIG" | "POLICY" | "WORKSPACE"
        )
    });
    ExitCode::from(if unreadable { 2 } else { 1 })
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
        assert!(Cli::try_parse_from(["schemactl", "-q", "-v", "rules"]).is_err());
        let c = Cli::try_parse_from(["schemactl", "lint", "--color", "never", "-q"]).unwrap();
        assert!(c.quiet && c.color == out::ColorChoice::Never);
        assert!(Cli::try_parse_from(["schemactl", "completions", "zsh"]).is_ok());
        for f in ["human", "json", "github", "junit", "sarif"] {
            for cmd in [&["lint"][..], &["check"], &["compat", "a.avsc"]] {
                let mut args = vec!["schemactl"];
                args.extend_from_slice(cmd);
                args.extend(["--format", f]);
                assert!(Cli::try_parse_from(&args).is_ok(), "{args:?}");
            }
        }
    }
}
