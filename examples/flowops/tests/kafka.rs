//! The Order Service and the Inventory Service against a real Kafka-protocol broker (tansu on
//! loopback): events keyed by order id on the single partition of `order-events`, consumed in
//! order by the `inventory-service` job, a repeated event applied once, and an order with an
//! unknown SKU dead-lettered to `order-events.dlq` with its original key.

#[path = "../../../tests/support/broker.rs"]
mod broker;
#[path = "../../../tests/support/workspace.rs"]
mod workspace;

use flowops_events::inventory::Inventory;
use flowops_events::orders::OrderService;
use flowops_events::{order, Workspace};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::Message;
use sc_events_runtime::kafka::{EventConsumer, EventProducer, Meta, ProducerOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use workspace::{fast_job, options, until, Stack};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_reserve_and_release_stock_once_and_a_bad_order_is_dead_lettered() {
    let s = Stack::start::<Workspace>(true).await;
    let producer = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let orders = OrderService::new(producer);
    let (first, d) = orders
        .created("ORD-1", &[("SKU-1", 2), ("SKU-2", 1)])
        .await
        .expect("sent");
    assert_eq!(d.partition, 0, "one partition");
    orders
        .created("ORD-2", &[("SKU-1", 5)])
        .await
        .expect("sent");
    orders.cancelled("ORD-2").await.expect("sent");
    orders
        .created("ORD-3", &[("NO-SUCH-SKU", 1)])
        .await
        .expect("sent");
    // At-least-once: the same event delivered twice.
    let again = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    again.send(&first).await.expect("sent again");

    let inventory = Arc::new(Mutex::new(Inventory::with_stock(&[
        ("SKU-1", 10),
        ("SKU-2", 10),
    ])));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (inv, log) = (inventory.clone(), seen.clone());
    let mut handler = move |e: &order::Event, m: &Meta<'_>| {
        log.lock().expect("lock").push(e.event_type.clone());
        inv.lock().expect("lock").handle(e, m)
    };
    let job = fast_job::<Workspace>("inventory-service");
    let mut c = EventConsumer::<order::Event>::new(&s.kafka(), s.registry.clone(), &job, options())
        .expect("consumer");
    let stats = c.stats();
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || {
            let s = st.snapshot();
            s.handled + s.dead_lettered + s.duplicates >= 5
        }),
    )
    .await
    .expect("run");

    let snap = stats.snapshot();
    assert_eq!(snap.dead_lettered, 1, "{snap:?}");
    // The consumer's dedup window drops the repeated event before the handler.
    assert_eq!(snap.duplicates, 1, "{snap:?}");
    assert_eq!(
        *seen.lock().expect("lock"),
        [
            "ORDER_CREATED",
            "ORDER_CREATED",
            "ORDER_CANCELLED",
            "ORDER_CREATED"
        ],
        "in partition order"
    );
    let inv = inventory.lock().expect("lock");
    assert_eq!(
        inv.available["SKU-1"], 8,
        "ORD-1 holds 2, ORD-2 was released"
    );
    assert_eq!(inv.available["SKU-2"], 9);
    assert!(inv.reserved.contains_key("ORD-1") && !inv.reserved.contains_key("ORD-2"));

    let dlq: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", s.broker.bootstrap())
        .set("group.id", "dlq-reader")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("dlq reader");
    dlq.subscribe(&["order-events.dlq"]).expect("subscribe");
    let start = std::time::Instant::now();
    let dead = loop {
        if let Some(Ok(m)) = dlq.poll(Duration::from_millis(200)) {
            break m.detach();
        }
        assert!(
            start.elapsed() < LIMIT,
            "no dead letter\n{}",
            s.broker.log_tail()
        );
    };
    assert_eq!(dead.key(), Some(&b"ORD-3"[..]));
}
