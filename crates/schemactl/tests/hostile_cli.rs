//! `schemactl compat` on hostile input, as an attacker would try it: every case ends promptly
//! with a clear error (or a small report), bounded output, and no crash.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn compat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .current_dir(ROOT)
        .arg("compat")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn devices_fifos_and_directories_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.avsc");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (path, what) in [
        (Path::new("/dev/zero"), "not a regular file"),
        (fifo.as_path(), "FIFO"),
        (dir.path(), "not a regular file"),
    ] {
        let out = compat(&[path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains(what), "{path:?}: {err}");
    }
}

#[test]
fn a_huge_one_line_schema_gives_a_bounded_error() {
    let dir = tempfile::tempdir().unwrap();
    // 3 MB on one line (under the 4 MiB limit), broken at the very end.
    let mut s = String::from(r#"{"type":"record","name":"A","doc":""#);
    s.push_str(&"x".repeat(3 << 20));
    s.push_str(r#"","fields":[{"name":"x","type":"nope"}]}"#);
    let p = dir.path().join("big.avsc");
    std::fs::write(&p, &s).unwrap();
    let out = compat(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "an unknown type: a finding");
    assert!(
        out.stderr.len() < 4096,
        "{} bytes of stderr",
        out.stderr.len()
    );
    assert!(
        text(&out.stderr).contains("big.avsc:1:"),
        "{}",
        text(&out.stderr)
    );
    // Over the limit: refused before parsing, saying why.
    let p = dir.path().join("huge.avsc");
    std::fs::write(&p, "x".repeat(5 << 20)).unwrap();
    let out = compat(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("limit"), "{}", text(&out.stderr));
}

#[test]
fn invalid_utf8_is_reported_with_its_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.avsc");
    std::fs::write(&p, b"{\"type\": \"string\", \"doc\": \"caf\xff\"}").unwrap();
    let out = compat(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("byte offset 30"),
        "{}",
        text(&out.stderr)
    );
}

/// R0 has two fields of type R1, R1 two of R2, ... : 2^depth paths to the last record.
fn shared(depth: usize, leaf: &str) -> String {
    let mut s = format!(
        r#"{{"type":"record","name":"R{depth}","fields":[{{"name":"x","type":"{leaf}"}}]}}"#
    );
    for i in (0..depth).rev() {
        s = format!(
            r#"{{"type":"record","name":"R{i}","fields":[{{"name":"a","type":{s}}},{{"name":"b","type":"R{}"}}]}}"#,
            i + 1
        );
    }
    s
}

#[test]
fn shared_named_types_report_each_incompatibility_once() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.avsc"), dir.path().join("new.avsc"));
    std::fs::write(&old, shared(40, "int")).unwrap();
    std::fs::write(&new, shared(40, "boolean")).unwrap();
    assert!(std::fs::metadata(&new).unwrap().len() < 4096);
    let out = compat(&[
        "--mode",
        "FULL",
        "--format",
        "json",
        new.to_str().unwrap(),
        old.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages = v["messages"].as_array().unwrap();
    assert!(!messages.is_empty() && messages.len() <= 4, "{messages:?}");
    assert!(out.stdout.len() < 8192);
}

#[test]
fn huge_enums_and_unions_are_checked_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let symbols: Vec<String> = (0..200_000).map(|i| format!("\"S{i}\"")).collect();
    let old = format!(
        r#"{{"type":"enum","name":"E","symbols":[{}]}}"#,
        symbols.join(",")
    );
    let new = format!(
        r#"{{"type":"enum","name":"E","symbols":[{}]}}"#,
        symbols[1..].join(",")
    );
    let (o, n) = (dir.path().join("old.avsc"), dir.path().join("new.avsc"));
    std::fs::write(&o, old).unwrap();
    std::fs::write(&n, new).unwrap();
    let out = compat(&[
        "--mode",
        "FULL",
        "--format",
        "json",
        n.to_str().unwrap(),
        o.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("MISSING_ENUM_SYMBOLS"));
    let branches: Vec<String> = (0..50_000)
        .map(|i| format!(r#"{{"type":"fixed","name":"F{i}","size":{}}}"#, 1 + i % 7))
        .collect();
    let old = format!("[{}]", branches.join(","));
    let new = format!("[{}]", branches[..49_999].join(","));
    std::fs::write(&o, old).unwrap();
    std::fs::write(&n, new).unwrap();
    let out = compat(&[
        "--mode",
        "FULL",
        "--format",
        "json",
        n.to_str().unwrap(),
        o.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("MISSING_UNION_BRANCH"));
}

#[test]
fn nesting_beyond_the_limit_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.avsc");
    let depth = 100_000;
    std::fs::write(
        &p,
        format!("{}\"int\"{}", "[".repeat(depth), "]".repeat(depth)),
    )
    .unwrap();
    let out = compat(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("1000"), "{}", text(&out.stderr));
}
