//! `schemactl publish`: the gate first, then registration, all or nothing.
//!
//! Nothing is registered unless every subject passes. Subjects are registered in reference
//! order (the envelope before the domains that reference it); a subject whose current text is
//! registered already is skipped, so a re-run registers nothing and reports the existing ids.
//! `--dry-run` runs every real check and prints the plan. If the registry fails midway, the
//! report says exactly what was registered, and a re-run completes the rest.

use super::check::gate_for;
use super::config::Create;
use super::config::Settings;
use super::gate::{GateReport, Status};
use super::report::{json, render_report, CheckFormat};
use super::{out, runtime};
use sc_events_registry::{Compatibility, RegisterOptions, Registry, RegistryError};
use sc_events_schema::diag::Format;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PublishFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Unchanged,
    Registered,
    WouldRegister,
    Failed,
    NotAttempted,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub subject: String,
    pub action: Action,
    pub id: Option<i32>,
    pub version: Option<i32>,
    /// Set on the subject before registering, when the workspace declares another level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatibility_set: Option<Compatibility>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PublishReport {
    pub published: bool,
    pub dry_run: bool,
    pub registry: String,
    pub subjects: Vec<Row>,
}

pub fn run(
    against: Option<&str>,
    schemas: Option<&Path>,
    dry_run: bool,
    format: PublishFormat,
) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        let diag_format = match format {
            PublishFormat::Json => Format::Json,
            PublishFormat::Human => Format::Human,
        };
        if let Some(reference) = against.and_then(|a| a.strip_prefix("git:")) {
            return super::fail(diag_format, "USAGE", format_args!(
                "git:{reference} is a read-only baseline, not a registry to publish to: publish to embedded, embedded:PATH or http(s)://HOST:PORT (check --against git:{reference} compares with it)"
            ));
        }
        let (ws, report, registry) =
            match gate_for(against, schemas, diag_format, Create::Announce).await {
                Ok(x) => x,
                Err(code) => return code,
            };
        if !report.compatible {
            match format {
                PublishFormat::Json => out::print(&render_report(&report, CheckFormat::Json)),
                PublishFormat::Human => out::print(&render_report(&report, CheckFormat::Human)),
            };
            out::error(
                "publish refused: nothing was registered (fix the errors above, then re-run)",
            );
            return ExitCode::from(1);
        }
        let result = publish(&ws, &report, registry.as_ref(), dry_run, format).await;
        match format {
            PublishFormat::Json => out::print(&json(&result)),
            PublishFormat::Human if out::quiet() => out::print(&failures(&result)),
            PublishFormat::Human => out::print(&table(&result)),
        };
        if result.published || dry_run {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        }
    })
}

async fn publish(
    ws: &Settings,
    report: &GateReport,
    registry: &dyn Registry,
    dry_run: bool,
    format: PublishFormat,
) -> PublishReport {
    let normalize = ws.config.subjects.normalize;
    let mut versions: HashMap<String, i32> = HashMap::new();
    let mut rows = Vec::with_capacity(report.subjects.len());
    let mut failed = false;
    let n = report.subjects.len();
    for (i, s) in report.subjects.iter().enumerate() {
        let mut row = Row {
            subject: s.subject.clone(),
            action: Action::NotAttempted,
            id: None,
            version: None,
            compatibility_set: None,
            error: None,
        };
        if failed {
            rows.push(row);
            continue;
        }
        if let (Status::Unchanged, Some((id, v))) = (s.status, s.registered) {
            versions.insert(s.subject.clone(), v);
            row.action = Action::Unchanged;
            (row.id, row.version) = (Some(id), Some(v));
            rows.push(row);
            continue;
        }
        if dry_run {
            row.action = Action::WouldRegister;
            row.version = Some(s.versions.last().map_or(1, |v| v + 1));
            versions.insert(s.subject.clone(), row.version.unwrap_or(1));
            rows.push(row);
            continue;
        }
        let outcome = register(ws, registry, s, &versions, normalize, &mut row).await;
        match outcome {
            Ok((id, v)) => {
                versions.insert(s.subject.clone(), v);
                row.action = Action::Registered;
                (row.id, row.version) = (Some(id), Some(v));
                if format == PublishFormat::Human {
                    out::info(format_args!(
                        "[{}/{n}] registered {} (id {id}, version {v})",
                        i + 1,
                        s.subject
                    ));
                }
            }
            Err(e) => {
                failed = true;
                row.action = Action::Failed;
                row.error = Some(e.to_string());
                if format == PublishFormat::Human {
                    out::error(format_args!("[{}/{n}] FAILED {}: {e}", i + 1, s.subject));
                }
            }
        }
        rows.push(row);
    }
    PublishReport {
        published: !failed && !dry_run,
        dry_run,
        registry: report.registry.clone(),
        subjects: rows,
    }
}

