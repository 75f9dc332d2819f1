//! Concurrent registrations keep ids unique and versions gapless (one process and two on one
//! file); acknowledged writes survive `kill -9`; SIGTERM stops promptly.

use super::harness::*;
use sc_events_registry::http::HttpRegistry;
use sc_events_registry::{RegisterOptions, Registry, SchemaDef, Version};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Distinct schema `k`, pairwise BACKWARD-compatible with every other `k` (one defaulted
/// field each). `pretty` only changes the whitespace: the same schema for the registry.
pub(crate) fn conc_schema(k: usize, pretty: bool) -> String {
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
pub(crate) struct Ack {
    subject: String,
    k: usize,
    id: i32,
}

impl Ack {
    pub(crate) fn schema(&self) -> SchemaDef {
        SchemaDef::avro(conc_schema(self.k, false))
    }
}

/// `tasks` concurrent clients (each its own connection pool), spread over `urls`, each
/// registering every (subject, schema) pair in its own order; returns every acknowledgement.
pub(crate) fn register_concurrently(
    urls: &[String],
    tasks: usize,
    subjects: usize,
    kinds: usize,
) -> Vec<Ack> {
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

pub(crate) fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// One id per distinct schema, shared across subjects; versions 1..=kinds in every subject;
/// every acknowledgement agrees with the final state.
pub(crate) fn check_concurrent_state(url: &str, acks: &[Ack], subjects: usize, kinds: usize) {
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
        .write_all(b"POST /subjects/s/versions HTTP/1.1\r\nHost: localhost\r\nContent-Len")
        .unwrap();
    // A request whose body never arrives.
    let mut no_body = connect(srv.addr);
    no_body
        .write_all(
            b"POST /subjects/s/versions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"sch",
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
