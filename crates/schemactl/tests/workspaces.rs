//! `schemactl --workspace examples/<name>` on the three example workspaces: each one lints
//! clean, its catalog JSON shows its topics (partitions, keys, retention, DLQs) and event
//! types with `privacy_tier` and `entity_type` null, it publishes (then publishes nothing
//! more), the semver gate refuses a too-small version bump at its `file:line`, and the
//! JSON Schema import reproduces the product-events schemas as committed.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::git;

fn schemactl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(ROOT);
    c
}

fn example(name: &str) -> PathBuf {
    Path::new(ROOT).join("examples").join(name)
}

/// A copy of a workspace's schema-side files (no build output, no registry).
fn copy(name: &str) -> tempfile::TempDir {
    fn walk(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read dir") {
            let p = e.expect("entry").path();
            let n = p.file_name().expect("name").to_owned();
            if n == "target" || n == ".registry" || n == "src" || n == "tests" {
                continue;
            }
            if p.is_dir() {
                walk(&p, &to.join(&n));
            } else {
                std::fs::copy(&p, to.join(&n)).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    walk(&example(name), dir.path());
    dir
}

fn run(ws: &Path, args: &[&str]) -> Output {
    schemactl()
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .output()
        .expect("run schemactl")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn catalog(name: &str) -> Value {
    let o = run(&example(name), &["catalog", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    serde_json::from_slice(&o.stdout).expect("catalog JSON")
}

fn topic<'a>(c: &'a Value, name: &str) -> &'a Value {
    c["topics"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("no topic {name}"))
}

fn event_types(c: &Value) -> Vec<String> {
    c["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            assert!(
                e["privacy_tier"].is_null() && e["entity_type"].is_null(),
                "{e}"
            );
            e["event_type"].as_str().expect("type").to_string()
        })
        .collect()
}

const DAY: u64 = 86_400_000;

#[test]
fn every_example_workspace_lints_clean() {
    for name in ["data-platform", "product-events", "flowops"] {
        let o = run(&example(name), &["lint"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
    }
}

#[test]
fn data_platform_catalog_has_its_eight_topics_keys_retention_and_dlqs() {
    let c = catalog("data-platform");
    let want = [
        ("connector.data.raw", 12, "org_id", 7),
        ("bronze.data.cleaned", 12, "org_id", 7),
        ("silver.data.processed", 12, "org_id", 7),
        ("gold.data.ready", 12, "org_id", 7),
        ("rules.alerts.triggered", 6, "org_id", 30),
        ("config.changes", 6, "org_id", 30),
        ("etl.execution", 6, "pipeline_id", 7),
        ("audit.events", 6, "org_id", 90),
    ];
    for (name, partitions, key, days) in want {
        let t = topic(&c, name);
        assert_eq!(t["partitions"], partitions, "{t}");
        assert_eq!(t["replication_factor"], 3, "{t}");
        assert_eq!(t["key"], key, "{t}");
        assert_eq!(t["retention_ms"], days * DAY, "{t}");
        assert_eq!(t["dlq"], format!("{name}.dlq"), "{t}");
        // Seed 002: Math.abs(orgId.hashCode()) % numPartitions, set once in schemactl.toml.
        assert_eq!(t["partitioner"], "java_hash_code", "{t}");
        let dlq = topic(&c, &format!("{name}.dlq"));
        assert_eq!(dlq["partitioner"], "java_hash_code", "{dlq}");
        assert_eq!(
            (&dlq["category"], &dlq["retention_ms"]),
            (&Value::from("dlq"), &Value::from(14 * DAY))
        );
    }
    assert_eq!(c["topics"].as_array().map(Vec::len), Some(16));
    let types = event_types(&c);
    assert!(
        types.contains(&"connector.data.raw".to_string()),
        "{types:?}"
    );
    assert!(
        types.contains(&"etl.execution.failed".to_string()),
        "{types:?}"
    );
    let groups: Vec<&str> = c["consumers"]
        .as_array()
        .expect("consumers")
        .iter()
        .map(|k| {
            assert!(k["max_tier"].is_null());
            k["group_id"].as_str().expect("group")
        })
        .collect();
    assert_eq!(groups.len(), 6, "{groups:?}");
}

#[test]
fn product_events_and_flowops_catalogs() {
    let p = catalog("product-events");
    let t = topic(&p, "product-events");
    assert_eq!(
        (&t["key"], &t["retention_ms"]),
        (&Value::from("productId"), &Value::from(14 * DAY))
    );
    let mut types = event_types(&p);
    types.sort();
    assert_eq!(
        types,
        [
            "LowStockWarning",
            "ProductCreated",
            "ProductDeleted",
            "ProductUpdated"
        ]
    );
    let receives = |c: &Value, job: &str| -> Vec<String> {
        let k = c["consumers"]
            .as_array()
            .and_then(|v| v.iter().find(|k| k["name"] == job))
            .unwrap_or_else(|| panic!("no job {job}"));
        serde_json::from_value(k["receives"].clone()).expect("receives")
    };
    assert_eq!(
        receives(&p, "notifications"),
        ["LowStockWarning", "ProductCreated", "ProductUpdated"]
    );
    assert_eq!(
        receives(&p, "analytics"),
        ["ProductCreated", "ProductDeleted", "ProductUpdated"]
    );

    let f = catalog("flowops");
    let t = topic(&f, "order-events");
    assert_eq!(
        (&t["partitions"], &t["key"], &t["dlq"]),
        (
            &Value::from(1),
            &Value::from("orderId"),
            &Value::from("order-events.dlq")
        )
    );
    assert_eq!(event_types(&f), ["ORDER_CREATED", "ORDER_CANCELLED"]);
}

#[test]
fn every_example_publishes_once_then_registers_nothing() {
    for (name, subjects) in [("data-platform", 10), ("product-events", 2), ("flowops", 1)] {
        let ws = copy(name);
        let reg = format!("embedded:{}", ws.path().join("r.db").display());
        let o = run(ws.path(), &["publish", "--against", &reg]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
        assert!(
            text(&o).contains(&format!(": {subjects} registered, 0 unchanged")),
            "{name}: {}",
            text(&o)
        );
        let o = run(ws.path(), &["publish", "--against", &reg]);
        assert!(
            text(&o).contains(&format!(": 0 registered, {subjects} unchanged")),
            "{name}: {}",
            text(&o)
        );
    }
}

#[test]
fn a_too_small_semver_bump_is_refused_at_its_line() {
    let ws = copy("product-events");
    let reg = format!("embedded:{}", ws.path().join("r.db").display());
    let o = run(ws.path(), &["publish", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let file = ws.path().join("schemas/product_event.avsc");
    let original = std::fs::read_to_string(&file).expect("read");
    let reason = r#"{"name": "reason", "type": ["null", "string"], "default": null, "doc": "Optional reason for deletion"}"#;
    assert!(original.contains(reason));
    // A new optional field is a minor change; the version stays 2.0.0.
    let added = original.replacen(
        reason,
        &format!("{reason},\n            {{\"name\": \"deletedBy\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"Who deleted it\"}}"),
        1,
    );
    std::fs::write(&file, &added).expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    let line = added
        .lines()
        .position(|l| l.contains("\"version\": \"2.0.0\""))
        .expect("version line")
        + 1;
    assert!(out.contains("error[VERSION_BUMP]"), "{out}");
    assert!(
        out.contains("2.0.0 → 2.0.0 is no bump, but the change needs a minor bump"),
        "{out}"
    );
    assert!(
        out.contains(&format!("schemas/product_event.avsc:{line}:")),
        "{out}"
    );
    // 2.1.0 is enough.
    std::fs::write(
        &file,
        added.replacen("\"version\": \"2.0.0\"", "\"version\": \"2.1.0\"", 1),
    )
    .expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A major bump needs a migration note (2.0.0's does not speak for 3.0.0).
    let without_note: String = added
        .replacen("\"version\": \"2.0.0\"", "\"version\": \"3.0.0\"", 1)
        .lines()
        .filter(|l| !l.trim_start().starts_with("\"migration\": "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, without_note).expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("needs a \"migration\" note"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_json_schema_import_reproduces_the_product_events_1x_schemas() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = example("product-events");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir.join("jsonschema"))
        .expect("jsonschema dir")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    let o = schemactl()
        .args(["import", "jsonschema"])
        .args(&inputs)
        .arg("--out")
        .arg(out.path())
        .args(["--namespace", "product.events", "--domain", "ProductEvent"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for name in [
        "event_metadata.avsc",
        "event_envelope.avsc",
        "product_event.avsc",
    ] {
        let fresh = std::fs::read_to_string(out.path().join(name)).expect("written");
        // The JSON Schemas are the platform's 1.x documents; the workspace's product_event
        // moved on to 2.0.0 (integer-cent prices), and its 1.0.0 is kept as the upcast test's
        // fixture: the import reproduces that.
        let committed = match name {
            "product_event.avsc" => dir.join("tests/fixtures/product_event-1.0.0.avsc"),
            _ => dir.join("schemas").join(name),
        };
        let committed = std::fs::read_to_string(committed).expect("committed");
        assert_eq!(
            fresh, committed,
            "{name} differs from a fresh import; re-run the import"
        );
    }
}

#[test]
fn a_git_ref_is_the_baseline_of_a_workspace_with_subdirectories_and_a_yaml_topic_file() {
    let ws = copy("data-platform");
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-qm", "baseline"]);
    let o = run(ws.path(), &["check", "--against", "git:HEAD"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("10 subject(s) checked"), "{}", text(&o));
    // A required field added without a default: old data cannot be read any more.
    let file = ws.path().join("schemas/etl/execution.avsc");
    let t = std::fs::read_to_string(&file).expect("read");
    let anchor = r#""name": "execution_id","#;
    assert!(t.contains(anchor));
    let broken = t.replacen(
        anchor,
        r#""name": "attempt", "type": "int", "doc": "Run attempt."}, {"name": "execution_id","#,
        1,
    );
    std::fs::write(&file, broken).expect("write");
    let o = run(ws.path(), &["check", "--against", "git:HEAD"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("schemas/etl/execution.avsc:"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("etl.execution-value"), "{}", text(&o));
}

#[test]
fn the_subject_strategy_names_the_value_subjects() {
    for (strategy, subject) in [
        ("topic_record", "order-events-flowops.events.OrderEvent"),
        ("record", "flowops.events.OrderEvent"),
    ] {
        let ws = copy("flowops");
        let config = ws.path().join("schemactl.toml");
        let t = std::fs::read_to_string(&config).expect("read");
        let t = t.replacen(
            "[layout]\n",
            &format!("[layout]\nsubject_strategy = \"{strategy}\"\n"),
            1,
        );
        std::fs::write(&config, t).expect("write");
        let o = run(ws.path(), &["catalog", "--format", "json"]);
        let c: Value = serde_json::from_slice(&o.stdout).expect("catalog JSON");
        assert_eq!(topic(&c, "order-events")["value_subject"], subject);
        let reg = format!("embedded:{}", ws.path().join("r.db").display());
        let o = run(ws.path(), &["publish", "--against", &reg]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(text(&o).contains(subject), "{}", text(&o));
    }
}

#[test]
fn a_major_version_starts_a_new_compatibility_group() {
    let ws = copy("product-events");
    let reg = format!("embedded:{}", ws.path().join("r.db").display());
    let o = run(ws.path(), &["publish", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let file = ws.path().join("schemas/product_event.avsc");
    let original = std::fs::read_to_string(&file).expect("read");
    // A required field without a default: old data cannot be read any more.
    let anchor = r#"{"name": "productName", "type": "string"}"#;
    assert!(original.contains(anchor), "{original}");
    let breaking = original.replacen(
        anchor,
        &format!(r#"{anchor}, {{"name": "warehouseId", "type": "string", "doc": "Warehouse that ran low."}}"#),
        1,
    );
    // Within major 2 the break is refused, and 2.1.0 is not enough for it either.
    std::fs::write(
        &file,
        breaking.replacen(r#""version": "2.0.0""#, r#""version": "2.1.0""#, 1),
    )
    .expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("INCOMPATIBLE"), "{}", text(&o));
    // 3.0.0 with a migration note starts group 3: checked against nothing of major 2.
    let note = original
        .lines()
        .find(|l| l.trim_start().starts_with(r#""migration": "#))
        .expect("the 2.0.0 migration note");
    let major = breaking
        .replacen(r#""version": "2.0.0","#, r#""version": "3.0.0","#, 1)
        .replacen(
            note,
            r#"  "migration": "Consumers of 2.x read LowStockWarning.warehouseId from the stock service until they move to 3.x.","#,
            1,
        );
    std::fs::write(&file, &major).expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(ws.path(), &["publish", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("1 registered, 1 unchanged"),
        "{}",
        text(&o)
    );
    // The next break inside major 3 is checked against 3.0.0 again.
    let again = major.replacen(
        r#"{"name": "warehouseId", "type": "string", "doc": "Warehouse that ran low."}"#,
        r#"{"name": "warehouseId", "type": "string", "doc": "Warehouse that ran low."}, {"name": "bin", "type": "string", "doc": "Bin."}"#,
        1,
    )
    .replacen(r#""version": "3.0.0""#, r#""version": "3.1.0""#, 1);
    std::fs::write(&file, again).expect("write");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// The data platform's own rules (its `schemas/policy.toml`): a field that had a default may go,
/// one without may not, and a type never changes, not even at a major version.
#[test]
fn the_data_platform_evolves_by_its_own_rules() {
    let ws = copy("data-platform");
    let reg = format!("embedded:{}", ws.path().join("r.db").display());
    let o = run(ws.path(), &["publish", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let edit = |file: &str, find: &str, replace: &str| {
        let p = ws.path().join("schemas").join(file);
        let t = std::fs::read_to_string(&p).expect("read");
        assert!(t.contains(find), "{file}: {find}");
        std::fs::write(&p, t.replacen(find, replace, 1)).expect("write");
        t
    };
    // Deleting `observed_value` (it had a default) is allowed, with a minor bump.
    let alerts = "rules/alerts.avsc";
    let before = edit(
        alerts,
        r#",
        {"name": "observed_value", "type": ["null", "double"], "doc": "The value that broke the threshold, when the rule is numeric.", "default": null}"#,
        "",
    );
    edit(
        alerts,
        r#""event_version": "1.0.0""#,
        r#""event_version": "1.1.0""#,
    );
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::write(ws.path().join("schemas").join(alerts), before).expect("restore");

    // Deleting `record_count` (no default) is refused by the policy, at the record.
    let raw = "connector/data-raw.avsc";
    let original = edit(
        raw,
        r#"
        {"name": "record_count", "type": "long", "doc": "Records in the batch.", "constraints": {"minimum": 0}},"#,
        "",
    );
    edit(
        raw,
        r#""event_version": "1.0.0""#,
        r#""event_version": "1.1.0""#,
    );
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("error[FIELD_REMOVED]: field `record_count` was removed from DataRaw"),
        "{out}"
    );
    assert!(out.contains("REFUSED BY POLICY"), "{out}");
    std::fs::write(ws.path().join("schemas").join(raw), &original).expect("restore");

    // byte_size long -> double (a type change Avro would even read), as 2.0.0 with a
    // migration note, which starts a new compatibility group: still refused.
    edit(
        raw,
        r#"{"name": "byte_size", "type": "long""#,
        r#"{"name": "byte_size", "type": "double""#,
    );
    edit(
        raw,
        r#""event_version": "1.0.0","#,
        r#""event_version": "2.0.0", "migration": "byte_size becomes a double; 1.x consumers keep reading 1.x.","#,
    );
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("error[FIELD_TYPE_CHANGED]"), "{out}");
    assert!(out.contains("data-raw.avsc:28:"), "{out}");
    // The social-commerce policy has no such exception: without the data platform's rules
    // the same major bump passes (a new compatibility group).
    std::fs::remove_file(ws.path().join("schemas/policy.toml")).expect("remove policy");
    let o = run(ws.path(), &["check", "--against", &reg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// topic-config.yaml's `schema_registry.url` is the registry when no flag, variable or
/// schemactl.toml names one.
#[test]
fn the_topic_files_registry_is_the_default_target() {
    let ws = copy("data-platform");
    let yaml = ws.path().join("topic-config.yaml");
    let config = std::fs::read_to_string(&yaml).expect("read");
    let url = "url: http://schema-registry:8081";
    assert!(config.contains(url), "{config}");
    std::fs::write(&yaml, config.replacen(url, "url: embedded:from-yaml.db", 1)).expect("write");
    let o = run(ws.path(), &["publish"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(ws.path().join("from-yaml.db").is_file(), "{}", text(&o));
    assert!(text(&o).contains("from-yaml.db"), "{}", text(&o));
    // A flag still wins.
    let o = run(ws.path(), &["check", "--against", "embedded:elsewhere.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("elsewhere.db"), "{}", text(&o));
}
