//! Interop of the wire format with Confluent's own Python serializers, through `schemactl
//! registry serve`: bytes we write decode with `AvroDeserializer`; bytes `AvroSerializer`
//! writes, with today's schema and with an older version of it, decode here.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use sc_events::types::OrderStatus;
use sc_events::wire::{Decoded, Deserializer, Serializer, SerializerConfig};
use sc_events::{order, Actor, Emitter};
use sc_events_registry::http::{HttpConfig, HttpRegistry};
use sc_events_registry::{Compatibility, Reference, RegisterOptions, Registry, SchemaDef, Version};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use support::versions::{older_order_text, ENVELOPE, ORDER};

fn python_client() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import confluent_kafka.schema_registry.avro"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let msg = "confluent-kafka (Python) is not installed: python3 -m pip install -r tests/interop/requirements.txt";
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    ok
}

fn py(url: &str, args: &[&str]) -> String {
    let script = Path::new(ROOT).join("tests/interop/wire_client.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(url)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wire_client.py {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn event() -> order::Event {
    Emitter::new("rust-producer")
        .event(
            order::OrderCreated {
                order_id: "64f1c2b7e0d3a4c5000000aa".into(),
                order_number: "SC-RS-1".into(),
                customer_id: "64f1c2b7e0d3a4c5000000cc".into(),
                item_count: 1,
                total_cents: 1_234,
                currency: "EUR".into(),
                status: OrderStatus::Paid,
            },
            "64f1c2b7e0d3a4c5000000aa",
            4,
            Actor::system(),
        )
        .unwrap()
}

/// What Python wrote: order.created of `wire_client.py`'s `event()`.
fn assert_python_event(d: Decoded<order::Event>) {
    let Decoded::Event(e) = d else {
        panic!("{d:?}")
    };
    assert_eq!(e.envelope.producer, "python-producer");
    assert_eq!(e.envelope.occurred_at.timestamp_millis(), 1_764_000_000_123);
    let order::Data::OrderCreated(p) = e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(
        (p.order_number.as_str(), p.total_cents, p.status),
        ("SC-PY-1", 4_599, OrderStatus::Pending)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confluents_python_serializers_and_ours_read_each_other() {
    if !python_client() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = support::serve::serve(&dir.path().join("r.db"), &[], &[]);
    let url = server.url.clone();
    let published = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .args(["publish", "--against", &url])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    let reg = HttpRegistry::new(HttpConfig::new(url.clone())).unwrap();

    // Ours → Confluent's AvroDeserializer.
    let ser = Serializer::<order::Event>::new(&reg, &SerializerConfig::default())
        .await
        .unwrap();
    let mut framed = Vec::new();
    ser.serialize(&event(), &mut framed).unwrap();
    let file = dir.path().join("ours.bin");
    std::fs::write(&file, &framed).unwrap();
    let read: Value = serde_json::from_str(&py(&url, &["read", file.to_str().unwrap()])).unwrap();
    assert_eq!(read["envelope"]["producer"], "rust-producer");
    assert_eq!(read["envelope"]["entity_version"], 4);
    assert_eq!(read["data"][0], "sc.events.order.OrderCreated");
    assert_eq!(read["data"][1]["order_number"], "SC-RS-1");
    assert_eq!(read["data"][1]["status"], "PAID");

    // Confluent's AvroSerializer (latest version) → ours.
    let de = Deserializer::<order::Event>::new(Arc::new(
        HttpRegistry::new(HttpConfig::new(url.clone())).unwrap(),
    ));
    let out = dir.path().join("theirs.bin");
    py(&url, &["write-latest", out.to_str().unwrap()]);
    let theirs = std::fs::read(&out).unwrap();
    assert_eq!(
        &theirs[1..5],
        &(ser.schema_id()).to_be_bytes(),
        "written with today's id"
    );
    assert_python_event(de.deserialize(&theirs).await.unwrap());

    // A producer still on an older version → ours, through resolution.
    reg.set_compatibility(Some(ORDER), Compatibility::None)
        .await
        .unwrap();
    let env = reg.version(ENVELOPE, Version::Latest, false).await.unwrap();
    let old = SchemaDef::avro(older_order_text()).with_references(vec![Reference {
        name: ENVELOPE.into(),
        subject: ENVELOPE.into(),
        version: env.version,
    }]);
    let old_id = reg
        .register(ORDER, &old, RegisterOptions::default())
        .await
        .unwrap();
    let schema_file = dir.path().join("old.avsc");
    std::fs::write(&schema_file, older_order_text()).unwrap();
    let out = dir.path().join("old.bin");
    py(
        &url,
        &[
            "write-schema",
            schema_file.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let old_bytes = std::fs::read(&out).unwrap();
    assert_eq!(
        &old_bytes[1..5],
        &(old_id as u32).to_be_bytes(),
        "written with the older id"
    );
    assert_python_event(de.deserialize(&old_bytes).await.unwrap());
}
