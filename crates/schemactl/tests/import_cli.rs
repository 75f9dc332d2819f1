//! `schemactl import jsonschema` on the product team's four event schemas
//! (`examples/product-events/jsonschema/`): types, optionality, enums, logical types and every
//! validation keyword carried over; unsupported constructs refused at their JSON pointer and
//! line, with nothing written.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn schemactl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(ROOT);
    c
}

fn seed_files() -> Vec<PathBuf> {
    let dir = Path::new(ROOT).join("examples/product-events/jsonschema");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the product team's JSON Schemas")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == name))
        .unwrap_or_else(|| panic!("no field {name} in {record}"))
}

fn import(files: &[PathBuf], out: &Path) -> (Option<i32>, String, String) {
    let o = schemactl()
        .args(["import", "jsonschema"])
        .args(files)
        .arg("--out")
        .arg(out)
        .args(["--namespace", "product.events"])
        .output()
        .expect("run");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn read(out: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(name)).expect("written")).expect("JSON")
}

#[test]
fn seed_003_imports_with_its_constraints() {
    let out = tempfile::tempdir().expect("temp dir");
    let (code, stdout, stderr) = import(&seed_files(), out.path());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 4, "{stdout}");

    let created = read(out.path(), "product_created.avsc");
    assert_eq!(created["name"], "ProductCreated");
    assert_eq!(created["namespace"], "product.events");
    assert_eq!(created["event_type"], "ProductCreated");
    assert_eq!(field(&created, "eventType")["const"], "ProductCreated");
    assert_eq!(field(&created, "eventId")["type"]["logicalType"], "uuid");
    assert_eq!(
        field(&created, "timestamp")["type"]["logicalType"],
        "timestamp-millis"
    );
    assert_eq!(
        field(&created, "version")["constraints"]["pattern"],
        "^\\d+\\.\\d+\\.\\d+$"
    );
    // Not required: nullable with a null default.
    let session = field(&created, "sessionId");
    assert_eq!(session["type"][0], "null");
    assert_eq!(session["type"][1]["logicalType"], "uuid");
    assert_eq!(session["default"], Value::Null);
    let data = &field(&created, "data")["type"];
    assert_eq!(data["name"], "ProductCreatedData");
    assert_eq!(
        field(data, "name")["constraints"],
        serde_json::json!({"minLength": 1, "maxLength": 255})
    );
    assert_eq!(
        field(data, "description")["constraints"],
        serde_json::json!({"maxLength": 1000})
    );
    let price = field(data, "price");
    assert_eq!(
        (price["type"].as_str(), &price["constraints"]),
        (Some("double"), &serde_json::json!({"minimum": 0}))
    );
    assert_eq!(price["doc"], "Price in cents");
    assert_eq!(field(data, "quantity")["type"], "long");
    assert_eq!(field(data, "quantity")["constraints"]["minimum"], 0);
    let category = &field(data, "category")["type"];
    assert_eq!(category["type"], "enum");
    assert_eq!(
        category["symbols"],
        serde_json::json!([
            "electronics",
            "clothing",
            "books",
            "home",
            "sports",
            "other"
        ])
    );
    assert_eq!(
        field(data, "createdAt")["type"][1]["logicalType"],
        "timestamp-millis"
    );

    let updated = read(out.path(), "product_updated.avsc");
    let data = &field(&updated, "data")["type"];
    let previous = field(data, "previousState");
    assert_eq!(
        (previous["type"].as_str(), &previous["json"]),
        (Some("string"), &Value::Bool(true)),
        "free-form objects keep their JSON text"
    );
    assert_eq!(
        field(&field(data, "changes")["type"], "price")["type"][1],
        "double"
    );

    let low = read(out.path(), "low_stock_warning.avsc");
    let data = &field(&low, "data")["type"];
    assert_eq!(field(data, "threshold")["constraints"]["minimum"], 0);
    assert_eq!(
        field(data, "severity")["type"][1]["symbols"],
        serde_json::json!(["low", "medium", "high", "critical"])
    );
    assert_eq!(
        read(out.path(), "product_deleted.avsc")["event_type"],
        "ProductDeleted"
    );
}

#[test]
fn unsupported_constructs_are_refused_where_they_are_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "eventType": {"enum": ["OrderMoved"]},
    "data": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "status": {"type": "string", "enum": ["open", "in-progress"]},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
    "retries": {"type": "integer", "default": 3}
  }
}
"#,
    )
    .expect("write");
    let out = dir.path().join("out");
    let mut files = seed_files();
    files.push(bad.clone());
    let (code, stdout, stderr) = import(&files, &out);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("error[IMPORT]: `oneOf` is not supported"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> {}:6:14", bad.display())),
        "{stderr}"
    );
    assert!(stderr.contains("= at: /properties/data/oneOf"), "{stderr}");
    assert!(
        stderr.contains("\"in-progress\" cannot be an Avro enum symbol"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= at: /properties/status/enum/1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`constraints` on array items or map values is not carried over"),
        "{stderr}"
    );
    assert!(stderr.contains("= at: /properties/tags/items"), "{stderr}");
    assert!(
        stderr.contains("a non-null default on an optional property"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= at: /properties/retries/default"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!out.exists(), "no output at all, not even the good files");
}

#[test]
fn the_domain_help_says_how_many_files_are_written_and_that_is_what_is_written() {
    let out = tempfile::tempdir().expect("temp dir");
    let o = schemactl()
        .args(["import", "jsonschema"])
        .args(seed_files())
        .arg("--out")
        .arg(out.path())
        .args(["--namespace", "product.events", "--domain", "ProductEvent"])
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut written: Vec<String> = std::fs::read_dir(out.path())
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "event_envelope.avsc",
            "event_metadata.avsc",
            "product_event.avsc"
        ]
    );
    let help = schemactl()
        .args(["import", "jsonschema", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("three for the product events"), "{help}");
}
