//! `schemactl check`: the gate over the whole workspace against the selected registry, printed
//! in the chosen format (see [`super::report`]); exit 0 compatible, 1 incompatible, 2 when it
//! could not run.

use super::config::{Create, Settings};
use super::gate::{self, GateReport};
use super::report::{render_report, CheckFormat};
use super::{load_catalog, out, report_load_errors, runtime};
use sc_events_registry::Registry;
use sc_events_schema::diag::{Format, Level};
use sc_events_schema::rules::lint;
use std::path::Path;
use std::process::ExitCode;

/// Loads the workspace, its catalog and the registry, and runs the gate.
///
/// The lint runs first: a workspace with lint errors (a schema the build would refuse) is
/// refused before any registry is touched, so nothing can be registered that the workspace's
/// crate will not build. `create` says whether a missing embedded registry file may be made
/// (publish, saying so) or is an error (check).
pub(crate) async fn gate_for(
    against: Option<&str>,
    schemas: Option<&Path>,
    format: Format,
    create: Create,
) -> Result<(Settings, GateReport, Box<dyn Registry>), ExitCode> {
    let ws = Settings::load().map_err(|e| report_load_errors(&e, format))?;
    let dir = ws.schemas_dir(schemas);
    let catalog = load_catalog(dir.as_deref()).map_err(|e| report_load_errors(&e, format))?;
    let findings = lint::lint(&catalog);
    if findings.iter().any(|d| d.level == Level::Error) {
        out::eprint(&out::render(
            &findings,
            format,
            out::Stream::Stderr,
            "schemactl lint",
        ));
        out::error(
            "the workspace has lint errors; fix them (schemactl lint) before the gate runs: nothing was checked or registered",
        );
        return Err(ExitCode::from(1));
    }
    let target = ws.target(against, catalog.registry.url.as_deref());
    out::detail(format_args!("registry {target}"));
    let registry = ws
        .open(&target, dir.as_deref(), create)
        .await
        .map_err(|e| super::fail(format, "REGISTRY", e))?;
    out::detail(format_args!("checking against {}", registry.describe()));
    let live = target.starts_with("http://") || target.starts_with("https://");
    let report = gate::run(&ws, &catalog, registry.as_ref(), live)
        .await
        .map_err(|e| {
            super::fail(
                format,
                "REGISTRY",
                format_args!(
                    "the gate could not run against {}: {e}",
                    registry.describe()
                ),
            )
        })?;
    out::detail(format_args!("{} subject(s) checked", report.subjects.len()));
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
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Junit => Format::Junit,
        CheckFormat::Human => Format::Human,
    };
    let report = match rt.block_on(gate_for(against, schemas, diag_format, Create::Never)) {
        Ok((_, r, _)) => r,
        Err(code) => return code,
    };
    out::print(&render_report(&report, format));
    if report.compatible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
