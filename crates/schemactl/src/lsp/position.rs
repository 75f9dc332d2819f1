//! Where things are, in both coordinate systems: byte offsets into a file's text (the schema
//! model's spans) and LSP positions (0-based line, UTF-16 code units, as the protocol counts
//! by default), and file paths to and from `file://` URIs.

use lsp_types::{Position, Range, Url};
use sc_events_schema::source::Span;
use std::path::{Path, PathBuf};

/// The LSP position of byte `offset` in `text` (clamped to the text, floored to a character).
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position in `text` (past the end of a line: its end).
pub fn offset(text: &str, at: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0usize;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= at.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

/// The LSP range of a span of `text`.
pub fn range(text: &str, span: Span) -> Range {
    Range::new(position(text, span.start), position(text, span.end))
}

/// The LSP range of a diagnostic's 1-based line and character column (0: the whole file,
/// shown at its start), converted through the line's text.
pub fn line_col_range(
    text: &str,
    (line, column): (usize, usize),
    (end_line, end_column): (usize, usize),
) -> Range {
    if line == 0 {
        return Range::default();
    }
    let at = |line: usize, column: usize| {
        let start = line_start(text, line);
        let bytes: usize = text[start..]
            .chars()
            .take_while(|c| *c != '\n')
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        position(text, start + bytes)
    };
    let start = at(line, column);
    let end = if end_line == 0 {
        start
    } else {
        at(end_line, end_column)
    };
    Range::new(start, end.max(start))
}

/// The byte offset where 1-based `line` starts (the text's end past its last line).
fn line_start(text: &str, line: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    start
}

/// The path of a `file://` URI.
pub fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

/// The `file://` URI of a path (made absolute from `root` when relative).
pub fn uri_of(root: &Path, path: &Path) -> Option<Url> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    Url::from_file_path(normalize(&abs)).ok()
}

/// `a/./b/../c` as `a/c`, without touching the file system (the files may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "{\n  \"doc\": \"ä😀x\"\n}";
        let x = text.find('x').unwrap();
        // ä is one UTF-16 unit, 😀 two.
        assert_eq!(position(text, x), Position::new(1, 13));
        assert_eq!(offset(text, Position::new(1, 13)), x);
        assert_eq!(
            offset(text, Position::new(1, 999)),
            text.find("\n}").unwrap()
        );
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn diagnostic_columns_are_characters() {
        let text = "ab\n\"ä\": 1\n";
        let r = line_col_range(text, (2, 4), (2, 6));
        assert_eq!(r, Range::new(Position::new(1, 3), Position::new(1, 5)));
        assert_eq!(line_col_range(text, (0, 0), (0, 0)), Range::default());
    }

    #[test]
    fn paths_are_normalized_into_uris() {
        let u = uri_of(Path::new("/w"), Path::new("./schemas/../schemas/a.avsc")).unwrap();
        assert_eq!(u.as_str(), "file:///w/schemas/a.avsc");
        assert_eq!(path_of(&u).unwrap(), PathBuf::from("/w/schemas/a.avsc"));
    }
}
