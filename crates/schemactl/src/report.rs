//! How the gate's report is printed: human (a table under the diagnostics), JSON, GitHub
//! workflow annotations, JUnit XML (a test case per subject) and SARIF (the diagnostics, as
//! `lint` and `compat` print them); shared by `check` and `publish`. With `-q` the human form
//! is the errors alone (no table, no warnings, no `ok:` line).

use super::gate::{GateReport, Status};
use super::out;
use sc_events_schema::diag::ci::xml;
use sc_events_schema::diag::Format;
use serde::Serialize;
use std::fmt::Write as _;

/// How `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
    Junit,
    Sarif,
}

/// The report in `format`.
pub fn render_report(report: &GateReport, format: CheckFormat) -> String {
    match format {
        CheckFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        CheckFormat::Junit => junit(report),
        CheckFormat::Github | CheckFormat::Sarif => {
            let diags: Vec<_> = report
                .subjects
                .iter()
                .flat_map(|s| s.diagnostics.iter().cloned())
                .collect();
            let f = if format == CheckFormat::Github {
                Format::Github
            } else {
                Format::Sarif
            };
            out::render(&diags, f, out::Stream::Stdout, "schemactl check")
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
        Status::Policy => "REFUSED BY POLICY",
    }
}

fn human(report: &GateReport) -> String {
    let mut out = String::new();
    let quiet = out::quiet();
    for s in report.subjects.iter().filter(|s| !s.diagnostics.is_empty()) {
        if quiet && !s.status.refused() {
            continue;
        }
        out.push_str(&out::render(
            &s.diagnostics,
            Format::Human,
            out::Stream::Stdout,
            "schemactl check",
        ));
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
    let count = |st: Status| report.subjects.iter().filter(|s| s.status == st).count();
    let (bad, policy, n) = (
        count(Status::Incompatible),
        count(Status::Policy),
        report.subjects.len(),
    );
    if !quiet {
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
        if bad == 0 && policy == 0 {
            let _ = writeln!(
                out,
                "ok: {n} subject(s) checked against {}; nothing breaks",
                report.registry
            );
        }
    }
    if bad > 0 {
        let _ = writeln!(
            out,
            "error: {bad} of {n} subject(s) would break their registered history in {}",
            report.registry
        );
    }
    if policy > 0 {
        let _ = writeln!(
            out,
            "error: {policy} of {n} subject(s) are readable by every registered version but refused by the evolution policy"
        );
    }
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

fn junit(report: &GateReport) -> String {
    let failures = report
        .subjects
        .iter()
        .filter(|s| s.status.refused())
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
        if !s.status.refused() {
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
