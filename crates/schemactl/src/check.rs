//! `schemactl check`: the gate over the whole workspace, printed for people (snippets at the
//! `.avsc` line and a summary table), for tools (JSON), for GitHub (annotations) and for CI
//! test reports (JUnit XML). Exit 0 compatible, 1 incompatible, 2 usage, load or registry error.

use super::gate::{self, GateReport, Status};
use super::{config::Settings, load_catalog, report_load_errors};
use sc_events_registry::Registry;
use sc_events_schema::diag::{render, Format};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// How `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
    Junit,
}

/// A tokio runtime for one command; big stacks for deeply nested schemas.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(2)
        })
}

/// Loads the workspace, its catalog and the registry, and runs the gate.
pub(crate) async fn gate_for(
    against: Option<&str>,
    schemas: Option<&Path>,
    format: Format,
) -> Result<(Settings, GateReport, Box<dyn Registry>), ExitCode> {
    let ws = Settings::load().map_err(|e| report_load_errors(&e, format))?;
    let dir = ws.schemas_dir(schemas);
    let catalog = load_catalog(dir.as_deref()).map_err(|e| report_load_errors(&e, format))?;
    let target = ws.target(against);
    let registry = ws.open(&target, dir.as_deref()).await.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let live = target.starts_with("http://") || target.starts_with("https://");
    let report = gate::run(&ws, &catalog, registry.as_ref(), live)
        .await
        .map_err(|e| {
            eprintln!(
                "error: the gate could not run against {}: {e}",
                registry.describe()
            );
            ExitCode::from(2)
        })?;
    Ok((ws, report, registry))
}

pub fn run(against: Option<&str>, schemas: Option<&Path>, format: CheckFormat) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let diag_format = match format {
        CheckFormat::Json => Format::Json,
        CheckFormat::Github => Format::Github,
        _ => Format::Human,
    };
    let report = match rt.block_on(gate_for(against, schemas, diag_format)) {
        Ok((_, r, _)) => r,
        Err(code) => return code,
    };
    print!("{}", render_report(&report, format));
    if report.compatible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The report in `format`.
pub fn render_report(report: &GateReport, format: CheckFormat) -> String {
    match format {
        CheckFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        CheckFormat::Junit => junit(report),
        CheckFormat::Github => {
            let diags: Vec<_> = report
                .subjects
                .iter()
                .flat_map(|s| s.diagnostics.iter().cloned())
                .collect();
            render(&diags, Format::Github)
        }
        CheckFormat::Human => human(report),
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::New => "new",
        Status::Unchanged => "unchanged",
        Status::Compatible => "compatible",
        Status::Incompatible => "INCOMPATIBLE",
    }
}

fn human(report: &GateReport) -> String {
    let mut out = String::new();
    for s in report.subjects.iter().filter(|s| !s.diagnostics.is_empty()) {
        out.push_str(&render(&s.diagnostics, Format::Human));
        for b in &s.breaks {
            let _ = writeln!(
                out,
                "{}: breaks consumer group {} ({}): {}",
                s.subject,
                b.group_id,
                b.consumer,
                b.event_types.join(", ")
            );
        }
    }
    let width = subject_width(report.subjects.iter().map(|s| s.subject.as_str()));
    let _ = writeln!(
        out,
        "{:<width$}  {:<19}  {:>9}  result",
        "subject", "compatibility", "versions"
    );
    for s in &report.subjects {
        let _ = writeln!(
            out,
            "{:<width$}  {:<19}  {:>9}  {}",
            s.subject,
            s.compatibility.as_str(),
            s.versions.len(),
            status_word(s.status)
        );
    }
    let bad = report
        .subjects
        .iter()
        .filter(|s| s.status == Status::Incompatible)
        .count();
    let _ = if bad == 0 {
        writeln!(
            out,
            "ok: {} subject(s) checked against {}; nothing breaks",
            report.subjects.len(),
            report.registry
        )
    } else {
        writeln!(
            out,
            "error: {bad} of {} subject(s) would break their registered history in {}",
            report.subjects.len(),
            report.registry
        )
    };
    out
}

/// The width of a table's subject column.
pub(crate) fn subject_width<'a>(subjects: impl Iterator<Item = &'a str>) -> usize {
    subjects
        .map(str::len)
        .max()
        .unwrap_or(0)
        .max("subject".len())
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn junit(report: &GateReport) -> String {
    let failures = report
        .subjects
        .iter()
        .filter(|s| s.status == Status::Incompatible)
        .count();
    let n = report.subjects.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"schemactl check\" tests=\"{n}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failures}\">",
        xml(&report.registry)
    );
    for s in &report.subjects {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{} against {} version(s)\" file=\"{}\"",
            xml(&s.subject),
            s.compatibility.as_str(),
            s.versions.len(),
            xml(&s.file.display().to_string())
        );
        if s.status != Status::Incompatible {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for d in s
            .diagnostics
            .iter()
            .filter(|d| d.level == sc_events_schema::Level::Error)
        {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml(&d.code),
                xml(&d.message),
                xml(&d.one_line())
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Serialises anything as pretty JSON with a trailing newline.
pub(crate) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
