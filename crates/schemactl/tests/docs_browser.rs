//! `schemactl docs` checked in a real browser: the catalog of the social-commerce workspace
//! (published twice, so a subject has a history with a diff) and of the FlowOps workspace is
//! opened page by page from `file://` in headless Chromium (tests/browser/check_site.cjs,
//! through playwright-core): no console error, no failed request, every link and anchor
//! resolves, the search finds an event and its hit opens, and screenshots of the index, a
//! search and an event page are written to `target/docs-screenshots/<workspace>/`.
//!
//! Needs Debian's `chromium`, Node.js and playwright-core (scripts/test.sh installs them, the
//! package into `target/browser-tests`): under `CI=true` their absence fails the test.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::workspace::{schemactl, social_commerce};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The browser, Node.js and playwright-core, or why not.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let package = std::env::var("PLAYWRIGHT_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/browser-tests/node_modules/playwright-core"));
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing = match (chromium.is_file(), node, package.is_dir()) {
        (false, _, _) => Some(format!(
            "no browser at {} (apt-get install chromium)",
            chromium.display()
        )),
        (_, false, _) => Some("no node on PATH".to_string()),
        (_, _, false) => Some(format!(
            "no playwright-core at {} (scripts/test.sh installs it)",
            package.display()
        )),
        _ => None,
    };
    if let Some(msg) = missing {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{msg}");
        eprintln!("skipped: {msg}");
        return None;
    }
    Some((chromium, package))
}

/// Checks the site at `site` in Chromium; screenshots go to `target/docs-screenshots/NAME`.
fn check(name: &str, site: &Path, event_page: &str, query: &str) -> Value {
    let (chromium, package) = browser().expect("checked by the caller");
    let shots = repo().join("target/docs-screenshots").join(name);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_site.cjs");
    let out = Command::new("node")
        .arg(script)
        .arg(site)
        .arg(&shots)
        .args([event_page, query])
        .env("PLAYWRIGHT_CORE", package)
        .env("CHROMIUM", chromium)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the checker's JSON");
    let html_files = walk(site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count();
    assert_eq!(
        report["pages"], html_files as u64,
        "every page loaded: {report}"
    );
    assert_eq!(report["errors"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["broken"], serde_json::json!([]), "{report:#}");
    assert!(
        report["links"].as_u64().unwrap() >= html_files as u64 * 3,
        "{report}"
    );
    for shot in report["shots"].as_array().unwrap() {
        let len = std::fs::metadata(shot.as_str().unwrap())
            .expect("a screenshot")
            .len();
        assert!(len > 10_000, "{shot} is {len} bytes");
    }
    report
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_social_commerce_catalog_works_in_chromium() {
    if browser().is_none() {
        return;
    }
    let ws = social_commerce(true);
    // A second version of the order subject: an optional field added.
    let order = ws.path().join("schemas/order.avsc");
    let text = std::fs::read_to_string(&order).unwrap();
    let field = r#"{"name": "order_number", "type": "string""#;
    let added = r#"{"name": "coupon_code", "type": ["null", "string"], "default": null, "doc": "Coupon the customer applied, if any."},
          "#;
    std::fs::write(&order, text.replacen(field, &format!("{added}{field}"), 1)).unwrap();
    std::fs::write(
        &order,
        std::fs::read_to_string(&order).unwrap().replacen(
            "\"schema_version\": 2",
            "\"schema_version\": 3",
            1,
        ),
    )
    .unwrap();
    schemactl(ws.path(), &["publish"]);
    let site = ws.path().join("site");
    schemactl(
        ws.path(),
        &["docs", "--out", "site", "--title", "social-commerce"],
    );

    // The pages say what the issue asks for, before the browser looks at them.
    let page = |p: &str| std::fs::read_to_string(site.join(p)).unwrap();
    let topic = page("topics/sc.domain.order.html");
    assert!(
        topic.contains("version 2 (schema id"),
        "the history lists version 2"
    );
    assert!(
        topic.contains("<span class=\"add\">+ "),
        "a diff between the versions"
    );
    assert!(topic.contains("coupon_code"), "the added field in the diff");
    let event = page("events/user.contact_registered.html");
    assert!(
        event.contains("<span class=\"pii\">EMAIL</span>"),
        "PII marks"
    );
    assert!(
        event.contains("<dd class=\"tier RESTRICTED\">RESTRICTED</dd>"),
        "the tier"
    );
    let created = page("events/order.created.html");
    assert!(created.contains("^[A-Z]{3}$"), "constraints");
    assert!(
        created.contains("proj-order-summaries"),
        "the consumers that read it"
    );
    let index = page("index.html");
    assert!(index.contains("<svg class=\"graph\""), "the picture");
    for p in walk(&site) {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            !text.contains("src=\"http") && !text.contains("href=\"http"),
            "{} loads nothing from outside",
            p.display()
        );
    }

    let report = check(
        "social-commerce",
        &site,
        "events/order.created.html",
        "order.created",
    );
    let hits = report["search"].as_array().unwrap();
    assert_eq!(hits[0], "events/order.created.html", "{report}");
    assert_eq!(
        report["search_opened"], "events/order.created.html",
        "{report}"
    );
}

#[test]
fn the_flowops_catalog_works_in_chromium() {
    if browser().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("embedded:{}", dir.path().join("registry.db").display());
    let flowops = repo().join("examples/flowops");
    schemactl(&flowops, &["publish", "--against", &db]);
    let site = dir.path().join("site");
    let site_arg = site.display().to_string();
    schemactl(&flowops, &["docs", "--against", &db, "--out", &site_arg]);
    let events: Vec<PathBuf> = walk(&site.join("events"));
    assert!(!events.is_empty(), "an event page");
    let first = events
        .iter()
        .map(|p| p.strip_prefix(&site).unwrap().display().to_string())
        .min()
        .unwrap();
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("flowops-events event catalog"),
        "titled by the workspace's crate"
    );
    let report = check("flowops", &site, &first, "ORDER_CREATED");
    assert_eq!(report["search"][0], "events/ORDER_CREATED.html", "{report}");
}
