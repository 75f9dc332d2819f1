//! Producing and consuming registry-framed events, end to end, on an embedded registry:
//! `cargo run --example wire`.
//!
//! A service publishes its schemas with `schemactl publish` (here: the same registration in
//! code), then builds one `Serializer` and one `Deserializer` per event type and reuses them:
//! the schema id is resolved once, each writer schema is fetched once per id, and after that
//! encoding and decoding touch neither the registry nor a `Value` tree.

use sc_events::wire::{Decoded, Deserializer, HasView, Serializer, SerializerConfig};
use sc_events::{order, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let registry = EmbeddedRegistry::open(dir.path().join("registry.db"))?;

    // Producer side. `auto_register` is off by default (the gate publishes schemas); on here so
    // the example needs no `schemactl publish` first.
    let config = SerializerConfig {
        auto_register: true,
        ..SerializerConfig::default()
    };
    let serializer = Serializer::<order::Event>::new(&registry, &config).await?;
    let event = Emitter::new("checkout-service").event(
        order::OrderCreated {
            order_id: "64f1c2b7e0d3a4c5deadbeef".into(),
            order_number: "SC-2026-000001".into(),
            customer_id: "64f1c2b7e0d3a4c5aaaaaaaa".into(),
            item_count: 2,
            total_cents: 4_999,
            currency: "EUR".into(),
            status: order::OrderStatus::Pending,
        },
        "64f1c2b7e0d3a4c5deadbeef",
        1,
        Actor::system(),
    )?;
    let mut buf = Vec::with_capacity(256);
    serializer.serialize(&event, &mut buf)?; // validates, frames, encodes; no allocation
    println!(
        "schema id {}, {} bytes: {:02x?}...",
        serializer.schema_id(),
        buf.len(),
        &buf[..12]
    );

    // Consumer side: the first message of an id fetches its writer schema; the rest are
    // synchronous.
    let deserializer = Deserializer::<order::Event>::new(Arc::new(registry));
    match deserializer.deserialize(&buf).await? {
        Decoded::Event(e) => println!(
            "decoded {} for {}",
            e.envelope.event_type, e.envelope.entity_id
        ),
        Decoded::UnknownEventType {
            event_type,
            schema_id,
        } => {
            println!("skipping {event_type} (schema {schema_id}): newer than this build")
        }
    }
    // A borrowed view: strings point into `buf`.
    let mut scratch = Vec::new();
    if let Decoded::Event(view) = deserializer.deserialize_view(&buf, &mut scratch)? {
        println!(
            "view of {} by {}",
            view.envelope.event_type, view.envelope.producer
        );
        assert_eq!(order::Event::from_view(&view), event);
    }
    Ok(())
}
