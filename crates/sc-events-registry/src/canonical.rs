//! The forms a schema is stored and compared in.
//!
//! - **canonical**: the schema's JSON without insignificant whitespace or comments, members in
//!   source order, a repeated key kept once with its last value (as Jackson reads it). Two texts
//!   that differ only in formatting register as one schema, as with Confluent.
//! - **normalized** (Confluent's `normalize=true`): canonical, with object members sorted by key,
//!   so member order does not matter either. Like Confluent's, this is not Avro's Parsing
//!   Canonical Form: docs, defaults, aliases and custom attributes still count.
//!
//! The schema's identity (its global id) is a fingerprint of its type, form and references.

use crate::types::SchemaDef;
use sc_events_schema::json::{Json, JsonNode};
use sha2::{Digest, Sha256};

/// The canonical text of a parsed schema.
pub fn canonical(node: &JsonNode) -> String {
    let mut out = String::new();
    write(node, false, &mut out);
    out
}

/// The normalized text of a parsed schema.
pub fn normalized(node: &JsonNode) -> String {
    let mut out = String::new();
    write(node, true, &mut out);
    out
}

/// A fingerprint of a schema's identity: type, text (in the form given) and references.
pub fn fingerprint(schema_type: &str, text: &str, def: &SchemaDef) -> String {
    let mut h = Sha256::new();
    h.update(schema_type.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    for r in &def.references {
        h.update([0]);
        h.update(r.name.as_bytes());
        h.update([0]);
        h.update(r.subject.as_bytes());
        h.update([0]);
        h.update(r.version.to_be_bytes());
    }
    // Metadata, when there is any, is part of the identity (as in Confluent); schemas without
    // it keep the fingerprint they always had.
    if let Some(m) = def.metadata.as_ref().filter(|m| !m.properties.is_empty()) {
        h.update([1]);
        for (k, v) in &m.properties {
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
    }
    // So is a rule set (its JSON, whose key order is fixed by the type).
    if let Some(rules) = def.rule_set.as_ref().filter(|r| !r.is_empty()) {
        h.update([2]);
        h.update(serde_json::to_string(rules).unwrap_or_default().as_bytes());
    }
    hex::encode(h.finalize())
}

fn write(node: &JsonNode, sort: bool, out: &mut String) {
    match &node.value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, sort, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            // First position of each key, last value (Jackson's ObjectNode semantics).
            let mut keys: Vec<(&str, &JsonNode)> = Vec::with_capacity(members.len());
            let mut index = std::collections::HashMap::with_capacity(members.len());
            for m in members {
                match index.get(m.key.as_str()) {
                    Some(&i) => keys[i] = (m.key.as_str(), &m.value),
                    None => {
                        index.insert(m.key.as_str(), keys.len());
                        keys.push((m.key.as_str(), &m.value));
                    }
                }
            }
            if sort {
                keys.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, v)) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                write(v, sort, out);
            }
            out.push('}');
        }
    }
}

fn string(s: &str, out: &mut String) {
    // serde_json's escaping of a plain string cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use sc_events_schema::json::parse;

    #[test]
    fn formatting_does_not_matter_member_order_only_when_normalized() {
        let a = parse(r#"{ "type" : "record", /* c */ "name":"A", "fields": [] }"#).unwrap();
        let b = parse(r#"{"type":"record","name":"A","fields":[]}"#).unwrap();
        let c = parse(r#"{"name":"A","type":"record","fields":[]}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&b), canonical(&c));
        assert_eq!(normalized(&b), normalized(&c));
    }

    #[test]
    fn repeated_keys_keep_first_position_and_last_value() {
        let a = parse(r#"{"type":"string","doc":"x","type":"int"}"#).unwrap();
        assert_eq!(canonical(&a), r#"{"type":"int","doc":"x"}"#);
        let s = parse(r#""uni\u00e9\"""#).unwrap();
        assert_eq!(canonical(&s), "\"unié\\\"\"");
    }
}
