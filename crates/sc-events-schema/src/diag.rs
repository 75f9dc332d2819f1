//! Diagnostics: one struct for every finding and error, rendered as a human snippet, JSON or
//! GitHub workflow annotations.
//!
//! A diagnostic is self-contained (it copies the source line it points at), so it can outlive
//! the parsed files and be rendered anywhere, including from `build.rs`.

use crate::source::{SourceFile, Span};
use serde::Serialize;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    /// JSON-pointer-like path of the schema element (`/fields/2/type`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip)]
    pub source_line: String,
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
        let source_line = file.line_text(lc.line).to_string();
        let end = file.line_col(span.end.max(span.start));
        let width = if end.line == lc.line {
            end.column.saturating_sub(lc.column).max(1)
        } else {
            source_line
                .chars()
                .count()
                .saturating_sub(lc.column - 1)
                .max(1)
        };
        Diagnostic {
            level,
            code: code.into(),
            message: message.into(),
            file: file.path.clone(),
            line: lc.line,
            column: lc.column,
            location: None,
            hint: None,
            source_line,
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
            message: message.into(),
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            location: None,
            hint: None,
            source_line: String::new(),
            width: 0,
        }
    }

    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
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
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            self.level_word(),
            self.code,
            self.message
        );
        let gutter = " ".repeat(self.line.to_string().len());
        let _ = writeln!(out, "{gutter}--> {}", self.position());
        if self.line > 0 {
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{} | {}", self.line, self.source_line);
            let _ = writeln!(
                out,
                "{gutter} | {}{}",
                " ".repeat(self.column.saturating_sub(1)),
                "^".repeat(self.width.clamp(1, 80))
            );
        }
        if let Some(loc) = &self.location {
            let _ = writeln!(out, "{gutter} = at: {loc}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{gutter} = help: {hint}");
        }
        out
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
}

/// Renders a list of diagnostics in a format. JSON is `{"ok", "errors", "warnings", "findings"}`.
pub fn render(diags: &[Diagnostic], format: Format) -> String {
    match format {
        Format::Human => {
            let mut out: String = diags.iter().map(|d| d.render_human() + "\n").collect();
            let errors = diags.iter().filter(|d| d.level == Level::Error).count();
            let warnings = diags.len() - errors;
            let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
            out
        }
        Format::Github => diags.iter().map(|d| d.render_github() + "\n").collect(),
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
}
