//! What the server refuses to serve: a damaged registry file (checked whole at start), an
//! empty one (unless `--init`), a file on a read-only mount (said so); and the work a
//! schema's references may cost (repeats and depth counted), refused fast.

use super::harness::{request, runtime, Serve};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::{RegisterOptions, Registry, SchemaDef};
use serde_json::json;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// `registry serve` on `db` that should refuse to start: its exit code and stderr.
fn refused(db: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .args(["registry", "serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(extra)
        .env_remove("SCHEMACTL_SERVE_BASIC_AUTH")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A registry file holding `n` subjects, closed (checkpointed) so the file has it all.
fn filled(db: &Path, n: usize) {
    let reg = EmbeddedRegistry::open(db).unwrap();
    runtime().block_on(async {
        for i in 0..n {
            let doc = "d".repeat(400);
            let s = format!(
                r#"{{"type":"record","name":"R{i}","doc":"{doc}","fields":[{{"name":"f","type":"string"}}]}}"#
            );
            reg.register(
                &format!("s{i}-value"),
                &SchemaDef::avro(s),
                RegisterOptions::default(),
            )
            .await
            .unwrap();
        }
    });
}

#[test]
fn a_damaged_file_is_refused_at_start_with_what_sqlite_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    filled(&db, 300);
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 64 << 10, "{len}");
    // 8 KiB of garbage in the middle of the file.
    let mut f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.seek(SeekFrom::Start(len / 2 / 4096 * 4096)).unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    f.write_all(&garbage).unwrap();
    f.sync_all().unwrap();
    drop(f);
    let (code, err) = refused(&db, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(err.contains("restore it"), "{err}");
}

#[test]
fn an_empty_file_is_refused_unless_init_and_a_missing_one_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    std::fs::write(&db, b"").unwrap();
    let (code, err) = refused(&db, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is empty (0 bytes)") && err.contains("--init"),
        "{err}"
    );
    let srv = Serve::spawn(&db, &["--init"], &[]).ready();
    assert_eq!(request(srv.addr, "GET", "/subjects", None).status, 200);
    drop(srv);
    let fresh = dir.path().join("new.db");
    let srv = Serve::spawn(&fresh, &[], &[]).ready();
    assert_eq!(request(srv.addr, "GET", "/subjects", None).status, 200);
    assert!(
        srv.stderr().contains("created a new registry"),
        "{}",
        srv.stderr()
    );
}

#[test]
fn a_registry_on_a_read_only_mount_says_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("ro");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: cannot mount a read-only tmpfs (needs root) for this test"
        );
        eprintln!("skipped: cannot mount a read-only tmpfs here");
        return;
    }
    let (code, err) = refused(&mnt.join("registry.db"), &[]);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn reference_amplification_is_refused_fast() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let base =
        json!({"schema": r#"{"type":"record","name":"Base","namespace":"sc.t","fields":[]}"#});
    let r = request(
        srv.addr,
        "POST",
        "/subjects/base/versions",
        Some(base.to_string().as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // One body naming the same reference ~60,000 times (under the 4 MiB limit).
    let one = json!({"name": "sc.t.Base", "subject": "base", "version": 1});
    let refs: Vec<_> = std::iter::repeat_n(one, 60_000).collect();
    let body = json!({
        "schema": r#"{"type":"record","name":"Top","namespace":"sc.t","fields":[{"name":"b","type":"sc.t.Base"}]}"#,
        "references": refs,
    })
    .to_string();
    assert!(body.len() < 4 << 20, "{}", body.len());
    let started = Instant::now();
    let r = request(
        srv.addr,
        "POST",
        "/subjects/top/versions",
        Some(body.as_bytes()),
    );
    r.confluent_error(422, 42201);
    assert!(r.text().contains("references"), "{}", r.text());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A chain deeper than the depth limit (32): each level references the one below.
    let mut refused_at = None;
    for level in 1..=40 {
        let name = format!("L{level}");
        let (fields, refs) = if level == 1 {
            ("[]".to_string(), json!([]))
        } else {
            (
                format!(r#"[{{"name":"below","type":"sc.t.L{}"}}]"#, level - 1),
                json!([{"name": format!("sc.t.L{}", level - 1), "subject": format!("l{}", level - 1), "version": 1}]),
            )
        };
        let body = json!({
            "schema": format!(r#"{{"type":"record","name":"{name}","namespace":"sc.t","fields":{fields}}}"#),
            "references": refs,
        });
        let r = request(
            srv.addr,
            "POST",
            &format!("/subjects/l{level}/versions"),
            Some(body.to_string().as_bytes()),
        );
        if r.status != 200 {
            r.confluent_error(422, 42201);
            assert!(
                r.text().contains("nested more than 32 deep"),
                "{}",
                r.text()
            );
            refused_at = Some(level);
            break;
        }
    }
    assert_eq!(
        refused_at,
        Some(34),
        "32 levels of references below the schema are allowed"
    );
}

#[test]
fn bodies_read_as_confluent_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    // A value of the wrong type is 422 (Jackson's mapping error), bad JSON 400.
    let r = request(
        srv.addr,
        "POST",
        "/subjects/t/versions",
        Some(br#"{"schema": {"type": "string"}}"#),
    );
    r.confluent_error(422, 422);
    let r = request(
        srv.addr,
        "POST",
        "/subjects/t/versions",
        Some(b"{\"schema\": "),
    );
    r.confluent_error(400, 400);
    let r = request(
        srv.addr,
        "PUT",
        "/config",
        Some(br#"{"compatibility": ["NONE"]}"#),
    );
    r.confluent_error(422, 422);
    // Unknown fields are ignored, as Confluent's request classes do
    // (@JsonIgnoreProperties(ignoreUnknown = true)).
    let r = request(
        srv.addr,
        "POST",
        "/subjects/t/versions",
        Some(br#"{"schema": "\"string\"", "schemaTagsToAdd": [], "madeUp": 1}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // OPTIONS is answered with the methods the route takes, as Jersey does.
    let r = request(srv.addr, "OPTIONS", "/subjects/t/versions", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let allow = r
        .head
        .lines()
        .find_map(|l| l.strip_prefix("allow: "))
        .unwrap_or_else(|| panic!("no Allow header: {}", r.head));
    for m in ["get", "post", "options"] {
        assert!(allow.contains(m), "{allow}");
    }
    assert!(
        !r.head.contains("access-control-allow-origin"),
        "{}",
        r.head
    );
}
