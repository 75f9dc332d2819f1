//! The server process, an HTTP client without retries, and raw HTTP/1.1 for requests a
//! well-behaved client would not send.
#![allow(dead_code)]

use sc_events_registry::http::{HttpConfig, HttpRegistry, RetryPolicy};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// The server process.
// ---------------------------------------------------------------------------------------------

/// A running `schemactl registry serve`, killed (SIGKILL) on drop.
pub(crate) struct Serve {
    pub(crate) child: Option<Child>,
    pub(crate) pid: u32,
    pub(crate) url: String,
    pub(crate) addr: SocketAddr,
    pub(crate) stderr: Arc<Mutex<String>>,
    /// Kept open so the server never writes into a closed pipe.
    pub(crate) stdout: Option<BufReader<ChildStdout>>,
}

impl Serve {
    /// Starts the server on `db` and waits for its `listening on` line.
    pub(crate) fn start(db: &Path) -> Serve {
        Serve::spawn(db, &[], &[]).ready()
    }

    /// Starts the process without waiting for it to listen.
    pub(crate) fn spawn(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemactl"));
        cmd.args(["registry", "serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra)
            .env_remove("SCHEMACTL_SERVE_BASIC_AUTH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = db.parent() {
            cmd.current_dir(dir);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start schemactl registry serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let stdout = child.stdout.take().map(BufReader::new);
        Serve {
            pid: child.id(),
            child: Some(child),
            url: String::new(),
            addr: "127.0.0.1:0".parse().unwrap(),
            stderr,
            stdout,
        }
    }

    /// Waits for `listening on http://ADDR` (the first stdout line).
    pub(crate) fn ready(mut self) -> Serve {
        let mut line = String::new();
        let out = self.stdout.as_mut().expect("stdout");
        out.read_line(&mut line)
            .expect("read the first stdout line");
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let status = self.child.as_mut().and_then(|c| c.wait().ok());
            panic!(
                "unexpected first line {line:?} (exit {status:?}); stderr:\n{}",
                self.stderr()
            );
        };
        self.url = url.to_string();
        self.addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("not an http://IP:PORT URL: {url}"));
        assert!(self.addr.ip().is_loopback(), "{url}");
        assert_ne!(self.addr.port(), 0, "{url}");
        self
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGKILL (what `Child::kill` sends on Unix) and reap.
    pub(crate) fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM; the exit status if the process ends within `within` (else it is killed).
    pub(crate) fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take().expect("the server is running");
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(sent.success(), "kill -TERM {} failed", self.pid);
        let (tx, rx) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = tx.send(());
            (child, status)
        });
        let in_time = rx.recv_timeout(within).is_ok();
        if !in_time {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
        let (_, status) = waiter.join().expect("waiter thread");
        let status = status.expect("wait for the server");
        in_time.then_some(status)
    }

    /// The peak resident memory of the server (Linux `VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()?;
        Some(kb * 1024)
    }

    pub(crate) fn client(&self) -> HttpRegistry {
        client(&self.url)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(crate) fn client(url: &str) -> HttpRegistry {
    let mut cfg = HttpConfig::new(url);
    cfg.connect_timeout = Duration::from_secs(2);
    cfg.request_timeout = Duration::from_secs(20);
    // Every failure must surface: no retries.
    cfg.retry = RetryPolicy {
        max_retries: 0,
        initial_backoff_ms: 10,
        max_backoff_ms: 50,
        ..RetryPolicy::default()
    };
    HttpRegistry::new(cfg).unwrap()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1, for requests a well-behaved client would not send.
// ---------------------------------------------------------------------------------------------

pub(crate) struct Resp {
    pub(crate) status: u16,
    /// Lower-cased header block.
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {} body is not JSON ({e}): {}",
                self.status,
                clip(&self.text())
            )
        })
    }

    /// A Confluent error answer: this status, `{"error_code": code, "message": "..."}`, and
    /// Confluent's content type.
    pub(crate) fn confluent_error(&self, status: u16, code: i64) {
        assert_eq!(self.status, status, "{}", clip(&self.text()));
        assert!(
            self.head
                .contains("content-type: application/vnd.schemaregistry.v1+json"),
            "{}",
            self.head
        );
        let v = self.json();
        assert_eq!(v["error_code"], code, "{v}");
        let m = v["message"].as_str().expect("a message");
        assert!(!m.is_empty());
        assert!(
            m.len() < 2_000,
            "the message is not clipped: {} bytes",
            m.len()
        );
    }
}

pub(crate) fn clip(s: &str) -> String {
    s.chars().take(500).collect()
}

pub(crate) fn parse_response(raw: &[u8]) -> Option<Resp> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let mut body = raw[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..eol]).ok()?.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(eol + 2..eol + 2 + size)?);
            rest = rest.get(eol + 4 + size..)?;
        }
        body = out;
    }
    Some(Resp { status, head, body })
}

pub(crate) fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Sends raw bytes (which should ask for `Connection: close`) and reads the answer to the end.
pub(crate) fn raw(addr: SocketAddr, bytes: &[u8]) -> Option<Resp> {
    let mut s = connect(addr);
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse_response(&out)
}

pub(crate) fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> Resp {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some(b) = body {
        bytes.extend_from_slice(b);
    }
    raw(addr, &bytes).unwrap_or_else(|| panic!("no HTTP answer to {method} {}", clip(path)))
}

pub(crate) fn register_body(schema: &str) -> Vec<u8> {
    serde_json::json!({ "schema": schema })
        .to_string()
        .into_bytes()
}

/// The server still answers: `GET /subjects` is a JSON array.
pub(crate) fn assert_alive(srv: &Serve, after: &str) {
    let r = request(srv.addr, "GET", "/subjects", None);
    assert_eq!(
        r.status,
        200,
        "the server stopped answering after {after}: {}\nstderr:\n{}",
        r.text(),
        srv.stderr()
    );
    assert!(r.json().is_array());
}

pub(crate) fn subjects(srv: &Serve) -> Vec<String> {
    let r = request(srv.addr, "GET", "/subjects", None);
    assert_eq!(r.status, 200);
    serde_json::from_value(r.json()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Concurrency.
// ---------------------------------------------------------------------------------------------
