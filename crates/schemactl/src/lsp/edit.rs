//! Changing a schema from the editor: completion (type names where a type is written, logical
//! types, an enum field's symbols in its default), formatting through `schemactl fmt`'s
//! layout, and the quick fixes whose edit is mechanical — make a field optional with
//! `"default": null`, keep a renamed field's old name as an alias, mark PII.
//!
//! Completion reads the text before the cursor, not the parsed file: while a string is being
//! typed the document is not valid JSON.

use super::position;
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};
use sc_events_schema::json::{self, Json, JsonNode};
use sc_events_schema::model::Body;
use sc_events_schema::Catalog;

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
const COMPLEX: [&str; 5] = ["record", "enum", "array", "map", "fixed"];
const LOGICAL_TYPES: [&str; 11] = [
    "uuid",
    "date",
    "time-millis",
    "time-micros",
    "timestamp-millis",
    "timestamp-micros",
    "local-timestamp-millis",
    "local-timestamp-micros",
    "decimal",
    "duration",
    "big-decimal",
];

/// Where the cursor is: inside a string that is the value of `key` (or an element of an
/// array that is), `partial` typed so far, starting at byte `start`.
struct StringContext<'a> {
    key: &'a str,
    partial: &'a str,
    start: usize,
    /// The same object's `"type"` string written before the cursor, if any (an enum field's
    /// type, for its default).
    type_before: Option<&'a str>,
}

/// Reads back from `offset`: an open string, then (over `[`, `,`, whitespace and complete
/// strings) the `:` and the key it belongs to. Only the current line and the ones above it
/// up to the object's start are looked at.
fn string_context(text: &str, offset: usize) -> Option<StringContext<'_>> {
    let before = text.get(..offset)?;
    let open = before.rfind('"')?;
    let partial = &before[open + 1..];
    if partial.contains(['\n', '\\']) {
        return None;
    }
    // An even number of quotes on the line before `open` means `open` opens a string.
    let line_start = before[..open].rfind('\n').map_or(0, |i| i + 1);
    if before[line_start..open].matches('"').count() % 2 == 1 {
        return None;
    }
    let mut rest = before[..open].trim_end();
    loop {
        if let Some(r) = rest.strip_suffix(['[', ',']) {
            rest = r.trim_end();
        } else if let Some(r) = rest.strip_suffix('"') {
            let q = r.rfind('"')?;
            rest = r[..q].trim_end();
        } else {
            break;
        }
    }
    let rest = rest.strip_suffix(':')?.trim_end().strip_suffix('"')?;
    let q = rest.rfind('"')?;
    let key = &rest[q + 1..];
    let object_start = rest[..q].rfind('{').unwrap_or(0);
    let type_before = rest[object_start..q].rfind("\"type\"").and_then(|at| {
        let v = rest[object_start + at + 6..q]
            .trim_start()
            .strip_prefix(':')?;
        let v = v.trim_start().strip_prefix('"')?;
        v.split('"').next()
    });
    Some(StringContext {
        key,
        partial,
        start: open + 1,
        type_before,
    })
}

/// The completions at `offset` of `text` (a schema of `catalog`).
pub fn completions(catalog: Option<&Catalog>, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(cx) = string_context(text, offset) else {
        return Vec::new();
    };
    let range = Range::new(
        position::position(text, cx.start),
        position::position(text, offset),
    );
    let item = |label: String, kind: CompletionItemKind, detail: String| CompletionItem {
        label: label.clone(),
        kind: Some(kind),
        detail: Some(detail),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, label))),
        ..CompletionItem::default()
    };
    let mut out = Vec::new();
    match cx.key {
        "type" | "items" | "values" => {
            for p in PRIMITIVES {
                out.push(item(
                    p.into(),
                    CompletionItemKind::KEYWORD,
                    "primitive".into(),
                ));
            }
            if cx.key == "type" {
                for c in COMPLEX {
                    out.push(item(
                        c.into(),
                        CompletionItemKind::KEYWORD,
                        "complex type".into(),
                    ));
                }
            }
            for t in catalog.map(|c| c.set.types.as_slice()).unwrap_or_default() {
                let doc = t.doc.clone().unwrap_or_default();
                let kind = match t.body {
                    Body::Record(_) => CompletionItemKind::STRUCT,
                    Body::Enum(_) => CompletionItemKind::ENUM,
                    Body::Fixed { .. } => CompletionItemKind::CONSTANT,
                };
                out.push(item(t.name.fullname(), kind, doc));
            }
        }
        "logicalType" => {
            for l in LOGICAL_TYPES {
                out.push(item(
                    l.into(),
                    CompletionItemKind::KEYWORD,
                    "logical type".into(),
                ));
            }
        }
        "default" => {
            let enum_body = catalog.zip(cx.type_before).and_then(|(c, name)| {
                let t = c
                    .set
                    .types
                    .iter()
                    .find(|t| t.name.fullname() == name || t.name.name == name)?;
                match &t.body {
                    Body::Enum(e) => Some((t.name.fullname(), e)),
                    _ => None,
                }
            });
            if let Some((name, e)) = enum_body {
                for s in &e.symbols {
                    out.push(item(
                        s.clone(),
                        CompletionItemKind::ENUM_MEMBER,
                        name.clone(),
                    ));
                }
            }
        }
        _ => {}
    }
    out.retain(|i| i.label.starts_with(cx.partial) || cx.partial.is_empty());
    out
}

