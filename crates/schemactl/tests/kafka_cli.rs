//! `schemactl topics plan|apply` and `schemactl tail` as users run them, against the real
//! broker: the catalog created with its settings, a re-run changing nothing, drift reported and
//! left alone, an unreachable cluster refused; typed events and a dead letter printed as JSON
//! lines, decoded through the registry.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use sc_events::job;
use sc_events::kafka::consumer::ConsumerOptions;
use sc_events::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events::order;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::broker::Broker;
use support::kafka::{payment, send_raw, until, Stack};

fn schemactl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(ROOT)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("KAFKA_BOOTSTRAP_SERVERS");
    c
}

fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let out = c.output().expect("run schemactl");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn topics(verb: &str, bootstrap: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    run(schemactl()
        .args(["topics", verb, "--bootstrap", bootstrap])
        .args(extra))
}

#[test]
fn topics_apply_creates_the_catalog_then_plan_is_clean_and_drift_is_reported_not_fixed() {
    let broker = Broker::start();
    let b = broker.bootstrap();
    let n = sc_events::TOPICS.len();

    let (code, out, err) = topics("plan", &b, &[]);
    assert_eq!(code, Some(1), "missing topics: exit 1\n{out}{err}");
    assert!(out.contains("would create sc.domain.order (partitions 6, replication factor 1, cleanup.policy=delete, retention.ms=2592000000)"), "{out}");
    assert!(
        out.contains(&format!("0 topic(s) in sync, {n} to create, 0 drifted")),
        "{out}"
    );

    let (code, out, err) = topics("apply", &b, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.matches("\ncreated ").count() + usize::from(out.starts_with("created ")),
        n,
        "{out}"
    );

    let (code, out, err) = topics("plan", &b, &["--format", "json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["in_sync"].as_array().map(Vec::len), Some(n), "{out}");
    assert_eq!(v["create"], serde_json::json!([]));

    // A catalog that now wants 12 partitions and 60 days for orders: drift, left alone.
    let dir = tempfile::tempdir().expect("temp dir");
    let src = Path::new(ROOT).join("schemas");
    for e in std::fs::read_dir(&src).expect("schemas") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.path().join(p.file_name().expect("name"))).expect("copy");
    }
    let toml = dir.path().join("topics.toml");
    let text = std::fs::read_to_string(&toml).expect("topics.toml");
    let order = "name = \"sc.domain.order\"\ncategory = \"domain\"\npartitions = 6\nkey = \"order_id\"\nretention_ms = 2592000000";
    assert!(text.contains(order));
    let changed = order
        .replace("partitions = 6", "partitions = 12")
        .replace("2592000000", "5184000000");
    std::fs::write(&toml, text.replace(order, &changed)).expect("write");
    let schemas = dir.path().to_str().expect("utf-8 path");
    for verb in ["plan", "apply"] {
        let (code, out, err) = topics(verb, &b, &["--schemas", schemas]);
        assert_eq!(code, Some(1), "{verb}: drift exits 1\n{out}{err}");
        assert!(
            out.contains(
                "drift: sc.domain.order partitions: catalog 12, cluster 6 (left as it is)"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "drift: sc.domain.order retention.ms: catalog 5184000000, cluster 2592000000"
            ),
            "{out}"
        );
    }
    let (code, _, _) = topics("plan", &b, &[]);
    assert_eq!(code, Some(0), "apply changed nothing that existed");
}

