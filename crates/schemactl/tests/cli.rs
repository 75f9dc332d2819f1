//! `schemactl` as users run it: exit codes and output of lint and catalog.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use std::path::{Path, PathBuf};
use std::process::Command;

fn schemactl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(ROOT);
    c
}

fn schemas() -> PathBuf {
    Path::new(ROOT).join("schemas")
}

fn broken_copy(file: &str, find: &str, replace: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(schemas()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let p = dir.path().join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(find));
    std::fs::write(&p, t.replacen(find, replace, 1)).unwrap();
    dir
}

#[test]
fn lint_passes_on_the_real_schemas() {
    let out = schemactl().arg("lint").arg(schemas()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn lint_points_at_the_line_in_every_format() {
    let dir = broken_copy(
        "order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "itemCount", "type": "int""#,
    );
    let text = std::fs::read_to_string(dir.path().join("order.avsc")).unwrap();
    let line = text.lines().position(|l| l.contains("itemCount")).unwrap() + 1;

    let out = schemactl().arg("lint").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(
            "error[FIELD_NAME_CASE]: field `itemCount` of OrderCreated is not snake_case"
        ),
        "{human}"
    );
    assert!(human.contains(&format!("order.avsc:{line}:20")), "{human}");
    assert!(human.contains("^^^^^^^^^^^"), "{human}");
    assert!(
        human.contains("= help: rename the field in the workspace's case"),
        "{human}"
    );

    let out = schemactl()
        .args(["lint", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["findings"][0]["code"], "FIELD_NAME_CASE");
    assert_eq!(doc["findings"][0]["line"], line);
    assert_eq!(doc["findings"][0]["location"], "/fields/1/type/0/fields/3");

    let out = schemactl()
        .args(["lint", "--format", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    let gh = String::from_utf8_lossy(&out.stdout);
    assert!(gh.starts_with("::error file="), "{gh}");
    assert!(
        gh.contains(&format!(",line={line},col=20,title=FIELD_NAME_CASE::")),
        "{gh}"
    );
}

#[test]
fn a_schema_that_does_not_parse_is_reported_with_its_position() {
    let dir = broken_copy(
        "user.avsc",
        r#""name": "UserVerified","#,
        r#""name": "UserVerified""#,
    );
    let out = schemactl().arg("lint").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "not JSON: nothing could be linted"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[PARSE]: invalid JSON: expected ',' or '}' in object"),
        "{err}"
    );
    assert!(err.contains("user.avsc:29:"), "{err}");
}

#[test]
fn missing_directory_is_a_usage_error() {
    let out = schemactl()
        .args(["lint", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = schemactl()
        .args(["catalog", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn catalog_json_is_the_documented_contract() {
    let out = schemactl()
        .args(["catalog", "--format", "json", "--schemas"])
        .arg(schemas())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let topics = doc["topics"].as_array().unwrap();
    let events = doc["events"].as_array().unwrap();
    assert_eq!(topics.len(), 32);
    assert_eq!(events.len(), 76);
    let consumers = doc["consumers"].as_array().unwrap();
    let names: Vec<&str> = consumers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "proj-user-cards",
            "proj-feed-builder",
            "proj-order-summaries",
            "compliance-contacts",
            "analytics-security-audit",
            "analytics-general"
        ]
    );
    let cards = &consumers[0];
    assert_eq!(cards["max_tier"], "PUBLIC");
    assert_eq!(cards["dlq"], "sc.dlq.proj-user-cards");
    assert_eq!(cards["retry"]["max_retries"], 3);
    assert!(cards["receives"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("user.created")));
    // analytics-general reads `*` up to INTERNAL: every event but the RESTRICTED ones.
    let restricted = events
        .iter()
        .filter(|e| e["privacy_tier"] == "RESTRICTED")
        .count();
    assert_eq!(
        consumers[5]["receives"].as_array().unwrap().len(),
        76 - restricted
    );
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&topics[0]),
        [
            "category",
            "cleanup_policy",
            "dlq",
            "key",
            "name",
            "partitioner",
            "partitions",
            "replication_factor",
            "retention_ms",
            "value_subject"
        ]
    );
    assert_eq!(topics[0]["partitioner"], "murmur2");
    assert_eq!(
        keys(&events[0]),
        [
            "entity_type",
            "event_type",
            "privacy_tier",
            "record",
            "topic",
            "version"
        ]
    );
    let order = topics
        .iter()
        .find(|t| t["name"] == "sc.domain.order")
        .unwrap();
    assert_eq!(order["partitions"], 6);
    assert_eq!(order["key"], "order_id");
    assert_eq!(order["retention_ms"], 2_592_000_000_u64);
    assert_eq!(order["cleanup_policy"], "delete");
    assert_eq!(order["value_subject"], "sc.domain.order-value");
    let hb = topics
        .iter()
        .find(|t| t["name"] == "sc.internal.heartbeat")
        .unwrap();
    assert_eq!(hb["key"], serde_json::Value::Null);
    assert_eq!(hb["value_subject"], serde_json::Value::Null);
    assert_eq!(hb["retention_ms"], 86_400_000);
    let perf = topics
        .iter()
        .find(|t| t["name"] == "sc.analytics.admin.promotion-performance")
        .unwrap();
    assert_eq!(perf["retention_ms"], 7_776_000_000_u64);
    // Per domain: the catalog's event counts (plus the RESTRICTED contact events of user and
    // supplier), each event on its domain topic.
    for (domain, n) in [
        ("user", 12),
        ("supplier", 8),
        ("community", 8),
        ("product", 10),
        ("promotion", 15),
        ("post", 11),
        ("order", 12),
    ] {
        let on: Vec<_> = events
            .iter()
            .filter(|e| e["topic"] == format!("sc.domain.{domain}"))
            .collect();
        assert_eq!(on.len(), n, "{domain}");
        assert!(on.iter().all(|e| e["event_type"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{domain}."))));
        assert!(on.iter().all(|e| e["entity_type"] == domain.to_uppercase()));
    }
    let login = events
        .iter()
        .find(|e| e["event_type"] == "user.login_succeeded")
        .unwrap();
    assert_eq!(login["privacy_tier"], "RESTRICTED");
    assert_eq!(login["record"], "sc.events.user.UserLoginSucceeded");
}

#[test]
fn catalog_markdown_has_seed_style_tables() {
    let out = schemactl()
        .args(["catalog", "--format", "markdown", "--schemas"])
        .arg(schemas())
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| `sc.domain.order` | 6 | `order_id` | 30 days | delete | `sc.domain.order-value` | Order transaction events |"), "{md}");
    assert!(md.contains("| `sc.internal.heartbeat` | 1 | - | 1 day |"));
    assert_eq!(md.matches("| `user.").count(), 12);
}

#[test]
fn rules_lists_every_rule() {
    let out = schemactl()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 25 coded lint rules (PII_ENCRYPTED and OBJECT_ID_FORMAT the newest), 6 pattern rules, 8 policy rules
    // (CONSTRAINT_TIGHTENED the newest), VERSION_BUMP.
    assert_eq!(rules.as_array().unwrap().len(), 25 + 6 + 8 + 1);
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"TOPIC_NAME") && ids.contains(&"TOPIC_CLEANUP_POLICY"),
        "{ids:?}"
    );
}

#[test]
fn workspace_flag_runs_every_command_in_that_directory() {
    // A workspace whose schemas/ holds a copy with a camelCase field.
    let copy = broken_copy(
        "community.avsc",
        r#"{"name": "owner_id""#,
        r#"{"name": "ownerId""#,
    );
    let ws = tempfile::tempdir().unwrap();
    std::fs::rename(copy.path(), ws.path().join("schemas")).unwrap_or_else(|_| {
        std::fs::create_dir(ws.path().join("schemas")).unwrap();
        for e in std::fs::read_dir(copy.path()).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, ws.path().join("schemas").join(p.file_name().unwrap())).unwrap();
        }
    });
    let elsewhere = tempfile::tempdir().unwrap();
    let out = schemactl()
        .current_dir(elsewhere.path())
        .arg("--workspace")
        .arg(ws.path())
        .arg("lint")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found = String::from_utf8_lossy(&out.stdout);
    assert!(
        found.contains("--> schemas/community.avsc:19:20"),
        "{found}"
    );
    assert!(found.contains("FIELD_NAME_CASE"), "{found}");
    // After the subcommand too (a global flag): the catalog is the workspace's own.
    let toml = ws.path().join("schemas/topics.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let order = "name = \"sc.domain.order\"\ncategory = \"domain\"\npartitions = 6";
    assert!(text.contains(order));
    std::fs::write(&toml, text.replace(order, &order.replace("= 6", "= 9"))).unwrap();
    let out = schemactl()
        .current_dir(elsewhere.path())
        .args(["catalog", "--format", "json", "--workspace"])
        .arg(ws.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let topic = doc["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "sc.domain.order")
        .unwrap();
    assert_eq!(topic["partitions"], 9);
    let out = schemactl()
        .args(["--workspace", "/no/such/dir", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot enter workspace /no/such/dir"));
}

#[test]
fn outside_a_workspace_every_workspace_command_says_so_and_exits_2() {
    // No schemas are built into the binary: an empty directory (nothing above it is a
    // workspace either), or the schema directory itself named by --workspace, is not a
    // workspace, and nothing is checked against a fallback. (Run from inside schemas/, the
    // workspace above it is found: tests/conventions.rs.)
    let empty = tempfile::tempdir().unwrap();
    let inside_schemas = schemas();
    for (dir, flag) in [
        (empty.path(), None),
        (empty.path(), Some(inside_schemas.as_path())),
    ] {
        for args in [
            &["lint"][..],
            &["catalog"],
            &["check"],
            &["publish", "--dry-run"],
        ] {
            let mut cmd = schemactl();
            cmd.current_dir(dir);
            if let Some(ws) = flag {
                cmd.arg("--workspace").arg(ws);
            }
            let out = cmd.args(args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} in {}: {err}",
                dir.display()
            );
            assert!(
                err.contains("error[WORKSPACE]") && err.contains("is not a workspace"),
                "{args:?}: {err}"
            );
            assert!(!String::from_utf8_lossy(&out.stdout).contains("0 error(s)"));
        }
    }
    assert!(
        !empty.path().join(".registry").exists(),
        "nothing is created outside a workspace"
    );
}
