//! Hostile requests: subject names, bodies past the limit (streamed, not buffered), deeply
//! nested schemas, malformed HTTP, and the loopback default.

use super::harness::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn hostile_subject_names_get_clear_answers() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let body = register_body(r#""string""#);

    // Encoded slashes and dot-dot inside a name are just characters of the subject.
    let ok: &[(&str, &str)] = &[
        ("a%2Fb", "a/b"),
        ("..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"),
        ("a%2F..%2Fb", "a/../b"),
        ("...", "..."),
        ("%252F", "%2F"),
        ("sp%20ace", "sp ace"),
        ("%E6%97%A5%E6%9C%AC", "日本"),
    ];
    for (path, subject) in ok {
        let r = request(
            srv.addr,
            "POST",
            &format!("/subjects/{path}/versions"),
            Some(&body),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(r.json()["id"].as_i64().is_some(), "{path}: {}", r.text());
        let r = request(
            srv.addr,
            "GET",
            &format!("/subjects/{path}/versions/latest"),
            None,
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(r.json()["subject"], *subject, "{path}");
        assert_alive(&srv, path);
    }
    let mut want: Vec<String> = ok.iter().map(|(_, s)| s.to_string()).collect();
    want.sort();
    assert_eq!(subjects(&srv), want);
    // Nothing left the database: no file appeared next to it.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().all(|f| f.starts_with("r.db")),
        "unexpected files: {files:?}"
    );

    // `.` and `..` (plain or encoded), control characters, empty: 42208.
    // Over the subject limit (1 KiB), under the head limit (8 KiB).
    let long = "x".repeat(2 * 1024);
    let refused: Vec<String> = vec![
        "..".into(),
        ".".into(),
        "%2E%2E".into(),
        "%2e".into(),
        ".%2E".into(),
        "a%01b".into(),
        "%00".into(),
        "line%0Abreak".into(),
        "del%7F".into(),
        "tab%09".into(),
        "%C2%85next-line".into(),
        long.clone(),
    ];
    for path in &refused {
        let r = request(
            srv.addr,
            "POST",
            &format!("/subjects/{path}/versions"),
            Some(&body),
        );
        r.confluent_error(422, 42208);
        assert_alive(&srv, path);
    }
    // A path over the head limit is 431, as Jetty answers, before any route sees it.
    let huge = "x".repeat(10 * 1024);
    let r = request(
        srv.addr,
        "POST",
        &format!("/subjects/{huge}/versions"),
        Some(&body),
    );
    assert_eq!(r.status, 431, "{}", r.text());
    assert_alive(&srv, "a 10 KiB path");
    // Reading such subjects finds nothing, with a clipped message.
    let r = request(srv.addr, "GET", &format!("/subjects/{long}/versions"), None);
    r.confluent_error(404, 40401);
    // Config and mode writes validate too.
    for path in ["a%01b", "%2E%2E", long.as_str()] {
        let r = request(
            srv.addr,
            "PUT",
            &format!("/config/{path}"),
            Some(br#"{"compatibility":"NONE"}"#),
        );
        r.confluent_error(422, 42208);
        let r = request(
            srv.addr,
            "PUT",
            &format!("/mode/{path}"),
            Some(br#"{"mode":"READONLY"}"#),
        );
        r.confluent_error(422, 42208);
    }
    // An empty subject segment is not a subject route at all.
    let r = request(srv.addr, "POST", "/subjects//versions", Some(&body));
    assert!((400..500).contains(&r.status), "{}", r.status);
    // Bytes that are not UTF-8 once decoded.
    request(srv.addr, "POST", "/subjects/%FF%FE/versions", Some(&body)).confluent_error(400, 400);
    request(srv.addr, "GET", "/subjects/s/versions/%FF", None).confluent_error(400, 400);
    request(srv.addr, "GET", "/schemas/ids/%C0", None).confluent_error(400, 400);
    // A 100 KB subject: refused somewhere (URI too long or invalid subject), never a crash.
    let huge = "y".repeat(100 * 1024);
    let r = raw(
        srv.addr,
        format!("POST /subjects/{huge}/versions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len())
            .as_bytes(),
    );
    if let Some(r) = r {
        assert!((400..500).contains(&r.status), "{}", r.status);
    }
    assert_alive(&srv, "a 100 KB subject");
    assert_eq!(subjects(&srv), want, "no refused subject was registered");
}

/// Streams a `len`-byte body (Content-Length, or chunked) to a registration and reads what
/// comes back; `(answer, bytes the server took)`.
fn stream_body(addr: SocketAddr, path: &str, len: usize, chunked: bool) -> (Option<Resp>, usize) {
    let mut s = connect(addr);
    let head = if chunked {
        format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    } else {
        format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n")
    };
    s.write_all(head.as_bytes()).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 16];
        let mut sent = 0;
        while sent < len {
            let n = chunk.len().min(len - sent);
            let ok = if chunked {
                w.write_all(format!("{n:x}\r\n").as_bytes())
                    .and_then(|_| w.write_all(&chunk[..n]))
                    .and_then(|_| w.write_all(b"\r\n"))
            } else {
                w.write_all(&chunk[..n])
            };
            if ok.is_err() {
                break;
            }
            sent += n;
        }
        if chunked && sent == len {
            let _ = w.write_all(b"0\r\n\r\n");
        }
        sent
    });
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let _ = s.shutdown(std::net::Shutdown::Both);
    let sent = writer.join().unwrap();
    (parse_response(&out), sent)
}

#[test]
fn a_100_mb_body_is_refused_without_buffering_it() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    const HUNDRED_MB: usize = 100 << 20;
    for chunked in [false, true] {
        let started = Instant::now();
        let (resp, sent) = stream_body(srv.addr, "/subjects/big/versions", HUNDRED_MB, chunked);
        match resp {
            // 413 with Confluent's error body, or the connection closed on us.
            Some(r) => r.confluent_error(413, 413),
            None => eprintln!("chunked={chunked}: connection closed after {sent} bytes"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "chunked={chunked}: {:?}",
            started.elapsed()
        );
        assert_alive(&srv, "a 100 MB body");
    }
    assert!(subjects(&srv).is_empty());
    match srv.peak_rss() {
        Some(peak) => {
            eprintln!("server peak memory: {} MiB", peak >> 20);
            assert!(
                peak < 64 << 20,
                "the server's peak memory is {} MiB: it buffered the body",
                peak >> 20
            );
        }
        None if cfg!(target_os = "linux") => panic!("cannot read /proc/{}/status", srv.pid),
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("no way to measure the server's memory on this OS under CI")
        }
        None => eprintln!("peak memory not measured on this OS"),
    }
}

