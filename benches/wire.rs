//! The wire format against every other way to do it, in one run, for `order.created` and the
//! largest event of the catalog (`order.confirmed`, five line items). Bench ids are
//! `<event>/<operation>/<implementation>`:
//!
//! - operations: `encode` (framed, into a reused buffer), `decode` (owned), `decode_borrowed`
//!   (a view whose strings point into the message), `decode_resolved` (data of an older writer
//!   version read into today's type);
//! - implementations: `sc_events` (the generated codec behind `wire::Serializer` /
//!   `wire::Deserializer`, validation on), `sc_events_unchecked` (no validation),
//!   `hand_written` (benches/wire/hand.rs, the reference), `serde_avro_fast`,
//!   `apache_avro_serde` (prebuilt `write_ser` / `read_deser`), `apache_avro_value` (decode
//!   through `Value`, the only path of apache-avro's that resolves schemas), and
//!   `schema_registry_converter` (warm cache, against `registry serve` on loopback; decode
//!   only: its serde path writes `uuid` fields as bytes, which the schema refuses).

#[path = "wire/hand.rs"]
mod hand;
#[path = "../tests/support/versions.rs"]
mod versions;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sc_events::types::{ActorType, EntityType, OrderItemSnapshot, OrderStatus, PrivacyTier};
use sc_events::wire::{
    binary::Reader, Decode, Decoded, Deserializer, Serializer, SerializerConfig,
};
use sc_events::{codec, order, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::server::{serve, ServeOptions};
use sc_events_registry::Registry;
use std::hint::black_box;
use std::sync::Arc;

const SR_TOPIC: &str = "bench.order-standalone";
const SR_SUBJECT: &str = "bench.order-standalone-value";

fn created() -> order::Event {
    Emitter::new("checkout-service")
        .event(
            order::OrderCreated {
                order_id: "64f1c2b7e0d3a4c5deadbeef".into(),
                order_number: "SC-2026-000123".into(),
                customer_id: "64f1c2b7e0d3a4c5aaaaaaaa".into(),
                item_count: 3,
                total_cents: 12_999,
                currency: "EUR".into(),
                status: OrderStatus::Pending,
            },
            "64f1c2b7e0d3a4c5deadbeef",
            2,
            Actor {
                actor_type: ActorType::User,
                actor_id: Some("64f1c2b7e0d3a4c5aaaaaaaa".into()),
            },
        )
        .expect("valid event")
}

fn confirmed() -> order::Event {
    let items = (0..5)
        .map(|i| OrderItemSnapshot {
            item_id: format!("64f1c2b7e0d3a4c5000000{i:02}"),
            product_id: format!("64f1c2b7e0d3a4c5111111{i:02}"),
            variant_id: (i % 2 == 0).then(|| format!("64f1c2b7e0d3a4c5222222{i:02}")),
            supplier_id: "64f1c2b7e0d3a4c533333333".into(),
            product_name: format!("Organic cotton t-shirt, size {i}"),
            quantity: 1 + i,
            unit_price_cents: 1_999 + i64::from(i) * 100,
            currency: "EUR".into(),
            promotion_id: (i == 3).then(|| "64f1c2b7e0d3a4c544444444".into()),
        })
        .collect();
    Emitter::new("checkout-service")
        .event(
            order::OrderConfirmed {
                order_id: "64f1c2b7e0d3a4c5deadbeef".into(),
                confirmed_at: chrono::DateTime::from_timestamp_millis(1_764_000_000_000)
                    .expect("in range"),
                item_snapshots: items,
            },
            "64f1c2b7e0d3a4c5deadbeef",
            3,
            Actor::system(),
        )
        .expect("valid event")
}

/// serde_avro_fast names union variants by full name: a mirror of the order event for it
/// (the payload and envelope types are the generated ones).
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct FastEvent {
    envelope: sc_events::Envelope,
    data: FastData,
}

#[derive(serde::Deserialize)]
#[allow(dead_code, clippy::large_enum_variant)]
enum FastData {
    #[serde(rename = "sc.events.order.OrderCreated")]
    OrderCreated(order::OrderCreated),
    #[serde(rename = "sc.events.order.OrderConfirmed")]
    OrderConfirmed(order::OrderConfirmed),
}

/// Index → variant for an enum, read through its generated decoder.
fn table<T: for<'a> Decode<'a>>() -> Vec<T> {
    let mut out = Vec::new();
    for i in 0.. {
        let mut b = Vec::new();
        sc_events::wire::binary::put_int(&mut b, i);
        match T::decode(&mut Reader::new(&b)) {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    out
}

struct Setup {
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    ser: Serializer<order::Event>,
    de: Deserializer<order::Event>,
    old_id: u32,
    sr_id: u32,
    down: sc_events::wire::resolve::Program,
    fast_schema: serde_avro_fast::Schema,
    sr_encoder: schema_registry_converter::async_impl::avro::AvroEncoder,
    sr_decoder: schema_registry_converter::async_impl::avro::AvroDecoder,
    tables: hand::Tables,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = EmbeddedRegistry::open(dir.path().join("r.db")).expect("registry");
    let (ser, old_id, down, url, sr_id) = rt.block_on(async {
        versions::publish(&reg).await;
        let ser = Serializer::<order::Event>::new(&reg, &SerializerConfig::default())
            .await
            .expect("serializer");
        let (old_id, down) = versions::register_older_order(&reg).await;
        // schema_registry_converter does not resolve schema references: it gets the order
        // schema with the envelope inlined, under a subject of its own.
        let standalone = sc_events_registry::SchemaDef::avro(versions::standalone_order_schema());
        let sr_id = reg
            .register(SR_SUBJECT, &standalone, Default::default())
            .await
            .expect("register standalone") as u32;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared: Arc<dyn Registry> = Arc::new(reg.clone());
        tokio::spawn(serve(
            listener,
            shared,
            ServeOptions::default(),
            std::future::pending(),
        ));
        (ser, old_id, down, url, sr_id)
    });
    let de = Deserializer::<order::Event>::new(Arc::new(reg));
    let settings = schema_registry_converter::async_impl::schema_registry::SrSettings::new(url);
    let fast_schema = versions::standalone_order_schema()
        .parse()
        .expect("serde_avro_fast schema");
    Setup {
        rt,
        _dir: dir,
        ser,
        de,
        old_id,
        sr_id,
        down,
        fast_schema,
        sr_encoder: schema_registry_converter::async_impl::avro::AvroEncoder::new(settings.clone()),
        sr_decoder: schema_registry_converter::async_impl::avro::AvroDecoder::new(settings),
        tables: hand::Tables {
            entity: table::<EntityType>(),
            actor: table::<ActorType>(),
            tier: table::<PrivacyTier>(),
            status: table::<OrderStatus>(),
        },
    }
}

fn bench_event(c: &mut Criterion, s: &Setup, name: &str, e: &order::Event) {
    let mut framed = Vec::new();
    s.ser.serialize(e, &mut framed).expect("serialize");
    s.rt.block_on(s.de.deserialize(&framed)).expect("warm");
    let datum = framed[5..].to_vec();
    let old = versions::older_message(&s.down, s.old_id, e);
    s.rt.block_on(s.de.deserialize(&old)).expect("warm old");
    assert_eq!(
        s.de.deserialize_cached(&old).expect("old"),
        Decoded::Event(e.clone())
    );
    assert_eq!(
        hand::decode(&s.tables, &datum).as_ref(),
        Some(e),
        "the reference decodes"
    );
    let mut hw = Vec::new();
    hand::encode(&mut hw, e);
    assert_eq!(hw, datum, "the reference writes the same bytes");
    let topic =
        schema_registry_converter::schema_registry_common::SubjectNameStrategy::TopicNameStrategy(
            SR_TOPIC.into(),
            false,
        );
    // schema_registry_converter's serde path (apache-avro 0.21) writes uuid as bytes, which the
    // schema refuses, so its encode cannot run on these types; its decode reads our bytes.
    let sr_encodes = s.rt.block_on(s.sr_encoder.encode_struct(e, &topic)).is_ok();
    let mut sr_bytes = Vec::new();
    sc_events::wire::framed::write_header(s.sr_id, &mut sr_bytes);
    sr_bytes.extend_from_slice(&datum);
    s.rt.block_on(s.sr_decoder.decode(Some(&sr_bytes)))
        .map_err(|e| e.error)
        .expect("schema_registry_converter decode");
    let avro_writer = codec::reference::writer::<order::Event>().expect("writer");
    let avro_reader = codec::reference::reader::<order::Event>(true).expect("reader");
    let value_reader = codec::reference::reader::<order::Event>(false).expect("reader");
    let mut fast_config = serde_avro_fast::ser::SerializerConfig::new(&s.fast_schema);
    let fast: Vec<u8> =
        serde_avro_fast::to_datum_vec(e, &mut fast_config).expect("serde_avro_fast encode");
    assert_eq!(fast, datum, "serde_avro_fast writes the same bytes");

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    let mut buf = Vec::with_capacity(1024);
    g.bench_function(BenchmarkId::new("encode", "sc_events"), |b| {
        b.iter(|| {
            buf.clear();
            s.ser.serialize(black_box(e), &mut buf).expect("serialize");
            black_box(&buf);
        })
    });
    g.bench_function(BenchmarkId::new("encode", "sc_events_unchecked"), |b| {
        b.iter(|| {
            buf.clear();
            s.ser
                .serialize_unchecked(black_box(e), &mut buf)
                .expect("no field is encrypted here");
            black_box(&buf);
        })
    });
    g.bench_function(BenchmarkId::new("encode", "hand_written"), |b| {
        b.iter(|| {
            buf.clear();
            buf.push(0);
            buf.extend_from_slice(&1u32.to_be_bytes());
            hand::encode(&mut buf, black_box(e));
            black_box(&buf);
        })
    });
    g.bench_function(BenchmarkId::new("encode", "serde_avro_fast"), |b| {
        b.iter(|| {
            buf.clear();
            buf.push(0);
            buf.extend_from_slice(&1u32.to_be_bytes());
            let out = std::mem::take(&mut buf);
            buf = serde_avro_fast::to_datum(black_box(e), out, &mut fast_config).expect("encode");
            black_box(&buf);
        })
    });
    g.bench_function(BenchmarkId::new("encode", "apache_avro_serde"), |b| {
        b.iter(|| black_box(avro_writer.write_ser_to_vec(black_box(e)).expect("encode")))
    });
    if sr_encodes {
        g.bench_function(
            BenchmarkId::new("encode", "schema_registry_converter"),
            |b| {
                b.iter(|| {
                    black_box(
                        s.rt.block_on(s.sr_encoder.encode_struct(black_box(e), &topic))
                            .is_ok(),
                    )
                })
            },
        );
    } else {
        eprintln!("{name}/encode/schema_registry_converter: not measured (it writes uuid as bytes; the schema says string)");
    }

    g.bench_function(BenchmarkId::new("decode", "sc_events"), |b| {
        b.iter(|| black_box(s.de.deserialize_cached(black_box(&framed)).expect("decode")))
    });
    g.bench_function(BenchmarkId::new("decode", "hand_written"), |b| {
        b.iter(|| black_box(hand::decode(&s.tables, black_box(&framed[5..])).expect("decode")))
    });
    g.bench_function(BenchmarkId::new("decode", "serde_avro_fast"), |b| {
        b.iter(|| {
            black_box(
                serde_avro_fast::from_datum_slice::<FastEvent>(
                    black_box(&framed[5..]),
                    &s.fast_schema,
                )
                .expect("decode"),
            )
        })
    });
    g.bench_function(BenchmarkId::new("decode", "apache_avro_serde"), |b| {
        b.iter(|| {
            let mut bytes: &[u8] = black_box(&framed[5..]);
            black_box(
                avro_reader
                    .read_deser::<order::Event>(&mut bytes)
                    .expect("decode"),
            )
        })
    });
    g.bench_function(BenchmarkId::new("decode", "apache_avro_value"), |b| {
        b.iter(|| {
            let mut bytes: &[u8] = black_box(&framed[5..]);
            let v = value_reader.read_value(&mut bytes).expect("decode");
            black_box(apache_avro::from_value::<order::Event>(&v).expect("from_value"))
        })
    });
    g.bench_function(
        BenchmarkId::new("decode", "schema_registry_converter"),
        |b| {
            b.iter(|| {
                black_box(
                    s.rt.block_on(s.sr_decoder.decode(Some(black_box(&sr_bytes))))
                        .expect("decode"),
                )
            })
        },
    );
    let mut scratch = Vec::new();
    g.bench_function(BenchmarkId::new("decode_borrowed", "sc_events"), |b| {
        b.iter(|| {
            let v =
                s.de.deserialize_view(black_box(&framed), &mut scratch)
                    .expect("decode");
            black_box(&v);
        })
    });
    g.bench_function(BenchmarkId::new("decode_resolved", "sc_events"), |b| {
        b.iter(|| black_box(s.de.deserialize_cached(black_box(&old)).expect("decode")))
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let s = setup();
    bench_event(c, &s, "order.created", &created());
    bench_event(c, &s, "order.confirmed", &confirmed());
}

criterion_group!(benches, bench);
criterion_main!(benches);
