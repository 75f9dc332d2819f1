//! `schemactl compat`: one case per Java incompatibility type, each showing the human message
//! pointing at the right line of the new schema, plus the JSON contract and exit codes.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use std::path::Path;
use std::process::Command;

fn schemactl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(ROOT);
    c
}

const OLD: &str = r#"{
  "type": "record", "name": "Order", "namespace": "t",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "long"},
    {"name": "note", "type": ["null", "string", "int"], "default": null},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
    {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 16}},
    {"name": "item", "type": {"type": "record", "name": "Item", "fields": [{"name": "sku", "type": "string"}]}}
  ]
}"#;

/// Replaces `find` in OLD, runs `compat --mode BACKWARD new old`, returns (exit, stdout, line of
/// the replacement in the new file).
fn run(find: &str, replace: &str, extra: &[&str]) -> (i32, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.avsc");
    let new = dir.path().join("new.avsc");
    std::fs::write(&old, OLD).unwrap();
    assert!(OLD.contains(find), "{find}");
    let text = OLD.replacen(find, replace, 1);
    let line = text[..text.find(replace).unwrap()].matches('\n').count() + 1;
    std::fs::write(&new, &text).unwrap();
    let out = schemactl()
        .args(["compat", "--mode", "BACKWARD"])
        .args(extra)
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        line,
    )
}

fn assert_points(out: &str, kind: &str, line: usize) {
    assert!(out.contains(&format!("error[{kind}]")), "{out}");
    assert!(
        out.contains(&format!("new.avsc:{line}:")),
        "expected line {line}: {out}"
    );
    assert!(
        out.contains(&format!("{line} |")),
        "source line shown: {out}"
    );
    assert!(out.contains("= help: "), "{out}");
}

#[test]
fn reader_field_missing_default_value() {
    let (code, out, line) = run(
        r#"{"name": "amount", "type": "long"},"#,
        r#"{"name": "amount", "type": "long"}, {"name": "channel", "type": "string"},"#,
        &[],
    );
    assert_eq!(code, 1);
    assert_points(&out, "READER_FIELD_MISSING_DEFAULT_VALUE", line);
    assert!(out.contains("= at: /fields/2"), "{out}");
    assert!(out.contains("add \"default\": null"), "{out}");
}

#[test]
fn type_mismatch() {
    let (code, out, line) = run(
        r#"{"name": "amount", "type": "long"}"#,
        r#"{"name": "amount", "type": "int"}"#,
        &[],
    );
    assert_eq!(code, 1);
    assert_points(&out, "TYPE_MISMATCH", line);
    assert!(
        out.contains("reader type: INT not compatible with writer type: LONG"),
        "{out}"
    );
    assert!(out.contains("= at: /fields/1/type"), "{out}");
}

