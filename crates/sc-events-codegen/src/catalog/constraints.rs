//! Runtime checks for a field's `"constraints"` (JSON Schema's validation keywords, as
//! `schemactl import jsonschema` writes them or an author adds them): generated into the
//! record's `CheckFields` impl, so an event that breaks one is refused when it is built or
//! serialized with a typed error naming the field, the keyword and its limit.
//!
//! The lint (`CONSTRAINT_VALID`) has already checked every keyword, its value and that it fits
//! the field's type, so this only emits code for what is valid.

use crate::context::EVENT;
use crate::emit::{format_call, quoted_excerpt};
use sc_events_schema::json::{Json, JsonNode};
use sc_events_schema::model::{Body, Field, Kind, SchemaSet};
use std::fmt::Write as _;

fn fail(field: &str, rule: &str, limit: &str, found: &str) -> String {
    format!("return Err({EVENT}::ValidationError::constraint({field:?}, {rule:?}, {limit:?}, || {found}));")
}

fn number_text(n: &JsonNode) -> Option<&str> {
    match &n.value {
        Json::Number(t) => Some(t.as_str()),
        _ => None,
    }
}

/// Appends the checks of `f` (its Rust field name is `rust`) to `body`.
pub(crate) fn checks(set: &SchemaSet, f: &Field, rust: &str, body: &mut String) {
    let Some(c) = f.attr("constraints") else {
        return;
    };
    let Some(members) = c.as_object() else { return };
    let name = &f.name;
    let opt = f.ty.nullable_inner().is_some();
    let inner = f.ty.non_null();
    let mut stmts = String::new();
    let logical = inner.logical_type.as_deref();
    for m in members {
        let key = m.key.as_str();
        let v = &m.value;
        match (&inner.kind, key) {
            (Kind::String, "minLength" | "maxLength") if logical.is_none() => {
                let Some(limit) = v.as_i64() else { continue };
                let op = if key == "minLength" { "<" } else { ">" };
                let _ = write!(
                    stmts,
                    " {{ let n = v.chars().count(); if n {op} {limit} {{ {} }} }}",
                    fail(
                        name,
                        key,
                        &limit.to_string(),
                        &format_call("{n} characters", &[])
                    )
                );
            }
            (Kind::String, "pattern") if logical.is_none() => {
                let Some(p) = v.as_str() else { continue };
                let found = &quoted_excerpt("v");
                match simple_pattern(p) {
                    Some(test) => {
                        let _ = write!(stmts, " if !({test}) {{ {} }}", fail(name, key, p, found));
                    }
                    None => {
                        let _ = write!(stmts, " {{ static RE: std::sync::LazyLock<{EVENT}::regex::Regex> = std::sync::LazyLock::new(|| {EVENT}::regex::Regex::new({p:?}).expect(\"the lint checked this pattern\")); if !RE.is_match(v) {{ {} }} }}", fail(name, key, p, found));
                    }
                }
            }
            (
                Kind::Int | Kind::Long | Kind::Float | Kind::Double,
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum",
            ) if logical.is_none() => {
                let Some(limit) = number_text(v) else {
                    continue;
                };
                let op = match key {
                    "minimum" => "<",
                    "maximum" => ">",
                    "exclusiveMinimum" => "<=",
                    _ => ">=",
                };
                let integral = matches!(inner.kind, Kind::Int | Kind::Long) && v.as_i64().is_some();
                let lhs = match (&inner.kind, integral) {
                    (Kind::Int, true) => "i64::from(v)",
                    (Kind::Long, true) | (Kind::Double | Kind::Float, _) => "v",
                    (Kind::Long, false) => "(v as f64)",
                    _ => "f64::from(v)",
                };
                // A float field compares with the limit as a float: widening the value would
                // refuse 0.1f32 against "maximum": 0.1.
                let rhs = match (&inner.kind, integral) {
                    (_, true) => format!("{limit}i64"),
                    (Kind::Float, false) => format!("{:?}f32", v.as_f64().unwrap_or(0.0) as f32),
                    _ => format!("{:?}f64", v.as_f64().unwrap_or(0.0)),
                };
                let _ = write!(
                    stmts,
                    " if {lhs} {op} {rhs} {{ {} }}",
                    fail(name, key, limit, "v.to_string()")
                );
            }
            (Kind::Int | Kind::Long, "multipleOf") if logical.is_none() => {
                let Some(m) = v.as_i64().filter(|m| *m > 0) else {
                    continue;
                };
                let lhs = if inner.kind == Kind::Int {
                    "i64::from(v)"
                } else {
                    "v"
                };
                let _ = write!(
                    stmts,
                    " if {lhs} % {m}i64 != 0 {{ {} }}",
                    fail(name, key, &m.to_string(), "v.to_string()")
                );
            }
            (Kind::Array(_), "minItems" | "maxItems") => {
                let Some(limit) = v.as_i64() else { continue };
                let cond = match (key, limit) {
                    ("minItems", 1) => "v.is_empty()".to_string(),
                    ("minItems", _) => format!("v.len() < {limit}"),
                    _ => format!("v.len() > {limit}"),
                };
                let _ = write!(
                    stmts,
                    " if {cond} {{ {} }}",
                    fail(
                        name,
                        key,
                        &limit.to_string(),
                        &format_call("{} items", &["v.len()"])
                    )
                );
            }
            (Kind::Array(items), "uniqueItems")
                if matches!(v.value, Json::Bool(true)) && hashable(set, &items.kind) =>
            {
                let _ = write!(stmts, " {{ let mut seen = std::collections::HashSet::with_capacity(v.len()); if let Some(d) = v.iter().find(|x| !seen.insert(*x)) {{ {} }} }}", fail(name, key, "true", &format_call("{d:?} repeats", &[])));
            }
            _ => {}
        }
    }
    if stmts.is_empty() {
        return;
    }
    let bind = match (&inner.kind, opt) {
        (Kind::String | Kind::Array(_), true) => {
            format!("if let Some(v) = &self.{rust} {{ let v = &v[..];")
        }
        (Kind::String | Kind::Array(_), false) => format!("{{ let v = &self.{rust}[..];"),
        (_, optional) => crate::emit::bind("v", &format!("self.{rust}"), optional),
    };
    let _ = writeln!(body, "        {bind}{stmts} }}");
}

