//! The mistakes schema authors really make, one per test, run through the real `schemactl` on a
//! temporary copy of a workspace: each asserts the exit code, the diagnostic code, the
//! `file:line:col` the human output points at, and the fix it suggests.
//!
//! Exit codes: 0 clean; 1 findings (lint, incompatible change, policy, an invalid Avro schema);
//! 2 usage, configuration, I/O and registry errors, and files that are not syntactically valid
//! JSON, TOML or YAML (`PARSE`), in every command.
//!
//! Here the social-commerce workspace (the repository's `schemas/`); in `examples` the three
//! example workspaces.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[path = "../../../../tests/support/git.rs"]
mod git;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// The workspace a mistake is made in.
#[derive(Clone, Copy)]
enum Ws {
    /// `schemas/` of the repository root, copied to `T/schemas/`.
    SocialCommerce,
    /// `examples/NAME` without its Rust crate (`src`, `tests`, `Cargo.toml`, `build.rs`).
    Example(&'static str),
    /// No workspace at all.
    Empty,
}

/// What happens to the unedited copy before the edits.
#[derive(Clone, Copy)]
enum Before {
    Nothing,
    /// `publish --against embedded:reg.db`: the registered history the edit is checked against.
    Publish,
    /// `git init` and a commit of everything.
    GitCommit,
}

/// One mistake: `edits` (`file`, `find`, `replace`, paths from the workspace root) turn the
/// copy into the mistaken one, then `schemactl --color never ARGS` runs in `cwd`.
struct Mistake {
    name: &'static str,
    workspace: Ws,
    before: Before,
    edits: &'static [(&'static str, &'static str, &'static str)],
    cwd: &'static str,
    args: &'static [&'static str],
    exit: i32,
    /// Substrings of stdout + stderr: the diagnostic, its `--> file:line:col`, its fix.
    expect: &'static [&'static str],
    /// The first line starting with `error` starts with this (when not empty).
    first: &'static str,
    /// Must not appear.
    reject: &'static [&'static str],
    /// Paths (from the workspace root) that must not exist afterwards.
    absent: &'static [&'static str],
    /// With the edits undone: these arguments, their exit code and substrings.
    undone: Option<(&'static [&'static str], i32, &'static [&'static str])>,
}

const M: Mistake = Mistake {
    name: "",
    workspace: Ws::SocialCommerce,
    before: Before::Nothing,
    edits: &[],
    cwd: "",
    args: &["lint"],
    exit: 1,
    expect: &[],
    first: "",
    reject: &[],
    absent: &[],
    undone: None,
};

const CHECK: &[&str] = &["check", "--against", "embedded:reg.db"];

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("name");
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(name), &[]);
        } else {
            std::fs::copy(&p, to.join(name)).expect("copy");
        }
    }
}

fn schemactl(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("NO_COLOR")
        // git's own words, in English.
        .env("LC_ALL", "C");
    c
}

/// Exit code and stdout followed by stderr.
fn output(c: &mut Command) -> (i32, String) {
    let o = c.output().expect("run schemactl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap_or(-1), text)
}

fn run(m: &Mistake) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path();
    match m.workspace {
        Ws::SocialCommerce => copy_dir(&Path::new(ROOT).join("schemas"), &ws.join("schemas"), &[]),
        Ws::Example(name) => copy_dir(
            &Path::new(ROOT).join("examples").join(name),
            ws,
            &["target", "src", "Cargo.toml", "build.rs", "tests"],
        ),
        Ws::Empty => {}
    }
    match m.before {
        Before::Nothing => {}
        Before::Publish => {
            let (code, text) = output(&mut schemactl(
                ws,
                &["-q", "publish", "--against", "embedded:reg.db"],
            ));
            assert_eq!(code, 0, "{}: publish of the unedited copy: {text}", m.name);
        }
        Before::GitCommit => {
            git::git(ws, &["init", "-q"]);
            git::git(ws, &["add", "."]);
            git::git(ws, &["commit", "-qm", "baseline"]);
        }
    }
    let mut originals = Vec::new();
    for &(file, find, replace) in m.edits {
        let p = ws.join(file);
        let t = std::fs::read_to_string(&p).expect("read");
        assert!(t.contains(find), "{}: {find:?} not in {file}", m.name);
        std::fs::write(&p, t.replacen(find, replace, 1)).expect("write");
        originals.push((p, t));
    }

    let (code, text) = output(&mut schemactl(&ws.join(m.cwd), m.args));
    let mut wrong = Vec::new();
    if code != m.exit {
        wrong.push(format!("exit {code}, expected {}", m.exit));
    }
    for e in m.expect.iter().filter(|e| !text.contains(**e)) {
        wrong.push(format!("missing {e:?}"));
    }
    for r in m.reject.iter().filter(|r| text.contains(**r)) {
        wrong.push(format!("has {r:?}"));
    }
    for a in m.absent.iter().filter(|a| ws.join(a).exists()) {
        wrong.push(format!("{a} exists"));
    }
    let first = text.lines().find(|l| l.starts_with("error"));
    if !m.first.is_empty() && !first.is_some_and(|l| l.starts_with(m.first)) {
        wrong.push(format!("first error is {first:?}, expected {:?}", m.first));
    }
    assert!(
        wrong.is_empty(),
        "{}: schemactl {}\n  {}\n--- output ---\n{text}",
        m.name,
        m.args.join(" "),
        wrong.join("\n  ")
    );

    if let Some((args, exit, expect)) = m.undone {
        for (p, t) in originals {
            std::fs::write(p, t).expect("restore");
        }
        let (code, text) = output(&mut schemactl(ws, args));
        assert_eq!(code, exit, "{}: with the edit undone: {text}", m.name);
        let missing: Vec<_> = expect.iter().filter(|e| !text.contains(**e)).collect();
        assert!(
            missing.is_empty(),
            "{}: undone, no {missing:?}: {text}",
            m.name
        );
    }
}