#[test]
fn missing_union_branch() {
    let (code, out, line) = run(r#"["null", "string", "int"]"#, r#"["null", "string"]"#, &[]);
    assert_eq!(code, 1);
    assert_points(&out, "MISSING_UNION_BRANCH", line);
    assert!(
        out.contains("reader union lacking writer type: INT"),
        "{out}"
    );
    assert!(out.contains("= at: /fields/2/type/2"), "{out}");
}

#[test]
fn missing_enum_symbols() {
    let (code, out, line) = run(
        r#""symbols": ["NEW", "PAID"]"#,
        r#""symbols": ["NEW"]"#,
        &[],
    );
    assert_eq!(code, 1);
    assert_points(&out, "MISSING_ENUM_SYMBOLS", line);
    assert!(out.contains("[PAID]"), "{out}");
    // An enum default makes the removal readable.
    let (code, _, _) = run(
        r#""symbols": ["NEW", "PAID"]"#,
        r#""symbols": ["NEW"], "default": "NEW""#,
        &[],
    );
    assert_eq!(code, 0);
}

#[test]
fn name_mismatch_and_alias() {
    let (code, out, line) = run(r#""name": "Item""#, r#""name": "LineItem""#, &[]);
    assert_eq!(code, 1);
    assert_points(&out, "NAME_MISMATCH", line);
    assert!(out.contains("expected: t.Item"), "{out}");
    let (code, _, _) = run(
        r#""name": "Item""#,
        r#""name": "LineItem", "aliases": ["t.Item"]"#,
        &[],
    );
    assert_eq!(code, 0);
}

#[test]
fn fixed_size_mismatch() {
    let (code, out, line) = run(r#""size": 16"#, r#""size": 32"#, &[]);
    assert_eq!(code, 1);
    assert_points(&out, "FIXED_SIZE_MISMATCH", line);
    assert!(out.contains("expected: 16, found: 32"), "{out}");
}

#[test]
fn json_contract_and_exit_codes() {
    let (code, out, line) = run(
        r#"{"name": "amount", "type": "long"}"#,
        r#"{"name": "amount", "type": "int"}"#,
        &["--format", "json"],
    );
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["compatible"], false);
    let m = &doc["messages"][0];
    assert_eq!(m["type"], "TYPE_MISMATCH");
    assert_eq!(m["location"], "/fields/1/type");
    assert_eq!(m["line"], line);
    assert!(m["column"].as_u64().unwrap() > 1);
    assert!(m["file"].as_str().unwrap().ends_with("new.avsc"));

    let (code, out, _) = run(
        r#"{"name": "amount", "type": "long"}"#,
        r#"{"name": "amount", "type": "long", "doc": "x"}"#,
        &["--format", "json"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["compatible"],
        true
    );

    // A schema that does not parse is an error with its position, not a verdict.
    let (code, _, _) = run(r#""type": "long"}"#, r#""type": "long""#, &[]);
    assert_eq!(code, 2);
    let out = schemactl()
        .args(["compat", "--mode", "SIDEWAYS", "a.avsc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_real_schemas_are_compatible_with_themselves_in_every_mode() {
    let root = Path::new(ROOT).join("schemas");
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().unwrap();
    for mode in sc_events_schema::rules::compat::Mode::ALL.map(|m| m.as_str()) {
        for d in catalog.domains.iter().map(|d| d.name.as_str()) {
            let f = root.join(format!("{d}.avsc"));
            let out = schemactl()
                .args(["compat", "--mode", mode, "--ref"])
                .arg(root.join("envelope.avsc"))
                .arg(&f)
                .arg(&f)
                .arg(&f)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{mode} {d}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

/// `compat --policy --subject orders --format json` with a policy file: (exit code, report).
fn policy_json(policy: &Path, new: &Path, old: &Path) -> (i32, serde_json::Value) {
    let out = schemactl()
        .args([
            "compat",
            "--policy",
            "--subject",
            "orders",
            "--format",
            "json",
            "--policy-file",
        ])
        .arg(policy)
        .arg(new)
        .arg(old)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn policy_findings_join_the_verdict_and_ignores_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.avsc");
    let new = dir.path().join("new.avsc");
    std::fs::write(&old, OLD).unwrap();
    // Avro-compatible (an int→long promotion and a new optional field), but a policy type change.
    let text = OLD.replacen(
        r#"{"name": "amount", "type": "long"}"#,
        r#"{"name": "amount", "type": "double"}"#,
        1,
    );
    std::fs::write(&new, &text).unwrap();
    let line = text.lines().position(|l| l.contains("\"double\"")).unwrap() + 1;
    let plain = schemactl()
        .args(["compat", "--mode", "BACKWARD"])
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stdout)
    );

    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[default]\nallow_promotions = false\n").unwrap();
    let (code, doc) = policy_json(&policy, &new, &old);
    assert_eq!(code, 1);
    assert_eq!(doc["compatible"], false);
    assert_eq!(doc["messages"][0]["type"], "FIELD_TYPE_CHANGED");
    assert_eq!(doc["messages"][0]["location"], "/fields/1");
    assert_eq!(doc["messages"][0]["line"], line);

    std::fs::write(&policy, "[[ignore]]\nsubject = \"orders\"\nrule = \"FIELD_TYPE_CHANGED\"\nlocation = \"/fields/1\"\nreason = \"amount widened for FX; ADR-3\"\n").unwrap();
    let (code, doc) = policy_json(&policy, &new, &old);
    assert_eq!(code, 0);
    assert_eq!(doc["compatible"], true);
    assert_eq!(doc["ignored"][0]["type"], "FIELD_TYPE_CHANGED");
    assert_eq!(doc["ignored"][0]["reason"], "amount widened for FX; ADR-3");
    let human = schemactl()
        .args(["compat", "--policy", "--subject", "orders", "--policy-file"])
        .arg(&policy)
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("warning[FIELD_TYPE_CHANGED]")
            && human.contains("(ignored: amount widened for FX; ADR-3)"),
        "{human}"
    );

    // A policy file with an unknown rule is a usage error with its position.
    std::fs::write(&policy, "[default]\ndisabled = [\"NOPE\"]\n").unwrap();
    let out = schemactl()
        .args(["compat", "--policy", "--policy-file"])
        .arg(&policy)
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("policy.toml:2:13"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_default_subject_comes_from_the_catalog() {
    // order.avsc against itself under the repo's policy: clean, and named by its topic subject.
    let root = Path::new(ROOT);
    let out = schemactl()
        .current_dir(root)
        .args([
            "compat",
            "--policy",
            "--ref",
            "schemas/envelope.avsc",
            "schemas/order.avsc",
            "schemas/order.avsc",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("follows the evolution policy"));
}
