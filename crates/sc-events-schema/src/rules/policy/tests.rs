//! The policy rules' table order and the policy file's errors. Each rule's own before/after case
//! (exactly that rule fires, at its location and line), its clean counterpart, promotions per
//! subject and ignore entries are fixture folders under `tests/fixtures/rules/`, run by
//! `tests/rule_fixtures.rs`.

use super::*;
use crate::source::SourceFile;

#[test]
fn the_table_is_sorted() {
    let ids: Vec<&str> = RULES.iter().map(|(r, _)| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "policy RULES must be sorted by id, each once");
}

#[test]
fn bad_policy_files_are_errors_with_positions() {
    let bad = SourceFile::new(
        "policy.toml",
        "[[ignore]]\nsubject = \"s\"\nrule = \"NO_SUCH_RULE\"\nreason = \"\"\n",
    );
    let e = PolicyConfig::parse(&bad).unwrap_err();
    assert_eq!(e.len(), 2);
    assert!(
        e[0].one_line()
            .starts_with("policy.toml:3:8: error[POLICY]: unknown policy rule \"NO_SUCH_RULE\""),
        "{}",
        e[0].one_line()
    );
    assert!(e[1].message.contains("needs a reason"));
    let e = PolicyConfig::parse(&SourceFile::new(
        "policy.toml",
        "[default]\nallow_promotion = true\n",
    ))
    .unwrap_err();
    assert_eq!(e[0].line, 2);
    // A misspelt rule id gets the real one.
    let e = PolicyConfig::parse(&SourceFile::new(
        "policy.toml",
        "[[ignore]]\nsubject = \"s\"\nrule = \"FIELD_RENAMD\"\nreason = \"r\"\n",
    ))
    .unwrap_err();
    assert!(
        e[0].message.contains("did you mean \"FIELD_RENAMED\"?"),
        "{}",
        e[0].message
    );
}
