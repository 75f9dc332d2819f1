//! `schemactl check` and `schemactl publish` as users run them, on a copy of the workspace and
//! a real embedded registry file: idempotent publish, a breaking edit refused at its line with
//! nothing registered, the output formats, git baselines, schemactl.toml, and a registry that
//! fails midway.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use support::git;

use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::{Registry, RegistryMode, Version};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn schemactl(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(dir)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO");
    c
}

/// A workspace: a copy of `schemas/` in a temporary directory.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(ROOT).join("schemas");
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join("schemas").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, find: &str, replace: &str) {
    let p: PathBuf = dir.join("schemas").join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(find), "{find} not in {file}");
    std::fs::write(&p, t.replacen(find, replace, 1)).unwrap();
}

/// Adds a required field before the first `currency` of OrderCreated: a BACKWARD break.
const CURRENCY: &str = r#"{"name": "currency", "type": "string""#;
const BREAKING: &str = r#"{"name": "gift_note", "type": "string", "doc": "Gift note."},
          {"name": "currency", "type": "string""#;
const COMPATIBLE: &str = r#"{"name": "gift_note", "type": ["null", "string"], "default": null, "doc": "Gift note."},
          {"name": "currency", "type": "string""#;

fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let out: Output = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn publish_json(dir: &Path) -> Value {
    let (code, out, err) = run(schemactl(dir).args(["publish", "--format", "json"]));
    assert_eq!(code, Some(0), "{out}{err}");
    serde_json::from_str(&out).unwrap()
}

fn rows(v: &Value) -> Vec<(String, String, i64, i64)> {
    v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["subject"].as_str().unwrap().to_string(),
                s["action"].as_str().unwrap().to_string(),
                s["id"].as_i64().unwrap_or(-1),
                s["version"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn versions(dir: &Path, subject: &str) -> Vec<i32> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = EmbeddedRegistry::open(dir.join(".registry/registry.db")).unwrap();
    rt.block_on(r.versions(subject, false)).unwrap_or_default()
}

#[test]
fn publishing_twice_gives_identical_ids_and_registers_nothing_the_second_time() {
    let ws = workspace();
    let first = rows(&publish_json(ws.path()));
    assert_eq!(first.len(), 8, "the envelope and seven domains");
    assert_eq!(first[0].0, "sc.events.common.Envelope", "references first");
    assert!(
        first.iter().all(|r| r.1 == "registered" && r.3 == 1),
        "{first:?}"
    );
    let second = rows(&publish_json(ws.path()));
    assert!(second.iter().all(|r| r.1 == "unchanged"), "{second:?}");
    let ids = |rs: &[(String, String, i64, i64)]| {
        rs.iter()
            .map(|r| (r.0.clone(), r.2, r.3))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second));
    // The human summary says so in words.
    let (code, out, _) = run(schemactl(ws.path()).arg("publish"));
    assert_eq!(code, Some(0));
    assert!(out.contains("0 registered, 8 unchanged"), "{out}");
}

#[test]
fn a_breaking_edit_is_refused_at_its_line_and_nothing_is_registered() {
    let ws = workspace();
    publish_json(ws.path());
    edit(ws.path(), "order.avsc", CURRENCY, BREAKING);
    let (code, out, err) = run(schemactl(ws.path()).arg("publish"));
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("--> schemas/order.avsc:23:"), "{out}");
    assert!(out.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{out}");
    assert!(
        out.contains("FIELD_ADDED_WITHOUT_DEFAULT"),
        "policy too: {out}"
    );
    assert!(err.contains("nothing was registered"), "{err}");
    assert_eq!(versions(ws.path(), "sc.domain.order-value"), vec![1]);

    let (code, out, _) = run(schemactl(ws.path()).args(["check", "--format", "json"]));
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["compatible"], false);
    let order = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "sc.domain.order-value")
        .unwrap();
    assert_eq!(order["status"], "incompatible");
    assert_eq!(order["messages"][0]["file"], "schemas/order.avsc");
    assert_eq!(order["messages"][0]["line"], 23);
    // Whom it breaks: every job that reads order.created (both are at or above its tier).
    assert_eq!(
        order["breaks"],
        serde_json::json!([
            {"consumer": "proj-order-summaries", "group_id": "sc.proj.order-summaries", "event_types": ["order.created"]},
            {"consumer": "analytics-general", "group_id": "sc.analytics.general", "event_types": ["order.created"]}
        ])
    );
    let (_, out, _) = run(schemactl(ws.path()).arg("check"));
    assert!(
        out.contains("breaks consumer group sc.proj.order-summaries (proj-order-summaries) through sc.domain.order-value: 1 event type(s): order.created\n"),
        "{out}"
    );

    let (_, out, _) = run(schemactl(ws.path()).args(["check", "--format", "junit"]));
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(out.contains("failures=\"1\""), "{out}");
    assert!(
        out.contains("<failure type=\"READER_FIELD_MISSING_DEFAULT_VALUE\""),
        "{out}"
    );
    let (_, out, _) = run(schemactl(ws.path()).args(["check", "--format", "github"]));
    assert!(
        out.contains("::error file=schemas/order.avsc,line=23"),
        "{out}"
    );

    // The compatible form of the same change publishes one new version of one subject.
    edit(ws.path(), "order.avsc", BREAKING, COMPATIBLE);
    // Without a new schema_version the gate refuses it (VERSION_BUMP), at the attribute.
    let (code, out, _) = run(schemactl(ws.path()).arg("check"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("error[VERSION_BUMP]: schema_version 2 → 2 is no bump, but the change needs a minor bump"), "{out}");
    assert!(out.contains("--> schemas/order.avsc:7:21"), "{out}");
    edit(
        ws.path(),
        "order.avsc",
        "\"schema_version\": 2,",
        "\"schema_version\": 3,",
    );
    let r = rows(&publish_json(ws.path()));
    let changed: Vec<_> = r.iter().filter(|r| r.1 == "registered").collect();
    assert_eq!(changed.len(), 1, "{r:?}");
    assert_eq!(
        (changed[0].0.as_str(), changed[0].3),
        ("sc.domain.order-value", 2)
    );
}

#[test]
fn dry_run_plans_and_registers_nothing() {
    let ws = workspace();
    let (code, out, err) = run(schemactl(ws.path()).args(["publish", "--dry-run"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("8 would be registered"), "{out}");
    assert!(versions(ws.path(), "sc.events.common.Envelope").is_empty());
}

#[test]
fn an_envelope_change_republishes_every_domain_with_the_new_reference() {
    let ws = workspace();
    publish_json(ws.path());
    edit(
        ws.path(),
        "envelope.avsc",
        r#"{"name": "event_id""#,
        r#"{"name": "tenant_id", "type": ["null", "string"], "default": null, "doc": "Tenant."},
    {"name": "event_id""#,
    );
    let r = rows(&publish_json(ws.path()));
    assert!(r.iter().all(|r| r.1 == "registered" && r.3 == 2), "{r:?}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reg = EmbeddedRegistry::open(ws.path().join(".registry/registry.db")).unwrap();
    let order = rt
        .block_on(reg.version("sc.domain.order-value", Version::Latest, false))
        .unwrap();
    assert_eq!(order.schema.references[0].version, 2);
}

#[test]
fn a_registry_failing_midway_is_reported_and_a_rerun_completes() {
    let ws = workspace();
    publish_json(ws.path());
    edit(
        ws.path(),
        "envelope.avsc",
        r#"{"name": "event_id""#,
        r#"{"name": "tenant_id", "type": ["null", "string"], "default": null, "doc": "Tenant."},
    {"name": "event_id""#,
    );
    // A subject the registry refuses to write (READONLY): the run stops there.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reg = EmbeddedRegistry::open(ws.path().join(".registry/registry.db")).unwrap();
    rt.block_on(reg.set_mode(
        Some("sc.domain.product-value"),
        RegistryMode::ReadOnly,
        false,
    ))
    .unwrap();
    let (code, out, err) = run(schemactl(ws.path()).args(["publish", "--format", "json"]));
    assert_eq!(code, Some(2), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["published"], false);
    let actions: Vec<String> = rows(&v).into_iter().map(|r| r.1).collect();
    assert_eq!(
        actions,
        [
            "registered",
            "registered",
            "registered",
            "registered",
            "failed",
            "not_attempted",
            "not_attempted",
            "not_attempted"
        ]
    );
    assert!(
        v["subjects"][4]["error"]
            .as_str()
            .unwrap()
            .contains("read-only"),
        "{out}"
    );
    let (_, out, _) = run(schemactl(ws.path()).arg("publish"));
    assert!(out.contains("publish stopped"), "{out}");
    rt.block_on(reg.delete_mode(Some("sc.domain.product-value")))
        .unwrap();
    let r = rows(&publish_json(ws.path()));
    let actions: Vec<&str> = r.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        actions,
        [
            "unchanged",
            "unchanged",
            "unchanged",
            "unchanged",
            "registered",
            "registered",
            "registered",
            "registered"
        ]
    );
}

#[test]
fn a_git_ref_is_a_read_only_baseline() {
    let ws = workspace();
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "schemas"]);
    git(ws.path(), &["commit", "-qm", "baseline"]);
    let (code, out, err) = run(schemactl(ws.path()).args(["check", "--against", "git:HEAD"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("git:HEAD"), "{out}");
    edit(ws.path(), "order.avsc", CURRENCY, BREAKING);
    let (code, out, _) = run(schemactl(ws.path()).args(["check", "--against", "git:HEAD"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("schemas/order.avsc:23:"), "{out}");
    // A baseline is not a registry: publish refuses at once, saying why.
    let (code, _, err) = run(schemactl(ws.path()).args(["publish", "--against", "git:HEAD"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("git:HEAD is a read-only baseline"), "{err}");
    assert!(!err.contains("422"), "{err}");
    // An unknown ref says so, with what git said (not an empty `git rev-parse ...: `).
    let (code, _, err) = run(schemactl(ws.path()).args(["check", "--against", "git:no-such-ref"]));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("git:no-such-ref: no such commit, branch or tag"),
        "{err}"
    );
    assert!(!err.trim_end().ends_with(':'), "{err}");
}

#[test]
fn schemactl_toml_sets_levels_and_the_environment_overrides_the_file() {
    let ws = workspace();
    publish_json(ws.path());
    edit(ws.path(), "order.avsc", CURRENCY, BREAKING);
    edit(
        ws.path(),
        "order.avsc",
        "\"schema_version\": 2,",
        "\"schema_version\": 3,",
    );
    std::fs::write(
        ws.path().join("schemactl.toml"),
        "[compatibility]\nsubjects = { \"sc.domain.order-value\" = \"NONE\" }\n[policy]\nfile = \"none.toml\"\n",
    )
    .unwrap();
    std::fs::write(
        ws.path().join("none.toml"),
        "[default]\ndisabled = [\"FIELD_ADDED_WITHOUT_DEFAULT\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(schemactl(ws.path()).arg("check"));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("sc.domain.order-value      NONE"), "{out}");
    // The publish sets the subject's level in the registry before registering.
    let v = publish_json(ws.path());
    assert_eq!(v["subjects"][7]["compatibility_set"], "NONE");
    // SCHEMA_REGISTRY_URL beats the file; --against beats both.
    std::fs::write(
        ws.path().join("schemactl.toml"),
        "[registry]\nurl = \"embedded:nowhere/x.db\"\n",
    )
    .unwrap();
    let (code, out, _) = run(schemactl(ws.path())
        .arg("check")
        .env("SCHEMA_REGISTRY_URL", "embedded:.registry/registry.db"));
    assert!(out.contains(".registry/registry.db"), "{out}");
    // The level publish set is now the registry's own, and the text is registered.
    assert!(out.contains("sc.domain.order-value      NONE"), "{out}");
    assert_eq!(code, Some(0));
    // --against beats both; a registry file that does not exist is an error, not an empty
    // registry to pass against (check never creates one), and nothing is created.
    let (code, _, err) =
        run(schemactl(ws.path()).args(["check", "--against", "embedded:other.db"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no embedded registry at other.db"), "{err}");
    assert!(!ws.path().join("other.db").exists());
    std::fs::write(
        ws.path().join("schemactl.toml"),
        "[compatibility]\ndefault = \"SIDEWAYS\"\n",
    )
    .unwrap();
    let (code, _, err) = run(schemactl(ws.path()).arg("check"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("schemactl.toml:2:"), "{err}");
}

#[test]
fn against_a_live_registry_the_registrys_own_verdict_agrees() {
    let ws = workspace();
    let server = support::serve::serve(&ws.path().join("live.db"), &[], &[]);
    let url = server.url.as_str();
    let (code, out, err) = run(schemactl(ws.path()).args(["publish", "--against", url]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("8 registered"), "{out}");
    let (code, out, _) = run(schemactl(ws.path()).args(["publish", "--against", url]));
    assert_eq!(code, Some(0));
    assert!(out.contains("0 registered, 8 unchanged"), "{out}");
    edit(ws.path(), "order.avsc", CURRENCY, BREAKING);
    let (code, out, _) =
        run(schemactl(ws.path()).args(["check", "--against", url, "--format", "json"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("REGISTRY_DISAGREES"), "{out}");
    assert!(out.contains("MISSING_UNION_BRANCH"), "{out}");
}

#[test]
fn credentials_never_appear_in_output() {
    let ws = workspace();
    // Nothing listens on port 1: every attempt fails, and the error is printed.
    let (code, out, err) = run(schemactl(ws.path())
        .args(["check", "--against", "http://alice:url-s3cret@127.0.0.1:1"])
        .env("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "bob:env-s3cret"));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("cannot reach the registry"), "{err}");
    for secret in ["url-s3cret", "env-s3cret"] {
        assert!(
            !out.contains(secret) && !err.contains(secret),
            "{secret} leaked: {out}{err}"
        );
    }
    // Wrong credentials against a server with auth: 401, said plainly, secret not echoed.
    let server = support::serve::serve(
        &ws.path().join("auth.db"),
        &[],
        &[("SCHEMACTL_SERVE_BASIC_AUTH", "ci:right-s3cret")],
    );
    let (code, out, err) = run(schemactl(ws.path())
        .args(["check", "--against", &server.url])
        .env("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "ci:wrong-s3cret"));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("401"), "{err}");
    assert!(
        !err.contains("s3cret") && !out.contains("s3cret"),
        "{out}{err}"
    );
    let (code, out, err) = run(schemactl(ws.path())
        .args(["publish", "--against", &server.url])
        .env("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "ci:right-s3cret"));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("s3cret") && !out.contains("s3cret"));
}

#[test]
fn a_break_in_a_shared_type_names_every_group_whose_events_use_it() {
    // CommunityVisibility is defined inside CommunityCreated and used by
    // CommunityVisibilityChanged: the feed builder reads only the latter.
    let ws = workspace();
    publish_json(ws.path());
    // A removed symbol with the enum's default left in place: every registered version is
    // still readable (the default stands in), so only the policy refuses it, and no consumer
    // group is said to break.
    edit(
        ws.path(),
        "community.avsc",
        r#""symbols": ["PUBLIC", "PRIVATE"], "default": "PRIVATE"}"#,
        r#""symbols": ["PRIVATE"], "default": "PRIVATE"}"#,
    );
    let (code, out, _) = run(schemactl(ws.path()).args(["check", "--format", "json"]));
    assert_eq!(code, Some(1), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let community = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "sc.domain.community-value")
        .unwrap();
    assert_eq!(community["status"], "policy", "{community}");
    assert_eq!(community["breaks"], Value::Null, "{community}");
    let (_, human, _) = run(schemactl(ws.path()).arg("check"));
    assert!(human.contains("REFUSED BY POLICY"), "{human}");
    assert!(!human.contains("breaks consumer group"), "{human}");
    // Without the default, readers of the new schema cannot read PUBLIC: Avro breaks.
    edit(
        ws.path(),
        "community.avsc",
        r#""symbols": ["PRIVATE"], "default": "PRIVATE"}"#,
        r#""symbols": ["PRIVATE"]}"#,
    );
    let (code, out, _) = run(schemactl(ws.path()).args(["check", "--format", "json"]));
    assert_eq!(code, Some(1), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let community = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "sc.domain.community-value")
        .unwrap();
    assert_eq!(
        community["breaks"],
        serde_json::json!([
            {"consumer": "proj-feed-builder", "group_id": "sc.proj.feed-builder", "event_types": ["community.visibility_changed"]},
            {"consumer": "analytics-general", "group_id": "sc.analytics.general", "event_types": ["community.created", "community.visibility_changed"]}
        ])
    );
}

#[test]
fn check_and_publish_refuse_a_workspace_with_lint_errors_before_touching_the_registry() {
    // A camelCase field: the build refuses it, so the registry must never hold it.
    let ws = workspace();
    let order = ws.path().join("schemas/order.avsc");
    let text = std::fs::read_to_string(&order).unwrap();
    let camel = r#"{"name": "giftNote", "type": ["null", "string"], "default": null, "doc": "A gift note."}, {"name": "currency""#;
    std::fs::write(&order, text.replacen(r#"{"name": "currency""#, camel, 1)).unwrap();
    for cmd in ["check", "publish"] {
        let (code, out, err) =
            run(schemactl(ws.path()).args([cmd, "--against", "embedded:lint.db"]));
        assert_eq!(code, Some(1), "{cmd}: {out}{err}");
        assert!(err.contains("FIELD_NAME_CASE"), "{cmd}: {err}");
        assert!(
            err.contains("nothing was checked or registered"),
            "{cmd}: {err}"
        );
        assert!(
            !ws.path().join("lint.db").exists(),
            "{cmd}: no registry is created or touched"
        );
    }
}

#[test]
fn publish_says_when_it_creates_a_registry() {
    let ws = workspace();
    let (code, out, err) =
        run(schemactl(ws.path()).args(["publish", "--against", "embedded:new.db"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("creating embedded registry new.db"), "{err}");
    let (code, out, err) =
        run(schemactl(ws.path()).args(["check", "--against", "embedded:new.db"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("creating"), "{err}");
}
