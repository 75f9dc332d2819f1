//! The gate behind `schemactl check` and `schemactl publish`: every subject of the workspace
//! against its registered history, in its compatibility level, plus the evolution policy.
//!
//! Per subject: the registered versions (a subject not yet registered passes as new); the
//! level (the workspace's declaration, else what the registry reports for the subject); Java
//! Avro's verdict under that level with diagnostics at the `.avsc` line; the policy against the
//! newest version; whether the current text is already registered (lookup, for an idempotent
//! publish); and, against a live registry, the registry's own verdict, where a disagreement
//! with ours is an error.

use super::compat::{
    diagnostic, finding_message, message, policy_diagnostic, IgnoredMessage, Message,
};
use super::config::Settings;
use sc_events_registry::check::{self, Parsed};
use sc_events_registry::parsed_cache;
use sc_events_registry::subjects::{subjects, SubjectSchema};
use sc_events_registry::{Compatibility, ErrorKind, Registry, RegistryError, Version};
use sc_events_schema::diag::{self, Diagnostic, Level};
use sc_events_schema::model::Kind;
use sc_events_schema::rules::compat::{check_mode, SchemaRef};
use sc_events_schema::rules::policy::{self, PolicyConfig};
use sc_events_schema::rules::version;
use sc_events_schema::source::SourceFile;
use sc_events_schema::Catalog;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

impl Status {
    /// Whether the gate refuses the subject (Avro incompatibility or a policy finding).
    pub fn refused(self) -> bool {
        matches!(self, Status::Incompatible | Status::Policy)
    }
}

/// What the gate concluded for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not registered yet: nothing to be compatible with.
    New,
    /// Exactly this schema (with these references) is the registered one.
    Unchanged,
    Compatible,
    /// Readers of the registered versions would break (Avro's verdict).
    Incompatible,
    /// Avro-compatible, but the evolution policy (or the version rule) refuses the change.
    Policy,
}

#[derive(Debug, Serialize)]
pub struct SubjectReport {
    pub subject: String,
    pub file: PathBuf,
    pub status: Status,
    pub compatibility: Compatibility,
    /// Whether the workspace chose the level (schemactl.toml or the topic file) rather than
    /// the registry; publish then aligns the subject's level with it.
    #[serde(skip)]
    pub level_declared: bool,
    /// The live registered versions, oldest first.
    pub versions: Vec<i32>,
    /// `(id, version)` when the current text is registered already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<(i32, i32)>,
    pub messages: Vec<Message>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<IgnoredMessage>,
    /// The consumer groups (and their event types) an incompatible subject would break.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<super::impact::Break>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    pub schema: SubjectSchema,
}

/// The gate's report. Its JSON shares `ok`, `errors`, `warnings` and `findings` with `lint`
/// and `compat`; `subjects` adds the per-subject verdicts.
#[derive(Debug, Serialize)]
pub struct GateReport {
    pub compatible: bool,
    /// Equal to `compatible`: the key every command's JSON has.
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    /// Every subject's diagnostics, the same finding at the same place shown once with the
    /// subjects it concerns ([`diag::group`]).
    pub findings: Vec<Diagnostic>,
    pub registry: String,
    pub subjects: Vec<SubjectReport>,
}

