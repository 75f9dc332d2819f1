//! A JSON parser that keeps the byte span of every value and object key.
//!
//! `serde_json` forgets where things came from; diagnostics must point at the `.avsc` line, so
//! schemas are parsed here. Objects keep their members in source order; a duplicate key is kept
//! (Java Avro's Jackson parser accepts it and the last one wins, see [`JsonNode::get`]).
//! Like Jackson as Avro configures it, `/* */` and `//` comments are accepted (a `//` comment
//! ends at LF or CR; a control character other than tab inside a comment is refused), and
//! Jackson's default `StreamReadConstraints` (jackson-core 2.21, what Avro 1.12.1 runs with)
//! are applied: nesting depth, number (digits, counted as Jackson counts them), key and string
//! lengths (UTF-16 units, as Java counts). Lone surrogate escapes stay distinct characters
//! (see [`string::LONE_SURROGATES`]). Objects used as values (defaults, properties) read as Jackson keeps them, one
//! member per key ([`JsonNode::unique_members`]). After the document only what Java's
//! `String.trim` removes may follow (Avro refuses any other "dangling content", comments too).

use crate::source::Span;
use std::fmt;
use string::utf16_len;

/// Jackson's `maxNestingDepth`: arrays and objects nested deeper than this are refused (so
/// hostile input cannot overflow the stack either).
pub const MAX_DEPTH: usize = 1000;
/// Jackson's `maxNumberLength`, in characters.
pub const MAX_NUMBER_CHARS: usize = 1000;
/// Jackson's `maxNameLength` (object keys), in characters.
pub const MAX_KEY_CHARS: usize = 50_000;
/// Jackson's `maxStringLength` (string values), in characters.
pub const MAX_STRING_CHARS: usize = 20_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's source text, validated as a JSON number.
    Number(String),
    String(String),
    Array(Vec<JsonNode>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonNode {
    pub value: Json,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: JsonNode,
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.message, self.offset)
    }
}

impl std::error::Error for JsonError {}

impl JsonNode {
    /// The member named `key` of an object (the last one when the key repeats).
    pub fn get(&self, key: &str) -> Option<&JsonNode> {
        self.member(key).map(|m| &m.value)
    }

