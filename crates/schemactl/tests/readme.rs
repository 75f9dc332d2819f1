//! The README's examples, run: every fenced block marked `<!-- readme-test: NAME -->` is the
//! output (or the command) of one scenario below, and must be what `schemactl` prints today.
//! In an expected block a line `...` stands for any number of lines; a first line `$ CMD` is
//! the command the scenario runs. A marker without a scenario, or a scenario without its
//! marker, fails the test, so an example can neither rot nor be dropped silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: the social-commerce workspace.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MARKER: &str = "<!-- readme-test: ";

/// The marked blocks of the README, by name, dedented.
fn blocks() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim().strip_prefix(MARKER) else {
            continue;
        };
        let name = rest.trim_end_matches("-->").trim().to_string();
        let fence = lines.next().expect("a fenced block after the marker");
        let indent = fence.len() - fence.trim_start().len();
        assert!(fence.trim().starts_with("```"), "{name}: no fence: {fence}");
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            body.push_str(l.get(indent..).unwrap_or(l.trim_start()));
            body.push('\n');
        }
        assert!(out.insert(name.clone(), body).is_none(), "{name} twice");
    }
    out
}

/// Whether `actual` has `expected`'s lines in order, each `...` skipping any number of lines;
/// trailing spaces are ignored. The error shows both.
fn assert_shows(name: &str, expected: &str, actual: &str) {
    let want: Vec<&str> = expected.lines().map(str::trim_end).collect();
    let got: Vec<&str> = actual.lines().map(str::trim_end).collect();
    if fits(&want, &got) {
        return;
    }
    panic!(
        "README example `{name}` is stale.\n--- README\n{expected}--- schemactl printed\n{actual}"
    );
}

fn fits(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"...", rest)) => (0..=got.len()).any(|i| fits(rest, &got[i..])),
        Some((w, rest)) => got.first() == Some(w) && fits(rest, &got[1..]),
    }
}