/// Aligns the subject's level (and compatibility group) with the workspace's, registers, and
/// finds the version.
async fn register(
    ws: &Settings,
    registry: &dyn Registry,
    s: &super::gate::SubjectReport,
    versions: &HashMap<String, i32>,
    normalize: bool,
    row: &mut Row,
) -> Result<(i32, i32), RegistryError> {
    let declared = ws
        .declared_level(&s.subject)
        .or(Some(s.compatibility).filter(|_| s.level_declared));
    if let Some(level) = declared {
        let now = registry.compatibility(Some(&s.subject), false).await.ok();
        if now != Some(level) {
            registry.set_compatibility(Some(&s.subject), level).await?;
            row.compatibility_set = Some(level);
        }
    }
    // A semver domain's subject partitions its history by major (Confluent's
    // compatibilityGroup), so a new major is not checked against the old ones.
    if let Some((property, _)) = &s.schema.group {
        let now = registry.compatibility_group(Some(&s.subject)).await?;
        if now.as_deref() != Some(property.as_str()) {
            registry
                .set_compatibility_group(Some(&s.subject), Some(property))
                .await?;
        }
    }
    let refs: Vec<i32> = s
        .schema
        .references
        .iter()
        .map(|(_, subject)| versions.get(subject).copied().unwrap_or(1))
        .collect();
    let def = s.schema.def(&refs);
    let opts = RegisterOptions {
        normalize,
        ..RegisterOptions::default()
    };
    let id = registry.register(&s.subject, &def, opts).await?;
    let found = registry.lookup(&s.subject, &def, normalize, false).await?;
    Ok((id, found.version))
}

/// The quiet form: the failed subject (already named on stderr) and, when publishing stopped,
/// the line saying so; nothing when it went well.
fn failures(r: &PublishReport) -> String {
    let mut out = String::new();
    if !r.published && !r.dry_run {
        let done = r
            .subjects
            .iter()
            .filter(|s| s.action == Action::Registered)
            .count();
        let _ = writeln!(
            out,
            "publish stopped: the registry failed after {done} subject(s) were registered; run `schemactl publish` again to register the rest"
        );
    }
    out
}

fn table(r: &PublishReport) -> String {
    let mut out = String::new();
    let width = super::report::subject_width(r.subjects.iter().map(|s| s.subject.as_str()));
    let _ = writeln!(
        out,
        "{:<width$}  {:>7}  {:>5}  result",
        "subject", "version", "id"
    );
    let cell = |v: Option<i32>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in &r.subjects {
        let word = match s.action {
            Action::Unchanged => "unchanged (already registered)",
            Action::Registered => "registered",
            Action::WouldRegister => "would register",
            Action::Failed => "FAILED",
            Action::NotAttempted => "not attempted",
        };
        *counts.entry(word).or_default() += 1;
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>5}  {word}{}",
            s.subject,
            cell(s.version),
            cell(s.id),
            s.error.as_ref().map_or(String::new(), |e| format!(": {e}"))
        );
    }
    let count = |w: &str| counts.get(w).copied().unwrap_or(0);
    let _ = if r.dry_run {
        writeln!(
            out,
            "dry run against {}: {} would be registered, {} unchanged; nothing was registered",
            r.registry,
            count("would register"),
            count("unchanged (already registered)")
        )
    } else if r.published {
        writeln!(
            out,
            "published to {}: {} registered, {} unchanged",
            r.registry,
            count("registered"),
            count("unchanged (already registered)")
        )
    } else {
        writeln!(
            out,
            "publish stopped: the registry failed after {} subject(s) were registered (listed above); run `schemactl publish` again to register the rest",
            count("registered")
        )
    };
    out
}
