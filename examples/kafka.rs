//! A producing service and a consuming job, end to end, against a Kafka broker:
//! `cargo run --example kafka -- 127.0.0.1:9092 [REGISTRY_DB]` (create the topics first with
//! `schemactl topics apply --bootstrap 127.0.0.1:9092`). The embedded registry file defaults
//! to a temporary one; pass `.registry/registry.db` to share it with `schemactl tail`.
//!
//! The producer sends to the event's catalog topic, keyed by its entity id; the consumer runs
//! the catalog's `proj-order-summaries` job: it is handed only the order events it handles
//! at or below its privacy tier, retries a failing handler with backoff, dead-letters what
//! still fails, and stores each offset only after its event is done.

use sc_events::job;
use sc_events::kafka::consumer::ConsumerOptions;
use sc_events::kafka::{
    EventConsumer, EventProducer, HandlerError, KafkaConfig, Meta, ProducerOptions,
};
use sc_events::wire::SerializerConfig;
use sc_events::{order, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9092".into());
    let kafka = KafkaConfig::new(bootstrap);
    let dir = tempfile::tempdir()?;
    let path = std::env::args()
        .nth(2)
        .map_or_else(|| dir.path().join("registry.db"), Into::into);
    let registry = Arc::new(EmbeddedRegistry::open(path)?);

    // Producer: schemas are normally published by `schemactl publish`; auto-registered here.
    let options = ProducerOptions {
        serializer: SerializerConfig {
            auto_register: true,
            ..SerializerConfig::default()
        },
        ..ProducerOptions::default()
    };
    let producer = EventProducer::new(&kafka, registry.clone(), options)?;
    let emitter = Emitter::new("checkout-service");
    for n in 0..3 {
        let event = emitter.event(
            order::OrderPaymentSucceeded {
                order_id: format!("64f1c2b7e0d3a4c5{n:08x}"),
                transaction_id: format!("tx-{n}"),
                amount_cents: 4_999,
                currency: "EUR".into(),
            },
            format!("64f1c2b7e0d3a4c5{n:08x}"),
            3,
            Actor::system(),
        )?;
        let d = producer.send(&event).await?;
        println!(
            "sent {} to partition {} offset {}",
            event.envelope.event_id, d.partition, d.offset
        );
    }
    producer.flush(Duration::from_secs(10))?;

    // Consumer: the catalog's job, with a synchronous handler.
    let job = job("proj-order-summaries").ok_or("no such job in the catalog")?;
    let mut consumer =
        EventConsumer::<order::Event>::new(&kafka, registry, job, ConsumerOptions::default())?;
    let mut handler = |e: &order::Event, m: &Meta<'_>| -> Result<(), HandlerError> {
        println!(
            "{} {} at {}[{}]@{}",
            e.envelope.event_type, e.envelope.entity_id, m.topic, m.partition, m.offset
        );
        Ok(())
    };
    let stats = consumer
        .run(&mut handler, tokio::time::sleep(Duration::from_secs(10)))
        .await?;
    println!("{stats:?}");
    Ok(())
}
