//! Where every command's output goes, set once from the global flags: `--color`, `-q`, `-v`.
//!
//! Output is written, not `println!`ed: a closed pipe (`schemactl rules | head -1`) ends the
//! output quietly instead of panicking (exit 101); the command's own exit code stands. Colour
//! is decided per stream: `--color always`, `never`, or `auto` (the default): colour only when
//! that stream is a terminal and `NO_COLOR` is unset or empty. Only human diagnostics are ever
//! coloured. Every byte written passes [`mask_userinfo`]: a password in a registry URL,
//! wherever it came from (a flag, a variable, a file), never reaches stdout or stderr.

use sc_events_schema::diag::{render_with, Diagnostic, Format, RenderOptions, Style};
use sc_events_schema::redact::mask_userinfo;
use sc_events_schema::Level;
use std::io::{IsTerminal as _, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set (non-empty).
    #[default]
    Auto,
    Always,
    Never,
}

/// `-q` / `-v`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only: no progress, no summaries, no warnings.
    Quiet,
    #[default]
    Normal,
    /// Also what the command did: workspace, files read, registry, cluster, timing.
    Verbose,
}

#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    color: ColorChoice,
    verbosity: Verbosity,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();
/// Set once stdout was found closed: nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Sets the global flags (the first call wins).
pub fn init(color: ColorChoice, verbosity: Verbosity) {
    let _ = SETTINGS.set(Settings { color, verbosity });
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

pub fn quiet() -> bool {
    settings().verbosity == Verbosity::Quiet
}

pub fn verbose() -> bool {
    settings().verbosity == Verbosity::Verbose
}

/// The two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Whether `stream` gets colours.
pub fn style(stream: Stream) -> Style {
    let on = match settings().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            tty && !no_color
        }
    };
    if on {
        Style::Color
    } else {
        Style::Plain
    }
}

/// Diagnostics rendered for `stream` under the global flags: coloured when that stream is,
/// and, when quiet, the human format without warnings or the summary line (machine formats
/// are contracts and stay whole).
pub fn render(diags: &[Diagnostic], format: Format, stream: Stream, suite: &'static str) -> String {
    let options = RenderOptions {
        style: style(stream),
        summary: !quiet(),
        suite,
    };
    if quiet() && format == Format::Human {
        let errors: Vec<Diagnostic> = diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .cloned()
            .collect();
        return render_with(&errors, format, options);
    }
    render_with(diags, format, options)
}

/// Writes `text` (every URL's user info masked: no secret reaches any output) to stdout; a closed stdout (broken pipe, or any write error) ends stdout
/// output for the rest of the run without a panic. Returns whether it was written.
pub fn print(text: &str) -> bool {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return false;
    }
    let text = mask_userinfo(text);
    let mut out = std::io::stdout().lock();
    let ok = out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok();
    if !ok {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    ok
}

/// [`print`] with a newline.
pub fn println(text: &str) -> bool {
    print(&format!("{text}\n"))
}

/// Writes `text` to stderr, ignoring a closed stderr.
pub fn eprint(text: &str) {
    let text = mask_userinfo(text);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// An error line on stderr (`error: …`), at every verbosity.
pub fn error(msg: impl std::fmt::Display) {
    eprint(&format!("error: {msg}\n"));
}

/// A warning on stderr (`warning: …`), not when quiet.
pub fn warn(msg: impl std::fmt::Display) {
    if !quiet() {
        eprint(&format!("warning: {msg}\n"));
    }
}

/// A progress or status line on stderr, not when quiet.
pub fn info(msg: impl std::fmt::Display) {
    if !quiet() {
        eprint(&format!("{msg}\n"));
    }
}

/// What the command did (`schemactl: …` on stderr), only with `-v`.
pub fn detail(msg: impl std::fmt::Display) {
    if verbose() {
        eprint(&format!("schemactl: {msg}\n"));
    }
}