/// Runs the gate. `Err` is a registry or configuration failure (nothing could be decided).
pub async fn run(
    ws: &Settings,
    catalog: &Catalog,
    registry: &dyn Registry,
    live: bool,
) -> Result<GateReport, String> {
    let policy = load_policy(ws)?;
    let all = subjects(catalog, &ws.naming());
    // For each subject, the earlier subjects of the names it references: it sees the last
    // current version among them, as when the subjects were checked one after the other (a
    // reference to a later subject is not registered yet).
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in all.iter().enumerate() {
        by_name.entry(s.subject.as_str()).or_default().push(i);
    }
    let earlier: Vec<Vec<usize>> = all
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut js: Vec<usize> = s
                .references
                .iter()
                .filter_map(|(_, subj)| by_name.get(subj.as_str()))
                .flatten()
                .copied()
                .filter(|&j| j < i)
                .collect();
            js.sort_unstable();
            js.dedup();
            js
        })
        .collect();
    let mut slots: Vec<Option<SubjectReport>> =
        std::iter::repeat_with(|| None).take(all.len()).collect();
    // The first subject (in order) that could not be checked, and why.
    let mut failed: Option<(usize, RegistryError)> = None;
    // In waves: every subject whose earlier references are checked, side by side (the
    // envelope, then the topics that reference it); after a failure only the subjects before
    // it, so that the error reported is the first one in order, as one after the other.
    loop {
        let limit = failed.as_ref().map_or(all.len(), |(i, _)| *i);
        let wave: Vec<usize> = (0..limit)
            .filter(|&i| slots[i].is_none() && earlier[i].iter().all(|&j| slots[j].is_some()))
            .collect();
        if wave.is_empty() {
            break;
        }
        let jobs: Vec<(SubjectSchema, HashMap<String, i32>)> = wave
            .iter()
            .map(|&i| {
                let mut seen = HashMap::new();
                for r in earlier[i].iter().filter_map(|&j| slots[j].as_ref()) {
                    if let Some((_, v)) = r.registered {
                        seen.insert(r.subject.clone(), v);
                    }
                }
                (all[i].clone(), seen)
            })
            .collect();
        let done = super::concurrent::side_by_side(
            jobs.len(),
            |k| {
                let (s, seen) = &jobs[k];
                subject(ws, catalog, registry, live, &policy, seen, s.clone())
            },
            Result::is_err,
        )
        .await;
        for (i, r) in wave.into_iter().zip(done) {
            match r {
                Some(Ok(r)) => slots[i] = Some(r),
                Some(Err(e)) if failed.as_ref().is_none_or(|(f, _)| i < *f) => {
                    failed = Some((i, e));
                }
                // A later failure, or not run after one.
                Some(Err(_)) | None => {}
            }
        }
    }
    if let Some((_, e)) = failed {
        return Err(e.to_string());
    }
    let reports: Vec<SubjectReport> = slots.into_iter().flatten().collect();
    let findings = diag::group(
        reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(|d| (r.subject.clone(), d.clone()))),
    );
    let errors = findings.iter().filter(|d| d.level == Level::Error).count();
    let compatible = reports.iter().all(|r| !r.status.refused());
    Ok(GateReport {
        compatible,
        ok: compatible,
        errors,
        warnings: findings.len() - errors,
        findings,
        registry: registry.describe(),
        subjects: reports,
    })
}

