//! Every rule's own fixture folder, run and compared with its expected findings (rules as data,
//! each with its own test case, in the style of cargo-semver-checks and Buf).
//!
//! # Layout
//!
//! `tests/fixtures/rules/<RULE_ID>/` holds one folder per rule of the lint and policy tables
//! (coded lint rules, the pattern rules of `field_patterns.toml`, the policy rules and
//! `VERSION_BUMP`). The folder is the rule's main *case*; each subfolder holding an
//! `expected.txt`, a `topics.toml` or a `before/` is one more case (a variant, or the fix):
//!
//! - **lint case**: a minimal workspace, read flat (only the case folder's own files, so its
//!   subcases do not leak into it): `topics.toml`, the `.avsc` files, and a `schemactl.toml`
//!   only where the rule needs a non-default layout (it then says `schemas = "."`). The case
//!   is linted with [`lint::lint`].
//! - **policy case**: `before/` and `after/`, one `.avsc` each (the newest registered version
//!   and the new one), and optionally `policy.toml`, resolved for the subject `fixture`. The
//!   case runs [`policy::check`] and [`version::check`] (attribute `schema_version`).
//!
//! `expected.txt` lists the findings, one a line, sorted as the checks sort them:
//! `RULE_ID file:line:col at /json/pointer: message` (`file` relative to the case, `at …`
//! left out when the finding has no location, a newline in the message written `\n`,
//! ` [ignored: reason]` appended to a policy finding an ignore entry covers).
//!
//! The fixtures live under `tests/` rather than `src/`: they are data for this integration
//! test, which uses only the crate's public API (as `schemactl` does); nothing the library
//! compiles reads them.
//!
//! # What is checked
//!
//! - Every case's findings equal its `expected.txt`; every failing case is reported, with a
//!   line diff, before the test fails.
//! - A rule's own folder (the main case) produces at least one finding, and only of that rule.
//! - A subcase named `clean` (or `clean_*`) produces no finding of its folder's rule: it is the
//!   fixed version and proves the hint. When `clean/` exists, every finding of the main case
//!   is in a file that `clean/` changes (the edit is what fires).
//! - Every rule of the tables has a folder, and every folder is named after a rule.
//!
//! # Blessing
//!
//! `SC_BLESS=1 cargo test -p sc-events-schema --test rule_fixtures` rewrites every case's
//! `expected.txt` from what the rules find now (creating it for a new case), then still
//! checks the guarantees above. Review the diff of the expected files before committing.

use sc_events_schema::catalog::Catalog;
use sc_events_schema::diag::Diagnostic;
use sc_events_schema::layout::{Layout, CONFIG_FILE};
use sc_events_schema::model::{parse_files, SchemaSet};
use sc_events_schema::rules::compat::SchemaRef;
use sc_events_schema::rules::policy::{self, PolicyConfig, SubjectPolicy};
use sc_events_schema::rules::{lint, version};
use sc_events_schema::source::SourceFile;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const EXPECTED: &str = "expected.txt";
/// The subject a policy case's `policy.toml` is resolved for.
const SUBJECT: &str = "fixture";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// One finding, as `expected.txt` writes it, with its rule id and file kept apart.
struct Found {
    rule: String,
    file: String,
    line: String,
}

fn rel(case: &Path, file: &Path) -> String {
    file.strip_prefix(case)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

fn from_diag(case: &Path, d: &Diagnostic, ignored: Option<&str>) -> Found {
    let file = rel(case, &d.file);
    let mut line = format!("{} {file}:{}:{}", d.code, d.line, d.column);
    if let Some(loc) = &d.location {
        let _ = write!(line, " at {loc}");
    }
    let _ = write!(line, ": {}", d.message.replace('\n', "\\n"));
    if let Some(reason) = ignored {
        let _ = write!(line, " [ignored: {reason}]");
    }
    Found {
        rule: d.code.clone(),
        file,
        line,
    }
}

fn read(p: &Path) -> Result<SourceFile, String> {
    SourceFile::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn errors(case: &Path, what: &str, e: &[Diagnostic]) -> String {
    let lines: Vec<String> = e.iter().map(|d| from_diag(case, d, None).line).collect();
    format!("{what}:\n  {}", lines.join("\n  "))
}

/// The `.avsc` files directly in `dir`, sorted.
fn avsc_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "avsc"))
        .collect();
    v.sort();
    Ok(v)
}

fn run_lint(case: &Path) -> Result<Vec<Found>, String> {
    let layout = if case.join(CONFIG_FILE).exists() {
        Layout::load(case).map_err(|e| e.to_string())?
    } else {
        Layout::for_schemas(case)
    };
    let files = avsc_in(case)?
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let topics = read(&layout.topics)?;
    let catalog = Catalog::from_files_layout(layout, files, topics)
        .map_err(|e| errors(case, "the workspace does not load", &e))?;
    Ok(lint::lint(&catalog)
        .iter()
        .map(|d| from_diag(case, d, None))
        .collect())
}

fn load_one(case: &Path, side: &str) -> Result<SchemaSet, String> {
    let paths = avsc_in(&case.join(side))?;
    let [p] = paths.as_slice() else {
        return Err(format!("{side}/ must hold exactly one .avsc file"));
    };
    parse_files(vec![read(p)?]).map_err(|e| errors(case, &format!("{side}/ does not parse"), &e))
}

