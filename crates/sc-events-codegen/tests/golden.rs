//! Golden tests (prost-build's `assert_eq_fixture_file!` idea): the files generated for
//! `tests/fixtures/<case>/` must equal the `_expected_<file>` files next to it. On a mismatch
//! every changed expected file is rewritten and the test fails, so the change is reviewed with
//! `git diff` (and committed when it is what was meant).
//!
//! - `minimal/`: a `schemas_dir` in the default (nested-envelope) layout: two events with
//!   privacy tiers, a topic without schema, no consumers.
//! - `flat/`: a `schemactl.toml` workspace in the flat-envelope layout (a trimmed FlowOps):
//!   two events, an array of records, an enum, an optional field, string, number and array
//!   constraints, a consumer.
//!
//! `types.rs` is rsgen-avro's and not checked here; absolute paths become `<fixture>`.

use sc_events_codegen::Config;
use std::path::{Path, PathBuf};

/// The generated files each case checks, and the expected file each is compared with.
const CHECKED: [(&str, &str); 4] = [
    ("catalog.rs", "_expected_catalog.rs"),
    ("codec.rs", "_expected_codec.rs"),
    ("views.rs", "_expected_views.rs"),
    ("resolve.rs", "_expected_resolve.rs"),
];

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

/// Generates with `cfg` and compares every [`CHECKED`] file with its expected file in `dir`,
/// rewriting the ones that differ; panics naming them.
fn assert_golden(dir: &Path, cfg: &Config) {
    let catalog = cfg.load().unwrap_or_else(|e| panic!("{e}"));
    let generated = cfg.generate(&catalog).unwrap_or_else(|e| panic!("{e}"));
    let abs = dir.canonicalize().unwrap().display().to_string();
    let mut changed = Vec::new();
    for (file, expected_name) in CHECKED {
        let text = &generated
            .files
            .iter()
            .find(|f| f.0 == file)
            .unwrap_or_else(|| panic!("{file} was not generated"))
            .1;
        let text = text.replace(&abs, "<fixture>");
        let expected_path = dir.join(expected_name);
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            std::fs::write(&expected_path, &text).unwrap();
            changed.push(expected_path.display().to_string());
        }
    }
    assert!(
        changed.is_empty(),
        "generated code changed; rewrote {}; review with git diff",
        changed.join(", ")
    );
}

#[test]
fn minimal_fixture_matches_the_golden_files() {
    let dir = fixture("minimal");
    assert_golden(&dir, Config::new().schemas_dir(&dir));
}

#[test]
fn flat_fixture_matches_the_golden_files() {
    let dir = fixture("flat");
    assert_golden(&dir, Config::new().workspace(&dir));
}
