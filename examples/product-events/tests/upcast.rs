//! A 2.x consumer reading the 1.x backlog (seed 003's migration across a major): product
//! events 2.0.0 made prices integer cents (`priceCents`, a long; 1.x sent a double `price`).
//! Avro's resolution cannot read a 1.x datum into the 2.x types, so the deserializer upcasts
//! it: the schema's declared `"upcast"` maps `priceCents` from `price` (a whole-number double
//! converts), and a Rust step registered for 1 → 2 rounds the prices that are not whole. The
//! backlog is real: 1.x messages on a tansu broker, framed with the 1.0.0 schema's id.

#[path = "../../../tests/support/broker.rs"]
mod broker;
#[path = "../../../tests/support/workspace.rs"]
mod workspace;

use product_events::types::EventEnvelope;
use product_events::{product_event as product, Workspace};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use sc_events_registry::subjects::{subjects, Naming};
use sc_events_registry::{Metadata, RegisterOptions, Registry, SchemaDef};
use sc_events_runtime::event::WorkspaceCatalog;
use sc_events_runtime::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events_runtime::wire::binary::{put_double, put_int, put_long, put_str};
use sc_events_runtime::wire::upcast::Upcasters;
use sc_events_runtime::wire::{Decoded, Deserializer, ReaderOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use workspace::{fast_job, options, until, Stack};

const LIMIT: Duration = Duration::from_secs(60);
const SUBJECT: &str = "product-events-value";
const GROUP: &str = "application.major.version";

/// Registers the shared subjects, then the 1.0.0 schema (major 1) and today's 2.0.0 (major
/// 2) under the compatibility group, as the product platform published them; returns the
/// 1.0.0 id.
async fn publish_both(registry: &dyn Registry) -> i32 {
    registry
        .set_compatibility_group(None, Some(GROUP))
        .await
        .expect("group");
    let all = subjects(Workspace::catalog(), &Naming::default());
    let mut v1 = 0;
    for s in &all {
        let def = s.def(&vec![1; s.references.len()]);
        if s.subject == SUBJECT {
            let old = SchemaDef::avro(include_str!("fixtures/product_event-1.0.0.avsc"))
                .with_references(def.references.clone())
                .with_metadata(Some(Metadata::property(GROUP, "1")));
            v1 = registry
                .register(SUBJECT, &old, RegisterOptions::default())
                .await
                .expect("register 1.0.0");
        }
        registry
            .register(&s.subject, &def, RegisterOptions::default())
            .await
            .unwrap_or_else(|e| panic!("register {}: {e}", s.subject));
    }
    v1
}

/// A 1.x ProductCreated, framed with the 1.0.0 schema's id, written field by field as the
/// platform's 1.x producers wrote it.
fn v1_created(schema_id: i32, name: &str, price: f64) -> Vec<u8> {
    let mut w = vec![0];
    w.extend_from_slice(&schema_id.to_be_bytes());
    let id = uuid::Uuid::new_v4().to_string();
    put_str(&mut w, &id); // eventId
    put_str(&mut w, "ProductCreated"); // eventType
    put_str(&mut w, "1.0.0"); // version
    put_long(&mut w, 1_764_000_000_000); // timestamp
    put_str(&mut w, &uuid::Uuid::new_v4().to_string()); // correlationId
    put_str(&mut w, "catalog-service-1x"); // source
    put_str(&mut w, &uuid::Uuid::new_v4().to_string()); // userId
    put_long(&mut w, 0); // sessionId: null
    put_long(&mut w, 0); // metadata: null
    put_long(&mut w, 1); // data: ProductCreated
    put_str(&mut w, &uuid::Uuid::new_v4().to_string()); // productId
    put_str(&mut w, name);
    put_str(&mut w, "from the 1.x backlog"); // description
    put_double(&mut w, price);
    put_long(&mut w, 7); // quantity
    put_int(&mut w, 2); // category: books
    put_str(&mut w, &uuid::Uuid::new_v4().to_string()); // sellerId
    put_long(&mut w, 0); // createdAt: null
    w
}

fn rounding_step() -> Upcasters {
    Upcasters::default().step(1, |v| {
        if let Some(price) = v
            .pointer_mut("/data/product.events.ProductCreated/price")
            .filter(|p| p.is_f64())
        {
            let cents = price.as_f64().unwrap_or_default().round();
            *price = serde_json::json!(cents as i64);
        }
        Ok(())
    })
}

fn price_of(e: &product::Event) -> Option<(String, i64)> {
    match &e.data {
        product::Data::ProductCreated(p) => Some((p.name.clone(), p.price_cents)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2x_consumer_reads_the_1x_backlog_through_the_declared_upcast_and_a_rust_step() {
    let s = Stack::start::<Workspace>(false).await;
    let v1 = publish_both(s.registry.as_ref()).await;

    // The backlog: three 1.x events, one with a price that is not whole cents.
    let raw: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", s.broker.bootstrap())
        .create()
        .expect("raw producer");
    let backlog = [("Atlas", 1999.0), ("Globe", 2500.0), ("Compass", 1234.5)];
    for (name, price) in backlog {
        let value = v1_created(v1, name, price);
        let record = FutureRecord::to("product-events").key(name).payload(&value);
        raw.send(record, Duration::from_secs(30))
            .await
            .map_err(|(e, _)| e)
            .expect("1.x send");
    }
    // Then a 2.x producer.
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let now = product::Event::new(
        EventEnvelope::new("catalog-service", uuid::Uuid::new_v4()),
        product::ProductCreated {
            product_id: uuid::Uuid::new_v4(),
            name: "Sextant".into(),
            description: "2.x".into(),
            price_cents: 4200,
            quantity: 1,
            category: product::ProductCreatedDataCategory::Books,
            seller_id: uuid::Uuid::new_v4(),
            created_at: None,
        },
    )
    .expect("valid");
    p.send(&now).await.expect("delivered");

    // The declared upcast alone reads whole-cent prices, and refuses 1234.5 with the reason.
    let de = Deserializer::<product::Event>::new(s.registry.clone());
    let atlas = v1_created(v1, "Atlas", 1999.0);
    let Decoded::Event(e) = de.deserialize(&atlas).await.expect("upcast") else {
        panic!("not an event")
    };
    assert_eq!(price_of(&e), Some(("Atlas".into(), 1999)));
    assert_eq!(e.source, "catalog-service-1x");
    let odd = de
        .deserialize(&v1_created(v1, "Compass", 1234.5))
        .await
        .expect_err("1234.5 is not whole cents")
        .to_string();
    assert!(
        odd.contains("ProductCreated.priceCents") && odd.contains("long"),
        "{odd}"
    );
    // With the step, through the same options a consuming job takes.
    let rounding = Deserializer::<product::Event>::with_options(
        s.registry.clone(),
        ReaderOptions {
            upcasters: rounding_step(),
            ..ReaderOptions::default()
        },
    );
    let Decoded::Event(e) = rounding
        .deserialize(&v1_created(v1, "Compass", 1234.5))
        .await
        .expect("rounded")
    else {
        panic!("not an event")
    };
    assert_eq!(price_of(&e), Some(("Compass".into(), 1235)));

    // The analytics job, with the rounding step: the whole backlog, then today's event.
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let mut job_options = options();
    job_options.upcasters = rounding_step();
    let mut c = EventConsumer::<product::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &fast_job::<Workspace>("analytics"),
        job_options,
    )
    .expect("consumer");
    let stats = c.stats();
    let mut handler = move |e: &product::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        sink.lock().expect("lock").extend(price_of(e));
        Ok(())
    };
    let seen = got.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || seen.lock().map_or(0, |v| v.len()) >= 4),
    )
    .await
    .expect("run");
    let mut got = got.lock().expect("lock").clone();
    got.sort();
    assert_eq!(
        got,
        [
            ("Atlas".to_string(), 1999),
            ("Compass".to_string(), 1235),
            ("Globe".to_string(), 2500),
            ("Sextant".to_string(), 4200)
        ]
    );
    assert_eq!(stats.snapshot().dead_lettered, 0);
}
