//! A fresh copy of the social-commerce workspace (its schemas, topic file and policy) in a
//! temporary directory, for tests that edit schemas or publish.

use std::path::Path;
use std::process::Command;

/// The copy; `publish` first registers every subject in its embedded registry.
pub fn social_commerce(publish: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let schemas = dir.path().join("schemas");
    std::fs::create_dir(&schemas).expect("mkdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    for e in std::fs::read_dir(from).expect("schemas") {
        let p = e.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, schemas.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    if publish {
        schemactl(dir.path(), &["publish"]);
    }
    dir
}

/// Runs `schemactl --workspace WS ARGS…`, which must succeed; its stdout.
pub fn schemactl(ws: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .output()
        .expect("run schemactl");
    assert!(
        out.status.success(),
        "schemactl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
