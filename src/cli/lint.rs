//! `schemactl lint` and `schemactl rules`.

use super::{load_catalog, report_load_errors, OutputFormat};
use sc_events_schema::diag::{render, Format};
use sc_events_schema::rules::lint;
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
    let rules = lint::all_rules();
    match format {
        OutputFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            );
        }
        _ => {
            for r in rules {
                println!(
                    "{:<24} {:<10} {}\n{:<35} fix: {}",
                    r.id, r.category, r.summary, "", r.hint
                );
            }
        }
    }
    ExitCode::SUCCESS
}
