//! PII_ENCRYPTED: where the workspace encrypts fields (the topic file's `[encryption]`), every
//! PII field of a RESTRICTED event carries one of the encrypted tags, and every tagged field
//! can be encrypted (a string or bytes value, also inside unions, arrays and maps).

use super::pii_tier::nested_records;
use super::*;
use crate::json::Json;
use crate::model::{Body, Kind, Node};
use crate::topics::{PrivacyTier, CONFLUENT_TAGS};

pub static RULE: Rule = Rule {
    id: "PII_ENCRYPTED",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that, where the workspace encrypts fields, RESTRICTED events' PII fields carry an encrypted tag, and that tagged fields are strings or bytes.",
    why: "RESTRICTED data is compliance-only: on a topic other jobs read it must travel encrypted, and Confluent's clients encrypt only string and bytes values.",
    hint: "add \"confluent:tags\": [\"PII\"] to the field (or move a non-string value into a string field)",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(policy) = &cx.catalog.encryption else {
        return;
    };
    let set = cx.set();
    let tagged = |f: &crate::model::Field| {
        f.attr(CONFLUENT_TAGS).is_some_and(|v| match &v.value {
            Json::Array(items) => items
                .iter()
                .any(|t| matches!(&t.value, Json::String(s) if policy.tags.contains(s))),
            _ => false,
        })
    };
    // Untagged PII in RESTRICTED events.
    for (_, e) in cx.catalog.events() {
        if e.tier_or_public() != PrivacyTier::Restricted {
            continue;
        }
        let mut seen = Vec::new();
        let mut stack = vec![e.record];
        while let Some(record) = stack.pop() {
            if seen.contains(&record) {
                continue;
            }
            seen.push(record);
            for (i, f) in set.fields(record).iter().enumerate() {
                if let Some(marker) = f.attr("pii").filter(|_| !tagged(f)) {
                    let msg = format!(
                        "{} is RESTRICTED and the workspace encrypts {}, but field `{}` ({}) is not tagged: it would travel in clear",
                        set.types[e.record].name.name,
                        policy.tags.join(", "),
                        f.name,
                        marker.as_str().unwrap_or("PII")
                    );
                    let loc = cx.field_location(record, i);
                    out.push(cx.finding(&RULE, record, marker.span, loc, msg));
                }
                nested_records(set, &f.ty, &mut |id| stack.push(id));
            }
        }
    }
    // Tagged fields that cannot be encrypted.
    for (id, t) in set.types.iter().enumerate() {
        let Body::Record(fields) = &t.body else {
            continue;
        };
        for (i, f) in fields.iter().enumerate() {
            if !tagged(f) {
                continue;
            }
            if let Some(bad) = unencryptable(set, &f.ty) {
                let msg = format!(
                    "field `{}` is tagged for encryption but holds {bad}: only string and bytes values are encrypted",
                    f.name
                );
                let span = f.attr(CONFLUENT_TAGS).map_or(f.name_span, |v| v.span);
                out.push(cx.finding(&RULE, id, span, cx.field_location(id, i), msg));
            }
        }
    }
}

/// The first value type under `n` that encryption cannot take (through unions, arrays and
/// maps), as Confluent's clients see it.
fn unencryptable(set: &crate::model::SchemaSet, n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Null | Kind::String | Kind::Bytes => None,
        Kind::Array(i) | Kind::Map(i) => unencryptable(set, i),
        Kind::Union(bs) => bs.iter().find_map(|b| unencryptable(set, b)),
        Kind::Named(id) => Some(format!(
            "{} ({})",
            article(set.types[*id].body.kind_name()),
            set.types[*id].name.name
        )),
        _ => Some(article(n.type_name(set))),
    }
}

fn article(word: &str) -> String {
    let a = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {word}")
}