/// The whole-document edit that formats `text`, `None` when it is formatted already.
pub fn format(text: &str) -> Result<Option<TextEdit>, String> {
    let formatted = sc_events_schema::format::format(text).map_err(|e| {
        let at = position::position(text, e.offset);
        format!("{}:{}: {}", at.line + 1, at.character + 1, e.message)
    })?;
    Ok((formatted != text).then(|| {
        TextEdit::new(
            position::range(text, sc_events_schema::source::Span::new(0, text.len())),
            formatted,
        )
    }))
}

/// A quick fix: its title and its edits to the document.
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// The innermost field object (`{"name": ..., "type": ...}`, not a named type's definition)
/// around byte `offset`.
fn field_at(root: &JsonNode, offset: usize) -> Option<&JsonNode> {
    let mut found = None;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if !(n.span.start <= offset && offset <= n.span.end) {
            continue;
        }
        match &n.value {
            Json::Object(members) => {
                let definition = matches!(
                    n.get("type").and_then(JsonNode::as_str),
                    Some("record" | "enum" | "fixed" | "error")
                );
                if n.get("name").is_some() && n.get("type").is_some() && !definition {
                    found = Some(n);
                }
                stack.extend(members.iter().map(|m| &m.value));
            }
            Json::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    found
}

fn insert_after(text: &str, node: &JsonNode, new: String) -> TextEdit {
    let at = position::position(text, node.span.end);
    TextEdit::new(Range::new(at, at), new)
}

fn replace(text: &str, node: &JsonNode, new: String) -> TextEdit {
    TextEdit::new(position::range(text, node.span), new)
}

/// `["null", …]` of a type written as `ty`; `None` when it is that already.
fn null_first(text: &str, ty: &JsonNode) -> Option<String> {
    let src = |n: &JsonNode| text.get(n.span.start..n.span.end).unwrap_or("").to_string();
    let is_null = |n: &JsonNode| n.as_str() == Some("null");
    let mut branches: Vec<String> = match ty.as_array() {
        Some(items) => {
            if items.first().is_some_and(is_null) {
                return None;
            }
            items.iter().filter(|b| !is_null(b)).map(src).collect()
        }
        None => vec![src(ty)],
    };
    branches.insert(0, "\"null\"".into());
    Some(format!("[{}]", branches.join(", ")))
}

/// The fix for a diagnostic `code` with `message` at byte `offset` of `text`, if mechanical.
pub fn fix(text: &str, code: &str, message: &str, offset: usize) -> Option<Fix> {
    let root = json::parse(text).ok()?;
    let field = field_at(&root, offset)?;
    let name = field.get("name")?.as_str()?;
    let ty = field.get("type")?;
    let last = field.as_object()?.last()?;
    match code {
        "OPTIONAL_DEFAULT_NULL"
        | "READER_FIELD_MISSING_DEFAULT_VALUE"
        | "FIELD_ADDED_WITHOUT_DEFAULT" => {
            let mut edits = Vec::new();
            if let Some(union) = null_first(text, ty) {
                edits.push(replace(text, ty, union));
            }
            match field.member("default") {
                Some(d) if d.value.value == Json::Null => {}
                Some(d) => edits.push(replace(text, &d.value, "null".into())),
                None => edits.push(insert_after(text, ty, ", \"default\": null".into())),
            }
            Some(Fix {
                title: format!("make `{name}` optional: [\"null\", …] with \"default\": null"),
                edits,
            })
        }
        "FIELD_RENAMED" => {
            let old = message.strip_prefix("field `")?.split('`').next()?;
            let edit = match field.get("aliases").and_then(JsonNode::as_array) {
                Some(aliases) => {
                    let list = field.get("aliases")?;
                    let at = position::position(text, list.span.end.saturating_sub(1));
                    let sep = if aliases.is_empty() { "" } else { ", " };
                    TextEdit::new(Range::new(at, at), format!("{sep}\"{old}\""))
                }
                None => insert_after(
                    text,
                    field.get("name")?,
                    format!(", \"aliases\": [\"{old}\"]"),
                ),
            };
            Some(Fix {
                title: format!("keep the old name `{old}` as an alias of `{name}`"),
                edits: vec![edit],
            })
        }
        "PII_UNMARKED" => {
            let cat = ["EMAIL", "PHONE", "IP_ADDRESS"]
                .into_iter()
                .find(|c| message.contains(&format!("looks like {c}")))?;
            Some(Fix {
                title: format!("mark `{name}` as PII ({cat})"),
                edits: vec![insert_after(
                    text,
                    &last.value,
                    format!(", \"pii\": \"{cat}\""),
                )],
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let mut edits: Vec<_> = edits.to_vec();
        edits.sort_by_key(|e| std::cmp::Reverse(position::offset(text, e.range.start)));
        let mut out = text.to_string();
        for e in edits {
            let (a, b) = (
                position::offset(text, e.range.start),
                position::offset(text, e.range.end),
            );
            out.replace_range(a..b, &e.new_text);
        }
        out
    }

    const RECORD: &str = r#"{"type": "record", "name": "R", "fields": [
  {"name": "note", "type": "string", "doc": "d"},
  {"name": "tag", "type": ["string", "null"], "default": "x"},
  {"name": "user_email", "type": "string", "doc": "e"}
]}"#;

    #[test]
    fn a_new_field_becomes_optional() {
        let at = RECORD.find("note").unwrap();
        let f = fix(RECORD, "READER_FIELD_MISSING_DEFAULT_VALUE", "", at).unwrap();
        assert!(apply(RECORD, &f.edits).contains(
            r#"{"name": "note", "type": ["null", "string"], "default": null, "doc": "d"}"#
        ));
        let at = RECORD.find("tag").unwrap();
        let f = fix(RECORD, "OPTIONAL_DEFAULT_NULL", "", at).unwrap();
        assert!(apply(RECORD, &f.edits)
            .contains(r#"{"name": "tag", "type": ["null", "string"], "default": null}"#));
    }

    #[test]
    fn a_rename_keeps_the_old_name_and_pii_is_marked() {
        let at = RECORD.find("note").unwrap();
        let f = fix(
            RECORD,
            "FIELD_RENAMED",
            "field `memo` was renamed to `note` (x)",
            at,
        )
        .unwrap();
        assert!(apply(RECORD, &f.edits).contains(r#"{"name": "note", "aliases": ["memo"], "type""#));
        let at = RECORD.find("user_email").unwrap();
        let msg = "field `user_email` of R looks like EMAIL but has no \"pii\" marker";
        let f = fix(RECORD, "PII_UNMARKED", msg, at).unwrap();
        assert!(apply(RECORD, &f.edits).contains(r#""doc": "e", "pii": "EMAIL"}"#));
        assert!(fix(RECORD, "DOC_REQUIRED", "", at).is_none());
    }

    #[test]
    fn formatting_is_fmts_layout_in_one_edit() {
        let text = "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}";
        let e = format(text).unwrap().expect("an edit");
        assert_eq!(
            apply(text, &[e]),
            sc_events_schema::format::format(text).unwrap()
        );
        let formatted = sc_events_schema::format::format(text).unwrap();
        assert!(format(&formatted).unwrap().is_none(), "formatted already");
        assert!(format("{\n  \"type\": ").unwrap_err().starts_with("2:"));
    }

    #[test]
    fn completion_knows_where_a_type_is_written() {
        let text =
            "{\"type\": \"record\", \"fields\": [{\"name\": \"a\", \"type\": [\"null\", \"lo";
        let labels: Vec<_> = completions(None, text, text.len())
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(labels, ["long"]);
        let text = "{\"name\": \"a\", \"type\": \"string\", \"logicalType\": \"";
        assert_eq!(
            completions(None, text, text.len()).len(),
            LOGICAL_TYPES.len()
        );
        let text = "{\"name\": \"a\", \"doc\": \"";
        assert!(completions(None, text, text.len()).is_empty());
        let text = "{\"name\": \"s\", \"type\": \"Status\", \"default\": \"A";
        let cx = string_context(text, text.len()).unwrap();
        assert_eq!(
            (cx.key, cx.partial, cx.type_before),
            ("default", "A", Some("Status"))
        );
    }
}