#[test]
fn topics_against_an_unreachable_cluster_exit_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let (code, out, err) = topics(
        "plan",
        &format!("127.0.0.1:{port}"),
        &["--timeout-ms", "2000"],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("cannot reach the Kafka cluster at 127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_events_and_dead_letters_as_json_lines() {
    let s = Stack::start().await;
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let sent: Vec<order::Event> = (0..3).map(payment).collect();
    for e in &sent {
        p.send(e).await.expect("delivered");
    }
    let against = format!("embedded:{}", s.registry_path.display());
    let b = s.broker.bootstrap();
    let (code, out, err) = run(schemactl().args([
        "tail",
        "sc.domain.order",
        "--from-beginning",
        "--max-messages",
        "3",
        "--idle-timeout-ms",
        "30000",
        "--bootstrap",
        &b,
        "--against",
        &against,
    ]));
    assert_eq!(code, Some(0), "{out}{err}");
    let mut ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .map(|v| {
            v["envelope"]["event_id"]
                .as_str()
                .expect("event id")
                .to_string()
        })
        .collect();
    ids.sort();
    // Avro's JSON encoding: `data` is tagged with the payload record's full name.
    let first: Value = serde_json::from_str(out.lines().next().unwrap_or_default()).expect("JSON");
    assert!(
        first["data"]
            .as_object()
            .is_some_and(|d| d.len() == 1 && d.keys().all(|k| k.starts_with("sc.events.order."))),
        "{first}"
    );
    assert!(first["envelope"]["occurred_at"].is_i64(), "{first}");
    let mut want: Vec<String> = sent
        .iter()
        .map(|e| e.envelope.event_id.to_string())
        .collect();
    want.sort();
    assert_eq!(ids, want);

    // A poison message, dead-lettered by the job, then tailed from the DLQ with its headers.
    send_raw(
        &s.raw_producer(),
        "sc.domain.order",
        "o-9",
        b"\x00\x00\x00\x00",
        &[],
    )
    .await;
    let mut c = EventConsumer::<order::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        job("proj-order-summaries").expect("job"),
        ConsumerOptions::default(),
    )
    .expect("consumer");
    let stats = c.stats();
    let mut ok = |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> { Ok(()) };
    c.run(
        &mut ok,
        until(Duration::from_secs(60), move || {
            stats.snapshot().dead_lettered >= 1
        }),
    )
    .await
    .expect("run");
    let (code, out, err) = run(schemactl().args([
        "tail",
        "sc.dlq.proj-order-summaries",
        "--from-beginning",
        "--max-messages",
        "1",
        "--idle-timeout-ms",
        "30000",
        "--with-meta",
        "--bootstrap",
        &b,
        "--against",
        &against,
    ]));
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("a JSON line");
    assert_eq!(v["key"], "o-9");
    assert_eq!(v["dead_letter"]["original_topic"], "sc.domain.order");
    assert!(
        v["dead_letter"]["original_offset"]
            .as_i64()
            .is_some_and(|o| o >= 0),
        "{v}"
    );
    assert!(
        v["dead_letter"]["original_partition"]
            .as_i64()
            .is_some_and(|p| (0..6).contains(&p)),
        "{v}"
    );
    assert_eq!(
        v["dead_letter"]["original_consumer_group"],
        "sc.proj.order-summaries"
    );
    assert_eq!(
        v["dead_letter"]["exception_fqcn"],
        "sc_events_runtime::wire::WireError"
    );
    assert!(
        v["value"]["undecodable"]
            .as_str()
            .is_some_and(|m| m.contains("shorter than the 5-byte")),
        "{v}"
    );
    println!("{out}");
}

/// Zigzag varint of a long (Avro's int and long encoding).
fn varint(v: i64, out: &mut Vec<u8>) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn avro_string(s: &str, out: &mut Vec<u8>) {
    varint(s.len() as i64, out);
    out.extend_from_slice(s.as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_workspace_gets_its_topics_and_tail_decodes_its_events_without_generated_types() {
    let broker = Broker::start();
    let b = broker.bootstrap();
    let ws = Path::new(ROOT).join("examples/flowops");
    let reg_dir = tempfile::tempdir().expect("temp dir");
    let against = format!("embedded:{}", reg_dir.path().join("r.db").display());
    let flowops = |args: &[&str]| run(schemactl().arg("--workspace").arg(&ws).args(args));
    // The catalog's replication factor is 3; a one-broker cluster needs 1.
    let (code, out, err) = flowops(&[
        "topics",
        "apply",
        "--bootstrap",
        &b,
        "--replication-factor",
        "1",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("order-events") && out.contains("order-events.dlq"),
        "{out}"
    );
    let (code, out, err) = flowops(&["publish", "--against", &against]);
    assert_eq!(code, Some(0), "{out}{err}");

    // ORDER_CANCELLED, framed with schema id 1, written byte by byte.
    let mut value = vec![0, 0, 0, 0, 1];
    avro_string("e1b7c2f0-8d41-4b9a-b9f1-3d0a2f7a9c21", &mut value);
    avro_string("ORDER_CANCELLED", &mut value);
    varint(1_735_725_900_000, &mut value);
    varint(1, &mut value); // the payload union's second branch
    avro_string("ORD-123", &mut value);
    let raw = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &b)
        .create::<rdkafka::producer::FutureProducer>()
        .expect("producer");
    send_raw(&raw, "order-events", "ORD-123", &value, &[]).await;

    let (code, out, err) = flowops(&[
        "tail",
        "order-events",
        "--from-beginning",
        "--max-messages",
        "1",
        "--idle-timeout-ms",
        "30000",
        "--bootstrap",
        &b,
        "--against",
        &against,
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("a JSON line");
    assert_eq!(v["eventType"], "ORDER_CANCELLED", "{v}");
    assert_eq!(v["eventId"], "e1b7c2f0-8d41-4b9a-b9f1-3d0a2f7a9c21", "{v}");
    // Avro's JSON encoding, as kafka-avro-console-consumer prints it: the union's branch is
    // tagged with its record's full name, and the timestamp-millis is its long.
    assert_eq!(
        v["payload"]["flowops.events.OrderCancelled"]["orderId"], "ORD-123",
        "{v}"
    );
    assert!(v["timestamp"].is_i64(), "{v}");
    let text = out.trim();
    assert!(
        text.starts_with(r#"{"eventId":"#),
        "fields in schema order: {text}"
    );
}