/// Straight-line Rust for the common anchored form `^[class]{n,m}$` (also `{n}`, `+`, `*`,
/// `?`), where the class lists literal characters and `a-z` ranges: the same verdict as the
/// regex without running one. A class of ASCII characters is checked on the bytes (any other
/// byte fails it, so the byte count is the character count). `None` for anything else (the
/// regex crate decides those).
fn simple_pattern(p: &str) -> Option<String> {
    let body = p.strip_prefix("^[")?;
    let close = body.find(']')?;
    let (class, rest) = (&body[..close], &body[close + 1..]);
    let quant = rest.strip_suffix('$')?;
    let chars: Vec<char> = class.chars().collect();
    if chars.is_empty() || chars[0] == '^' {
        return None;
    }
    let mut arms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' || c == '[' {
            return None;
        }
        if i + 2 < chars.len() && chars[i + 1] == '-' && chars[i + 2] != '\\' {
            let (a, b) = (c, chars[i + 2]);
            if a > b {
                return None;
            }
            arms.push((a, Some(b)));
            i += 3;
        } else {
            arms.push((c, None));
            i += 1;
        }
    }
    let ascii = arms
        .iter()
        .all(|(a, b)| a.is_ascii() && b.is_none_or(|b| b.is_ascii()));
    let lit = |c: char| match ascii {
        true => format!("b{c:?}"),
        false => format!("{c:?}"),
    };
    let arms: Vec<String> = arms
        .iter()
        .map(|(a, b)| match b {
            Some(b) => format!("{}..={}", lit(*a), lit(*b)),
            None => lit(*a),
        })
        .collect();
    let (min, max): (usize, Option<usize>) = match quant {
        "" => (1, Some(1)),
        "+" => (1, None),
        "*" => (0, None),
        "?" => (0, Some(1)),
        q => {
            let inner = q.strip_prefix('{')?.strip_suffix('}')?;
            match inner.split_once(',') {
                None => {
                    let n = inner.parse().ok()?;
                    (n, Some(n))
                }
                Some((a, "")) => (a.parse().ok()?, None),
                Some((a, b)) => (a.parse().ok()?, Some(b.parse().ok()?)),
            }
        }
    };
    let (len, each) = match ascii {
        true => ("v.len()", "v.bytes()"),
        false => ("v.chars().count()", "v.chars()"),
    };
    let count = match max {
        Some(max) if max == min => format!("{len} == {min}"),
        Some(max) => format!("({min}..={max}).contains(&{len})"),
        None => format!("{len} >= {min}"),
    };
    let test = match arms.as_slice() {
        [one] if one == "b'A'..=b'Z'" => "c.is_ascii_uppercase()".to_string(),
        [one] if one == "b'a'..=b'z'" => "c.is_ascii_lowercase()".to_string(),
        [one] if one == "b'0'..=b'9'" => "c.is_ascii_digit()".to_string(),
        _ => format!("matches!(c, {})", arms.join(" | ")),
    };
    // On bytes without an early exit: branch-free, so the compiler runs it over many at once.
    Some(match ascii {
        true => format!("{count} && {each}.fold(true, |ok, c| ok & {test})"),
        false => format!("{count} && {each}.all(|c| {test})"),
    })
}

/// Whether items of this kind can go into a `HashSet` (for `uniqueItems`).
pub(crate) fn hashable(set: &SchemaSet, k: &Kind) -> bool {
    match k {
        Kind::String | Kind::Int | Kind::Long | Kind::Boolean | Kind::Bytes => true,
        Kind::Named(id) => matches!(set.types[*id].body, Body::Enum(_)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::simple_pattern;

    #[test]
    fn simple_patterns_become_straight_line_checks() {
        assert_eq!(
            simple_pattern("^[A-Z]{3}$").as_deref(),
            Some("v.len() == 3 && v.bytes().fold(true, |ok, c| ok & c.is_ascii_uppercase())")
        );
        assert_eq!(
            simple_pattern("^[a-z0-9_-]{1,32}$").as_deref(),
            Some("(1..=32).contains(&v.len()) && v.bytes().fold(true, |ok, c| ok & matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))")
        );
        assert!(simple_pattern("^[a-z]+$").is_some_and(|t| t.starts_with("v.len() >= 1")));
        // A class beyond ASCII counts characters.
        assert_eq!(
            simple_pattern("^[a-zé]{2}$").as_deref(),
            Some("v.chars().count() == 2 && v.chars().all(|c| matches!(c, 'a'..='z' | 'é'))")
        );
        for regex_only in [
            "^\\d+$",
            "[A-Z]{3}",
            "^[^a]$",
            "^[A-Z]{3}x$",
            "^(a|b)$",
            "^[z-a]$",
        ] {
            assert_eq!(simple_pattern(regex_only), None, "{regex_only}");
        }
    }
}