fn run_policy(case: &Path) -> Result<Vec<Found>, String> {
    let (old, new) = (load_one(case, "before")?, load_one(case, "after")?);
    let (old, new) = (
        SchemaRef {
            set: &old,
            root: &old.roots[0],
        },
        SchemaRef {
            set: &new,
            root: &new.roots[0],
        },
    );
    let cfg = case.join("policy.toml");
    let subject = if cfg.exists() {
        PolicyConfig::parse(&read(&cfg)?)
            .map_err(|e| errors(case, "policy.toml", &e))?
            .for_subject(SUBJECT)
    } else {
        SubjectPolicy::default()
    };
    let mut out: Vec<Found> = policy::check(old, new, &subject)
        .iter()
        .map(|f| {
            let file = &new.set.files[f.span.0];
            let d = Diagnostic::at(f.rule.level, f.rule.id, &f.message, file, f.span.1)
                .with_location(&f.location);
            from_diag(case, &d, f.ignored.as_deref())
        })
        .collect();
    out.extend(
        version::check(old, new, "schema_version", &subject).map(|d| from_diag(case, &d, None)),
    );
    Ok(out)
}

fn run_case(case: &Path) -> Result<Vec<Found>, String> {
    if case.join("before").is_dir() || case.join("after").is_dir() {
        run_policy(case)
    } else {
        run_lint(case)
    }
}

/// Whether a subfolder of a rule folder is a case: it has an `expected.txt`, a `topics.toml`
/// or a `before/` (so a new case is found, and blessed, before it has an `expected.txt`).
fn is_case(dir: &Path) -> bool {
    dir.join(EXPECTED).is_file() || dir.join("topics.toml").is_file() || dir.join("before").is_dir()
}

/// The rule folder's cases: itself first, then its subfolders that are cases, by name.
fn cases(rule_dir: &Path) -> Vec<PathBuf> {
    let mut subs: Vec<PathBuf> = std::fs::read_dir(rule_dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    subs.retain(|p| p.is_dir() && is_case(p));
    subs.sort();
    subs.insert(0, rule_dir.to_path_buf());
    subs
}

fn is_clean(case: &Path) -> bool {
    case.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "clean" || n.starts_with("clean_"))
}

fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    for l in &e {
        if !a.contains(l) {
            let _ = writeln!(out, "  - {l}");
        }
    }
    for l in &a {
        if !e.contains(l) {
            let _ = writeln!(out, "  + {l}");
        }
    }
    if out.is_empty() {
        out.push_str("  (same lines, another order)\n");
    }
    out
}

/// What is wrong with one case (empty: nothing), blessing its `expected.txt` first if asked.
fn check_case(rule: &str, rule_dir: &Path, case: &Path, bless: bool) -> Vec<String> {
    let found = match run_case(case) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let actual: String = found.iter().map(|f| f.line.clone() + "\n").collect();
    let path = case.join(EXPECTED);
    let mut problems = Vec::new();
    if bless {
        if let Err(e) = std::fs::write(&path, &actual) {
            problems.push(format!("cannot write {}: {e}", path.display()));
        }
    } else {
        let Ok(expected) = std::fs::read_to_string(&path) else {
            return vec![format!("no {EXPECTED} (SC_BLESS=1 writes it)")];
        };
        if expected != actual {
            problems.push(format!(
                "findings differ from {EXPECTED} (- expected, + found; SC_BLESS=1 rewrites it):\n{}",
                diff(&expected, &actual)
            ));
        }
    }
    if case == rule_dir {
        if found.is_empty() {
            problems.push(format!("{rule} did not fire"));
        }
        for f in found.iter().filter(|f| f.rule != rule) {
            problems.push(format!(
                "the fixture also triggers another rule: {}",
                f.line
            ));
        }
        let clean = rule_dir.join("clean");
        for f in found.iter().filter(|_| clean.is_dir()) {
            let fixed = std::fs::read(clean.join(&f.file)).ok();
            if fixed == std::fs::read(case.join(&f.file)).ok() {
                problems.push(format!("clean/ does not change {}: {}", f.file, f.line));
            }
        }
    } else if is_clean(case) {
        for f in found.iter().filter(|f| f.rule == rule) {
            problems.push(format!("the fixed version still fires: {}", f.line));
        }
    }
    problems
}

fn rule_ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = lint::all_rules().iter().map(|r| r.id).collect();
    ids.extend(policy::RULES.iter().map(|(r, _)| r.id));
    ids.push(version::RULE.id);
    ids
}

#[test]
fn every_rule_fixture_produces_its_expected_findings() {
    let bless = std::env::var_os("SC_BLESS").is_some_and(|v| v != "0" && !v.is_empty());
    let root = fixtures_dir();
    let ids = rule_ids();
    let mut failures = Vec::new();
    for id in &ids {
        let dir = root.join(id);
        if !dir.is_dir() {
            failures.push(format!("{id}: no fixture folder {}", dir.display()));
            continue;
        }
        for case in cases(&dir) {
            for p in check_case(id, &dir, &case, bless) {
                failures.push(format!("{}: {p}", rel(&root, &case)));
            }
        }
    }
    for e in std::fs::read_dir(&root).expect("tests/fixtures/rules") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if !ids.contains(&name.as_str()) {
            failures.push(format!("{name}: a fixture folder named after no rule"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn rule_ids_are_unique_and_every_rule_is_documented() {
    let mut ids = rule_ids();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a rule id is used twice across the families");
    let mut rules = lint::all_rules();
    rules.extend(policy::RULES.iter().map(|(r, _)| *r));
    rules.push(&version::RULE);
    for r in rules {
        assert!(r.summary.starts_with("Checks that"), "{}: summary", r.id);
        assert!(
            !r.hint.is_empty() && !r.why.is_empty(),
            "{}: hint/why",
            r.id
        );
    }
}
