//! Diagnostics: one struct for every finding and error, rendered as a human snippet (coloured
//! on request: [`Style`]), JSON, GitHub workflow annotations, JUnit XML or SARIF 2.1.0
//! ([`ci`]).
//!
//! A diagnostic is self-contained (it copies the source line it points at), so it can outlive
//! the parsed files and be rendered anywhere, including from `build.rs`.
//!
//! Output is bounded whatever the input: a source line longer than [`SNIPPET_CHARS`] is cut
//! around the marked column (`...` on the cut sides), the marker is at most 80 wide, and
//! messages and hints are cut at [`MAX_MESSAGE_CHARS`]; [`crate::text::quoted`] caps a user
//! string embedded in a message.

pub mod ci;

use crate::source::{SourceFile, Span};
use crate::text::cap;
use anstyle::{AnsiColor, Effects, Style as Ansi};
use serde::Serialize;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// The longest source line a snippet shows uncut, in characters.
pub const SNIPPET_CHARS: usize = 120;
/// How much of a cut line is shown before the marked column, in characters.
const SNIPPET_BEFORE: usize = 40;
/// The longest message or hint kept, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// A finding or an error, located in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// Rule id (`FIELD_NAME_CASE`) or error class (`PARSE`, `SCHEMA`).
    pub code: String,
    pub message: String,
    pub file: PathBuf,
    /// 1-based; 0 when the diagnostic is about the whole file.
    pub line: usize,
    pub column: usize,
    /// Where the marked region ends (exclusive, as LSP and SARIF count: the column after its
    /// last character); 0 with `line`.
    pub end_line: usize,
    pub end_column: usize,
    /// JSON-pointer-like path of the schema element (`/fields/2/type`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The subjects this one finding was reported for, when the same finding at the same place
    /// concerns several (a shared type's edit seen through every subject that uses it):
    /// [`group`] folds them into one diagnostic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// The source line shown in the snippet (cut around the marker when long).
    #[serde(skip)]
    pub source_line: String,
    /// 1-based column of the marker on `source_line` (equals `column` unless the line was cut).
    #[serde(skip)]
    pub marker_column: usize,
    /// Width of the marked region on `source_line`, in characters.
    #[serde(skip)]
    pub width: usize,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`.
    pub fn at(
        level: Level,
        code: impl Into<String>,
        message: impl Into<String>,
        file: &SourceFile,
        span: Span,
    ) -> Self {
        let lc = file.line_col(span.start);
        let end_at = file.line_col(span.end.max(span.start));
        let (line_start, line_end) = file.line_bounds(lc.line);
        let line = file.text.get(line_start..line_end).unwrap_or("");
        let at = floor_boundary(line, span.start.saturating_sub(line_start).min(line.len()));
        let end = floor_boundary(
            line,
            span.end.saturating_sub(line_start).clamp(at, line.len()),
        );
        let multi_line = span.end > line_end && file.line_col(span.end).line != lc.line;
        let (source_line, marker_column, width) = snippet(line, at, end, multi_line);
        Diagnostic {
            level,
            code: code.into(),
            message: cap(message.into(), MAX_MESSAGE_CHARS),
            file: file.path.clone(),
            line: lc.line,
            column: lc.column,
            end_line: end_at.line,
            end_column: end_at.column,
            location: None,
            hint: None,
            subjects: Vec::new(),
            source_line,
            marker_column,
            width,
        }
    }

    /// A diagnostic about a whole file (unreadable, missing, ...).
    pub fn file_level(
        level: Level,
        code: impl Into<String>,
        message: impl Into<String>,
        path: &Path,
    ) -> Self {
        Diagnostic {
            level,
            code: code.into(),
            message: cap(message.into(), MAX_MESSAGE_CHARS),
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            location: None,
            hint: None,
            subjects: Vec::new(),
            source_line: String::new(),
            marker_column: 0,
            width: 0,
        }
    }

    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(cap(location.into(), MAX_MESSAGE_CHARS));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(cap(hint.into(), MAX_MESSAGE_CHARS));
        self
    }

    /// `file:line:col` (or just `file`).
    pub fn position(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }

    /// The one-line form: `file:line:col: error[CODE]: message`.
    pub fn one_line(&self) -> String {
        format!(
            "{}: {}[{}]: {}",
            self.position(),
            self.level_word(),
            self.code,
            self.message
        )
    }

    fn level_word(&self) -> &'static str {
        match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }

    /// The human form: message, position, the source line with a marker, location and hint.
    pub fn render_human(&self) -> String {
        self.render_human_styled(Style::Plain)
    }

    /// The human form, with ANSI colours when `style` is [`Style::Color`] (the level label and
    /// the marker red for errors, yellow for warnings; the `-->` and `|` gutter blue), as cargo
    /// colours its diagnostics.
    pub fn render_human_styled(&self, style: Style) -> String {
        let level = match self.level {
            Level::Error => AnsiColor::Red,
            Level::Warning => AnsiColor::Yellow,
        };
        let level = Ansi::new()
            .fg_color(Some(level.into()))
            .effects(Effects::BOLD);
        let gutter_style = Ansi::new()
            .fg_color(Some(AnsiColor::Blue.into()))
            .effects(Effects::BOLD);
        let bold = Ansi::new().effects(Effects::BOLD);
        let paint = |s: Ansi, text: &str| style.paint(s, text);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}{}",
            paint(level, &format!("{}[{}]", self.level_word(), self.code)),
            paint(bold, &format!(": {}", self.message))
        );
        let gutter = " ".repeat(self.line.to_string().len());
        let bar = paint(gutter_style, &format!("{gutter} |"));
        let _ = writeln!(
            out,
            "{} {}",
            paint(gutter_style, &format!("{gutter}-->")),
            self.position()
        );
        if self.line > 0 {
            let _ = writeln!(out, "{bar}");
            let _ = writeln!(
                out,
                "{} {}",
                paint(gutter_style, &format!("{} |", self.line)),
                self.source_line
            );
            let _ = writeln!(
                out,
                "{bar} {}{}",
                " ".repeat(self.marker_column.saturating_sub(1)),
                paint(level, &"^".repeat(self.width.clamp(1, 80)))
            );
        }
        let eq = paint(gutter_style, &format!("{gutter} ="));
        if let Some(loc) = &self.location {
            let _ = writeln!(out, "{eq} at: {loc}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{eq} {} {hint}", paint(bold, "help:"));
        }
        if self.subjects.len() > 1 {
            let _ = writeln!(out, "{eq} {}", self.subjects_note());
        }
        out
    }

    /// `in 8 subjects: a, b, c, d, e and 3 more`.
    fn subjects_note(&self) -> String {
        const SHOWN: usize = 5;
        let n = self.subjects.len();
        let mut note = format!(
            "in {n} subjects: {}",
            self.subjects[..n.min(SHOWN)].join(", ")
        );
        if n > SHOWN {
            let _ = write!(note, " and {} more", n - SHOWN);
        }
        note
    }

    /// A GitHub Actions workflow command (`::error file=…,line=…,col=…,title=…::message`).
    pub fn render_github(&self) -> String {
        let kind = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut msg = self.message.clone();
        if let Some(h) = &self.hint {
            msg.push_str(" (help: ");
            msg.push_str(h);
            msg.push(')');
        }
        format!(
            "::{kind} file={},line={},col={},title={}::{}",
            gh_escape_prop(&self.file.display().to_string()),
            self.line.max(1),
            self.column.max(1),
            gh_escape_prop(&self.code),
            gh_escape_data(&msg)
        )
    }
}

/// Folds diagnostics that are the same finding at the same place (level, code, position and
/// hint) reported for several subjects into one, in order of first appearance, listing the
/// subjects; the first one's message and location are kept.
pub fn group(diags: impl IntoIterator<Item = (String, Diagnostic)>) -> Vec<Diagnostic> {
    type Key = (
        Level,
        String,
        PathBuf,
        usize,
        usize,
        usize,
        usize,
        Option<String>,
    );
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    let mut out: Vec<Diagnostic> = Vec::new();
    for (subject, d) in diags {
        let key = (
            d.level,
            d.code.clone(),
            d.file.clone(),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            d.hint.clone(),
        );
        match index.get(&key) {
            Some(&i) => {
                let seen = &mut out[i].subjects;
                if !seen.contains(&subject) {
                    seen.push(subject);
                }
            }
            None => {
                index.insert(key, out.len());
                let mut d = d;
                d.subjects = vec![subject];
                out.push(d);
            }
        }
    }
    out
}

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The shown line, the marker's 1-based column on it and the marker width, for a marker from
/// byte `at` to byte `end` of `line` (to the line's end when the span goes on).
fn snippet(line: &str, at: usize, end: usize, multi_line: bool) -> (String, usize, usize) {
    let short = line.len() <= SNIPPET_CHARS
        || (line.len() <= 4 * SNIPPET_CHARS && line.chars().count() <= SNIPPET_CHARS);
    let (from, to) = if short {
        (0, line.len())
    } else {
        let from = line[..at]
            .char_indices()
            .rev()
            .nth(SNIPPET_BEFORE - 1)
            .map_or(0, |(i, _)| i);
        let to = line[from..]
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(line.len(), |(i, _)| from + i);
        (from, to)
    };
    let prefix = if from > 0 { "..." } else { "" };
    let suffix = if to < line.len() { "..." } else { "" };
    let shown = format!("{prefix}{}{suffix}", &line[from..to]);
    let column = line[from..at.max(from)].chars().count() + 1 + prefix.len();
    let mark_end = if multi_line { to } else { end.min(to) };
    let width = line[at.min(mark_end)..mark_end].chars().count().max(1);
    (shown, column, width)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.one_line())
    }
}

impl std::error::Error for Diagnostic {}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Output format shared by every `schemactl` command that reports diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    /// JUnit XML ([`ci::junit`]).
    Junit,
    /// SARIF 2.1.0 ([`ci::sarif`]).
    Sarif,
}

/// Whether human output carries ANSI colours. Only [`Format::Human`] is ever coloured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Style {
    #[default]
    Plain,
    Color,
}

impl Style {
    fn paint(self, style: Ansi, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Color => format!("{}{text}{}", style.render(), style.render_reset()),
        }
    }
}

/// How [`render_with`] prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colours for the human format (ignored by every other format).
    pub style: Style,
    /// The human format's closing `N error(s), M warning(s)` line.
    pub summary: bool,
    /// The JUnit test suite's name (`schemactl lint`).
    pub suite: &'static str,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            style: Style::Plain,
            summary: true,
            suite: "schemactl",
        }
    }
}

/// Renders a list of diagnostics in a format, plain, with the human summary line. JSON is
/// `{"ok", "errors", "warnings", "findings"}`.
pub fn render(diags: &[Diagnostic], format: Format) -> String {
    render_with(diags, format, RenderOptions::default())
}

/// Renders a list of diagnostics in a format with `options`.
pub fn render_with(diags: &[Diagnostic], format: Format, options: RenderOptions) -> String {
    match format {
        Format::Human => {
            let mut out: String = diags
                .iter()
                .map(|d| d.render_human_styled(options.style) + "\n")
                .collect();
            if options.summary {
                let errors = diags.iter().filter(|d| d.level == Level::Error).count();
                let warnings = diags.len() - errors;
                let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
            }
            out
        }
        Format::Github => diags.iter().map(|d| d.render_github() + "\n").collect(),
        Format::Junit => ci::junit(diags, options.suite),
        Format::Sarif => ci::sarif(diags),
        Format::Json => {
            let errors = diags.iter().filter(|d| d.level == Level::Error).count();
            let doc = serde_json::json!({
                "ok": errors == 0,
                "errors": errors,
                "warnings": diags.len() - errors,
                "findings": diags,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_render_marks_the_span() {
        let f = SourceFile::new("s.avsc", "{\n  \"name\": \"bad-name\"\n}\n");
        let d = Diagnostic::at(Level::Error, "X", "bad", &f, Span::new(12, 22))
            .with_location("/name")
            .with_hint("rename it");
        let h = d.render_human();
        assert!(h.contains("--> s.avsc:2:11"), "{h}");
        assert!(h.contains("2 |   \"name\": \"bad-name\""), "{h}");
        assert!(h.contains("  |           ^^^^^^^^^^\n"), "{h}");
        assert!(h.contains("= help: rename it"), "{h}");
        assert_eq!(d.one_line(), "s.avsc:2:11: error[X]: bad");
        assert_eq!(
            d.render_github(),
            "::error file=s.avsc,line=2,col=11,title=X::bad (help: rename it)"
        );
    }

    #[test]
    fn colour_only_when_asked_and_only_for_human() {
        let f = SourceFile::new("s.avsc", "{\n  \"name\": \"bad-name\"\n}\n");
        let d = Diagnostic::at(Level::Error, "X", "bad", &f, Span::new(12, 22));
        let plain = d.render_human();
        assert!(!plain.contains('\x1b'), "{plain}");
        let coloured = d.render_human_styled(Style::Color);
        assert!(
            coloured.starts_with("\x1b[1m\x1b[31merror[X]\x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.contains("^^^^^^^^^^\x1b[0m"), "{coloured:?}");
        let opts = RenderOptions {
            style: Style::Color,
            ..RenderOptions::default()
        };
        for format in [Format::Json, Format::Github, Format::Junit, Format::Sarif] {
            let out = render_with(std::slice::from_ref(&d), format, opts);
            assert!(!out.contains('\x1b'), "{format:?}: {out}");
        }
        let quiet = RenderOptions {
            summary: false,
            ..RenderOptions::default()
        };
        assert!(!render_with(&[d], Format::Human, quiet).contains("error(s)"));
    }

    #[test]
    fn long_lines_are_cut_around_the_marker_and_messages_capped() {
        let mut text = String::from("{\"name\": \"");
        text.push_str(&"é".repeat(3_000_000));
        text.push_str("\", \"type\": \"bogus\"}");
        let at = text.find("\"bogus\"").unwrap();
        let f = SourceFile::new("big.avsc", text.clone());
        let d = Diagnostic::at(
            Level::Error,
            "X",
            format!("bad {}", "m".repeat(10_000)),
            &f,
            Span::new(at, at + 7),
        );
        let h = d.render_human();
        assert!(h.len() < 3_000, "{}", h.len());
        assert_eq!(d.column, 3_000_000 + 22);
        assert!(h.contains("1 | ...éééé"), "{h}");
        assert!(h.contains("\"type\": \"bogus\"}\n"), "{h}");
        let lines: Vec<&str> = h.lines().collect();
        let src = lines.iter().find(|l| l.starts_with("1 | ")).unwrap();
        let mark = lines.iter().find(|l| l.contains('^')).unwrap();
        // The marker sits under "bogus" on the cut line.
        let col = mark.find('^').unwrap();
        assert_eq!(
            &src[src.char_indices().nth(col).unwrap().0..][..7],
            "\"bogus\""
        );
        assert_eq!(mark.trim_start_matches([' ', '|']).len(), 7);
        assert!(d.message.len() < 2_100 && d.message.ends_with("more bytes)"));
        // A span running over the end of a long line marks at most 80 columns.
        let d = Diagnostic::at(Level::Error, "X", "m", &f, Span::new(5, text.len()));
        assert!(d.render_human().contains(&format!("{}\n", "^".repeat(80))));
    }
}
