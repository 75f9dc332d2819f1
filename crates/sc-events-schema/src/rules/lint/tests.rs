//! Every lint rule against the real schemas (clean) and against a deliberately broken copy
//! (exactly that rule fires, at the edited line).

use super::*;
use std::path::{Path, PathBuf};

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

/// (rule, file, text to find, replacement). The finding must be on the line of the edit, or on
/// the line of [`ANCHORS`]' text for rules that report at the enclosing record.
const BREAKAGES: &[(&str, &str, &str, &str)] = &[
    (
        "CENTS_FIELD_TYPE",
        "order.avsc",
        r#"{"name": "total_cents", "type": "long""#,
        r#"{"name": "total_cents", "type": "double""#,
    ),
    (
        "CONSTRAINT_VALID",
        "product.avsc",
        r#""constraints": {"pattern": "^[A-Z]{3}$"}"#,
        r#""constraints": {"pattern": "^[A-Z{3}$"}"#,
    ),
    (
        "CONSUMER_TIER",
        "topics.toml",
        "  \"user.deleted\",\n]",
        "  \"user.deleted\",\n  \"user.login_succeeded\",\n]",
    ),
    (
        "COUNT_FIELD_TYPE",
        "promotion.avsc",
        r#"{"name": "impression_count", "type": "int""#,
        r#"{"name": "impression_count", "type": "string""#,
    ),
    (
        "DOC_REQUIRED",
        "post.avsc",
        r#"{"name": "published_at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the post was published (UTC)."}"#,
        r#"{"name": "published_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}"#,
    ),
    (
        "ENUM_SYMBOL_CASE",
        "post.avsc",
        r#""symbols": ["TEXT", "IMAGE""#,
        r#""symbols": ["Text", "IMAGE""#,
    ),
    (
        "EVENT_TYPE_FORMAT",
        "user.avsc",
        r#""event_type": "user.verified""#,
        r#""event_type": "User.Verified""#,
    ),
    (
        "EVENT_TYPE_UNIQUE",
        "user.avsc",
        r#""event_type": "user.verified""#,
        r#""event_type": "user.created""#,
    ),
    (
        "FIELD_NAME_CASE",
        "community.avsc",
        r#"{"name": "owner_id""#,
        r#"{"name": "ownerId""#,
    ),
    (
        "KEY_FIELD_PRESENT",
        "product.avsc",
        r#"{"name": "product_id", "type": "string", "doc": "Id of the product (MongoDB ObjectId)."},
          {"name": "published_at""#,
        r#"{"name": "product_ref", "type": "string", "doc": "Id of the product (MongoDB ObjectId)."},
          {"name": "published_at""#,
    ),
    (
        "LOGIN_EVENT_NO_IP",
        "user.avsc",
        r#"{"name": "login_method", "type": {"type": "enum""#,
        r#"{"name": "ip_address", "type": "string", "doc": "Client IP.", "pii": "IP_ADDRESS"}, {"name": "login_method", "type": {"type": "enum""#,
    ),
    (
        "MONEY_HAS_CURRENCY",
        "promotion.avsc",
        r#"{"name": "revenue_cents", "type": "long", "doc": "Attributed revenue, in minor units of currency."},
          {"name": "currency""#,
        r#"{"name": "revenue_cents", "type": "long", "doc": "Attributed revenue, in minor units of currency."},
          {"name": "currency_code""#,
    ),
    (
        "OPTIONAL_DEFAULT_NULL",
        "order.avsc",
        r#"{"name": "promotion_id", "type": ["null", "string"], "default": null, "doc": "Promotion credited"#,
        r#"{"name": "promotion_id", "type": ["null", "string"], "doc": "Promotion credited"#,
    ),
    (
        "PII_TIER",
        "user.avsc",
        r#""privacy_tier": "RESTRICTED",
        "doc": "The contact email a user registered with"#,
        r#""privacy_tier": "INTERNAL",
        "doc": "The contact email a user registered with"#,
    ),
    ("PII_UNMARKED", "supplier.avsc", r#", "pii": "PHONE""#, ""),
    (
        "REMOVAL_EVENT_TIER",
        "product.avsc",
        r#""event_type": "product.deleted",
        "privacy_tier": "PUBLIC""#,
        r#""event_type": "product.deleted",
        "privacy_tier": "INTERNAL""#,
    ),
    (
        "TIMESTAMP_FIELD_TYPE",
        "order.avsc",
        r#"{"name": "shipped_at", "type": {"type": "long", "logicalType": "timestamp-millis"}"#,
        r#"{"name": "shipped_at", "type": "string""#,
    ),
    (
        "TYPE_NAME_CASE",
        "order.avsc",
        r#""name": "OrderItemSnapshot""#,
        r#""name": "order_item_snapshot""#,
    ),
    (
        "UNIQUE_SHORT_NAME",
        "product.avsc",
        r#""name": "InventoryReleaseReason""#,
        r#""name": "OrderStatus""#,
    ),
];

const ANCHORS: &[(&str, &str)] = &[
    ("KEY_FIELD_PRESENT", r#""name": "ProductPublished""#),
    ("PII_TIER", r#""pii": "EMAIL""#),
];

fn copy_schemas(to: &Path) {
    for e in std::fs::read_dir(schemas_dir()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
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
fn each_rule_fires_on_its_broken_copy_at_the_edited_line() {
    for (rule, file, find, replace) in BREAKAGES {
        let dir = tempfile::tempdir().unwrap();
        copy_schemas(dir.path());
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let at = text
            .find(find)
            .unwrap_or_else(|| panic!("{rule}: fixture text not found in {file}"));
        let line = text[..at].matches('\n').count() + 1;
        let broken = text.replacen(find, replace, 1);
        let line = match ANCHORS.iter().find(|a| a.0 == *rule) {
            Some((_, anchor)) => broken[..broken.find(anchor).unwrap()].matches('\n').count() + 1,
            None => line,
        };
        std::fs::write(&path, &broken).unwrap();
        let cat = Catalog::load(dir.path()).unwrap_or_else(|e| panic!("{rule}: {e:#?}"));
        let findings = lint(&cat);
        let hits: Vec<_> = findings.iter().filter(|d| d.code == *rule).collect();
        assert!(!hits.is_empty(), "{rule} did not fire; got {findings:#?}");
        let edit_lines = line..=line + replace.matches('\n').count();
        assert!(
            hits.iter()
                .any(|d| d.file.ends_with(file) && edit_lines.contains(&d.line)),
            "{rule} fired at the wrong place: {hits:#?} (expected {file}:{line})"
        );
        let others: Vec<_> = findings.iter().filter(|d| d.code != *rule).collect();
        assert!(
            others.is_empty(),
            "{rule}'s fixture also triggered {others:#?}"
        );
    }
}

#[test]
fn every_rule_has_a_breakage_fixture_and_the_table_is_sorted_and_unique() {
    let ids: Vec<&str> = all_rules().iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rule ids must be sorted and unique");
    let coded: Vec<&str> = RULES.iter().map(|(r, _)| r.id).collect();
    let mut coded_sorted = coded.clone();
    coded_sorted.sort();
    assert_eq!(coded, coded_sorted, "RULES must be sorted by id");
    let fixtures: Vec<&str> = BREAKAGES.iter().map(|b| b.0).collect();
    assert_eq!(ids, fixtures, "one breakage fixture per rule, in id order");
    for r in all_rules() {
        assert!(r.summary.starts_with("Checks that"), "{}: summary", r.id);
        assert!(
            !r.hint.is_empty() && !r.why.is_empty(),
            "{}: hint/why",
            r.id
        );
    }
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
