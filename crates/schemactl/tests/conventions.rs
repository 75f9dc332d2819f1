//! The conventions users of cargo, buf and the Confluent tools expect of `schemactl`: colour
//! (`--color`, `NO_COLOR`, never into a pipe or in machine formats), `-q`/`-v`, completions and
//! the man page, workspace discovery (walking up, `--config`), the same `--format` set on
//! lint, check and compat (JUnit, SARIF 2.1.0), no panic on a closed pipe, and bounded waits
//! on unreachable brokers and registries.

/// The repository root: the social-commerce workspace.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use clap::CommandFactory as _;
use serde_json::Value;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn schemactl(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(dir).env_remove("NO_COLOR");
    c.env_remove("SCHEMA_REGISTRY_URL");
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of the social-commerce workspace's schemas (`WS/schemas/*`, no schemactl.toml: it is
/// found by its topic file), with `find` replaced by `replace` in `file` when given.
fn workspace(edit: Option<(&str, &str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let schemas = dir.path().join("schemas");
    std::fs::create_dir_all(&schemas).expect("mkdir");
    for e in std::fs::read_dir(Path::new(ROOT).join("schemas")).expect("read schemas") {
        let p = e.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, schemas.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    if let Some((file, find, replace)) = edit {
        let p = schemas.join(file);
        let t = std::fs::read_to_string(&p).expect("read");
        assert!(t.contains(find), "{find}");
        std::fs::write(&p, t.replacen(find, replace, 1)).expect("write");
    }
    dir
}

fn broken() -> tempfile::TempDir {
    workspace(Some((
        "order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "itemCount", "type": "int""#,
    )))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    schemactl(dir).args(args).output().expect("run schemactl")
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_in_machine_formats() {
    let ws = broken();
    let always = run(ws.path(), &["--color", "always", "lint"]);
    assert_eq!(always.status.code(), Some(1), "{}", stderr(&always));
    let text = stdout(&always);
    assert!(text.contains("\x1b["), "{text}");
    assert!(text.contains("FIELD_NAME_CASE"), "{text}");
    // `auto` into a pipe, and `never`: plain.
    for args in [&["lint"][..], &["--color", "never", "lint"]] {
        let o = run(ws.path(), args);
        assert!(!stdout(&o).contains('\x1b'), "{args:?}: {}", stdout(&o));
        assert!(stdout(&o).contains("error[FIELD_NAME_CASE]"));
    }
    // NO_COLOR only matters in auto mode (which a pipe turns off anyway); `always` wins.
    let o = schemactl(ws.path())
        .env("NO_COLOR", "1")
        .args(["--color", "always", "lint"])
        .output()
        .expect("run");
    assert!(stdout(&o).contains('\x1b'));
    for format in ["json", "github", "junit", "sarif"] {
        let o = run(
            ws.path(),
            &["--color", "always", "lint", "--format", format],
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(!stdout(&o).contains('\x1b'), "{format}: {}", stdout(&o));
    }
    // Load errors on stderr follow the flag too.
    let empty = tempfile::tempdir().expect("temp dir");
    let o = run(empty.path(), &["--color", "always", "lint"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\x1b["), "{}", stderr(&o));
}

#[test]
fn quiet_prints_only_errors_and_verbose_says_what_was_done() {
    let ws = broken();
    let o = run(ws.path(), &["-q", "lint"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("error[FIELD_NAME_CASE]"), "{text}");
    assert!(!text.contains("error(s)"), "no summary when quiet: {text}");
    assert!(!text.contains("warning["), "{text}");
    assert_eq!(stderr(&o), "");

    let clean = workspace(None);
    let o = run(clean.path(), &["--quiet", "lint"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "", "a clean quiet lint prints nothing");
    let o = run(clean.path(), &["-v", "lint"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains("schemactl: workspace "), "{err}");
    assert!(err.contains("schemactl: read 8 schema file(s)"), "{err}");
    assert!(err.contains("schemactl: finished in "), "{err}");
    assert!(stdout(&o).contains("0 error(s), 0 warning(s)"));

    // check: quiet prints nothing when every subject passes (no table, no `ok:` line). The
    // registry must exist (check never creates one): publish makes it.
    assert_eq!(run(clean.path(), &["-q", "publish"]).status.code(), Some(0));
    let o = run(clean.path(), &["-q", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = run(clean.path(), &["check"]);
    assert!(stdout(&o).contains("ok: "), "{}", stdout(&o));
    let o = run(clean.path(), &["--verbose", "check"]);
    assert!(
        stderr(&o).contains("schemactl: checking against "),
        "{}",
        stderr(&o)
    );
    // publish: no progress lines and no table when quiet.
    let o = run(clean.path(), &["-q", "publish"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!((stdout(&o).as_str(), stderr(&o).as_str()), ("", ""));
    assert!(run(&clean.path().join("schemas"), &["-q", "-v", "lint"])
        .status
        .code()
        .is_some_and(|c| c == 2));
}

fn subcommands() -> Vec<String> {
    schemactl::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[test]
fn completions_and_the_man_page_name_every_subcommand() {
    let here = Path::new(ROOT);
    let names = subcommands();
    assert!(names.len() >= 12, "{names:?}");
    let o = run(here, &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    let bash = stdout(&o);
    assert!(bash.contains("complete -F _schemactl"), "{bash}");
    for n in &names {
        assert!(bash.contains(n.as_str()), "bash completion lacks {n}");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let o = run(here, &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(stdout(&o).contains("schemactl"), "{shell}");
    }
    assert_eq!(run(here, &["completions", "tcsh"]).status.code(), Some(2));
    let o = run(here, &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let man = stdout(&o);
    assert!(man.contains(".TH"), "{man}");
    for n in &names {
        assert!(man.contains(n.as_str()), "man page lacks {n}");
    }
    // Neither needs a workspace.
    let empty = tempfile::tempdir().expect("temp dir");
    assert_eq!(run(empty.path(), &["man"]).status.code(), Some(0));
}

#[test]
fn the_workspace_is_found_by_walking_up() {
    let ws = broken();
    let schemas = ws.path().join("schemas");
    let deep = schemas.join("sub").join("dir");
    std::fs::create_dir_all(&deep).expect("mkdir");
    for dir in [ws.path(), schemas.as_path(), deep.as_path()] {
        let o = run(dir, &["lint", "--format", "json"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}: {}",
            dir.display(),
            stderr(&o)
        );
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(v["errors"], 1, "{v}");
    }
    // A relative path means what it meant where it was typed: `.` in schemas/ is schemas/.
    let o = run(&schemas, &["lint", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(&deep, &["lint", "no-such"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such"), "{}", stderr(&o));
    // -v says where it was found.
    let o = run(&deep, &["-v", "catalog"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(found from the current directory)"),
        "{}",
        stderr(&o)
    );
    // An empty directory is still no workspace.
    let empty = tempfile::tempdir().expect("temp dir");
    let o = run(empty.path(), &["lint"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[WORKSPACE]"), "{}", stderr(&o));
    // --config names the schemactl.toml; its directory is the root.
    let example = Path::new(ROOT).join("examples").join("data-platform");
    let config = example.join("schemactl.toml");
    let o = schemactl(empty.path())
        .arg("--config")
        .arg(&config)
        .args(["catalog", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        empty.path(),
        &["--config", "nothing/schemactl.toml", "lint"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));
    let o = run(empty.path(), &["--config", "x.toml", "lint"]);
    assert_eq!(o.status.code(), Some(2));
}

fn sarif_results(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "schemactl");
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let results = runs[0]["results"].as_array().expect("results").clone();
    for r in &results {
        assert!(
            rules.contains(&r["ruleId"].as_str().expect("ruleId")),
            "{r}"
        );
        assert!(r["level"] == "error" || r["level"] == "warning", "{r}");
        assert!(r["message"]["text"].is_string(), "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string(), "{r}");
        assert!(
            loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1),
            "{r}"
        );
        assert!(
            loc["region"]["startColumn"]
                .as_u64()
                .is_some_and(|c| c >= 1),
            "{r}"
        );
    }
    results
}

#[test]
fn lint_check_and_compat_share_the_format_set() {
    let ws = broken();
    let o = run(ws.path(), &["lint", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let results = sarif_results(&stdout(&o));
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "FIELD_NAME_CASE");
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("uri");
    assert!(uri.ends_with("order.avsc"), "{uri}");
    let o = run(ws.path(), &["lint", "--format", "junit"]);
    let x = stdout(&o);
    assert!(
        x.contains("<testsuites name=\"schemactl lint\" tests=\"1\" failures=\"1\">"),
        "{x}"
    );
    assert!(x.contains("<failure type=\"FIELD_NAME_CASE\""), "{x}");

    // compat: an incompatible change, in every format.
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.avsc");
    let new = dir.path().join("new.avsc");
    std::fs::write(
        &old,
        r#"{"type": "record", "name": "R", "namespace": "t", "fields": [{"name": "a", "type": "int"}]}"#,
    )
    .expect("write");
    std::fs::write(
        &new,
        r#"{"type": "record", "name": "R", "namespace": "t", "fields": [{"name": "a", "type": "string"}]}"#,
    )
    .expect("write");
    let compat = |format: &str| {
        schemactl(dir.path())
            .args(["compat", "--format", format])
            .arg(&new)
            .arg(&old)
            .output()
            .expect("run")
    };
    let o = compat("sarif");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let results = sarif_results(&stdout(&o));
    assert_eq!(results[0]["ruleId"], "TYPE_MISMATCH");
    let o = compat("junit");
    assert!(
        stdout(&o).contains("<failure type=\"TYPE_MISMATCH\""),
        "{}",
        stdout(&o)
    );
    for f in ["human", "json", "github"] {
        assert_eq!(compat(f).status.code(), Some(1), "{f}");
    }

    // check: clean, SARIF with no results; JUnit per subject.
    let clean = workspace(None);
    assert_eq!(run(clean.path(), &["-q", "publish"]).status.code(), Some(0));
    let o = run(clean.path(), &["check", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(sarif_results(&stdout(&o)).is_empty());
    let o = run(clean.path(), &["check", "--format", "junit"]);
    assert!(
        stdout(&o).contains("<testsuites name=\"schemactl check\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let here = Path::new(ROOT);
    for args in [
        &["rules"][..],
        &["rules", "--format", "json"],
        &["man"],
        &["completions", "zsh"],
    ] {
        // Closed before the first write: the write fails with EPIPE.
        let mut child = schemactl(here)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    // `schemactl rules | head -1`: one line read, then the pipe dropped.
    let mut child = schemactl(here)
        .args(["rules"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a line");
    assert!(!line.is_empty());
    let o = child.wait_with_output().expect("wait");
    assert_ne!(o.status.code(), Some(101));
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // And the real thing through a shell, when there is one.
    if Path::new("/bin/sh").exists() {
        let o = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "'{}' rules | head -1 >/dev/null",
                env!("CARGO_BIN_EXE_schemactl")
            ))
            .output()
            .expect("sh");
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

fn tail_or_topics(ws: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let o = run(ws, args);
    (o, started.elapsed())
}

#[test]
fn an_unreachable_broker_is_one_error_and_exit_2_within_the_timeout() {
    let ws = workspace(None);
    let port = closed_port();
    let bootstrap = format!("127.0.0.1:{port}");
    let db = ws.path().join("reg.db");
    let against = format!("embedded:{}", db.display());
    // tail needs a registry that exists: publish makes it.
    let published = run(ws.path(), &["-q", "publish", "--against", &against]);
    assert_eq!(published.status.code(), Some(0), "{}", stderr(&published));
    let (o, took) = tail_or_topics(
        ws.path(),
        &[
            "tail",
            "sc.domain.order",
            "--bootstrap",
            &bootstrap,
            "--timeout-ms",
            "2000",
            "--against",
            &against,
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(
        err.contains(&format!(
            "cannot reach the Kafka cluster at {bootstrap} within 2s"
        )),
        "{err}"
    );
    assert!(err.matches("warning:").count() <= 1, "{err}");
    let errors = err.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(errors, 1, "{err}");
    let (o, took) = tail_or_topics(
        ws.path(),
        &[
            "topics",
            "plan",
            "--bootstrap",
            &bootstrap,
            "--timeout-ms",
            "2000",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(
        err.contains(&format!(
            "cannot reach the Kafka cluster at {bootstrap} within 2s"
        )),
        "{err}"
    );
}

#[test]
fn an_unreachable_registry_fails_fast_with_exit_2() {
    let ws = workspace(None);
    let url = format!("http://127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let o = run(ws.path(), &["check", "--against", &url]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(err.starts_with("error:"), "{err}");
    assert!(!err.contains("panicked"));
}
