//! Each subject's registered versions, read from the configured registry, and the diff from
//! each version to the next (both texts in `schemactl fmt`'s layout, so only real changes
//! show), as HTML.

use super::html::esc;
use sc_events_registry::{ErrorKind, Registry, Version};
use similar::{ChangeTag, TextDiff};
use std::fmt::Write as _;

/// The versions a history shows at most (the newest ones).
const MAX_VERSIONS: usize = 50;

/// One registered version.
pub struct Registered {
    pub version: i32,
    pub id: i32,
    /// The schema in the one `.avsc` layout (as registered when it does not parse).
    pub text: String,
}

/// What the registry holds for a subject.
pub enum History {
    /// Not registered yet.
    None,
    /// The versions, oldest first.
    Versions(Vec<Registered>),
    /// The registry could not say (the message is shown).
    Unavailable(String),
}

/// Reads a subject's versions (the newest [`MAX_VERSIONS`]).
pub async fn read(registry: &dyn Registry, subject: &str) -> History {
    let versions = match registry.versions(subject, false).await {
        Ok(v) => v,
        Err(e) if e.kind() == ErrorKind::SubjectNotFound => return History::None,
        Err(e) => return History::Unavailable(e.to_string()),
    };
    let skip = versions.len().saturating_sub(MAX_VERSIONS);
    let mut out = Vec::with_capacity(versions.len() - skip);
    for v in versions.into_iter().skip(skip) {
        match registry.version(subject, Version::Number(v), false).await {
            Ok(r) => out.push(Registered {
                version: r.version,
                id: r.id,
                text: sc_events_schema::format::format(&r.schema.schema).unwrap_or(r.schema.schema),
            }),
            Err(e) => return History::Unavailable(e.to_string()),
        }
    }
    if out.is_empty() {
        History::None
    } else {
        History::Versions(out)
    }
}

/// The lines that changed from `old` to `new`, with three lines of context, as a `<pre>`.
pub fn diff_html(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut o = String::from("<pre class=\"diff\">");
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            o.push_str("<span class=\"gap\">⋯</span>\n");
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let (class, mark) = match change.tag() {
                    ChangeTag::Delete => ("del", '-'),
                    ChangeTag::Insert => ("add", '+'),
                    ChangeTag::Equal => ("ctx", ' '),
                };
                let line = change.value().trim_end_matches('\n');
                let _ = writeln!(o, "<span class=\"{class}\">{mark} {}</span>", esc(line));
            }
        }
    }
    o.push_str("</pre>");
    o
}

/// A subject's history section: every version with its id, newest first, each with its diff
/// from the one before (the first: its whole text).
pub fn section(subject: &str, history: &History) -> String {
    let mut o = format!(
        "<section class=\"history\" id=\"history\"><h2>Registered versions of <code>{}</code></h2>\n",
        esc(subject)
    );
    match history {
        History::None => o.push_str("<p>Not registered yet: publishing registers version 1.</p>"),
        History::Unavailable(why) => {
            let _ = write!(
                o,
                "<p class=\"warn\">The registry could not be read: {}</p>",
                esc(why)
            );
        }
        History::Versions(versions) => {
            for (i, v) in versions.iter().enumerate().rev() {
                let _ = write!(
                    o,
                    "<details id=\"v{}\"{}><summary>version {} (schema id {})</summary>",
                    v.version,
                    if i + 1 == versions.len() { " open" } else { "" },
                    v.version,
                    v.id
                );
                match i.checked_sub(1).map(|p| &versions[p]) {
                    Some(prev) if prev.text == v.text => {
                        o.push_str("<p>Same text as the version before.</p>");
                    }
                    Some(prev) => {
                        let _ = write!(o, "<p>Changes from version {}:</p>", prev.version);
                        o.push_str(&diff_html(&prev.text, &v.text));
                    }
                    None => {
                        let _ = write!(o, "<pre class=\"schema\">{}</pre>", esc(&v.text));
                    }
                }
                o.push_str("</details>\n");
            }
        }
    }
    o.push_str("</section>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_shows_the_changed_lines_escaped() {
        let html = diff_html("a\nb\n<c>\n", "a\nB\n<c>\n");
        assert!(html.contains("<span class=\"del\">- b</span>"), "{html}");
        assert!(html.contains("<span class=\"add\">+ B</span>"), "{html}");
        assert!(html.contains("&lt;c&gt;"), "{html}");
    }
}
