//! The lint against the repository's real schemas (they stay clean), the rule table's order and
//! the rules' file names. Each rule's own case (exactly that rule fires, at the edited line) is
//! its fixture folder under `tests/fixtures/rules/`, run by `tests/rule_fixtures.rs`.

use super::*;
use std::path::{Path, PathBuf};

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

#[test]
fn real_schemas_are_clean() {
    let cat = Catalog::load(&schemas_dir()).unwrap_or_else(|e| panic!("{e:#?}"));
    let findings = lint(&cat);
    assert!(
        findings.is_empty(),
        "{}",
        crate::diag::render(&findings, crate::diag::Format::Human)
    );
}

#[test]
fn the_table_is_sorted_and_unique() {
    let ids: Vec<&str> = all_rules().iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rule ids must be sorted and unique");
    let coded: Vec<&str> = RULES.iter().map(|(r, _)| r.id).collect();
    let mut coded_sorted = coded.clone();
    coded_sorted.sort();
    assert_eq!(coded, coded_sorted, "RULES must be sorted by id");
}

#[test]
fn coded_rule_files_are_named_after_their_ids() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/lint");
    for (r, _) in RULES {
        let file = dir.join(format!("{}.rs", r.id.to_ascii_lowercase()));
        assert!(file.exists(), "{} must live in {}", r.id, file.display());
    }
}

#[test]
fn pattern_rules_load() {
    assert_eq!(pattern_rules().len(), 3);
    assert!(is_non_negative_field("total_cents"));
    assert!(is_non_negative_field("member_count_after"));
    assert!(!is_non_negative_field("order_count_delta"));
    assert!(!is_non_negative_field("delta"));
}
