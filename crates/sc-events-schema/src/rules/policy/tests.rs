//! Each policy rule on its own before/after fixture (exactly that rule fires, at the right
//! location and line), the clean cases, promotions per subject, ignore entries and config errors.

use super::*;
use crate::model::{parse_files, SchemaSet};
use crate::source::SourceFile;

const OLD: &str = r#"{"type": "record", "name": "Order", "namespace": "t", "fields": [
  {"name": "id", "type": "string"},
  {"name": "amount", "type": "int"},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"], "default": "NEW"}},
  {"name": "data", "type": [{"type": "record", "name": "A", "fields": []}, {"type": "record", "name": "B", "fields": []}]}
]}"#;

/// (rule, find, replace, expected location, expected line in the new file)
const FIXTURES: &[(&str, &str, &str, &str, usize)] = &[
    ("ENUM_SYMBOL_REMOVED", r#""symbols": ["NEW", "PAID"]"#, r#""symbols": ["NEW"]"#, "/fields/3/type/symbols", 5),
    ("FIELD_ADDED_WITHOUT_DEFAULT", r#"{"name": "id", "type": "string"},"#, "{\"name\": \"id\", \"type\": \"string\"},\n  {\"name\": \"channel\", \"type\": \"string\"},", "/fields/1", 3),
    ("FIELD_MADE_REQUIRED", r#"{"name": "note", "type": ["null", "string"], "default": null}"#, r#"{"name": "note", "type": "string"}"#, "/fields/2", 4),
    ("FIELD_REMOVED", "\n  {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null},", "", "/", 1),
    ("FIELD_RENAMED", r#"{"name": "note", "type": ["null", "string"], "default": null}"#, r#"{"name": "remark", "aliases": ["note"], "type": ["null", "string"], "default": null}"#, "/fields/2", 4),
    ("FIELD_TYPE_CHANGED", r#"{"name": "amount", "type": "int"}"#, r#"{"name": "amount", "type": "long"}"#, "/fields/1", 3),
    ("UNION_BRANCH_REMOVED", r#", {"type": "record", "name": "B", "fields": []}"#, "", "/fields/4/type", 6),
];

fn set(name: &str, text: &str) -> SchemaSet {
    parse_files(vec![SourceFile::new(name, text)]).unwrap_or_else(|e| panic!("{e:?}"))
}

fn run(old: &str, new: &str, policy: &SubjectPolicy) -> (Vec<PolicyFinding>, SchemaSet) {
    let (o, n) = (set("old.avsc", old), set("new.avsc", new));
    let f = check(
        SchemaRef {
            set: &o,
            root: &o.roots[0],
        },
        SchemaRef {
            set: &n,
            root: &n.roots[0],
        },
        policy,
    );
    (f, n)
}

#[test]
fn each_rule_fires_alone_at_its_location_and_line() {
    for (rule, find, replace, location, line) in FIXTURES {
        assert!(OLD.contains(find), "{rule}: fixture text");
        let new = OLD.replacen(find, replace, 1);
        let (findings, n) = run(OLD, &new, &SubjectPolicy::default());
        assert_eq!(findings.len(), 1, "{rule}: {findings:#?}");
        let f = &findings[0];
        assert_eq!(f.rule.id, *rule);
        assert_eq!(f.location, *location, "{rule}");
        assert_eq!(
            n.files[f.span.0].line_col(f.span.1.start).line,
            *line,
            "{rule}: {}",
            f.message
        );
        assert!(!f.rule.hint.is_empty() && f.rule.summary.starts_with("Checks that"));
    }
}

#[test]
fn fixtures_cover_every_rule_and_the_table_is_sorted() {
    let ids: Vec<&str> = RULES.iter().map(|(r, _)| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(ids, FIXTURES.iter().map(|f| f.0).collect::<Vec<_>>());
}

#[test]
fn allowed_evolutions_pass() {
    let p = SubjectPolicy::default();
    assert!(run(OLD, OLD, &p).0.is_empty(), "identical schemas");
    // Added optional field, new enum symbol, new union branch, required → optional.
    let new = OLD
        .replace(r#"{"name": "id", "type": "string"},"#, r#"{"name": "id", "type": "string"}, {"name": "channel", "type": ["null", "string"], "default": null},"#)
        .replace(r#"["NEW", "PAID"]"#, r#"["NEW", "PAID", "REFUNDED"]"#)
        .replace(r#"{"type": "record", "name": "B", "fields": []}]"#, r#"{"type": "record", "name": "B", "fields": []}, {"type": "record", "name": "C", "fields": []}]"#)
        .replace(r#"{"name": "amount", "type": "int"}"#, r#"{"name": "amount", "type": ["null", "int"], "default": null}"#);
    let (f, _) = run(OLD, &new, &p);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn promotions_need_the_subject_to_allow_them() {
    let new = OLD.replace(
        r#"{"name": "amount", "type": "int"}"#,
        r#"{"name": "amount", "type": "long"}"#,
    );
    let (f, _) = run(OLD, &new, &SubjectPolicy::default());
    assert!(
        f[0].message.contains("an Avro promotion"),
        "{}",
        f[0].message
    );
    let cfg = PolicyConfig::parse(&SourceFile::new(
        "policy.toml",
        "[subject.\"orders\"]\nallow_promotions = true\n",
    ))
    .unwrap();
    assert!(run(OLD, &new, &cfg.for_subject("orders")).0.is_empty());
    assert_eq!(run(OLD, &new, &cfg.for_subject("other")).0.len(), 1);
    // A real type change stays forbidden.
    let new = OLD.replace(
        r#"{"name": "amount", "type": "int"}"#,
        r#"{"name": "amount", "type": "string"}"#,
    );
    assert_eq!(
        run(OLD, &new, &cfg.for_subject("orders")).0[0].rule.id,
        "FIELD_TYPE_CHANGED"
    );
}

#[test]
fn ignore_entries_are_explicit_and_reported() {
    let text = "[[ignore]]\nsubject = \"orders\"\nrule = \"FIELD_REMOVED\"\nreason = \"note was never filled; ADR-9\"\n";
    let cfg = PolicyConfig::parse(&SourceFile::new("policy.toml", text)).unwrap();
    let new = OLD.replacen(
        "\n  {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null},",
        "",
        1,
    );
    let (f, _) = run(OLD, &new, &cfg.for_subject("orders"));
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].ignored.as_deref(),
        Some("note was never filled; ADR-9")
    );
    let (f, _) = run(OLD, &new, &cfg.for_subject("other"));
    assert_eq!(f[0].ignored, None);
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
}