/// One `#[test]` per mistake, named after it: `name { field: value, ... }` over [`M`].
macro_rules! mistakes {
    ($($(#[$meta:meta])* $test:ident { $($field:ident: $value:expr),* $(,)? })*) => {$(
        $(#[$meta])*
        #[test]
        fn $test() {
            run(&Mistake { name: stringify!($test), $($field: $value,)* ..M });
        }
    )*};
}

mod examples;

// --- The social-commerce workspace (snake_case, integer schema_version).

const ORDER: &str = "schemas/order.avsc";
const ITEM_COUNT: &str = r#"{"name": "item_count", "type": "int""#;
const CAMEL: &[(&str, &str, &str)] =
    &[(ORDER, ITEM_COUNT, r#"{"name": "itemCount", "type": "int""#)];
const CAMEL_FOUND: [&str; 3] = [
    "error[FIELD_NAME_CASE]: field `itemCount` of OrderCreated is not snake_case",
    "--> schemas/order.avsc:21:20",
    "help: rename the field in the workspace's case and keep the old name in \"aliases\"",
];
const UUID_INT: &[(&str, &str, &str)] = &[(
    ORDER,
    ITEM_COUNT,
    r#"{"name": "x_id", "type": {"type": "int", "logicalType": "uuid"}, "doc": "An id.", "default": 0},
          {"name": "item_count", "type": "int""#,
)];
const UUID_INT_FOUND: [&str; 3] = [
    "error[LOGICAL_TYPE_VALID]: logicalType `uuid` does not apply to int",
    "--> schemas/order.avsc:21:67",
    "uuid: string",
];
const CURRENCY: &str = r#"{"name": "currency", "type": "string""#;
const COMPATIBLE: &[(&str, &str, &str)] = &[(
    ORDER,
    CURRENCY,
    r#"{"name": "gift_note", "type": ["null", "string"], "default": null, "doc": "Gift note."},
          {"name": "currency", "type": "string""#,
)];
const TRAILING_COMMA: &[(&str, &str, &str)] = &[(
    ORDER,
    "\"doc\": \"Status right after creation (normally PENDING).\"}\n",
    "\"doc\": \"Status right after creation (normally PENDING).\"},\n",
)];
/// A trailing comma: `PARSE`, exit 2 (not JSON at all), at the comma itself, saying so.
const TRAILING_COMMA_FOUND: [&str; 3] = [
    "error[PARSE]",
    "--> schemas/order.avsc:24:357",
    "trailing comma",
];
const ORDER_NUMBER: &str = r#"{"name": "order_number", "type": "string""#;
const STRNG: &[(&str, &str, &str)] = &[(
    ORDER,
    ORDER_NUMBER,
    r#"{"name": "order_number", "type": "strng""#,
)];
const STRNG_FOUND: [&str; 3] = [
    "error[SCHEMA]: unknown type",
    "--> schemas/order.avsc:19:44",
    "did you mean \"string\"?",
];
const NOT_POLICY: &[&str] = &["INCOMPATIBLE", "breaks consumer group"];

mistakes! {
    camel_case_field_lint { edits: CAMEL, expect: &CAMEL_FOUND }
    camel_case_field_check_refuses_before_the_registry {
        before: Before::Publish,
        edits: CAMEL,
        args: CHECK,
        expect: &[CAMEL_FOUND[0], CAMEL_FOUND[1], CAMEL_FOUND[2], "nothing was checked or registered"],
        undone: Some((CHECK, 0, &[
            "sc.domain.order-value      BACKWARD                     1  unchanged",
            "nothing breaks",
        ])),
    }
    uuid_on_an_int_lint { edits: UUID_INT, expect: &UUID_INT_FOUND }
    uuid_on_an_int_check {
        before: Before::Publish,
        edits: UUID_INT,
        args: CHECK,
        expect: &[UUID_INT_FOUND[0], UUID_INT_FOUND[1], UUID_INT_FOUND[2], "nothing was checked or registered"],
    }
    registry_file_typo {
        args: &["check", "--against", "embedded:typo.db"],
        exit: 2,
        expect: &["error: no embedded registry at typo.db", "publish creates it"],
        absent: &["typo.db"],
    }
    lint_from_inside_schemas_walks_up { edits: CAMEL, cwd: "schemas", expect: &CAMEL_FOUND }
    lint_outside_any_workspace {
        workspace: Ws::Empty,
        exit: 2,
        expect: &["error[WORKSPACE]", "is not a workspace", "pass --workspace DIR or --config FILE"],
    }
    required_field_added {
        before: Before::Publish,
        edits: &[(ORDER, CURRENCY, r#"{"name": "gift_note", "type": "string", "doc": "Gift note."},
          {"name": "currency", "type": "string""#)],
        args: CHECK,
        first: "error[READER_FIELD_MISSING_DEFAULT_VALUE]: field `gift_note` has no default",
        expect: &[
            "--> schemas/order.avsc:23:20",
            "help: add \"default\": null (type [\"null\", T]) or another default to the new field",
            "INCOMPATIBLE",
            "breaks consumer group sc.proj.order-summaries",
        ],
        reject: &["error[MISSING_UNION_BRANCH]"],
    }
    field_renamed_keeping_an_alias {
        before: Before::Publish,
        edits: &[(ORDER, ITEM_COUNT, r#"{"name": "line_count", "aliases": ["item_count"], "type": "int""#)],
        args: CHECK,
        expect: &[
            "error[FIELD_RENAMED]: field `item_count` was renamed to `line_count` (with an alias)",
            "--> schemas/order.avsc:21:20",
            "add an ignore entry with the reason",
            "REFUSED BY POLICY",
        ],
        reject: NOT_POLICY,
    }
    compatible_change_without_version_bump {
        before: Before::Publish,
        edits: COMPATIBLE,
        args: CHECK,
        expect: &[
            "error[VERSION_BUMP]: schema_version 2 → 2 is no bump, but the change needs a minor bump",
            "--> schemas/order.avsc:7:21",
            "help: raise the version attribute",
            "REFUSED BY POLICY",
        ],
        reject: NOT_POLICY,
    }
    unknown_git_ref {
        before: Before::GitCommit,
        args: &["check", "--against", "git:nosuchref"],
        exit: 2,
        expect: &["git:nosuchref: no such commit, branch or tag", "fatal: Needed a single revision"],
    }
    publish_to_a_git_baseline {
        before: Before::GitCommit,
        edits: &[
            (ORDER, CURRENCY, r#"{"name": "gift_note", "type": ["null", "string"], "default": null, "doc": "Gift note."},
          {"name": "currency", "type": "string""#),
            (ORDER, "\"schema_version\": 2,", "\"schema_version\": 3,"),
        ],
        args: &["publish", "--against", "git:HEAD"],
        exit: 2,
        expect: &[
            "git:HEAD is a read-only baseline, not a registry to publish to",
            "publish to embedded, embedded:PATH or http(s)://HOST:PORT",
        ],
        reject: &["registered"],
        absent: &[".registry"],
    }
    primitive_type_typo_lint { edits: STRNG, expect: &STRNG_FOUND }
    primitive_type_typo_check { before: Before::Publish, edits: STRNG, args: CHECK, expect: &STRNG_FOUND }
    /// An invalid Avro schema is a finding (1), in compat too.
    primitive_type_typo_compat {
        edits: STRNG,
        args: &["compat", "--ref", "schemas/envelope.avsc", "schemas/order.avsc"],
        expect: &STRNG_FOUND,
    }
    envelope_fullname_typo {
        edits: &[(ORDER, "\"sc.events.common.Envelope\"", "\"sc.events.common.Envelop\"")],
        expect: &[
            "error[SCHEMA]: unknown type \"sc.events.common.Envelop\"; did you mean \"sc.events.common.Envelope\"?",
            "--> schemas/order.avsc:9:34",
        ],
    }
    enum_default_typo {
        edits: &[(ORDER, r#""UNKNOWN"], "default": "UNKNOWN"}"#, r#""UNKNOWN"], "default": "UNKNOW"}"#)],
        expect: &[
            "error[SCHEMA]: enum default \"UNKNOW\" is not one of the symbols; did you mean \"UNKNOWN\"?",
            "--> schemas/order.avsc:24:288",
        ],
    }
    misspelt_default_key {
        edits: &[(ORDER, r#"["null", "string"], "default": null, "doc": "Id of the variant"#,
            r#"["null", "string"], "defualt": null, "doc": "Id of the variant"#)],
        expect: &[
            "error[MISSPELT_KEY]: unknown attribute \"defualt\": did you mean \"default\"?",
            "--> schemas/order.avsc:81:66",
            "help: spell the key as Avro does",
        ],
    }
    policy_rule_id_typo {
        before: Before::Publish,
        edits: &[("schemas/policy.toml", "disabled = []", "disabled = [\"FIELD_RENAMD\"]")],
        args: CHECK,
        exit: 2,
        expect: &[
            "schemas/policy.toml:12:13",
            "error[POLICY]: unknown policy rule \"FIELD_RENAMD\"; did you mean \"FIELD_RENAMED\"?",
        ],
    }
    duplicate_field {
        edits: &[(ORDER, r#"{"name": "total_cents", "type": "long""#, r#"{"name": "order_id", "type": "long""#)],
        expect: &[
            "error[SCHEMA]: duplicate field \"order_id\": first defined here at line 18, column 20",
            "--> schemas/order.avsc:22:20",
            "help: rename one of the two fields, or remove the copy",
        ],
    }
    trailing_comma_lint { edits: TRAILING_COMMA, exit: 2, expect: &TRAILING_COMMA_FOUND }
    trailing_comma_check {
        before: Before::Publish,
        edits: TRAILING_COMMA,
        args: CHECK,
        exit: 2,
        expect: &TRAILING_COMMA_FOUND,
    }
    trailing_comma_publish {
        before: Before::Publish,
        edits: TRAILING_COMMA,
        args: &["publish", "--against", "embedded:reg.db"],
        exit: 2,
        expect: &TRAILING_COMMA_FOUND,
    }
    trailing_comma_compat {
        edits: TRAILING_COMMA,
        args: &["compat", "--ref", "schemas/envelope.avsc", "schemas/order.avsc"],
        exit: 2,
        expect: &TRAILING_COMMA_FOUND,
    }
    trailing_comma_fmt_check {
        edits: TRAILING_COMMA,
        args: &["fmt", "--check"],
        exit: 2,
        expect: &TRAILING_COMMA_FOUND,
    }
    enum_symbol_removed {
        before: Before::Publish,
        edits: &[(ORDER, r#""SHIPPED", "DELIVERED""#, r#""DELIVERED""#)],
        args: CHECK,
        expect: &[
            "error[ENUM_SYMBOL_REMOVED]: enum OrderStatus lost symbol(s) SHIPPED",
            "--> schemas/order.avsc:24:129",
            "help: keep the symbol (document it as deprecated)",
            "REFUSED BY POLICY",
        ],
        reject: NOT_POLICY,
    }
    field_type_changed_long_to_string {
        before: Before::Publish,
        edits: &[("schemas/community.avsc", r#"{"name": "delta", "type": "long""#,
            r#"{"name": "delta", "type": "string""#)],
        args: CHECK,
        first: "error[TYPE_MISMATCH]: reader type: STRING not compatible with writer type: LONG",
        expect: &[
            "--> schemas/community.avsc:109:37",
            "help: keep the old type",
            "error[FIELD_TYPE_CHANGED]: field `delta` changed type from long to string",
            "--> schemas/community.avsc:109:20",
            "INCOMPATIBLE",
        ],
    }
    required_field_removed {
        before: Before::Publish,
        edits: &[(ORDER, "{\"name\": \"total_cents\", \"type\": \"long\", \"doc\": \"Order total, in minor units of currency.\"},\n", "")],
        args: CHECK,
        expect: &[
            "error[FIELD_REMOVED]: field `total_cents` was removed from OrderCreated",
            "--> schemas/order.avsc:13:17",
            "help: keep the field (document it as deprecated)",
            "REFUSED BY POLICY",
        ],
    }
    instant_without_timestamp_millis {
        edits: &[(ORDER, r#""confirmed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}"#,
            r#""confirmed_at", "type": "long""#)],
        expect: &[
            "error[TIMESTAMP_FIELD_TYPE]: field `confirmed_at` of OrderConfirmed is an instant",
            "--> schemas/order.avsc:73:44",
            r#"help: declare the field {"type": "long", "logicalType": "timestamp-millis"}"#,
        ],
    }
    field_without_doc {
        edits: &[(ORDER, r#", "doc": "Human-readable order number shown to the customer.""#, "")],
        expect: &[
            "error[DOC_REQUIRED]: field `order_number` of OrderCreated has no doc",
            "--> schemas/order.avsc:19:20",
            "help: add \"doc\"",
        ],
    }
}

#[test]
fn rules_into_a_pipe_closed_after_one_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut child = schemactl(tmp.path(), &["rules"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a line");
    assert!(!line.is_empty());
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
