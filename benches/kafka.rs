//! End-to-end Kafka throughput against the local test broker (tansu, in-memory, loopback), in
//! one run, typed beside the ceiling. Bench ids are `kafka/<direction>/<implementation>`:
//!
//! - `produce/sc_events`: `EventProducer::enqueue` of `order.created` events (validation,
//!   encoding, catalog topic and key, three headers), all awaited;
//!   `produce/raw_rdkafka`: a plain `FutureProducer` with the same settings (idempotent,
//!   `acks=all`, same linger) sending the same bytes, pre-encoded, with the same key (the
//!   ceiling); `produce/raw_rdkafka_with_headers`: the same plus the three headers, prepared;
//! - `consume/sc_events`: `EventConsumer` of a catalog job (header checks, registry-aware
//!   decode, tier check, handler, offset store); `consume/raw_rdkafka`: a `StreamConsumer`
//!   receiving the same messages and storing nothing.
//!
//! Each producer sends to its own fresh broker. Consumption (of the typed producer's
//! messages, headers included) is timed from the first message to the last, so the group join
//! is not counted.
//! Needs tansu (see README); `cargo bench --bench kafka`.

#[path = "../tests/support/broker.rs"]
mod broker;
#[path = "../tests/support/versions.rs"]
mod versions;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use sc_events::job;
use sc_events::kafka::admin::{Admin, TopicSpec};
use sc_events::kafka::consumer::ConsumerOptions;
use sc_events::kafka::{
    EventConsumer, EventProducer, HandlerError, KafkaConfig, Meta, ProducerOptions,
};
use sc_events::types::OrderStatus;
use sc_events::wire::Serializer;
use sc_events::{order, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BATCH: u64 = 20_000;
const TOPIC: &str = "sc.domain.order";

fn event(n: u64) -> order::Event {
    Emitter::new("checkout-service")
        .event(
            order::OrderCreated {
                order_id: format!("64f1c2b7e0d3a4c5{n:08x}"),
                order_number: format!("SC-2026-{n:06}"),
                customer_id: "64f1c2b7e0d3a4c5aaaaaaaa".into(),
                item_count: 3,
                total_cents: 12_999,
                currency: "EUR".into(),
                status: OrderStatus::Pending,
            },
            format!("64f1c2b7e0d3a4c5{n:08x}"),
            1,
            Actor::system(),
        )
        .expect("valid event")
}

fn raw_producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("batch.size", "1048576")
        .create()
        .expect("raw producer")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // rdkafka's StreamConsumer needs the runtime's context where it is created.
    let _context = rt.enter();
    let broker = broker::Broker::start();
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = rt.block_on(async {
        let reg = EmbeddedRegistry::open(dir.path().join("registry.db")).expect("registry");
        versions::publish(&reg).await;
        let admin =
            Admin::new(&KafkaConfig::new(&bootstrap), Duration::from_secs(30)).expect("admin");
        admin
            .create(&TopicSpec::from_workspace::<sc_events::Workspace>(1))
            .await
            .expect("topics");
        Arc::new(reg)
    });
    let kafka = KafkaConfig::new(&bootstrap);
    let typed =
        EventProducer::new(&kafka, registry.clone(), ProducerOptions::default()).expect("producer");
    let id = rt
        .block_on(typed.prepare::<order::Event>())
        .expect("schema id");
    // Each producer gets its own fresh broker: tansu's in-memory log grows with every run, so
    // sharing one would favour whichever bench runs first.
    let fresh = || {
        let b = broker::Broker::start();
        let admin =
            Admin::new(&KafkaConfig::new(b.bootstrap()), Duration::from_secs(30)).expect("admin");
        rt.block_on(admin.create(&TopicSpec::from_workspace::<sc_events::Workspace>(1)))
            .expect("topics");
        b
    };
    let (raw_broker, headers_broker) = (fresh(), fresh());
    let raw = raw_producer(&raw_broker.bootstrap());
    let raw_headers = raw_producer(&headers_broker.bootstrap());
    let events: Vec<order::Event> = (0..BATCH).map(event).collect();
    let encoded: Vec<(String, Vec<u8>)> = events
        .iter()
        .map(|e| {
            let mut v = Vec::new();
            Serializer::<order::Event>::with_id(id)
                .serialize(e, &mut v)
                .expect("encode");
            (e.envelope.entity_id.clone(), v)
        })
        .collect();

    let mut g = c.benchmark_group("kafka/produce");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    g.bench_function("sc_events", |b| {
        b.iter(|| {
            rt.block_on(async {
                let futs: Vec<_> = events
                    .iter()
                    .map(|e| typed.enqueue(e).expect("queued"))
                    .collect();
                for f in futs {
                    f.await.expect("delivered");
                }
            })
        })
    });
    g.bench_function("raw_rdkafka", |b| {
        b.iter(|| {
            rt.block_on(async {
                let futs: Vec<_> = encoded
                    .iter()
                    .map(|(k, v)| {
                        raw.send_result(FutureRecord::to(TOPIC).key(k).payload(v))
                            .map_err(|(e, _)| e)
                            .expect("queued")
                    })
                    .collect();
                for f in futs {
                    f.await
                        .expect("not cancelled")
                        .map_err(|(e, _)| e)
                        .expect("delivered");
                }
            })
        })
    });
    let with_headers: Vec<(String, String, &str)> = events
        .iter()
        .map(|e| {
            (
                e.envelope.event_id.to_string(),
                e.envelope.event_type.clone(),
                "INTERNAL",
            )
        })
        .collect();
    g.bench_function("raw_rdkafka_with_headers", |b| {
        b.iter(|| {
            rt.block_on(async {
                let futs: Vec<_> = encoded
                    .iter()
                    .zip(&with_headers)
                    .map(|((k, v), (id, et, tier))| {
                        let h = OwnedHeaders::new_with_capacity(3)
                            .insert(Header {
                                key: "event_type",
                                value: Some(et.as_str()),
                            })
                            .insert(Header {
                                key: "event_id",
                                value: Some(id.as_str()),
                            })
                            .insert(Header {
                                key: "privacy_tier",
                                value: Some(*tier),
                            });
                        raw_headers
                            .send_result(FutureRecord::to(TOPIC).key(k).payload(v).headers(h))
                            .map_err(|(e, _)| e)
                            .expect("queued")
                    })
                    .collect();
                for f in futs {
                    f.await
                        .expect("not cancelled")
                        .map_err(|(e, _)| e)
                        .expect("delivered");
                }
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("kafka/consume");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    g.bench_function("sc_events", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut j = *job("proj-order-summaries").expect("job");
                let group = format!("bench-{}", uuid::Uuid::new_v4());
                j.group_id = Box::leak(group.into_boxed_str());
                let mut consumer = EventConsumer::<order::Event>::new(
                    &kafka,
                    registry.clone(),
                    &j,
                    ConsumerOptions::default(),
                )
                .expect("consumer");
                let count = Arc::new(AtomicU64::new(0));
                let span = Arc::new(Mutex::new((None::<Instant>, None::<Instant>)));
                let (n, s) = (count.clone(), span.clone());
                let mut handler =
                    move |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
                        let k = n.fetch_add(1, Ordering::Relaxed) + 1;
                        let now = Instant::now();
                        let mut s = s.lock().expect("lock");
                        if k == 1 {
                            s.0 = Some(now);
                        }
                        if k == BATCH {
                            s.1 = Some(now);
                        }
                        Ok(())
                    };
                let done = count.clone();
                rt.block_on(consumer.run(&mut handler, async move {
                    while done.load(Ordering::Relaxed) < BATCH {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }))
                .expect("run");
                let (a, z) = *span.lock().expect("lock");
                total += z.zip(a).map_or(Duration::ZERO, |(z, a)| z - a);
            }
            total
        })
    });
    g.bench_function("raw_rdkafka", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let consumer: StreamConsumer = ClientConfig::new()
                    .set("bootstrap.servers", &bootstrap)
                    .set("group.id", format!("bench-raw-{}", uuid::Uuid::new_v4()))
                    .set("auto.offset.reset", "earliest")
                    .set("enable.auto.offset.store", "false")
                    .create()
                    .expect("consumer");
                consumer.subscribe(&[TOPIC]).expect("subscribe");
                total += rt.block_on(async {
                    let _ = consumer.recv().await.expect("first message");
                    let start = Instant::now();
                    for _ in 1..BATCH {
                        let _ = consumer.recv().await.expect("message");
                    }
                    start.elapsed()
                });
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
