//! `schemactl registry serve` as a process: concurrent writers (in one process and in two
//! processes on the same SQLite file), `kill -9` mid-stream, SIGTERM, hostile requests and the
//! loopback default. Every server runs on 127.0.0.1 with an ephemeral port and dies with its
//! handle.

use sc_events_registry::http::{HttpConfig, HttpRegistry, RetryPolicy};
use sc_events_registry::{RegisterOptions, Registry, SchemaDef, Version};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// The server process.
// ---------------------------------------------------------------------------------------------

/// A running `schemactl registry serve`, killed (SIGKILL) on drop.
struct Serve {
    child: Option<Child>,
    pid: u32,
    url: String,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
    /// Kept open so the server never writes into a closed pipe.
    stdout: Option<BufReader<ChildStdout>>,
}

impl Serve {
    /// Starts the server on `db` and waits for its `listening on` line.
    fn start(db: &Path) -> Serve {
        Serve::spawn(db, &[], &[]).ready()
    }

    /// Starts the process without waiting for it to listen.
    fn spawn(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
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
    fn ready(mut self) -> Serve {
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

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGKILL (what `Child::kill` sends on Unix) and reap.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM; the exit status if the process ends within `within` (else it is killed).
    fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
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
    fn peak_rss(&self) -> Option<u64> {
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

    fn client(&self) -> HttpRegistry {
        client(&self.url)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}

fn client(url: &str) -> HttpRegistry {
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1, for requests a well-behaved client would not send.
// ---------------------------------------------------------------------------------------------

struct Resp {
    status: u16,
    /// Lower-cased header block.
    head: String,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
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
    fn confluent_error(&self, status: u16, code: i64) {
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

fn clip(s: &str) -> String {
    s.chars().take(500).collect()
}

fn parse_response(raw: &[u8]) -> Option<Resp> {
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

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Sends raw bytes (which should ask for `Connection: close`) and reads the answer to the end.
fn raw(addr: SocketAddr, bytes: &[u8]) -> Option<Resp> {
    let mut s = connect(addr);
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse_response(&out)
}

fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> Resp {
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

fn register_body(schema: &str) -> Vec<u8> {
    serde_json::json!({ "schema": schema })
        .to_string()
        .into_bytes()
}

/// The server still answers: `GET /subjects` is a JSON array.
fn assert_alive(srv: &Serve, after: &str) {
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

fn subjects(srv: &Serve) -> Vec<String> {
    let r = request(srv.addr, "GET", "/subjects", None);
    assert_eq!(r.status, 200);
    serde_json::from_value(r.json()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Concurrency.
// ---------------------------------------------------------------------------------------------

/// Distinct schema `k`, pairwise BACKWARD-compatible with every other `k` (one defaulted
/// field each). `pretty` only changes the whitespace: the same schema for the registry.
fn conc_schema(k: usize, pretty: bool) -> String {
    let s = format!(
        r#"{{"type":"record","name":"Conc","namespace":"sc.test","fields":[{{"name":"id","type":"string"}},{{"name":"f{k}","type":"int","default":0}}]}}"#
    );
    if pretty {
        s.replace(',', ",\n    ").replace(':', " : ")
    } else {
        s
    }
}

#[derive(Debug, Clone)]
struct Ack {
    subject: String,
    k: usize,
    id: i32,
}

impl Ack {
    fn schema(&self) -> SchemaDef {
        SchemaDef::avro(conc_schema(self.k, false))
    }
}

/// `tasks` concurrent clients (each its own connection pool), spread over `urls`, each
/// registering every (subject, schema) pair in its own order; returns every acknowledgement.
fn register_concurrently(urls: &[String], tasks: usize, subjects: usize, kinds: usize) -> Vec<Ack> {
    let rt = runtime();
    let pairs = subjects * kinds;
    // Per-task permutations of the pairs: strides coprime with the pair count.
    let strides: Vec<usize> = (1..pairs.max(2)).filter(|s| gcd(*s, pairs) == 1).collect();
    // Every client exists before the first one starts, so they all run at once.
    let clients: Vec<HttpRegistry> = (0..tasks).map(|t| client(&urls[t % urls.len()])).collect();
    rt.block_on(async {
        let mut handles = Vec::new();
        for (t, r) in clients.into_iter().enumerate() {
            let stride = strides[t % strides.len()];
            handles.push(tokio::spawn(async move {
                let mut acks = Vec::new();
                for i in 0..pairs {
                    let p = (t * 5 + i * stride) % pairs;
                    let (subject, k) = (format!("conc-{}", p % subjects), p / subjects);
                    let def = SchemaDef::avro(conc_schema(k, (t + i) % 3 == 0));
                    let id = r
                        .register(&subject, &def, RegisterOptions::default())
                        .await
                        .unwrap_or_else(|e| panic!("task {t}: register {subject} #{k}: {e}"));
                    acks.push(Ack { subject, k, id });
                }
                acks
            }));
        }
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        all
    })
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// One id per distinct schema, shared across subjects; versions 1..=kinds in every subject;
/// every acknowledgement agrees with the final state.
fn check_concurrent_state(url: &str, acks: &[Ack], subjects: usize, kinds: usize) {
    let mut ids: BTreeMap<usize, BTreeSet<i32>> = BTreeMap::new();
    for a in acks {
        ids.entry(a.k).or_default().insert(a.id);
    }
    assert_eq!(ids.len(), kinds);
    let id_of: BTreeMap<usize, i32> = ids
        .iter()
        .map(|(k, set)| {
            assert_eq!(set.len(), 1, "schema #{k} got several ids: {set:?}");
            (*k, *set.iter().next().unwrap())
        })
        .collect();
    let distinct: BTreeSet<i32> = id_of.values().copied().collect();
    assert_eq!(
        distinct.len(),
        kinds,
        "distinct schemas share an id: {id_of:?}"
    );

    let rt = runtime();
    rt.block_on(async {
        let r = client(url);
        let mut want_subjects: Vec<String> = (0..subjects).map(|s| format!("conc-{s}")).collect();
        want_subjects.sort();
        assert_eq!(r.subjects(false).await.unwrap(), want_subjects);
        for s in &want_subjects {
            let versions = r.versions(s, false).await.unwrap();
            assert_eq!(
                versions,
                (1..=kinds as i32).collect::<Vec<_>>(),
                "{s}: versions with gaps or duplicates"
            );
            let mut seen = BTreeSet::new();
            for v in versions {
                let reg = r.version(s, Version::Number(v), false).await.unwrap();
                assert!(
                    distinct.contains(&reg.id),
                    "{s} v{v}: unknown id {}",
                    reg.id
                );
                assert!(seen.insert(reg.id), "{s}: id {} at two versions", reg.id);
            }
            for (k, id) in &id_of {
                let found = r
                    .lookup(s, &SchemaDef::avro(conc_schema(*k, false)), false, false)
                    .await
                    .unwrap();
                assert_eq!(found.id, *id, "{s} #{k}");
            }
        }
        for a in acks {
            assert_eq!(a.id, id_of[&a.k], "{a:?}");
        }
        // Every acknowledged (subject, schema) is found under its id.
        let distinct_acks: BTreeSet<(String, usize, i32)> = acks
            .iter()
            .map(|a| (a.subject.clone(), a.k, a.id))
            .collect();
        assert_eq!(distinct_acks.len(), subjects * kinds);
        for a in acks.iter().take(subjects * kinds) {
            let found = r
                .lookup(&a.subject, &a.schema(), false, false)
                .await
                .unwrap();
            assert_eq!(
                (found.subject.as_str(), found.id),
                (a.subject.as_str(), a.id)
            );
        }
        for (k, id) in &id_of {
            let def = r.schema_by_id(*id, None).await.unwrap();
            let got: Value = serde_json::from_str(&def.schema).unwrap();
            let want: Value = serde_json::from_str(&conc_schema(*k, false)).unwrap();
            assert_eq!(got, want, "id {id}");
            let mut where_: Vec<String> = r
                .id_versions(*id)
                .await
                .unwrap()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            where_.sort();
            assert_eq!(where_, want_subjects, "id {id}");
        }
    });
}

#[test]
fn concurrent_clients_keep_ids_unique_and_versions_gapless() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let (tasks, subjects, kinds) = (24, 3, 8);
    let acks = register_concurrently(std::slice::from_ref(&srv.url), tasks, subjects, kinds);
    assert_eq!(acks.len(), tasks * subjects * kinds);
    check_concurrent_state(&srv.url, &acks, subjects, kinds);
    assert_alive(&srv, "the concurrent registrations");
}

#[test]
fn two_server_processes_on_one_database_keep_the_same_invariants() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    // Both open (and create) the fresh database at the same time.
    let a = Serve::spawn(&db, &[], &[]);
    let b = Serve::spawn(&db, &[], &[]);
    let (a, b) = (a.ready(), b.ready());
    let (tasks, subjects, kinds) = (16, 3, 8);
    let acks = register_concurrently(&[a.url.clone(), b.url.clone()], tasks, subjects, kinds);
    assert_eq!(acks.len(), tasks * subjects * kinds);
    // Both processes see the same final state.
    check_concurrent_state(&a.url, &acks, subjects, kinds);
    check_concurrent_state(&b.url, &acks, subjects, kinds);
}

// ---------------------------------------------------------------------------------------------
// Crash and shutdown.
// ---------------------------------------------------------------------------------------------

fn crash_schema(w: usize, i: usize) -> String {
    format!(
        r#"{{"type":"record","name":"Crash","namespace":"sc.test","fields":[{{"name":"id","type":"string"}},{{"name":"w{w}_{i}","type":"long","default":0}}]}}"#
    )
}

#[test]
fn acknowledged_registrations_survive_kill_9() {
    const WRITERS: usize = 8;
    const KILL_AFTER: usize = 120;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let mut srv = Serve::start(&db);
    let url = srv.url.clone();

    let rt = runtime();
    let (tx, rx) = mpsc::channel::<(String, String, i32)>();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (r, tx) = (client(&url), tx.clone());
        writers.push(rt.spawn(async move {
            let subject = format!("crash-{}", w % 3);
            for i in 0..100_000 {
                let schema = crash_schema(w, i);
                match r
                    .register(
                        &subject,
                        &SchemaDef::avro(&schema),
                        RegisterOptions::default(),
                    )
                    .await
                {
                    Ok(id) => {
                        let _ = tx.send((subject.clone(), schema, id));
                    }
                    // The server is gone: stop (the error is checked below).
                    Err(e) => return Some(e),
                }
            }
            None
        }));
    }
    drop(tx);
    let mut acks = Vec::new();
    while acks.len() < KILL_AFTER {
        acks.push(rx.recv().expect("a writer ended before the kill"));
    }
    // Mid-stream: every writer has a request in flight or about to be.
    srv.kill();
    let failures: Vec<_> = rt.block_on(async {
        let mut failures = Vec::new();
        for h in writers {
            failures.push(h.await.unwrap());
        }
        failures
    });
    // Answers that arrived before the kill but were not counted yet.
    acks.extend(rx.try_iter());
    for f in &failures {
        let e = f
            .as_ref()
            .expect("every writer runs until the kill stops it");
        assert!(
            matches!(e, sc_events_registry::RegistryError::Transport(_)),
            "a writer failed for another reason than the kill: {e}"
        );
    }

    let srv = Serve::start(&db);
    rt.block_on(async {
        let r = srv.client();
        let mut per_subject: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        for (subject, schema, id) in &acks {
            let found = r
                .lookup(subject, &SchemaDef::avro(schema), false, false)
                .await
                .unwrap_or_else(|e| panic!("acknowledged id {id} in {subject} is lost: {e}"));
            assert_eq!(found.id, *id, "{subject}: {schema}");
            assert!(ids.insert(*id), "id {id} acknowledged twice");
            *per_subject.entry(subject).or_default() += 1;
        }
        for (subject, acked) in per_subject {
            let versions = r.versions(subject, false).await.unwrap();
            let n = versions.len();
            assert_eq!(
                versions,
                (1..=n as i32).collect::<Vec<_>>(),
                "{subject}: gaps after the crash"
            );
            // Unacknowledged requests in flight may or may not have landed; nothing else did.
            assert!(
                n >= acked && n <= acked + WRITERS,
                "{subject}: {n} versions, {acked} acks"
            );
            for v in versions {
                r.version(subject, Version::Number(v), false)
                    .await
                    .unwrap_or_else(|e| panic!("{subject} v{v} unreadable: {e}"));
            }
        }
        // The restarted registry takes new registrations.
        r.register(
            "crash-0",
            &SchemaDef::avro(crash_schema(99, 0)),
            RegisterOptions::default(),
        )
        .await
        .unwrap();
    });
}

#[test]
fn sigterm_stops_the_server_promptly_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let mut srv = Serve::start(&db);
    let r = request(
        srv.addr,
        "POST",
        "/subjects/kept/versions",
        Some(&register_body(r#""string""#)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let started = Instant::now();
    let status = srv
        .terminate(Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no exit within 10 s of SIGTERM; stderr:\n{}", srv.stderr()));
    assert_eq!(status.code(), Some(0), "stderr:\n{}", srv.stderr());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let srv = Serve::start(&db);
    assert_eq!(subjects(&srv), vec!["kept".to_string()]);
}

#[test]
fn sigterm_is_not_held_up_by_idle_or_stalled_clients() {
    let dir = tempfile::tempdir().unwrap();
    let mut srv = Serve::start(&dir.path().join("r.db"));
    // An idle keep-alive connection after one answered request.
    let mut idle = connect(srv.addr);
    idle.write_all(format!("GET /subjects HTTP/1.1\r\nHost: {}\r\n\r\n", srv.addr).as_bytes())
        .unwrap();
    let mut buf = [0u8; 512];
    assert!(idle.read(&mut buf).unwrap() > 0);
    // A connection that sent half a request head and stalls.
    let mut stalled = connect(srv.addr);
    stalled
        .write_all(b"POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\nContent-Len")
        .unwrap();
    // A request whose body never arrives.
    let mut no_body = connect(srv.addr);
    no_body
        .write_all(
            b"POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"sch",
        )
        .unwrap();
    // A connection that sent nothing at all.
    let _silent = connect(srv.addr);
    assert_alive(&srv, "opening the stalled connections");

    let started = Instant::now();
    let status = srv.terminate(Duration::from_secs(15)).unwrap_or_else(|| {
        panic!(
            "stalled clients kept the server from stopping (15 s); stderr:\n{}",
            srv.stderr()
        )
    });
    assert_eq!(status.code(), Some(0), "stderr:\n{}", srv.stderr());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile requests.
// ---------------------------------------------------------------------------------------------

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
    let long = "x".repeat(10 * 1024);
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
        format!("POST /subjects/{huge}/versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len())
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
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    } else {
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n")
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
        "GET /subjects HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
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
