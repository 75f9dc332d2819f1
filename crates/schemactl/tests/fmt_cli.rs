//! `schemactl fmt`: `--check` names what would change and writes nothing, `--diff` prints a
//! unified diff, the default rewrites (and a second `--check` passes), a file that does not
//! parse is an error at file:line:col with nothing written, and the repository's own
//! workspaces are formatted.

use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

const UNFORMATTED: &str = r#"{"type":"record","name":"A","namespace":"t","fields":[{"name":"x","type":"double","default":1.0,"doc":"caf\u00e9"}]}"#;

const FORMATTED: &str = r#"{
  "type": "record",
  "name": "A",
  "namespace": "t",
  "fields": [
    {"name": "x", "type": "double", "default": 1.0, "doc": "caf\u00e9"}
  ]
}
"#;

fn fmt(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .current_dir(dir)
        .arg("fmt")
        .args(args)
        .output()
        .expect("run schemactl")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn check_names_the_file_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.avsc"), UNFORMATTED).expect("write");
    let o = fmt(dir.path(), &["--check", "a.avsc"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("a.avsc"), "{}", text(&o.stdout));
    let after = std::fs::read_to_string(dir.path().join("a.avsc")).expect("read");
    assert_eq!(after, UNFORMATTED);
}

#[test]
fn diff_prints_a_unified_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.avsc"), UNFORMATTED).expect("write");
    let o = fmt(dir.path(), &["--diff", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("--- a/./a.avsc\n+++ b/./a.avsc\n@@"), "{out}");
    assert!(out.contains("\n+  \"namespace\": \"t\",\n"), "{out}");
    let after = std::fs::read_to_string(dir.path().join("a.avsc")).expect("read");
    assert_eq!(after, UNFORMATTED);
}

#[test]
fn write_rewrites_and_a_second_check_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("sub/a.avsc"), UNFORMATTED).expect("write");
    std::fs::write(dir.path().join("b.avsc"), FORMATTED).expect("write");
    let o = fmt(dir.path(), &["."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let after = std::fs::read_to_string(dir.path().join("sub/a.avsc")).expect("read");
    assert_eq!(after, FORMATTED);
    let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["a.avsc"], "no temporary file left");
    let o = fmt(dir.path(), &["--check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(text(&o.stdout), "");
}

#[test]
fn a_parse_error_names_file_line_col_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.avsc"), UNFORMATTED).expect("write");
    std::fs::write(
        dir.path().join("bad.avsc"),
        "{\n  \"type\": \"record\",\n  \"name\": }\n",
    )
    .expect("write");
    let o = fmt(dir.path(), &["."]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("bad.avsc:3:11"), "{err}");
    let after = std::fs::read_to_string(dir.path().join("a.avsc")).expect("read");
    assert_eq!(after, UNFORMATTED, "nothing written");
    // A comment is refused where it is, too.
    std::fs::write(
        dir.path().join("bad.avsc"),
        "{\"type\": \"string\" // note\n}",
    )
    .expect("write");
    let o = fmt(dir.path(), &["--check", "bad.avsc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("bad.avsc:1:19"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn outside_a_workspace_without_files_is_a_workspace_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = fmt(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("WORKSPACE"), "{}", text(&o.stderr));
}

#[test]
fn the_repositorys_workspaces_are_formatted() {
    for ws in [
        "",
        "examples/data-platform",
        "examples/product-events",
        "examples/flowops",
    ] {
        let o = fmt(&Path::new(ROOT).join(ws), &["--check"]);
        assert_eq!(o.status.code(), Some(0), "{ws}: {}", text(&o.stdout));
    }
}
