//! Validity differential: which schema texts our parser accepts against which Java Avro
//! 1.12.1's `Schema.Parser` (default validation, as Confluent Schema Registry parses) accepts,
//! on seeded generated schemas, valid, invalid and odd (see `validity_gen::schemas`). The
//! verdicts must be identical.
//!
//! The oracle is `compat-tests/oracle/JavaValidity.java`, compiled by `scripts/oracle.sh`, whose
//! classpath (last line of its output) goes in `SC_ORACLE_CP`; without it the test is skipped,
//! except on CI (`CI=true`), where it fails. `SC_VALIDITY_CASES` sets the number of cases
//! (default 5,000), `SC_VALIDITY_SEED` the seed (default 1). Every disagreement is written to
//! `target/differential/validity-disagreements.jsonl` (every case with both verdicts to
//! `validity-cases.jsonl`); a summary line is printed.

mod validity_gen;

use sc_events_schema::model::parse_files;
use sc_events_schema::source::SourceFile;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn env_u64(key: &str, default: u64) -> u64 {
    match std::env::var(key) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{key} must be a number, got {v:?}")),
        Err(_) => default,
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs JavaValidity once over every case (one JSON line each way).
fn java_verdicts(cp: &str, texts: &[String]) -> Vec<Value> {
    let input: String = texts
        .iter()
        .enumerate()
        .map(|(id, t)| json!({"id": id, "texts": [t]}).to_string() + "\n")
        .collect();
    let mut child = Command::new("java")
        .current_dir(workspace_root())
        .args(["-cp", cp, "JavaValidity"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("java starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("JavaValidity runs");
    writer
        .join()
        .expect("writer thread")
        .expect("JavaValidity reads its input");
    assert!(
        out.status.success(),
        "JavaValidity failed: {:?}",
        out.status
    );
    let verdicts: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JavaValidity prints JSON lines"))
        .collect();
    assert_eq!(verdicts.len(), texts.len(), "one verdict per case");
    for (i, v) in verdicts.iter().enumerate() {
        assert_eq!(v["id"], json!(i), "verdicts in order");
    }
    verdicts
}

/// Our verdict: `Ok(())` or the first error (a panic counts as an error and is reported).
fn ours(text: &str) -> Result<(), String> {
    let text = text.to_string();
    match std::panic::catch_unwind(move || parse_files(vec![SourceFile::new("gen.avsc", text)])) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(errors)) => Err(errors
            .first()
            .map_or("error without a diagnostic".into(), |e| e.message.clone())),
        Err(_) => Err("PANIC".into()),
    }
}

fn run() {
    let Ok(cp) = std::env::var("SC_ORACLE_CP") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "SC_ORACLE_CP is not set on CI: run through scripts/test.sh"
        );
        eprintln!("SKIPPED: SC_ORACLE_CP not set (run `bash scripts/test.sh`, or export the last line of `bash scripts/oracle.sh`)");
        return;
    };
    let n = env_u64("SC_VALIDITY_CASES", 5_000);
    let seed = env_u64("SC_VALIDITY_SEED", 1);
    let cases: Vec<validity_gen::schemas::Case> = (0..n)
        .map(|i| validity_gen::schemas::case(seed.wrapping_mul(1_000_003).wrapping_add(i)))
        .collect();
    let texts: Vec<String> = cases.iter().map(|c| c.text.clone()).collect();
    let java = java_verdicts(&cp, &texts);

    let mut disagreements = Vec::new();
    let mut all = String::new();
    let (mut java_ok, mut our_ok, mut panics) = (0usize, 0usize, 0usize);
    // Per category: [cases, accepted by Java].
    let mut by_tag: BTreeMap<&str, [usize; 2]> = BTreeMap::new();
    for (i, (case, j)) in cases.iter().zip(&java).enumerate() {
        let java_accepts = j["ok"] == json!(true);
        let o = ours(&case.text);
        java_ok += usize::from(java_accepts);
        our_ok += usize::from(o.is_ok());
        panics += usize::from(o.as_ref().err().is_some_and(|e| e == "PANIC"));
        for t in &case.tags {
            let e = by_tag.entry(t).or_default();
            e[0] += 1;
            e[1] += usize::from(java_accepts);
        }
        let record = json!({
            "case": i, "seed": seed, "tags": case.tags, "text": case.text,
            "java": if java_accepts { json!("accepts") } else { j["error"].clone() },
            "ours": match &o { Ok(()) => json!("accepts"), Err(e) => json!(e) },
        });
        all.push_str(&(record.to_string() + "\n"));
        if java_accepts != o.is_ok() || o.as_ref().err().is_some_and(|e| e == "PANIC") {
            disagreements.push(record);
        }
    }
    let dir = workspace_root().join("target/differential");
    std::fs::create_dir_all(&dir).expect("target/differential");
    std::fs::write(dir.join("validity-cases.jsonl"), all).expect("write cases");
    let lines: String = disagreements.iter().map(|d| d.to_string() + "\n").collect();
    std::fs::write(dir.join("validity-disagreements.jsonl"), lines).expect("write disagreements");
    // Written by hand to keep the keys in this order.
    let summary = format!(
        r#"{{"cases":{n},"seed":{seed},"accepted_by_java":{java_ok},"accepted_by_us":{our_ok},"disagreements":{},"panics":{panics}}}"#,
        disagreements.len()
    );
    println!("{summary}");
    let tags: Vec<String> = by_tag
        .iter()
        .map(|(t, [c, a])| format!("{t}:{a}/{c}"))
        .collect();
    println!(
        "validity categories (accepted by Java/cases): {}",
        tags.join(" ")
    );
    let first: Vec<String> = disagreements.iter().take(5).map(Value::to_string).collect();
    assert!(
        disagreements.is_empty(),
        "{} disagreements with Java (all in target/differential/validity-disagreements.jsonl); first:\n{}",
        disagreements.len(),
        first.join("\n")
    );
    // The mix must stay meaningful: plenty of both verdicts.
    assert!(
        java_ok * 5 >= texts.len() && java_ok * 5 <= texts.len() * 4,
        "acceptance rate out of 20%..80%: {summary}"
    );
}

#[test]
fn parser_accepts_exactly_what_java_accepts() {
    // Like the server's parsing threads: 8 MiB of stack (the cases reach Jackson's depth limit).
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(run)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}
