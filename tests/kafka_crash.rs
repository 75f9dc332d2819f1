//! At-least-once across process death, against the real broker: a consumer process killed
//! with SIGKILL after handling events but before committing loses nothing (a new member of the
//! group is handed every one of them again); one shut down gracefully commits what it handled
//! (the next member starts after it).
//!
//! The consumer under test is a child process: this test binary re-run with
//! `SC_KAFKA_CHILD` set, which makes [`child_consumer_process`] act as the worker.

mod support;

use sc_events::job;
use sc_events::kafka::consumer::ConsumerOptions;
use sc_events::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events::order;
use sc_events_registry::embedded::EmbeddedRegistry;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::kafka::{payment, until, Stack};

const LIMIT: Duration = Duration::from_secs(90);

fn options(commit_interval_ms: u32) -> ConsumerOptions {
    ConsumerOptions {
        commit_interval_ms,
        session_timeout_ms: 6_000,
        ..ConsumerOptions::default()
    }
}

/// The worker: consumes `proj-order-summaries`, printing `handled <entity id>` per event.
/// `SC_KAFKA_CHILD=crash` never commits on its own (it waits to be killed);
/// `SC_KAFKA_CHILD=graceful:N` shuts down cleanly after N events.
#[test]
fn child_consumer_process() {
    let Ok(mode) = std::env::var("SC_KAFKA_CHILD") else {
        return; // only a worker when the parent test starts it
    };
    let bootstrap = std::env::var("SC_KAFKA_BOOTSTRAP").expect("SC_KAFKA_BOOTSTRAP");
    let registry = std::env::var("SC_KAFKA_REGISTRY").expect("SC_KAFKA_REGISTRY");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async move {
        let reg = Arc::new(EmbeddedRegistry::open(registry).expect("registry"));
        let stop_after = mode
            .strip_prefix("graceful:")
            .map(|n| n.parse::<u64>().expect("count"));
        let interval = if stop_after.is_some() {
            5_000
        } else {
            3_600_000
        };
        let kafka = sc_events::kafka::KafkaConfig::new(bootstrap);
        let mut c = EventConsumer::<order::Event>::new(
            &kafka,
            reg,
            job("proj-order-summaries").expect("job"),
            options(interval),
        )
        .expect("consumer");
        let stats = c.stats();
        let mut handler = |e: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
            let mut out = std::io::stdout().lock();
            writeln!(out, "handled {}", e.envelope.entity_id)?;
            out.flush()?;
            Ok(())
        };
        let shutdown = async move {
            loop {
                if stop_after.is_some_and(|n| stats.snapshot().handled >= n) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        c.run(&mut handler, shutdown).await.expect("run");
        println!("stopped");
    });
}

/// The worker process; killed if the test fails before it ends.
struct Worker(std::process::Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the worker and returns it with the entity ids it printed, once it printed `n`.
fn worker(s: &Stack, mode: &str, n: usize) -> (Worker, Vec<String>) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "child_consumer_process",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("SC_KAFKA_CHILD", mode)
        .env("SC_KAFKA_BOOTSTRAP", s.broker.bootstrap())
        .env("SC_KAFKA_REGISTRY", &s.registry_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the worker");
    let stdout = child.stdout.take().expect("stdout");
    let child = Worker(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Keeps draining after the receiver is gone, so the worker never writes to a closed pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut ids = Vec::new();
    while ids.len() < n {
        let line = rx
            .recv_timeout(LIMIT)
            .unwrap_or_else(|_| panic!("worker printed {ids:?} only\n{}", s.broker.log_tail()));
        // libtest prints `test child_consumer_process ... ` without a newline first.
        if let Some((_, id)) = line.split_once("handled ") {
            ids.push(id.to_string());
        }
    }
    (child, ids)
}

/// Runs a consumer of the same group in this process until it handled `n` events.
async fn next_member(s: &Stack, n: usize) -> Vec<String> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let mut c = EventConsumer::<order::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        job("proj-order-summaries").expect("job"),
        options(200),
    )
    .expect("consumer");
    let mut handler = move |e: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        sink.lock()
            .expect("lock")
            .push(e.envelope.entity_id.clone());
        Ok(())
    };
    let seen = got.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || seen.lock().map_or(0, |v| v.len()) >= n),
    )
    .await
    .expect("run");
    // Anything more would be a redelivery of what the worker committed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut v = got.lock().expect("lock").clone();
    v.sort();
    v
}

async fn send(s: &Stack, range: std::ops::Range<i64>) -> Vec<String> {
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let mut ids = Vec::new();
    for n in range {
        p.send(&payment(n)).await.expect("delivered");
        ids.push(support::kafka::oid(0x0a, n));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_before_committing_loses_nothing() {
    let s = Stack::start().await;
    let mut sent = send(&s, 0..5).await;
    let (mut child, mut handled) = worker(&s, "crash", 5);
    child.0.kill().expect("SIGKILL the worker");
    let _ = child.0.wait();
    handled.sort();
    sent.sort();
    assert_eq!(handled, sent, "the worker handled all five before it died");
    println!(
        "worker pid {} handled {handled:?}, then got SIGKILL before committing",
        child.0.id()
    );
    let again = next_member(&s, 5).await;
    println!("the next member of sc.proj.order-summaries was handed {again:?}");
    assert_eq!(again, sent, "every uncommitted event is redelivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_shut_down_gracefully_commits_what_it_handled() {
    let s = Stack::start().await;
    send(&s, 0..5).await;
    let (mut child, _) = worker(&s, "graceful:5", 5);
    let status = child.0.wait().expect("worker exits");
    assert!(status.success(), "worker: {status}");
    let later = send(&s, 5..7).await;
    let next = next_member(&s, 2).await;
    println!("after a graceful stop and two more sends, the next member was handed {next:?}");
    assert_eq!(next, later, "only what came after the commit");
}