    /// The member (key and value) named `key` of an object.
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Json::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The members of an object as Jackson keeps them: one per key, the last value winning
    /// (in source order of the winning members; empty for anything but an object).
    pub fn unique_members(&self) -> Vec<&Member> {
        let Json::Object(members) = &self.value else {
            return Vec::new();
        };
        // A schema object has a handful of members: comparing them is cheaper than hashing.
        if members.len() <= 16 {
            return members
                .iter()
                .enumerate()
                .filter(|(i, m)| !members[i + 1..].iter().any(|n| n.key == m.key))
                .map(|(_, m)| m)
                .collect();
        }
        let mut last: rustc_hash::FxHashMap<&str, usize> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(members.len(), Default::default());
        for (i, m) in members.iter().enumerate() {
            last.insert(m.key.as_str(), i);
        }
        members
            .iter()
            .enumerate()
            .filter(|(i, m)| last.get(m.key.as_str()) == Some(i))
            .map(|(_, m)| m)
            .collect()
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[JsonNode]> {
        match &self.value {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// A short name of the value's JSON type, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// Converts to a `serde_json::Value` (spans dropped, last duplicate key wins).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(JsonNode::to_value).collect()),
            Json::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.clone(), m.value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Parses one JSON document; anything but whitespace or comments after it is an error.
pub fn parse(text: &str) -> Result<JsonNode, JsonError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_ws()?;
    let node = p.value()?;
    // Avro: `releaseBuffered(...).trim()` must be empty; `trim` drops chars <= U+0020.
    if let Some(i) = p.bytes[p.pos..].iter().position(|&b| b > b' ') {
        p.pos += i;
        return Err(p.err("unexpected text after the JSON document (dangling content)"));
    }
    Ok(node)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: self.pos,
            message: message.into(),
        }
    }

    /// A `]` or `}` where a value or key must come: after a `,` that is the trailing comma
    /// JSON forbids (reported at the comma, the thing to delete), else a missing value.
    fn trailing_comma(&mut self, close: u8) -> JsonError {
        let close = char::from(close);
        let before = self.bytes[..self.pos]
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let Some(i) = before.filter(|&i| self.bytes[i] == b',') else {
            return self.err(format!("expected a JSON value before `{close}`"));
        };
        self.pos = i;
        self.err(format!(
            "trailing comma before `{close}`: JSON allows none; remove this `,`"
        ))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Result<(), JsonError> {
        loop {
            // Indentation, in one scan.
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            match self.peek() {
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    let end = match self.text[self.pos + 2..].find("*/") {
                        Some(i) => self.pos + 2 + i,
                        None => {
                            self.pos = start;
                            return Err(self.err("unterminated /* comment"));
                        }
                    };
                    self.comment_chars(self.pos + 2, end)?;
                    self.pos = end + 2;
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    // Jackson ends a line comment at LF or CR.
                    let end = self.bytes[self.pos..]
                        .iter()
                        .position(|&b| b == b'\n' || b == b'\r')
                        .map_or(self.bytes.len(), |i| self.pos + i);
                    self.comment_chars(self.pos + 2, end)?;
                    self.pos = end;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Jackson refuses control characters other than tab, LF and CR inside comments.
    fn comment_chars(&mut self, from: usize, to: usize) -> Result<(), JsonError> {
        match self.bytes[from..to]
            .iter()
            .position(|&b| b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r'))
        {
            Some(i) => {
                self.pos = from + i;
                Err(self.err(format!(
                    "illegal control character (code {}) in a comment",
                    self.bytes[from + i]
                )))
            }
            None => Ok(()),
        }
    }

    fn expect_word(&mut self, word: &str, value: Json) -> Result<JsonNode, JsonError> {
        let start = self.pos;
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(JsonNode {
                value,
                span: Span::new(start, self.pos),
            })
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    /// A scalar value at the current position.
    fn scalar(&mut self) -> Result<JsonNode, JsonError> {
        match self.peek() {
            None => Err(self.err("unexpected end of input, expected a JSON value")),
            Some(b'"') => {
                let start = self.pos;
                let s = self.string()?;
                if s.len() > MAX_STRING_CHARS && utf16_len(&s) > MAX_STRING_CHARS {
                    self.pos = start;
                    return Err(self.err(format!(
                        "string value length exceeds the maximum allowed ({MAX_STRING_CHARS})"
                    )));
                }
                Ok(JsonNode {
                    value: Json::String(s),
                    span: Span::new(start, self.pos),
                })
            }
            Some(b't') => self.expect_word("true", Json::Bool(true)),
            Some(b'f') => self.expect_word("false", Json::Bool(false)),
            Some(b'n') => self.expect_word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c @ (b']' | b'}')) => Err(self.trailing_comma(c)),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    /// An object key and its ':' (whitespace skipped after).
    fn key(&mut self) -> Result<(String, Span), JsonError> {
        if self.peek() == Some(b'}') {
            return Err(self.trailing_comma(b'}'));
        }
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string key"));
        }
        let key_start = self.pos;
        let key = self.string()?;
        // No more UTF-16 units than bytes: only a long key needs counting.
        let chars = if key.len() <= MAX_KEY_CHARS {
            0
        } else {
            utf16_len(&key)
        };
        if chars > MAX_KEY_CHARS {
            self.pos = key_start;
            return Err(self.err(format!(
                "name length ({chars}) exceeds the maximum allowed ({MAX_KEY_CHARS})"
            )));
        }
        let key_span = Span::new(key_start, self.pos);
        self.skip_ws()?;
        if self.peek() != Some(b':') {
            return Err(self.err("expected ':' after the object key"));
        }
        self.pos += 1;
        self.skip_ws()?;
        Ok((key, key_span))
    }

    /// One value, arrays and objects included, with an explicit stack (no recursion, so
    /// nesting costs no call stack). The items and members of the open arrays and objects
    /// wait on two shared stacks and move into a vector of their exact size when their array
    /// or object closes: one allocation each, none grown.
    fn value(&mut self) -> Result<JsonNode, JsonError> {
        /// An open array or object: where it starts, and where its items or members start on
        /// the shared stack.
        enum Frame {
            Array(usize, usize),
            Object(usize, usize, String, Span),
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut items: Vec<JsonNode> = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        loop {
            let mut node = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.err(format!(
                            "document nesting depth ({}) exceeds the maximum allowed ({MAX_DEPTH})",
                            stack.len() + 1
                        )));
                    }
                    let start = self.pos;
                    self.pos += 1;
                    self.skip_ws()?;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        let value = if open == b'{' {
                            Json::Object(Vec::new())
                        } else {
                            Json::Array(Vec::new())
                        };
                        JsonNode {
                            value,
                            span: Span::new(start, self.pos),
                        }
                    } else {
                        if open == b'{' {
                            let (k, ks) = self.key()?;
                            stack.push(Frame::Object(start, members.len(), k, ks));
                        } else {
                            stack.push(Frame::Array(start, items.len()));
                        }
                        continue;
                    }
                }
                _ => self.scalar()?,
            };
            // Attach the finished value to its parents, closing them as they end.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(node);
                };
                self.skip_ws()?;
                let (closes, next) = match top {
                    Frame::Array(..) => {
                        items.push(node);
                        (b']', "expected ',' or ']' in array")
                    }
                    Frame::Object(_, _, key, key_span) => {
                        members.push(Member {
                            key: std::mem::take(key),
                            key_span: *key_span,
                            value: node,
                        });
                        (b'}', "expected ',' or '}' in object")
                    }
                };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws()?;
                        if let Some(Frame::Object(_, _, key, key_span)) = stack.last_mut() {
                            let (k, ks) = self.key()?;
                            *key = k;
                            *key_span = ks;
                        }
                        break;
                    }
                    Some(c) if c == closes => {
                        self.pos += 1;
                        node = match stack.pop() {
                            Some(Frame::Array(start, first)) => JsonNode {
                                value: Json::Array(items.drain(first..).collect()),
                                span: Span::new(start, self.pos),
                            },
                            Some(Frame::Object(start, first, _, _)) => JsonNode {
                                value: Json::Object(members.drain(first..).collect()),
                                span: Span::new(start, self.pos),
                            },
                            None => return Err(self.err("internal: empty stack")),
                        };
                    }
                    _ => return Err(self.err(next)),
                }
            }
        }
    }

    fn number(&mut self) -> Result<JsonNode, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        // Digits of the fraction and the exponent, `None` when the part is absent.
        let (mut fract_digits, mut exp_digits) = (None, None);
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        let int_digits = match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                1
            }
            Some(b'1'..=b'9') => digits(self),
            _ => return Err(self.err("invalid number")),
        };
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let n = digits(self);
            fract_digits = Some(n);
            if n == 0 {
                return Err(self.err("invalid number: expected digits after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let n = digits(self);
            exp_digits = Some(n);
            if n == 0 {
                return Err(self.err("invalid number: expected exponent digits"));
            }
        }
        let text = &self.text[start..self.pos];
        // Jackson counts digits only: the integer part's, or all of a float's
        // (`validateIntegerLength` / `validateFPLength`). A number with a leading zero takes
        // Jackson's slow path (`_parseNumber2`), where an absent fraction or exponent counts
        // as -1 digit. (Texts over 32,768 UTF-16 units are read in chunks, and a number split
        // by a chunk takes that path too; that case of 999+ digit floats is not modelled.)
        let leading_zero = text.trim_start_matches('-').starts_with('0');
        let len = match (fract_digits, exp_digits) {
            (None, None) => int_digits,
            (f, e) if leading_zero => {
                let part = |p: Option<usize>| p.map_or(-1, |n| n as i64);
                usize::try_from(int_digits as i64 + part(f) + part(e)).unwrap_or(0)
            }
            (f, e) => int_digits + f.unwrap_or(0) + e.unwrap_or(0),
        };
        if len > MAX_NUMBER_CHARS {
            self.pos = start;
            return Err(self.err(format!(
                "number value length ({len}) exceeds the maximum allowed ({MAX_NUMBER_CHARS})"
            )));
        }
        Ok(JsonNode {
            value: Json::Number(text.to_string()),
            span: Span::new(start, self.pos),
        })
    }
}

mod string;
#[cfg(test)]
mod tests;