fn load_policy(ws: &Settings) -> Result<PolicyConfig, String> {
    let Some(path) = ws.policy_file() else {
        return Ok(PolicyConfig::default());
    };
    let file =
        SourceFile::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    PolicyConfig::parse(&file).map_err(|d| {
        d.iter()
            .map(Diagnostic::one_line)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn not_found(e: &RegistryError) -> bool {
    e.is(ErrorKind::SubjectNotFound) || e.is(ErrorKind::SchemaNotFound)
}

async fn subject(
    ws: &Settings,
    catalog: &Catalog,
    registry: &dyn Registry,
    live: bool,
    policy: &PolicyConfig,
    current: &HashMap<String, i32>,
    s: SubjectSchema,
) -> Result<SubjectReport, RegistryError> {
    let versions = match registry.versions(&s.subject, false).await {
        Ok(v) => v,
        Err(e) if not_found(&e) => Vec::new(),
        Err(e) => return Err(e),
    };
    let registry_level = registry.compatibility(Some(&s.subject), true).await?;
    // schemactl.toml, then the topic file's schema_registry.compatibility, then the registry.
    let hinted = catalog
        .registry
        .compatibility
        .as_deref()
        .and_then(|c| c.parse::<Compatibility>().ok());
    let declared = ws.declared_level(&s.subject).or(hinted);
    let level = declared.unwrap_or(registry_level);
    let version_attribute = catalog.layout.section.version_attribute.as_str();
    let set = &catalog.set;
    let new = SchemaRef {
        set,
        root: &set.roots[s.file],
    };
    let mut report = SubjectReport {
        subject: s.subject.clone(),
        file: set.files[s.file].path.clone(),
        status: Status::New,
        compatibility: level,
        level_declared: declared.is_some(),
        versions: versions.clone(),
        registered: None,
        messages: Vec::new(),
        ignored: Vec::new(),
        breaks: Vec::new(),
        diagnostics: Vec::new(),
        schema: s.clone(),
    };
    if versions.is_empty() {
        return Ok(report);
    }
    // The current text with its references at the versions already registered, if all are.
    let ref_versions: Option<Vec<i32>> = s
        .references
        .iter()
        .map(|(_, subj)| current.get(subj).copied())
        .collect();
    let def = ref_versions.as_ref().map(|v| s.def(v));
    if let Some(def) = &def {
        match registry
            .lookup(&s.subject, def, ws.config.subjects.normalize, false)
            .await
        {
            Ok(r) => report.registered = Some((r.id, r.version)),
            Err(e) if not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    // Confluent's compatibilityGroup: a schema is checked only against the versions of its
    // own group (a semver domain: the same major). A version registered without the group
    // property counts by the major of its own version attribute, so history registered
    // before groups is still checked.
    let in_group: Vec<i32> = match &s.group {
        None => versions.clone(),
        Some((property, value)) => {
            let mut keep = Vec::with_capacity(versions.len());
            for v in &versions {
                let reg = registry
                    .version(&s.subject, Version::Number(*v), false)
                    .await?;
                let theirs = reg
                    .schema
                    .property(property)
                    .map(str::to_string)
                    .or_else(|| major_of(&reg.schema.schema, version_attribute));
                if theirs.as_deref() == Some(value.as_str()) {
                    keep.push(*v);
                }
            }
            keep
        }
    };
    // The versions the level reads (all of them when transitive), newest last.
    let wanted: Vec<i32> = if matches!(
        level,
        Compatibility::BackwardTransitive
            | Compatibility::ForwardTransitive
            | Compatibility::FullTransitive
    ) {
        in_group.clone()
    } else {
        in_group.last().copied().into_iter().collect()
    };
    let mut resolved: Vec<check::Resolved> = Vec::with_capacity(wanted.len());
    for v in &wanted {
        let reg = registry
            .version(&s.subject, Version::Number(*v), false)
            .await?;
        let label = format!("{} version {v}", s.subject);
        resolved.push(check::resolve(registry, &label, &reg.schema).await?);
    }
    // Parsed side by side, on every core, their shared references once (a version parsed
    // before in this process is shared).
    let mut existing: Vec<(i32, Arc<Parsed>)> = Vec::with_capacity(wanted.len());
    for (v, parsed) in wanted.iter().zip(parsed_cache::parse_all(&resolved)) {
        let parsed = parsed.map_err(|e| {
            RegistryError::Malformed(format!(
                "registered {} version {v} does not parse: {e}",
                s.subject
            ))
        })?;
        existing.push((*v, parsed));
    }
    let refs: Vec<SchemaRef> = existing.iter().map(|(_, p)| p.root()).collect();
    let findings = check_mode(level, new, &refs);
    // The Avro incompatibilities (readers break), apart from the policy's findings.
    let mut avro: Vec<Diagnostic> = Vec::new();
    for f in &findings {
        let v = existing.get(f.existing_index).map_or(0, |(v, _)| *v);
        let d = diagnostic(set, f, &format!("version {v} of {}", s.subject));
        report.messages.push(finding_message(f, &d));
        avro.push(d.clone());
        report.diagnostics.push(d);
    }
    // The declared version moves against the newest version overall, whatever its group.
    let newest_overall = match versions.last() {
        Some(v) if wanted.last() == Some(v) => None,
        Some(v) => {
            let reg = registry
                .version(&s.subject, Version::Number(*v), false)
                .await?;
            let label = format!("{} version {v}", s.subject);
            let resolved = check::resolve(registry, &label, &reg.schema).await?;
            Some(parsed_cache::parse(&resolved).map_err(|e| {
                RegistryError::Malformed(format!("registered {label} does not parse: {e}"))
            })?)
        }
        None => None,
    };
    let bump_base = newest_overall
        .as_ref()
        .map(|p| p.root())
        .or(refs.last().copied());
    // Reported after the findings it follows from (the cause first, then the bump it needs).
    let subject_policy = policy.for_subject(&s.subject);
    let mut bump = None;
    if let Some(newest) = bump_base {
        let disabled = subject_policy
            .disabled
            .iter()
            .any(|r| r == version::RULE.id);
        if let Some(d) =
            version::check(newest, new, version_attribute, &subject_policy).filter(|_| !disabled)
        {
            let m = message(
                d.code.as_str(),
                &format!("/{version_attribute}"),
                &d.message,
                &d,
            );
            bump = Some((m, d));
        }
    }
    // The evolution policy, like compatibility, within the group; the rules the policy holds
    // across majors also against the newest version of an earlier group.
    let mut policy_findings: Vec<policy::PolicyFinding> = match refs.last() {
        Some(newest) => policy::check(*newest, new, &subject_policy),
        None => Vec::new(),
    };
    if let (Some(overall), false) = (&newest_overall, subject_policy.across_majors.is_empty()) {
        let across: Vec<_> = policy::check(overall.root(), new, &subject_policy)
            .into_iter()
            .filter(|f| {
                subject_policy.across_majors.iter().any(|r| r == f.rule.id)
                    && !policy_findings
                        .iter()
                        .any(|g| g.rule.id == f.rule.id && g.location == f.location)
            })
            .collect();
        policy_findings.extend(across);
    }
    for f in policy_findings {
        let d = policy_diagnostic(set, &f);
        let m = message(f.rule.id, &f.location, &f.message, &d);
        match &f.ignored {
            Some(reason) => report.ignored.push(IgnoredMessage {
                message: m,
                reason: reason.clone(),
            }),
            None => report.messages.push(m),
        }
        report.diagnostics.push(d);
    }
    if let Some((m, d)) = bump {
        report.messages.push(m);
        report.diagnostics.push(d);
    }
    // The registry's own verdict is comparable when it applies the same level and groups.
    let same_group = match (&s.group, live) {
        (_, false) => false,
        (None, true) => true,
        (Some((property, _)), true) => {
            registry
                .compatibility_group(Some(&s.subject))
                .await?
                .as_deref()
                == Some(property.as_str())
        }
    };
    if live && same_group && registry_level == level {
        if let Some(def) = &def {
            let theirs = registry.test_compatibility(&s.subject, def, None).await?;
            let ours = findings.is_empty();
            if theirs.is_compatible != ours {
                let d = disagreement(catalog, &s, level, ours, &theirs.messages);
                report
                    .messages
                    .push(message("REGISTRY_DISAGREES", "/", &d.message, &d));
                avro.push(d.clone());
                report.diagnostics.push(d);
            }
        }
    }
    // Only what breaks readers is said to break consumer groups; a policy finding (a rename
    // with an alias, a missing version bump) is the team's rule, reported as such.
    report.breaks = super::impact::breaks(catalog, s.topic.as_deref(), &avro);
    report.status = if !avro.is_empty() {
        Status::Incompatible
    } else if !report.messages.is_empty() {
        Status::Policy
    } else if report.registered.is_some() {
        Status::Unchanged
    } else {
        Status::Compatible
    };
    sc_events_schema::parallel::drop_later((existing, newest_overall));
    Ok(report)
}

/// The major of a registered schema's semver version attribute.
fn major_of(text: &str, attribute: &str) -> Option<String> {
    let root = sc_events_schema::json::parse(text).ok()?;
    let v = root.get(attribute)?.as_str()?;
    sc_events_schema::text::Semver::parse(v)
        .ok()
        .map(|s| s.major.to_string())
}

fn disagreement(
    catalog: &Catalog,
    s: &SubjectSchema,
    level: Compatibility,
    ours: bool,
    theirs: &[String],
) -> Diagnostic {
    let set = &catalog.set;
    let span = match set.roots[s.file].kind {
        Kind::Named(id) => set.types[id].name_span,
        _ => set.roots[s.file].span,
    };
    let verdict = |ok: bool| if ok { "compatible" } else { "incompatible" };
    let detail: Vec<&str> = theirs.iter().take(3).map(String::as_str).collect();
    Diagnostic::at(
        Level::Error,
        "REGISTRY_DISAGREES",
        format!(
            "the registry finds {} {} under {} but the local check finds it {}{}",
            s.subject,
            verdict(!ours),
            level.as_str(),
            verdict(ours),
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {}", detail.join("; "))
            }
        ),
        &set.files[s.file],
        span,
    )
    .with_hint("report it: the gate must agree with the registry; until fixed, trust the registry")
}
