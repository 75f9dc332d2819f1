//! Secrets kept out of every message (a leaf: it uses nothing of the crate). A URL's user
//! info (`https://alice:PW@sr:8081`, also `alice:PW@sr` without a scheme) and the values of
//! secret-named keys in a configuration file (`password = "…"`, `token: …`) are masked with
//! `*`, one per character, so a snippet's columns and carets stay where they were.
//!
//! The CLI passes everything it writes through [`mask_userinfo`]; the configuration
//! diagnostics render a [`mask_config`]ured copy of the file; the runtime masks dead-letter
//! messages.

use std::borrow::Cow;

/// Key names whose values are secrets (compared lower-case, as substrings).
const SECRET_KEYS: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "api_key",
    "apikey",
    "user_info",
    "private_key",
];

/// Characters that end a URL-like token.
fn delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '`' | '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';' | '='
        )
}

/// Byte ranges of the user info in `s`: before an `@`, back to `scheme://` (any user info)
/// or to the token's start (only with a `:`, so an e-mail address is left alone).
fn userinfo_ranges(s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at, _) in s.match_indices('@') {
        let before = &s[..at];
        let mut start = 0;
        let mut scheme = false;
        for (i, c) in before.char_indices().rev() {
            if c == '/' {
                scheme = before[..i].ends_with(":/");
                start = i + 1;
                break;
            }
            if delimiter(c) {
                start = i + c.len_utf8();
                break;
            }
        }
        if start == at {
            continue;
        }
        let userinfo = &s[start..at];
        let bounded = start == 0 || scheme || !s[..start].ends_with('/');
        if bounded && (scheme || userinfo.contains(':')) {
            match out.last_mut() {
                Some(last) if last.1 >= start => last.1 = last.1.max(at),
                _ => out.push((start, at)),
            }
        }
    }
    out
}

/// `s` with the characters of `ranges` replaced by `*`.
fn masked(s: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next = 0;
    for &(a, b) in ranges {
        out.push_str(&s[next..a]);
        out.extend(s[a..b].chars().map(|_| '*'));
        next = b;
    }
    out.push_str(&s[next..]);
    out
}

/// `s` with every URL user info masked (see the module doc); `s` itself when it has none.
pub fn mask_userinfo(s: &str) -> Cow<'_, str> {
    if !s.contains('@') {
        return Cow::Borrowed(s);
    }
    let ranges = userinfo_ranges(s);
    if ranges.is_empty() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(masked(s, &ranges))
    }
}

/// A configuration file's text (TOML or YAML) with the values of secret-named keys and
/// every URL user info masked, the same length in characters; and the secrets masked, so a
/// message that quotes one can be [`scrub`]bed.
pub fn mask_config(text: &str) -> (String, Vec<String>) {
    let mut ranges = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(r) = secret_value(line) {
            ranges.push((offset + r.0, offset + r.1));
        }
        offset += line.len();
    }
    ranges.extend(userinfo_ranges(text));
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let secrets = merged
        .iter()
        .map(|&(a, b)| text[a..b].to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (masked(text, &merged), secrets)
}

/// The byte range of the value on a `key = value` / `key: value` line whose key names a
/// secret (quotes excluded).
fn secret_value(line: &str) -> Option<(usize, usize)> {
    let sep = line.find(['=', ':'])?;
    let key = line[..sep]
        .trim()
        .trim_matches(['"', '\'', '-', ' '])
        .to_ascii_lowercase();
    if !SECRET_KEYS.iter().any(|k| key.contains(k)) {
        return None;
    }
    let rest = &line[sep + 1..];
    let lead = rest.len() - rest.trim_start().len();
    let value = rest.trim();
    let unquoted = value.trim_matches(['"', '\'']);
    if unquoted.is_empty() {
        return None;
    }
    let quote = value.len() - value.trim_start_matches(['"', '\'']).len();
    let start = sep + 1 + lead + quote;
    Some((start, start + unquoted.len()))
}

/// `message` with each of `secrets` masked.
pub fn scrub(message: &str, secrets: &[String]) -> String {
    let mut out = message.to_string();
    for s in secrets.iter().filter(|s| s.chars().count() >= 2) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), &"*".repeat(s.chars().count()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{mask_config, mask_userinfo, scrub};

    #[test]
    fn user_info_is_masked_and_addresses_are_not() {
        let cases = [
            (
                "unknown registry `HTTP://alice:PW@sr:8081`",
                "unknown registry `HTTP://********@sr:8081`",
            ),
            ("ftp://alice:PW@h/x", "ftp://********@h/x"),
            ("htp://bob@h", "htp://***@h"),
            ("alice:PW@sr:8081", "********@sr:8081"),
            ("http://u:p@ss@host/p", "http://******@host/p"),
            ("mail alice@example.com now", "mail alice@example.com now"),
            ("http://host/path@x", "http://host/path@x"),
            ("no at sign", "no at sign"),
        ];
        for (given, want) in cases {
            assert_eq!(mask_userinfo(given), want, "{given}");
        }
    }

    #[test]
    fn config_secrets_are_masked_in_place_and_scrubbed_from_messages() {
        let text = "[registry]\npassword = \"hunter22\"\nurl = \"http://u:pw99@sr\"\ntoken: abc123\nname = \"x\"\n";
        let (masked, secrets) = mask_config(text);
        assert_eq!(masked.len(), text.len());
        assert!(
            !masked.contains("hunter22") && !masked.contains("pw99") && !masked.contains("abc123")
        );
        assert!(masked.contains("password = \"********\"") && masked.contains("name = \"x\""));
        assert_eq!(
            scrub("invalid type: string \"hunter22\"", &secrets),
            "invalid type: string \"********\""
        );
    }
}
