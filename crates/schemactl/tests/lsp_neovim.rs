//! `schemactl lsp` in a real editor: Neovim's built-in LSP client (`nvim --headless`) drives
//! the server over a copy of the social-commerce workspace whose schemas are published to an
//! embedded registry first, so the gate runs too (tests/editors/neovim.lua does the editing
//! and records what Neovim received). Needs `nvim` (Debian's `neovim`, which
//! scripts/test.sh installs): under `CI=true` its absence fails the test.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn nvim() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("nvim"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let msg = "nvim is not installed (apt-get install neovim; scripts/test.sh does)";
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{msg}");
        eprintln!("skipped: {msg}");
    }
    found
}

fn run_neovim(nvim: &Path, ws: &Path) -> Value {
    let out = ws.join("observed.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/neovim.lua");
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("SC_WS", ws)
        .env("SC_BIN", env!("CARGO_BIN_EXE_schemactl"))
        .env("SC_OUT", &out)
        .current_dir(ws)
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&out).expect("nvim wrote what it observed");
    serde_json::from_str(&text).expect("json")
}

fn codes(step: &Value) -> Vec<&str> {
    step["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn neovim_sees_diagnostics_hover_definition_and_fixes() {
    let Some(nvim) = nvim() else { return };
    let ws = support::workspace::social_commerce(true);
    let seen = run_neovim(&nvim, ws.path());
    assert_eq!(seen["ok"], true, "the script failed: {}", seen["error"]);
    let steps = seen["steps"].as_array().expect("steps");
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name}: {seen:#}"))
    };

    // Opened as published: nothing to say.
    assert_eq!(codes(step("opened")), Vec::<&str>::new(), "{seen:#}");

    // Hover on a field: its type, its doc and the event that carries it, with its tier.
    let hover = seen["hover"].as_str().expect("a hover");
    assert!(
        hover.contains("**field** `order_number`: `string`"),
        "{hover}"
    );
    assert!(hover.contains("Human-readable order number"), "{hover}");
    assert!(
        hover.contains("order.created (INTERNAL) on sc.domain.order"),
        "{hover}"
    );

    // Go to definition across files: the envelope record in envelope.avsc.
    let def = &seen["definition"];
    let uri = def["uri"].as_str().expect("a location");
    assert!(uri.ends_with("/schemas/envelope.avsc"), "{def}");
    let envelope = std::fs::read_to_string(ws.path().join("schemas/envelope.avsc")).unwrap();
    let line = envelope
        .lines()
        .position(|l| l.contains("\"name\": \"Envelope\""))
        .expect("the envelope's name");
    assert_eq!(def["range"]["start"]["line"], line as u64, "{def}");

    // References: the definition and every domain's envelope field.
    let refs = seen["references"].as_array().expect("references");
    let files: std::collections::BTreeSet<&str> = refs
        .iter()
        .filter_map(|r| r["uri"].as_str())
        .filter_map(|u| u.rsplit('/').next())
        .collect();
    assert!(
        files.contains("envelope.avsc") && files.contains("order.avsc"),
        "{files:?}"
    );
    assert!(
        files.len() >= 8,
        "every domain file refers to the envelope: {files:?}"
    );

    // The gate's verdict arrives while typing, at the new field, and the quick fix clears it.
    let added = step("required field added");
    assert_eq!(added["arrived"], true, "{seen:#}");
    let gate = added["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "READER_FIELD_MISSING_DEFAULT_VALUE")
        .expect("the gate's finding");
    assert!(
        gate["message"].as_str().unwrap().contains("coupon_code"),
        "{gate}"
    );
    assert!(
        gate["message"].as_str().unwrap().contains("fix: "),
        "{gate}"
    );
    let actions = seen["code_actions"].as_array().expect("code actions");
    assert!(
        actions[0]
            .as_str()
            .unwrap()
            .starts_with("make `coupon_code` optional"),
        "{actions:?}"
    );
    let fixed = step("quick fix applied");
    assert_eq!(fixed["cleared"], true, "{seen:#}");
    for gone in [
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "FIELD_ADDED_WITHOUT_DEFAULT",
        "SCHEMA",
    ] {
        assert!(!codes(fixed).contains(&gone), "{fixed}");
    }
    assert!(
        fixed["line"]
            .as_str()
            .unwrap()
            .contains(r#""type": ["null", "string"], "default": null"#),
        "{fixed}"
    );

    // Completion of type names where a type is written.
    let labels = seen["completion"].as_array().expect("completion");
    assert!(
        labels.iter().any(|l| l == "sc.events.common.Envelope"),
        "{labels:?}"
    );

    // A syntax error is a PARSE diagnostic.
    let broken = step("syntax broken");
    assert_eq!(broken["arrived"], true, "{seen:#}");
    assert!(codes(broken).contains(&"PARSE"), "{broken}");

    // So is schemactl.toml, unsaved.
    let config = step("config broken");
    assert_eq!(config["arrived"], true, "{seen:#}");
    assert!(codes(config).contains(&"CONFIG"), "{config}");
}