#[test]
fn the_body_limit_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::spawn(&dir.path().join("r.db"), &["--max-body-bytes", "1000"], &[]).ready();
    let doc = "d".repeat(2000);
    let big = register_body(&format!(r#"{{"type":"string","doc":"{doc}"}}"#));
    let r = request(srv.addr, "POST", "/subjects/s/versions", Some(&big));
    r.confluent_error(413, 413);
    let small = register_body(r#"{"type":"string","doc":"small"}"#);
    assert!(small.len() < 1000);
    let r = request(srv.addr, "POST", "/subjects/s/versions", Some(&small));
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Records nested `depth` deep, the innermost with `inner` fields.
fn nested_records(depth: usize, inner: &str) -> String {
    let mut s = String::new();
    for i in 0..depth {
        s.push_str(&format!(
            r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":"#
        ));
    }
    s.push_str(&format!(
        r#"{{"type":"record","name":"Leaf","fields":[{inner}]}}"#
    ));
    for _ in 0..depth {
        s.push_str("}]}");
    }
    s
}

fn nested_arrays(depth: usize, leaf: &str) -> String {
    format!(
        "{}{leaf}{}",
        r#"{"type":"array","items":"#.repeat(depth),
        "}".repeat(depth)
    )
}

#[test]
fn deeply_nested_schemas_are_refused_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    // Room for 100k levels of nested records.
    let srv = Serve::spawn(
        &dir.path().join("r.db"),
        &["--max-body-bytes", &(64usize << 20).to_string()],
        &[],
    )
    .ready();
    let hostile = [
        (
            "[[[…]]] ×100k",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        (
            "{{{…}}} ×100k",
            "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000),
        ),
        ("records ×100k", nested_records(100_000, "")),
        ("arrays ×100k", nested_arrays(100_000, r#""int""#)),
        ("unclosed [ ×100k", "[".repeat(100_000)),
    ];
    for (what, schema) in &hostile {
        let started = Instant::now();
        let r = request(
            srv.addr,
            "POST",
            "/subjects/deep/versions",
            Some(&register_body(schema)),
        );
        r.confluent_error(422, 42201);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: {:?}",
            started.elapsed()
        );
        // The compatibility test and the lookup parse too.
        let r = request(
            srv.addr,
            "POST",
            "/compatibility/subjects/deep/versions",
            Some(&register_body(schema)),
        );
        assert!((400..500).contains(&r.status), "{what}: {}", r.status);
        assert_alive(&srv, what);
    }

    // As deep as the parser allows (1000 JSON levels): accepted, and checked against a second
    // version just as deep, without exhausting the stack.
    for (what, v1, v2) in [
        (
            "records ×300",
            nested_records(300, r#"{"name":"x","type":"int"}"#),
            nested_records(
                300,
                r#"{"name":"x","type":"int"},{"name":"y","type":"int","default":1}"#,
            ),
        ),
        (
            "arrays ×490",
            nested_arrays(490, r#""int""#),
            nested_arrays(490, r#""long""#),
        ),
    ] {
        let subject = format!("deep-ok-{}", what.len());
        let started = Instant::now();
        for v in [&v1, &v2] {
            let r = request(
                srv.addr,
                "POST",
                &format!("/subjects/{subject}/versions"),
                Some(&register_body(v)),
            );
            assert_eq!(r.status, 200, "{what}: {}", clip(&r.text()));
        }
        let r = request(
            srv.addr,
            "GET",
            &format!("/subjects/{subject}/versions"),
            None,
        );
        assert_eq!(r.json(), serde_json::json!([1, 2]), "{what}");
        // The explicit compatibility test walks both schemas in full.
        let r = request(
            srv.addr,
            "POST",
            &format!("/compatibility/subjects/{subject}/versions/1?verbose=true"),
            Some(&register_body(&v2)),
        );
        assert_eq!(r.status, 200, "{what}: {}", clip(&r.text()));
        assert_eq!(
            r.json()["is_compatible"],
            true,
            "{what}: {}",
            clip(&r.text())
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: {:?}",
            started.elapsed()
        );
    }
    // Too deep by one level is refused cleanly.
    let r = request(
        srv.addr,
        "POST",
        "/subjects/deep/versions",
        Some(&register_body(&nested_arrays(1001, r#""int""#))),
    );
    r.confluent_error(422, 42201);
    assert_alive(&srv, "the deep schemas");
}

#[test]
fn malformed_requests_get_confluent_errors() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let a = srv.addr;

    // Bodies that are not the JSON asked for.
    let deep = |key: &str| {
        format!(
            r#"{{"schema":"\"string\"","{key}":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
    };
    let (deep_refs, deep_unknown) = (deep("references"), deep("x"));
    for body in [
        &b"{not json"[..],
        b"",
        b"null",
        b"[]",
        b"\"just a string\"",
        b"{\"schema\": 5}",
        b"\xff\xfe\x00garbage",
        br#"{"schema":"\"string\"","references":"#,
        br#"{"schema":"\"string\"","references":[{"name":"a"}]}"#,
        deep_refs.as_bytes(),
    ] {
        let r = request(a, "POST", "/subjects/s/versions", Some(body));
        assert!(
            (400..500).contains(&r.status),
            "{:?}: {}",
            clip(&String::from_utf8_lossy(body)),
            r.status
        );
        let v = r.json();
        assert_eq!(v["error_code"].as_i64(), Some(i64::from(r.status)), "{v}");
        assert_alive(&srv, "a malformed body");
    }
    request(a, "POST", "/subjects/s/versions", Some(b"{not json")).confluent_error(400, 400);
    // Unknown members are ignored (as Confluent does), however deep they nest.
    let started = Instant::now();
    let r = request(
        a,
        "POST",
        "/subjects/s/versions",
        Some(deep_unknown.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(started.elapsed() < Duration::from_secs(5));
    // No schema in the request.
    request(a, "POST", "/subjects/s/versions", Some(b"{}")).confluent_error(422, 42201);
    request(a, "POST", "/subjects/s", Some(b"{not json")).confluent_error(400, 400);
    request(a, "PUT", "/config", Some(b"{not json")).confluent_error(400, 400);
    request(
        a,
        "PUT",
        "/config",
        Some(br#"{"compatibility":"SIDEWAYS"}"#),
    )
    .confluent_error(422, 42203);
    request(a, "PUT", "/mode", Some(br#"{"mode":"UPSIDE_DOWN"}"#)).confluent_error(422, 42204);

    // Unknown routes and wrong methods.
    for path in [
        "/nope",
        "/subjects/s/versions/1/nope",
        "/schemas/ids/1/nope/x",
        "/%FF",
    ] {
        request(a, "GET", path, None).confluent_error(404, 404);
    }
    for (method, path) in [
        ("PUT", "/subjects"),
        ("DELETE", "/schemas/ids/1"),
        ("PATCH", "/config"),
        ("GET", "/compatibility/subjects/s/versions"),
        ("POST", "/schemas/types"),
    ] {
        request(a, method, path, None).confluent_error(405, 405);
    }
    // Bad versions and ids.
    for v in ["abc", "0", "-5", "99999999999", "1.5", "%20"] {
        request(a, "GET", &format!("/subjects/s/versions/{v}"), None).confluent_error(422, 42202);
    }
    for id in ["abc", "-1", "99999999999"] {
        request(a, "GET", &format!("/schemas/ids/{id}"), None).confluent_error(404, 40403);
    }
    // Odd query strings are read leniently.
    let r = request(a, "GET", "/subjects?deleted=%FF&deleted=true&&=&x", None);
    assert!(
        r.status == 200 || (400..500).contains(&r.status),
        "{}",
        r.status
    );
    assert_alive(&srv, "odd query strings");

    // Not HTTP at all.
    let r = raw(a, b"\x00\x01\x02 hello\r\n\r\n");
    if let Some(r) = r {
        assert!((400..500).contains(&r.status), "{}", r.status);
    }
    let r = raw(a, b"GET /subjects HTTP/9.9\r\n\r\n");
    if let Some(r) = r {
        assert!(r.status >= 400, "{}", r.status);
    }
    // A header block of 1 MB.
    let big = format!(
        "GET /subjects HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
        "h".repeat(1 << 20)
    );
    let mut s = connect(a);
    let _ = s.write_all(big.as_bytes());
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    if let Some(r) = parse_response(&out) {
        assert!((400..500).contains(&r.status), "{}", r.status);
    }
    assert_alive(&srv, "non-HTTP bytes");
    assert_eq!(subjects(&srv), vec!["s".to_string()]);
}

// ---------------------------------------------------------------------------------------------
// Loopback by default.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
            .args(["registry", "serve", "--addr", addr, "--db"])
            .arg(&db)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{addr}");
        assert!(out.stdout.is_empty(), "{addr}: it must not listen");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--allow-remote"), "{addr}: {err}");
        assert!(err.contains("loopback"), "{addr}: {err}");
    }
    assert!(
        !db.exists(),
        "nothing is opened before the address is checked"
    );
}
