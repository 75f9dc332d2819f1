//! How the gate's report is printed: human (a table under the diagnostics), JSON, GitHub
//! workflow annotations, JUnit XML (a test case per subject) and SARIF (the diagnostics, as
//! `lint` and `compat` print them); shared by `check` and `publish`. Every form but JUnit
//! shows a finding that several subjects share once, naming the subjects. With `-q` the human
//! form is the errors alone (no table, no warnings, no `ok:` line).

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
            let f = if format == CheckFormat::Github {
                Format::Github
            } else {
                Format::Sarif
            };
            out::render(&report.findings, f, out::Stream::Stdout, "schemactl check")
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
    let shown: Vec<_> = report
        .findings
        .iter()
        .filter(|d| !quiet || d.level == sc_events_schema::Level::Error)
        .cloned()
        .collect();
    if !shown.is_empty() {
        out.push_str(&out::render(
            &shown,
            Format::Human,
            out::Stream::Stdout,
            "schemactl check",
        ));
    }
    for line in breaks(report) {
        out.push_str(&line);
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

/// The most event types a consumer-breakage line names.
const EVENT_TYPES_SHOWN: usize = 8;

/// One line per consumer group an incompatible change breaks, across subjects: the subjects
/// through which it breaks and the event types it reads that the change touches.
fn breaks(report: &GateReport) -> Vec<String> {
    // group id -> (consumer, subjects, event types), in order of first appearance.
    let mut groups: Vec<(&str, &str, Vec<&str>, Vec<&str>)> = Vec::new();
    for s in &report.subjects {
        for b in &s.breaks {
            let i = match groups.iter().position(|g| g.0 == b.group_id) {
                Some(i) => i,
                None => {
                    groups.push((&b.group_id, &b.consumer, Vec::new(), Vec::new()));
                    groups.len() - 1
                }
            };
            let g = &mut groups[i];
            g.2.push(&s.subject);
            for t in &b.event_types {
                if !g.3.contains(&t.as_str()) {
                    g.3.push(t);
                }
            }
        }
    }
    groups
        .into_iter()
        .map(|(group, consumer, subjects, types)| {
            let mut line = format!(
                "breaks consumer group {group} ({consumer}) through {}: {} event type(s): {}",
                subjects.join(", "),
                types.len(),
                types[..types.len().min(EVENT_TYPES_SHOWN)].join(", ")
            );
            if types.len() > EVENT_TYPES_SHOWN {
                let _ = write!(line, " and {} more", types.len() - EVENT_TYPES_SHOWN);
            }
            line.push('\n');
            line
        })
        .collect()
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
