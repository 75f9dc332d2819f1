//! The abuse test (bounded in time and count, loopback only): 1,000 idle and 1,000
//! slow-header connections while a normal client keeps its p99 under 50 ms and the server's
//! memory stays bounded; 64 concurrent 4 MiB registrations with memory bounded and handed
//! back afterwards; GETs under 20 ms p99 while a 4 MiB registration is in flight. (Reference
//! amplification: `integrity`; `kill -9` mid-burst: `durability`.)

use super::harness::{connect, parse_response, Serve};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Resident memory now (`VmRSS`), in bytes.
fn rss(srv: &Serve) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", srv.pid)).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

const MIB: u64 = 1 << 20;

/// One `GET /subjects` on a new connection; its latency.
fn timed_get(srv: &Serve) -> Duration {
    let started = Instant::now();
    let mut s = connect(srv.addr);
    s.write_all(b"GET /subjects HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let took = started.elapsed();
    let r = parse_response(&out).expect("an answer");
    assert_eq!(r.status, 200, "{}", r.text());
    took
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 99 / 100).min(samples.len() - 1)]
}

#[test]
fn a_thousand_idle_and_a_thousand_slow_clients_leave_a_normal_one_fast() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Serve::start(&dir.path().join("r.db"));
    let base = rss(&srv);
    let idle: Vec<TcpStream> = (0..1000).map(|_| connect(srv.addr)).collect();
    let mut slow: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let mut s = connect(srv.addr);
            s.write_all(b"GET /subjects HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let dripping = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            // One more header byte on every slow connection each 300 ms.
            while !stop.load(Ordering::Relaxed) {
                for s in &mut slow {
                    let _ = s.write_all(b"a");
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            slow
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let samples: Vec<Duration> = (0..300).map(|_| timed_get(&srv)).collect();
    let held = rss(&srv);
    stop.store(true, Ordering::Relaxed);
    let slow = dripping.join().unwrap();
    let p = p99(samples);
    eprintln!(
        "2,000 bad connections: normal client p99 {p:?}; server RSS {} MiB (from {} MiB)",
        held / MIB,
        base / MIB
    );
    assert!(p < Duration::from_millis(50), "p99 {p:?}");
    assert!(held < base + 64 * MIB, "RSS {} MiB", held / MIB);
    drop((idle, slow));
}

/// A distinct ~4 MiB schema: `k` sets its name, the doc fills it.
fn big_schema(k: usize) -> Vec<u8> {
    let doc = "x".repeat(4 * MIB as usize - 4096);
    let schema = format!(
        r#"{{"type":"record","name":"Big{k}","namespace":"sc.abuse","doc":"{doc}","fields":[{{"name":"id","type":"string"}}]}}"#
    );
    serde_json::json!({ "schema": schema })
        .to_string()
        .into_bytes()
}

/// POSTs `body` as a registration under `subject`; the status.
fn post(srv: &Serve, subject: &str, body: &[u8]) -> u16 {
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "POST /subjects/{subject}/versions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if s.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    // Refused early (503), the server may close before the body is all sent.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse_response(&out).map_or(0, |r| r.status)
}

#[test]
fn sixty_four_concurrent_4_mib_registrations_keep_memory_bounded_and_hand_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Arc::new(Serve::start(&dir.path().join("r.db")));
    let base = rss(&srv);
    let bodies: Vec<Arc<Vec<u8>>> = (0..64).map(|k| Arc::new(big_schema(k))).collect();
    let handles: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(k, body)| {
            let srv = Arc::clone(&srv);
            std::thread::spawn(move || post(&srv, &format!("big{k}"), &body))
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    let peak = srv.peak_rss().unwrap();
    // The memory of the burst is handed back once the writes are done.
    std::thread::sleep(Duration::from_millis(500));
    let after = rss(&srv);
    eprintln!(
        "64 x 4 MiB: {ok} registered, {busy} told to retry (503); peak RSS {} MiB, after {} MiB (from {} MiB)",
        peak / MIB,
        after / MIB,
        base / MIB
    );
    assert_eq!(ok + busy, 64, "{statuses:?}");
    assert!(ok >= 2, "{statuses:?}");
    assert!(peak < 640 * MIB, "peak RSS {} MiB", peak / MIB);
    assert!(
        after < base + 96 * MIB,
        "RSS after the burst {} MiB (from {} MiB)",
        after / MIB,
        base / MIB
    );
}

#[test]
fn reads_stay_fast_while_a_4_mib_registration_is_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Arc::new(Serve::start(&dir.path().join("r.db")));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (srv, stop) = (Arc::clone(&srv), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut k = 0;
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(post(&srv, &format!("heavy{k}"), &big_schema(1000 + k)), 200);
                k += 1;
            }
            k
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let samples: Vec<Duration> = (0..300)
        .map(|_| {
            let t = timed_get(&srv);
            std::thread::sleep(Duration::from_millis(5));
            t
        })
        .collect();
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let p = p99(samples);
    eprintln!("GET p99 {p:?} while {written} 4 MiB registrations ran");
    assert!(written >= 1);
    assert!(p < Duration::from_millis(20), "p99 {p:?}");
}
