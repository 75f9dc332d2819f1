//! Golden test (prost-build's `assert_eq_fixture_file!` idea): the glue generated for
//! `tests/fixtures/<case>/` must equal `_expected_catalog.rs` next to it. On a mismatch the
//! expected file is rewritten and the test fails, so the change is reviewed with `git diff`.

use sc_events_codegen::Config;
use std::path::Path;

#[test]
fn minimal_fixture_glue_matches_the_golden_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let cfg = Config::new().schemas_dir(&dir).clone();
    let catalog = cfg.load().unwrap_or_else(|e| panic!("{e}"));
    let generated = cfg.generate(&catalog).unwrap();
    let glue = &generated
        .files
        .iter()
        .find(|f| f.0 == "catalog.rs")
        .unwrap()
        .1;
    let abs = dir.canonicalize().unwrap().display().to_string();
    let glue = glue.replace(&abs, "<fixture>");
    let expected_path = dir.join("_expected_catalog.rs");
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if expected != glue {
        std::fs::write(&expected_path, &glue).unwrap();
        panic!(
            "generated glue changed; {} was rewritten, review it with git diff",
            expected_path.display()
        );
    }
}
