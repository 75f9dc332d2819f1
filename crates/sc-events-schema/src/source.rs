//! Source files and byte spans: turns a byte offset into the `line:col` every diagnostic shows.
//!
//! Input is bounded: [`SourceFile::read`] reads only regular files, at most
//! [`DEFAULT_MAX_SCHEMA_BYTES`], and refuses invalid UTF-8 with its byte offset;
//! [`SourceFile::from_bytes`] applies the same rules to bytes from elsewhere (a request body).

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The size limit of one schema file (4 MiB): [`SourceFile::read`] refuses larger files.
pub const DEFAULT_MAX_SCHEMA_BYTES: u64 = 4 << 20;

/// A half-open byte range `[start, end)` into a source file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Index of a file inside a [`crate::model::SchemaSet`] or [`crate::catalog::Catalog`].
pub type FileId = usize;

/// A file's path and text, with a line index for position lookups.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// `(byte, chars before it)` every [`MARK_BYTES`] or so, so a column on a very long line
    /// costs O(MARK_BYTES), not O(line).
    char_marks: Vec<(usize, usize)>,
}

const MARK_BYTES: usize = 4096;

/// 1-based line and column (column counted in characters, like editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut char_marks = vec![(0, 0)];
        let (mut byte, mut chars) = (0, 0);
        while byte + MARK_BYTES < text.len() {
            let mut next = byte + MARK_BYTES;
            while !text.is_char_boundary(next) {
                next += 1;
            }
            chars += text[byte..next].chars().count();
            byte = next;
            char_marks.push((byte, chars));
        }
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            char_marks,
        }
    }

    /// Reads a schema file from disk: a regular file of at most [`DEFAULT_MAX_SCHEMA_BYTES`],
    /// valid UTF-8 (see [`SourceFile::read_limited`]).
    pub fn read(path: &Path) -> std::io::Result<Self> {
        Self::read_limited(path, DEFAULT_MAX_SCHEMA_BYTES)
    }

    /// Reads a schema file of at most `max_bytes`. FIFOs, devices, sockets and directories are
    /// refused from their metadata, before opening (so a FIFO cannot block the read); the limit
    /// is enforced while reading too (a file growing after the check is still cut off), and
    /// invalid UTF-8 is reported with its byte offset. Errors name the path.
    pub fn read_limited(path: &Path, max_bytes: u64) -> std::io::Result<Self> {
        use std::io::{Error, ErrorKind};
        let named =
            |kind: ErrorKind, msg: String| Error::new(kind, format!("{}: {msg}", path.display()));
        let meta = std::fs::metadata(path).map_err(|e| named(e.kind(), e.to_string()))?;
        if !meta.is_file() {
            return Err(named(
                ErrorKind::InvalidInput,
                format!("is {}, not a regular file", file_kind(&meta.file_type())),
            ));
        }
        if meta.len() > max_bytes {
            return Err(named(
                ErrorKind::InvalidData,
                over_limit(meta.len(), max_bytes),
            ));
        }
        let file = open_nonblocking(path).map_err(|e| named(e.kind(), e.to_string()))?;
        // The file may have been swapped for a FIFO between the check and the open.
        let opened = file
            .metadata()
            .map_err(|e| named(e.kind(), e.to_string()))?;
        if !opened.is_file() {
            return Err(named(
                ErrorKind::InvalidInput,
                format!("is {}, not a regular file", file_kind(&opened.file_type())),
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 20));
        file.take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| named(e.kind(), e.to_string()))?;
        if bytes.len() as u64 > max_bytes {
            return Err(named(
                ErrorKind::InvalidData,
                over_limit(bytes.len() as u64, max_bytes),
            ));
        }
        Self::from_bytes(path, bytes).map_err(|e| named(ErrorKind::InvalidData, e.to_string()))
    }

    /// A source file from bytes (a request body, say): they must be valid UTF-8.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, SourceError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(path, text)),
            Err(e) => Err(SourceError::InvalidUtf8 {
                offset: e.utf8_error().valid_up_to(),
            }),
        }
    }

    /// The 1-based line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = if offset - start <= 2 * MARK_BYTES {
            self.text
                .get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        } else {
            self.chars_before(offset)
                .saturating_sub(self.chars_before(start))
        } + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The number of characters before byte `offset` (a char boundary, or the next one counts).
    fn chars_before(&self, offset: usize) -> usize {
        let i = match self.char_marks.binary_search_by(|m| m.0.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (byte, chars) = self.char_marks.get(i).copied().unwrap_or((0, 0));
        let mut end = offset.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        chars + self.text.get(byte..end).map_or(0, |s| s.chars().count())
    }

    /// The byte range of a 1-based line, without its line break (empty past the end).
    pub fn line_bounds(&self, line: usize) -> (usize, usize) {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return (self.text.len(), self.text.len());
        };
        let mut end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e.saturating_sub(1));
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e.saturating_sub(1));
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Why bytes are not a source file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("invalid UTF-8 at byte offset {offset}")]
    InvalidUtf8 { offset: usize },
}

impl From<SourceError> for std::io::Error {
    fn from(e: SourceError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}

fn over_limit(len: u64, max: u64) -> String {
    format!("{len} bytes, over the {max}-byte limit for a schema file")
}

fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    // Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK does not.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(all(unix, any(target_os = "linux", target_os = "android")))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const O_NONBLOCK: i32 = 0x0004;

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_chars() {
        let f = SourceFile::new("x", "ab\ncé d\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'é' is two bytes: byte 6 is the space after it, the third character.
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_text(2), "cé d");
        assert_eq!(f.line_text(9), "");
        let long = format!("{}x", "é".repeat(10_000));
        let f = SourceFile::new("x", format!("a\n{long}"));
        assert_eq!(
            f.line_col(2 + 20_000),
            LineCol {
                line: 2,
                column: 10_001
            }
        );
    }

    #[test]
    fn read_refuses_what_is_not_a_small_regular_utf8_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = SourceFile::read(dir.path()).unwrap_err();
        assert!(
            e.to_string().contains("is a directory, not a regular file"),
            "{e}"
        );

        let big = dir.path().join("x.avsc");
        std::fs::write(&big, vec![b' '; 100]).unwrap();
        let e = SourceFile::read_limited(&big, 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: 100 bytes, over the 10-byte limit for a schema file",
                big.display()
            )
        );
        assert!(SourceFile::read_limited(&big, 100).is_ok());

        let bad = dir.path().join("bad.avsc");
        std::fs::write(&bad, b"{\"a\": \"\xff\"}").unwrap();
        let e = SourceFile::read(&bad).unwrap_err();
        assert!(
            e.to_string().ends_with("invalid UTF-8 at byte offset 7"),
            "{e}"
        );
        assert_eq!(
            SourceFile::from_bytes("b", b"ok\xc3".to_vec()).unwrap_err(),
            SourceError::InvalidUtf8 { offset: 2 }
        );
    }

    #[cfg(unix)]
    #[test]
    fn read_does_not_block_on_a_fifo_or_read_a_device() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p.avsc");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if status.is_ok_and(|s| s.success()) {
            let e = SourceFile::read(&fifo).unwrap_err();
            assert!(e.to_string().contains("a FIFO"), "{e}");
        }
        let e = SourceFile::read(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
    }
}
