//! Text helpers every other module may use, and which use nothing of the crate: `*` globs,
//! bounded cuts of user text ([`clip`], [`cap`], [`quoted`]) and the one strict semver parser
//! ([`Semver`]).

use std::fmt;

/// The longest user string [`quoted`] shows, in characters.
pub const MAX_QUOTED_CHARS: usize = 64;

/// Matches `name` against a glob where `*` stands for any (possibly empty) run of characters.
pub fn glob_match(glob: &str, name: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The first `max_chars` characters of `s` (all of `s` when it is that short): a prefix of
/// `s` that never splits a character, with nothing added.
pub fn clip(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        None => s,
        Some((i, _)) => &s[..i],
    }
}

/// `s` cut after `max_chars` characters (see [`clip`]), then `... (N more bytes)` saying how
/// much was cut; `s` itself when it is that short.
pub fn cap(s: String, max_chars: usize) -> String {
    let kept = clip(&s, max_chars).len();
    if kept == s.len() {
        return s;
    }
    format!("{}... ({} more bytes)", &s[..kept], s.len() - kept)
}

/// `s` quoted like `{:?}`, cut after [`MAX_QUOTED_CHARS`] characters (`"abc"...`), so a
/// message that names a user's string stays short.
pub fn quoted(s: &str) -> String {
    let kept = clip(s, MAX_QUOTED_CHARS);
    if kept.len() == s.len() {
        format!("{s:?}")
    } else {
        format!("{kept:?}...")
    }
}

/// The candidate closest to `word` by edit distance, for a "did you mean" hint: only when it is
/// close (at most a third of the word's length in edits, at least one) and not `word` itself.
/// Words longer than 64 characters get no suggestion, and only the first
/// [`MAX_CANDIDATES`] candidates are compared (the cost stays bounded on hostile input).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w: Vec<char> = word.chars().collect();
    if w.is_empty() || w.len() > 64 {
        return None;
    }
    let limit = (w.len() / 3).max(1);
    candidates
        .into_iter()
        .take(MAX_CANDIDATES)
        .filter(|c| *c != word && c.chars().count() <= 64)
        .map(|c| (edit_distance(&w, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// How many candidates one "did you mean" compares at most.
pub const MAX_CANDIDATES: usize = 4096;

/// Levenshtein distance, with a transposition counted as one edit (`defualt` → `default`).
fn edit_distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// A strict semantic version `MAJOR.MINOR.PATCH`: three parts of ASCII digits, no leading
/// zeros, no pre-release or build suffix (`1.2.0`, not `v1.2`, `01.2.0` or `1.2.0-rc1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// Why a text is not a strict semver version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    #[error("{} is not MAJOR.MINOR.PATCH: it has {found} part(s)", quoted(.text))]
    Parts { text: String, found: usize },
    #[error("{} is not MAJOR.MINOR.PATCH: part {} is not a number", quoted(.text), quoted(.part))]
    NotANumber { text: String, part: String },
    #[error("{} is not MAJOR.MINOR.PATCH: part {} has a leading zero", quoted(.text), quoted(.part))]
    LeadingZero { text: String, part: String },
    #[error("{} is not MAJOR.MINOR.PATCH: part {} is too large", quoted(.text), quoted(.part))]
    TooLarge { text: String, part: String },
}

impl Semver {
    /// Parses `MAJOR.MINOR.PATCH` strictly (see [`Semver`]).
    pub fn parse(text: &str) -> Result<Semver, SemverError> {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() != 3 {
            return Err(SemverError::Parts {
                text: text.to_string(),
                found: parts.len(),
            });
        }
        let mut n = [0u64; 3];
        for (slot, part) in n.iter_mut().zip(&parts) {
            let e = |text: &str, part: &str| (text.to_string(), part.to_string());
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                let (text, part) = e(text, part);
                return Err(SemverError::NotANumber { text, part });
            }
            if part.len() > 1 && part.starts_with('0') {
                let (text, part) = e(text, part);
                return Err(SemverError::LeadingZero { text, part });
            }
            *slot = part.parse().map_err(|_| {
                let (text, part) = e(text, part);
                SemverError::TooLarge { text, part }
            })?;
        }
        Ok(Semver {
            major: n[0],
            minor: n[1],
            patch: n[2],
        })
    }
}

impl std::str::FromStr for Semver {
    type Err = SemverError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Semver::parse(s)
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn closest_suggests_near_misses_only() {
        let types = ["string", "int", "long", "record", "enum"];
        assert_eq!(closest("strng", types), Some("string"));
        assert_eq!(closest("recrod", types), Some("record"));
        assert_eq!(closest("string", types), None, "itself is no suggestion");
        assert_eq!(closest("banana", types), None);
        assert_eq!(closest("defualt", ["default", "doc"]), Some("default"));
        assert_eq!(closest(&"x".repeat(100), ["x"]), None);
    }

    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*_cents", "total_cents"));
        assert!(!glob_match("*_cents", "cents"));
        assert!(glob_match("*_count_*", "member_count_after"));
        assert!(!glob_match("*_count_*", "member_count"));
        assert!(glob_match("ip", "ip"));
        assert!(glob_match("*email*", "contact_email"));
    }

    #[test]
    fn clips_keep_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip("abc", 8), "abc");
        assert_eq!(clip("", 0), "");
        assert_eq!(cap("héllo".into(), 1), "h... (5 more bytes)");
        assert_eq!(cap("abc".into(), 3), "abc");
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
        let long = "x".repeat(100);
        assert_eq!(
            quoted(&long),
            format!("\"{}\"...", "x".repeat(MAX_QUOTED_CHARS))
        );
    }

    #[test]
    fn semver_is_strict() {
        let v = Semver::parse("1.20.0").expect("semver");
        assert_eq!((v.major, v.minor, v.patch), (1, 20, 0));
        assert_eq!(v.to_string(), "1.20.0");
        assert!(Semver::parse("0.0.0").is_ok());
        for bad in [
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            "01.2.3",
            "1..3",
            "1.2.3-rc1",
            "",
            "+1.2.3",
        ] {
            assert!(Semver::parse(bad).is_err(), "{bad}");
        }
        let e = Semver::parse("1.02.0").expect_err("leading zero");
        assert!(e.to_string().contains("leading zero"), "{e}");
        let e = Semver::parse("1.2.99999999999999999999").expect_err("too large");
        assert!(matches!(e, SemverError::TooLarge { .. }), "{e}");
        assert!(Semver::parse("1.2.0").unwrap() < Semver::parse("1.10.0").unwrap());
    }
}
