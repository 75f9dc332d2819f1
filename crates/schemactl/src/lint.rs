//! `schemactl lint` and `schemactl rules` (every rule of every family).

use super::{load_catalog, report_load_errors, OutputFormat};
use sc_events_schema::diag::{render, Format};
use sc_events_schema::rules::{all_rules, lint, Family};
use std::path::Path;
use std::process::ExitCode;

pub fn run(dir: Option<&Path>, format: Format) -> ExitCode {
    let catalog = match load_catalog(dir) {
        Ok(c) => c,
        Err(e) => return report_load_errors(&e, format),
    };
    let findings = lint::lint(&catalog);
    print!("{}", render(&findings, format));
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn rules(format: OutputFormat) -> ExitCode {
    let rules = all_rules();
    match format {
        OutputFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            );
        }
        _ => {
            for r in rules {
                let family = match r.family {
                    Family::Lint => "lint",
                    Family::Compat => "compat",
                    Family::Policy => "policy",
                };
                println!(
                    "{:<35} {:<7} {:<10} {}\n{:<55}fix: {}",
                    r.id, family, r.category, r.summary, "", r.hint
                );
            }
        }
    }
    ExitCode::SUCCESS
}
