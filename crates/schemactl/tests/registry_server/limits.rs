//! The server's limits, each triggered on purpose against a running server with short
//! settings: idle and silent connections dropped, a head that trickles in dropped, a head too
//! large answered 431, a connection over the limit answered 503 at once, a body too slow
//! answered 408, a write over the queue answered 503 with `Retry-After` while reads go on,
//! and each one logged.

use super::harness::{connect, parse_response, register_body, request, Serve};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long the server takes, at most, to act on a 1 s limit (scheduling on a loaded CI
/// machine included).
const SLACK: Duration = Duration::from_secs(4);

fn serve(extra: &[&str]) -> (tempfile::TempDir, Serve) {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::spawn(&dir.path().join("r.db"), extra, &[]).ready();
    (dir, srv)
}

/// Reads until the server closes; the time it took and what it sent.
fn until_closed(mut s: TcpStream) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (started.elapsed(), out)
}

/// Waits until the server's stderr holds `text`.
fn logged(srv: &Serve, text: &str) {
    let deadline = Instant::now() + SLACK;
    while !srv.stderr().contains(text) {
        assert!(
            Instant::now() < deadline,
            "stderr lacks {text:?}:\n{}",
            srv.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_silent_connection_and_an_idle_keep_alive_one_are_closed_after_the_idle_timeout() {
    let (_d, srv) = serve(&["--idle-timeout-ms", "1000"]);
    let (took, got) = until_closed(connect(srv.addr));
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    assert!(
        took >= Duration::from_millis(900) && took < SLACK,
        "closed after {took:?}"
    );
    // A keep-alive connection after its answer.
    let mut s = connect(srv.addr);
    write!(s, "GET /subjects HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let (took, got) = until_closed(s);
    let r = parse_response(&got).expect("the answer first");
    assert_eq!(r.status, 200);
    assert!(took < SLACK, "kept for {took:?}");
    logged(&srv, "within the idle timeout");
}

#[test]
fn a_head_that_trickles_in_is_dropped_at_the_header_read_timeout() {
    let (_d, srv) = serve(&["--header-read-timeout-ms", "1000"]);
    let mut s = connect(srv.addr);
    let started = Instant::now();
    s.write_all(b"GET /subjects HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    // One header byte every 200 ms, as slowloris does.
    let mut closed = None;
    for b in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter() {
        std::thread::sleep(Duration::from_millis(200));
        if s.write_all(&[*b]).is_err() {
            closed = Some(started.elapsed());
            break;
        }
        let mut probe = [0u8; 1];
        s.set_nonblocking(true).unwrap();
        let eof = matches!(s.read(&mut probe), Ok(0));
        s.set_nonblocking(false).unwrap();
        if eof {
            closed = Some(started.elapsed());
            break;
        }
    }
    let took = closed.expect("the server kept a trickling head for 9 s");
    assert!(took < SLACK, "closed after {took:?}");
    logged(&srv, "header-read timeout");
}

#[test]
fn a_head_over_the_limit_is_431() {
    let (_d, srv) = serve(&[]);
    for size in [9 << 10, 300 << 10] {
        let mut s = connect(srv.addr);
        let head = format!(
            "GET /subjects HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(size)
        );
        // The server may answer and close before it has read everything.
        let _ = s.write_all(head.as_bytes());
        let (_, got) = until_closed(s);
        let r = parse_response(&got).unwrap_or_else(|| panic!("no answer to a {size}-byte head"));
        assert_eq!(r.status, 431, "{size}-byte head");
    }
    // 8 KiB of headers in all is still fine.
    let mut s = connect(srv.addr);
    write!(
        s,
        "GET /subjects HTTP/1.1\r\nHost: localhost\r\nX-Fine: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(7 << 10)
    )
    .unwrap();
    assert_eq!(parse_response(&until_closed(s).1).unwrap().status, 200);
    logged(&srv, "431");
}

#[test]
fn a_connection_over_the_limit_is_answered_503_at_once() {
    // Set in schemactl.toml's [serve] (the server runs in the registry file's directory).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schemactl.toml"),
        "[serve]\nmax_connections = 8\n",
    )
    .unwrap();
    let srv = Serve::spawn(&dir.path().join("r.db"), &[], &[]).ready();
    let held: Vec<TcpStream> = (0..8).map(|_| connect(srv.addr)).collect();
    // The server has accepted them all once a request on a ninth is refused.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (_, got) = until_closed(connect(srv.addr));
    let r = parse_response(&got).expect("a 503 answer");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.head.contains("retry-after: 1"), "{}", r.head);
    assert!(started.elapsed() < Duration::from_secs(2));
    logged(&srv, "connection limit");
    drop(held);
    // Freed slots serve again.
    let deadline = Instant::now() + SLACK;
    loop {
        let (_, got) = until_closed({
            let mut s = connect(srv.addr);
            let _ = write!(
                s,
                "GET /subjects HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            );
            s
        });
        if parse_response(&got).is_some_and(|r| r.status == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "slots were not freed");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A POST whose body never finishes: it holds a write worker (and an in-flight slot).
fn stalled_post(srv: &Serve) -> TcpStream {
    let mut s = connect(srv.addr);
    write!(
        s,
        "POST /subjects/slow-value/versions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"schema\""
    )
    .unwrap();
    s
}

#[test]
fn a_body_that_does_not_arrive_in_time_is_408() {
    let (_d, srv) = serve(&["--body-read-timeout-ms", "1000"]);
    let (took, got) = until_closed(stalled_post(&srv));
    let r = parse_response(&got).expect("an answer");
    r.confluent_error(408, 408);
    assert!(took < SLACK, "answered after {took:?}");
    logged(&srv, "408");
}

#[test]
fn writes_over_the_queue_get_503_with_retry_after_while_reads_go_on() {
    let (_d, srv) = serve(&["--heavy-workers", "1", "--heavy-queue", "1"]);
    let _working = stalled_post(&srv);
    std::thread::sleep(Duration::from_millis(200));
    let _queued = stalled_post(&srv);
    std::thread::sleep(Duration::from_millis(200));
    let body = register_body(r#"{"type": "record", "name": "A", "fields": []}"#);
    let started = Instant::now();
    let r = request(srv.addr, "POST", "/subjects/q-value/versions", Some(&body));
    r.confluent_error(503, 503);
    assert!(r.head.contains("retry-after: 1"), "{}", r.head);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Reads do not queue behind writes.
    let started = Instant::now();
    assert_eq!(request(srv.addr, "GET", "/subjects", None).status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    logged(&srv, "queue of writes is full");
}

#[test]
fn requests_over_the_in_flight_limit_get_503() {
    let (_d, srv) = serve(&["--max-in-flight", "1"]);
    let _held = stalled_post(&srv);
    std::thread::sleep(Duration::from_millis(200));
    let r = request(srv.addr, "GET", "/subjects", None);
    r.confluent_error(503, 503);
    assert!(r.head.contains("retry-after"), "{}", r.head);
}

#[test]
fn unusable_limits_refuse_to_start() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        ["--idle-timeout-ms", "0"],
        ["--max-connections", "0"],
        ["--max-header-bytes", "10"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemactl"))
            .args(["registry", "serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("r.db"))
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("limits are unusable"), "{bad:?}: {err}");
    }
}