/// A copy of a workspace (the repository root or an example) in a temp dir: its
/// `schemactl.toml` and schema directory.
fn copy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["schemactl.toml", "schemas"] {
        let src = from.join(name);
        if src.is_file() {
            std::fs::copy(&src, dir.path().join(name)).expect("copy");
        } else if src.is_dir() {
            copy_dir(&src, &dir.path().join(name));
        }
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Replaces the first `find` in `dir/file` (which must hold it).
fn edit(dir: &Path, file: &str, find: &str, replace: &str) {
    let p = dir.join(file);
    let t = std::fs::read_to_string(&p).expect("read");
    assert!(t.contains(find), "{file} has no {find}");
    std::fs::write(&p, t.replacen(find, replace, 1)).expect("write");
}

/// Runs schemactl in `dir` with `args`, plain, and returns its exit code and stdout.
fn schemactl(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .current_dir(dir)
        .args(args)
        .args(["--color", "never"])
        .env_remove("SCHEMA_REGISTRY_URL")
        .output()
        .expect("run schemactl");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// The command on a block's `$ ` first line, split as a shell would split these simple lines
/// (`\` continuations joined, `#` comments dropped), without the leading `schemactl`.
fn command(block: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for l in block.lines() {
        let l = l.split(" #").next().unwrap_or("").trim_end();
        lines.push(l.trim_end_matches('\\'));
        if !l.ends_with('\\') {
            break;
        }
    }
    let joined = lines.join(" ");
    let words: Vec<String> = joined
        .trim_start_matches("$ ")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(
        words.first().map(String::as_str),
        Some("schemactl"),
        "{block}"
    );
    words[1..].to_vec()
}

/// The README's marked blocks, by name.
type Blocks = BTreeMap<String, String>;
/// A scenario: sets a workspace up, runs schemactl, returns what it printed.
type Scenario = fn(&Blocks) -> String;

/// The scenarios, by marker name.
fn scenarios() -> BTreeMap<&'static str, Scenario> {
    let mut s: BTreeMap<&'static str, Scenario> = BTreeMap::new();
    s.insert("first-publish", first_publish);
    s.insert("lint-field-name-case", lint_field_name_case);
    s.insert("compat-command", |_| String::new());
    s.insert("compat-output", compat_output);
    s.insert("check-breaking", check_breaking);
    s.insert("version-bump-integer", version_bump_integer);
    s.insert("version-bump-semver", version_bump_semver);
    s
}

fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

fn first_publish(_: &Blocks) -> String {
    let ws = copy(&root());
    let (code, out) = schemactl(ws.path(), &["publish"]);
    assert_eq!(code, 0, "{out}");
    let (code, again) = schemactl(ws.path(), &["publish"]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(
        again.matches("unchanged (already registered)").count(),
        8,
        "{again}"
    );
    out
}

fn lint_field_name_case(_: &Blocks) -> String {
    let ws = copy(&root());
    edit(
        ws.path(),
        "schemas/order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "itemCount", "type": "int""#,
    );
    let (code, out) = schemactl(ws.path(), &["lint", "schemas"]);
    assert_eq!(code, 1, "{out}");
    out
}

/// A registered order schema, a second registered version (a doc edit) and a new one with a
/// required `channel` field in `OrderCreated`, laid out as the README's compat command names
/// them.
fn compat_output(blocks: &Blocks) -> String {
    let ws = copy(&root());
    let d = ws.path();
    for sub in ["new", "registered"] {
        std::fs::create_dir_all(d.join(sub)).expect("mkdir");
    }
    let order = std::fs::read_to_string(d.join("schemas/order.avsc")).expect("order");
    std::fs::write(d.join("registered/order-v1.avsc"), &order).expect("write");
    let v2 = order.replacen("Number of line items.", "How many line items.", 1);
    assert_ne!(v2, order);
    std::fs::write(d.join("registered/order-v2.avsc"), &v2).expect("write");
    std::fs::write(d.join("new/order.avsc"), &v2).expect("write");
    edit(
        d,
        "new/order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "channel", "type": "string", "doc": "Sales channel."},
          {"name": "item_count", "type": "int""#,
    );
    let args = command(&blocks["compat-command"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = schemactl(d, &args);
    assert_eq!(code, 1, "{out}");
    out
}

/// The workspace published, then a required `gift_note` added to `OrderCreated`.
fn check_breaking(blocks: &Blocks) -> String {
    let ws = copy(&root());
    let (code, out) = schemactl(ws.path(), &["publish"]);
    assert_eq!(code, 0, "{out}");
    edit(
        ws.path(),
        "schemas/order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "gift_note", "type": "string", "doc": "Gift note."},
          {"name": "item_count", "type": "int""#,
    );
    let args = command(&blocks["check-breaking"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = schemactl(ws.path(), &args);
    assert_eq!(code, 1, "{out}");
    format!("$ schemactl {}\n{out}", args.join(" "))
}

/// The workspace published, then an optional field added without raising `schema_version`.
fn version_bump_integer(_: &Blocks) -> String {
    let ws = copy(&root());
    let (code, out) = schemactl(ws.path(), &["publish"]);
    assert_eq!(code, 0, "{out}");
    edit(
        ws.path(),
        "schemas/order.avsc",
        r#"{"name": "item_count", "type": "int""#,
        r#"{"name": "gift_note", "type": ["null", "string"], "default": null, "doc": "Gift note."},
          {"name": "item_count", "type": "int""#,
    );
    let (code, out) = schemactl(ws.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    out
}

/// The product workspace published, then an optional field added to `ProductDeleted` with
/// `"version": "1.0.0"` left as it is.
fn version_bump_semver(_: &Blocks) -> String {
    let ws = copy(&root().join("examples/product-events"));
    let (code, out) = schemactl(ws.path(), &["publish"]);
    assert_eq!(code, 0, "{out}");
    let file = "schemas/product_event.avsc";
    let text = std::fs::read_to_string(ws.path().join(file)).expect("read");
    let at = text
        .find(r#""name": "ProductDeleted""#)
        .expect("ProductDeleted");
    let fields = at + text[at..].find(r#""fields": ["#).expect("fields") + r#""fields": ["#.len();
    let mut new = text.clone();
    new.insert_str(
        fields,
        r#"
        {"name": "note", "type": ["null", "string"], "default": null, "doc": "A note for the catalogue team."},"#,
    );
    std::fs::write(ws.path().join(file), new).expect("write");
    let (code, out) = schemactl(ws.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    out
}

#[test]
fn every_marked_readme_example_is_what_schemactl_prints() {
    let blocks = blocks();
    let scenarios = scenarios();
    let marked: Vec<&str> = blocks.keys().map(String::as_str).collect();
    let known: Vec<&str> = scenarios.keys().copied().collect();
    assert_eq!(marked, known, "README markers and scenarios differ");
    let mut stale = Vec::new();
    for (name, run) in &scenarios {
        if *name == "compat-command" {
            continue; // run by compat-output
        }
        let actual = run(&blocks);
        let expected = &blocks[*name];
        let r = std::panic::catch_unwind(|| assert_shows(name, expected, &actual));
        if let Err(e) = r {
            stale.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| name.to_string()),
            );
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n\n"));
}

#[test]
fn the_line_matcher_skips_with_dots_only() {
    assert!(fits(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(fits(&["a", "..."], &["a"]));
    assert!(!fits(&["a", "d"], &["a", "b", "d"]));
    assert!(!fits(&["a"], &["a", "b"]));
}
