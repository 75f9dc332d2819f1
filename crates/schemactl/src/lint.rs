//! `schemactl lint` and `schemactl rules` (every rule of every family).

use super::{load_catalog, out, report_load_errors, RulesFormat};
use sc_events_schema::diag::Format;
use sc_events_schema::rules::{all_rules, lint, Family};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

pub fn run(dir: Option<&Path>, format: Format) -> ExitCode {
    let catalog = match load_catalog(dir) {
        Ok(c) => c,
        Err(e) => return report_load_errors(&e, format),
    };
    let findings = lint::lint(&catalog);
    out::print(&out::render(
        &findings,
        format,
        out::Stream::Stdout,
        "schemactl lint",
    ));
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn rules(format: RulesFormat) -> ExitCode {
    let rules = all_rules();
    match format {
        RulesFormat::Json => {
            out::println(&serde_json::to_string_pretty(&rules).unwrap_or_default());
        }
        RulesFormat::Human => {
            let mut text = String::new();
            for r in rules {
                let family = match r.family {
                    Family::Lint => "lint",
                    Family::Compat => "compat",
                    Family::Policy => "policy",
                };
                let _ = writeln!(
                    text,
                    "{:<35} {:<7} {:<10} {}\n{:<55}fix: {}",
                    r.id, family, r.category, r.summary, "", r.hint
                );
            }
            out::print(&text);
        }
    }
    ExitCode::SUCCESS
}
