//! What a web page or a misconfiguration could do to a loopback server, refused: a
//! cross-origin `text/plain` write (CSRF: 415, as Confluent answers), a request under a name
//! the server does not answer to (DNS rebinding: 421), and a basic-auth setting that is set
//! but unusable (the server refuses to start instead of serving open).

use super::harness::{raw, register_body, request, subjects, Serve};
use base64::Engine;
use std::process::{Command, Stdio};

fn post(srv: &Serve, content_type: Option<&str>, extra: &str) -> super::harness::Resp {
    let body = register_body(r#"{"type": "record", "name": "A", "fields": []}"#);
    let mut req = format!(
        "POST /subjects/web-value/versions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}Content-Length: {}\r\n",
        srv.addr,
        body.len()
    );
    if let Some(t) = content_type {
        req.push_str(&format!("Content-Type: {t}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(&body);
    raw(srv.addr, &bytes).expect("an answer")
}

#[test]
fn a_write_that_is_not_json_is_415_and_registers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    // What a cross-origin form or fetch without preflight can send.
    for t in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let r = post(&srv, t, "Origin: http://evil.example\r\n");
        r.confluent_error(415, 415);
        assert!(
            !r.head.contains("access-control-allow-origin"),
            "{}",
            r.head
        );
    }
    assert!(subjects(&srv).is_empty());
    // Confluent's media types, and plain JSON with a charset, are writes.
    for t in [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json; charset=utf-8",
    ] {
        assert_eq!(post(&srv, Some(t), "").status, 200, "{t}");
    }
    assert_eq!(subjects(&srv), ["web-value"]);
}

#[test]
fn a_name_the_server_does_not_answer_to_is_421() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let get = |host: &str| {
        let req = format!("GET /subjects HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        raw(srv.addr, req.as_bytes()).expect("an answer")
    };
    let port = srv.addr.port();
    get(&format!("evil.example:{port}")).confluent_error(421, 421);
    get("rebound.attacker.test").confluent_error(421, 421);
    for ok in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "LOCALHOST".to_string(),
    ] {
        assert_eq!(get(&ok).status, 200, "{ok}");
    }
    // A name given with --allowed-host is served; `*` serves any.
    let dir2 = tempfile::tempdir().unwrap();
    let named = Serve::spawn(
        &dir2.path().join("r.db"),
        &["--allowed-host", "registry.internal"],
        &[],
    )
    .ready();
    let req = "GET /subjects HTTP/1.1\r\nHost: registry.internal:8081\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(named.addr, req.as_bytes()).unwrap().status, 200);
    let req = "GET /subjects HTTP/1.1\r\nHost: other.internal\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(named.addr, req.as_bytes()).unwrap().status, 421);
}

#[test]
fn a_set_but_unusable_basic_auth_setting_refuses_to_start_and_quotes_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    for value in [
        " ",
        ",",
        "alice:",
        ":",
        "alice",
        "alice:s3cr3t-marker,",
        ":s3cr3t-marker",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
            .args(["registry", "serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("r.db"))
            .env("SCHEMACTL_SERVE_BASIC_AUTH", value)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{value:?} listened");
        assert!(
            stderr.contains("SCHEMACTL_SERVE_BASIC_AUTH is set but unusable"),
            "{stderr}"
        );
        assert!(!stderr.contains("s3cr3t-marker"), "{stderr}");
    }
}

#[test]
fn the_basic_scheme_is_matched_without_regard_to_case() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::spawn(
        &dir.path().join("r.db"),
        &[],
        &[("SCHEMACTL_SERVE_BASIC_AUTH", "alice:pw")],
    )
    .ready();
    let token = base64::engine::general_purpose::STANDARD.encode("alice:pw");
    for scheme in ["Basic", "basic", "BASIC"] {
        let req = format!(
            "GET /subjects HTTP/1.1\r\nHost: {}\r\nAuthorization: {scheme} {token}\r\nConnection: close\r\n\r\n",
            srv.addr
        );
        assert_eq!(
            raw(srv.addr, req.as_bytes()).unwrap().status,
            200,
            "{scheme}"
        );
    }
    request(srv.addr, "GET", "/subjects", None).confluent_error(401, 401);
}
