//! Interop of the wire format with Java Avro 1.12.1 (the jar the differential run installs):
//! bytes we write are read by `GenericDatumReader`; bytes `GenericDatumWriter` writes, with
//! today's schema and with an older version of it, are read here.

mod support;

use sc_events::types::OrderStatus;
use sc_events::wire::resolve::{self, compile_between, Outcome, Plan};
use sc_events::wire::{binary, Encode};
use sc_events::{order, Actor, Emitter, SCHEMAS};
use sc_events_schema::model::parse_files;
use sc_events_schema::rules::compat::SchemaRef;
use sc_events_schema::source::SourceFile;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::versions::{older_order_text, ENVELOPE};

fn classpath() -> Option<String> {
    match std::env::var("SC_ORACLE_CP") {
        Ok(cp) if !cp.is_empty() => Some(cp),
        _ => {
            let msg =
                "SC_ORACLE_CP is not set: run `bash scripts/oracle.sh` (scripts/test.sh does)";
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{msg}");
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

fn java(cp: &str, args: &[&Path]) -> String {
    let out = Command::new("java")
        .arg("-cp")
        .arg(cp)
        .arg("JavaWire")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "JavaWire {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn texts() -> (&'static str, &'static str) {
    let envelope = SCHEMAS.iter().find(|s| s.record == ENVELOPE).unwrap().text;
    let order = SCHEMAS
        .iter()
        .find(|s| s.record == "sc.events.order.OrderEvent")
        .unwrap()
        .text;
    (envelope, order)
}

/// An order.created in Avro's JSON encoding (unions as `{"branch": value}`).
fn avro_json(extra: Value) -> Value {
    let mut created = json!({
        "order_id": "o-java", "order_number": "SC-JV-1", "customer_id": "c-9",
        "item_count": 3, "total_cents": 777, "currency": "EUR", "status": "SHIPPED"
    });
    if let (Some(c), Some(e)) = (created.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    json!({
        "envelope": {
            "event_id": "0b7e5a52-3f7c-4b55-8d2b-5f0e6c1d9a10", "event_type": "order.created",
            "entity_type": "ORDER", "entity_id": "o-java", "entity_version": 7,
            "occurred_at": 1_764_000_000_999_i64,
            "trace_id": {"string": "a3c9d2e1-7b4f-4e8a-9c1d-2f3e4a5b6c7d"}, "correlation_id": null,
            "producer": "java-producer", "actor": {"actor_type": "ADMIN", "actor_id": {"string": "u-1"}},
            "schema_version": 1, "privacy_tier": "INTERNAL"
        },
        "data": {"sc.events.order.OrderCreated": created}
    })
}

fn assert_java_event(e: &order::Event) {
    assert_eq!(e.envelope.producer, "java-producer");
    assert_eq!(e.envelope.entity_version, 7);
    assert_eq!(e.envelope.actor.actor_id.as_deref(), Some("u-1"));
    assert_eq!(
        e.envelope.trace_id.map(|u| u.to_string()).as_deref(),
        Some("a3c9d2e1-7b4f-4e8a-9c1d-2f3e4a5b6c7d")
    );
    let order::Data::OrderCreated(p) = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(
        (p.order_number.as_str(), p.total_cents, p.status),
        ("SC-JV-1", 777, OrderStatus::Shipped)
    );
}

#[test]
fn java_avro_and_the_generated_codec_read_each_other() {
    let Some(cp) = classpath() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (envelope, order_text) = texts();
    let env_file = write(dir.path(), "envelope.avsc", envelope);
    let order_file = write(dir.path(), "order.avsc", order_text);

    // Ours → Java's GenericDatumReader.
    let e = Emitter::new("rust-producer")
        .event(
            order::OrderCreated {
                order_id: "64f1c2b7e0d3a4c5000000aa".into(),
                order_number: "SC-RS-2".into(),
                customer_id: "64f1c2b7e0d3a4c5000000cc".into(),
                item_count: 1,
                total_cents: 99,
                currency: "EUR".into(),
                status: OrderStatus::Delivered,
            },
            "64f1c2b7e0d3a4c5000000aa",
            2,
            Actor::system(),
        )
        .unwrap();
    let mut ours = Vec::new();
    e.encode(&mut ours);
    let datum = write(dir.path(), "ours.bin", &ours);
    let read: Value = serde_json::from_str(&java(
        &cp,
        &[Path::new("read"), &env_file, &order_file, &datum],
    ))
    .unwrap();
    assert_eq!(read["envelope"]["producer"], "rust-producer");
    assert_eq!(
        read["envelope"]["event_id"],
        e.envelope.event_id.to_string()
    );
    assert_eq!(
        read["data"]["sc.events.order.OrderCreated"]["order_number"],
        "SC-RS-2"
    );
    assert_eq!(
        read["data"]["sc.events.order.OrderCreated"]["status"],
        "DELIVERED"
    );

    // Java's GenericDatumWriter, today's schema → ours.
    let input = write(dir.path(), "now.json", avro_json(json!({})).to_string());
    let out = dir.path().join("java-now.bin");
    java(
        &cp,
        &[Path::new("write"), &env_file, &order_file, &input, &out],
    );
    let bytes = std::fs::read(&out).unwrap();
    assert_java_event(&binary::from_slice::<order::Event>(&bytes).unwrap());

    // Java writing the older version → ours, through a resolution plan.
    let old_file = write(dir.path(), "old.avsc", older_order_text());
    let input = write(
        dir.path(),
        "old.json",
        avro_json(json!({"legacy_code": "from-java"})).to_string(),
    );
    let out = dir.path().join("java-old.bin");
    java(
        &cp,
        &[Path::new("write"), &env_file, &old_file, &input, &out],
    );
    let bytes = std::fs::read(&out).unwrap();
    let old = parse_files(vec![
        SourceFile::new("envelope.avsc", envelope),
        SourceFile::new("old.avsc", older_order_text()),
    ])
    .unwrap();
    let now = sc_events::workspace::catalog_of::<sc_events::Workspace>();
    let d = now
        .domains
        .iter()
        .find(|d| d.topic == "sc.domain.order")
        .unwrap();
    let plan = compile_between(
        SchemaRef {
            set: &old,
            root: &old.roots[1],
        },
        SchemaRef {
            set: &now.set,
            root: &now.set.roots[d.file],
        },
    )
    .unwrap();
    let Plan::Resolve(p) = plan else {
        panic!("the versions differ")
    };
    let Ok(Outcome::Value(Ok(e))) =
        resolve::with_transcoded(&p, &bytes, |b| binary::from_slice::<order::Event>(b))
    else {
        panic!("the older version resolves")
    };
    assert_java_event(&e);
}
