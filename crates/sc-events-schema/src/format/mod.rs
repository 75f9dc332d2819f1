//! The one layout of `.avsc` files, as `schemactl fmt` writes it and the importers print it.
//!
//! The formatter only moves whitespace: it parses the file with [`crate::json`] and writes
//! every key, string, number and literal back as its source text (the bytes of its span), so
//! escapes (`\u00e9`, `\/`), number spellings (`1.0`, `1e3`, `-0`) and the order of keys,
//! duplicates included, stay exactly as written. Comments (which the parser accepts, like
//! Jackson) cannot be placed back reliably, so a file with a comment is refused
//! ([`FormatError`] at the comment) rather than losing it.
//!
//! The layout, inferred from the repository's schemas (most were written this way by hand):
//!
//! - 2-space indentation, `": "` after a key, `", "` between inline members and items, no
//!   trailing whitespace, one final newline; `{}` and `[]` when empty.
//! - A **record** (an object whose `type` is `"record"` or `"error"`) is always expanded: one
//!   member per line, and its `fields` array one field per line.
//! - Everything that contains no record is written **on one line**, whatever its length (a
//!   field with its type, doc, default and constraints; an enum with its symbols; a union of
//!   primitive or named types). There is no width limit: the repository's fields run past any
//!   fixed width, and one field per line keeps line numbers stable.
//! - An object (not a record) that holds records in **one** member **hugs** it: the members
//!   before it stay on the opening line and its value opens there too
//!   (`{"name": "data", "doc": "…", "type": [`), its content one level deeper than that
//!   line; the closing brackets gather on one line (`]}`, `}}}`), followed by the members
//!   after it (`}, "doc": "…"}`). An object with records in two or more members is expanded
//!   one member per line; an array that holds a record is expanded one item per line.
//! - The document's top-level object or array is always expanded.
//!
//! Rendering recurses once per nesting level; the parser refuses documents nested deeper than
//! [`crate::json::MAX_DEPTH`] (1,000), and each level costs a small stack frame, so any
//! document the parser accepts formats on an ordinary thread.

use crate::json::{self, Json, JsonNode};
use std::fmt;

/// Why a text cannot be formatted: a JSON syntax error, or a comment fmt would drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// Byte offset into the text.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

impl From<json::JsonError> for FormatError {
    fn from(e: json::JsonError) -> Self {
        FormatError {
            offset: e.offset,
            message: e.message,
        }
    }
}

/// The text in the canonical layout (the same value, token for token).
pub fn format(text: &str) -> Result<String, FormatError> {
    let root = json::parse(text)?;
    if let Some(offset) = first_comment(text) {
        return Err(FormatError {
            offset,
            message: "fmt does not keep comments: remove the comment (or move its text into a \
                      \"doc\") and run fmt again"
                .into(),
        });
    }
    Ok(format_node(text, &root))
}

/// `root` (parsed from `text`, spans into it) in the canonical layout; comments between
/// tokens are not written.
pub fn format_node(text: &str, root: &JsonNode) -> String {
    let printer = Printer {
        text,
        records: record_starts(root),
    };
    let mut out = String::with_capacity(text.len());
    match &root.value {
        Json::Object(members) if !members.is_empty() => printer.expanded_object(root, 0, &mut out),
        Json::Array(items) if !items.is_empty() => printer.expanded_array(items, 0, &mut out),
        _ => printer.inline(root, &mut out),
    }
    out.push('\n');
    out
}

/// The byte offset of the first comment outside strings, if any (`text` is valid JSON with
/// comments, so every `/` outside a string starts one).
pub fn first_comment(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `node` is a record schema (`"type": "record"` or `"error"`).
fn is_record(node: &JsonNode) -> bool {
    matches!(
        node.get("type").and_then(JsonNode::as_str),
        Some("record" | "error")
    )
}

/// Start offsets of every record in the document, sorted (an explicit stack, no recursion).
fn record_starts(root: &JsonNode) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Json::Object(members) => {
                if is_record(node) {
                    starts.push(node.span.start);
                }
                stack.extend(members.iter().map(|m| &m.value));
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    starts.sort_unstable();
    starts
}

struct Printer<'a> {
    text: &'a str,
    /// Sorted start offsets of the records.
    records: Vec<usize>,
}

impl Printer<'_> {
    /// Whether `node` is or contains a record: one starts inside its span.
    fn holds_record(&self, node: &JsonNode) -> bool {
        let i = self.records.partition_point(|&s| s < node.span.start);
        self.records.get(i).is_some_and(|&s| s < node.span.end)
    }

    fn source(&self, span: crate::source::Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// `node` where the current line is indented by `indent`: inline, or broken when it holds
    /// a record.
    fn value(&self, node: &JsonNode, indent: usize, out: &mut String) {
        if !self.holds_record(node) {
            return self.inline(node, out);
        }
        match &node.value {
            Json::Object(members) => {
                let hug = !is_record(node)
                    && members
                        .iter()
                        .filter(|m| self.holds_record(&m.value))
                        .count()
                        == 1;
                if hug {
                    self.hugging_object(node, indent, out);
                } else {
                    self.expanded_object(node, indent, out);
                }
            }
            Json::Array(items) => self.expanded_array(items, indent, out),
            _ => self.inline(node, out),
        }
    }

    /// On one line, every token as written.
    fn inline(&self, node: &JsonNode, out: &mut String) {
        match &node.value {
            Json::Object(members) => {
                out.push('{');
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(self.source(m.key_span));
                    out.push_str(": ");
                    self.inline(&m.value, out);
                }
                out.push('}');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.inline(item, out);
                }
                out.push(']');
            }
            _ => out.push_str(self.source(node.span)),
        }
    }

    /// One member per line; a record's `fields` one field per line.
    fn expanded_object(&self, node: &JsonNode, indent: usize, out: &mut String) {
        let Json::Object(members) = &node.value else {
            return self.inline(node, out);
        };
        if members.is_empty() {
            return out.push_str("{}");
        }
        let record = is_record(node);
        out.push_str("{\n");
        for (i, m) in members.iter().enumerate() {
            pad(out, indent + 2);
            out.push_str(self.source(m.key_span));
            out.push_str(": ");
            match &m.value.value {
                Json::Array(items) if record && m.key == "fields" && !items.is_empty() => {
                    self.expanded_array(items, indent + 2, out)
                }
                _ => self.value(&m.value, indent + 2, out),
            }
            out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
        }
        pad(out, indent);
        out.push('}');
    }

    /// Every member on the opening line but the one that holds a record, which opens there
    /// and spreads over the next lines; the members after it follow its closing bracket.
    fn hugging_object(&self, node: &JsonNode, indent: usize, out: &mut String) {
        let Json::Object(members) = &node.value else {
            return self.inline(node, out);
        };
        out.push('{');
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(self.source(m.key_span));
            out.push_str(": ");
            self.value(&m.value, indent, out);
        }
        out.push('}');
    }

    /// One item per line.
    fn expanded_array(&self, items: &[JsonNode], indent: usize, out: &mut String) {
        out.push_str("[\n");
        for (i, item) in items.iter().enumerate() {
            pad(out, indent + 2);
            self.value(item, indent + 2, out);
            out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
        }
        pad(out, indent);
        out.push(']');
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests;
