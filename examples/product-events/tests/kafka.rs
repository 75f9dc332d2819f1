//! The notifications subscriber against a real Kafka-protocol broker (tansu on loopback): of
//! the four event types on `product-events` it is handed its three, a sender that fails three
//! times succeeds on the fourth delivery (its retry budget, the platform's maxRetries 3), one
//! that keeps failing sends the event to `notifications-dlq`, and a handler that hangs past
//! the job's handler timeout (the queue's visibility timeout) fails each attempt.

#[path = "../../../tests/support/broker.rs"]
mod broker;
#[path = "../../../tests/support/workspace.rs"]
mod workspace;

use product_events::notifications::{Notifications, Sender};
use product_events::types::EventEnvelope;
use product_events::{product_event as product, Workspace};
use sc_events_runtime::kafka::{
    EventConsumer, EventProducer, Handler, HandlerError, Meta, ProducerOptions,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use workspace::{fast_job, options, until, Stack};

const LIMIT: Duration = Duration::from_secs(60);

/// Fails the first `failures` sends of each text (one more for an out-of-stock warning), then
/// records it.
struct Flaky {
    failures: usize,
    attempts: std::collections::HashMap<String, usize>,
    sent: Arc<Mutex<Vec<String>>>,
}

impl Sender for Flaky {
    fn send(&mut self, _to: uuid::Uuid, text: &str) -> Result<(), String> {
        let n = self.attempts.entry(text.to_string()).or_default();
        *n += 1;
        let failures = if text.contains(": 0 left") {
            self.failures + 1
        } else {
            self.failures
        };
        if *n <= failures {
            return Err(format!("mail server busy ({n})"));
        }
        self.sent
            .lock()
            .map_err(|e| e.to_string())?
            .push(text.to_string());
        Ok(())
    }
}

fn env() -> EventEnvelope {
    EventEnvelope::new("catalog-service", uuid::Uuid::new_v4())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_get_their_three_event_types_and_retries_then_dead_letters() {
    let s = Stack::start::<Workspace>(true).await;
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let id = uuid::Uuid::new_v4();
    let seller = uuid::Uuid::new_v4();
    let events = [
        product::Event::new(
            env(),
            product::ProductCreated {
                product_id: id,
                name: "Desk lamp".into(),
                description: "A lamp for desks".into(),
                price_cents: 1999,
                quantity: 3,
                category: product::ProductCreatedDataCategory::Home,
                seller_id: seller,
                created_at: None,
            },
        ),
        product::Event::new(
            env(),
            product::ProductDeleted {
                product_id: uuid::Uuid::new_v4(),
                deleted_at: chrono::Utc::now(),
                reason: None,
            },
        ),
        product::Event::new(
            env(),
            product::LowStockWarning {
                product_id: id,
                product_name: "Desk lamp".into(),
                current_quantity: 1,
                threshold: 2,
                seller_id: Some(seller),
                category: None,
                severity: Some(product::LowStockWarningDataSeverity::Critical),
            },
        ),
    ];
    for e in events {
        p.send(&e.expect("valid")).await.expect("delivered");
    }

    p.send(
        &product::Event::new(
            env(),
            product::LowStockWarning {
                product_id: id,
                product_name: "Desk lamp".into(),
                current_quantity: 0,
                threshold: 2,
                seller_id: None,
                category: None,
                severity: None,
            },
        )
        .expect("valid"),
    )
    .await
    .expect("delivered");

    // Three failures fit the job's three retries; the out-of-stock warning fails four times,
    // one more than its budget, and goes to notifications-dlq.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let mut n = Notifications {
        sender: Flaky {
            failures: 3,
            attempts: Default::default(),
            sent: sent.clone(),
        },
    };
    let mut c = EventConsumer::<product::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &fast_job::<Workspace>("notifications"),
        options(),
    )
    .expect("consumer");
    let stats = c.stats();
    let (seen, st) = (sent.clone(), stats.clone());
    c.run(
        &mut n,
        until(LIMIT, move || {
            let snap = st.snapshot();
            // All four events accounted for (they sit on three partitions, in any order).
            seen.lock().map_or(0, |v| v.len()) >= 2 && snap.dead_lettered >= 1 && snap.filtered >= 1
        }),
    )
    .await
    .expect("run");
    let snap = stats.snapshot();
    assert_eq!(
        *sent.lock().expect("lock"),
        [
            "Desk lamp is now listed at 19.99",
            "Desk lamp is low on stock: 1 left (threshold 2)"
        ]
    );
    assert_eq!((snap.filtered, snap.dead_lettered), (1, 1), "{snap:?}");
    assert_eq!(snap.retries, 3 + 3 + 3, "{snap:?}");
}

/// Hangs on every event: each attempt is abandoned at the handler timeout.
struct Hangs;

impl Handler<product::Event> for Hangs {
    async fn handle(&mut self, _: &product::Event, _: &Meta<'_>) -> Result<(), HandlerError> {
        tokio::time::sleep(Duration::from_secs(600)).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_hangs_past_its_timeout_fails_each_attempt_then_dead_letters() {
    let s = Stack::start::<Workspace>(true).await;
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer");
    let created = product::ProductCreated {
        product_id: uuid::Uuid::new_v4(),
        name: "Desk lamp".into(),
        description: "A lamp for desks".into(),
        price_cents: 1999,
        quantity: 3,
        category: product::ProductCreatedDataCategory::Home,
        seller_id: uuid::Uuid::new_v4(),
        created_at: None,
    };
    let e = product::Event::new(env(), created).expect("valid");
    p.send(&e).await.expect("delivered");
    let mut job = fast_job::<Workspace>("notifications");
    assert_eq!(
        job.handler_timeout_ms,
        Some(30_000),
        "the catalog's visibility timeout"
    );
    job.handler_timeout_ms = Some(200);
    let mut c =
        EventConsumer::<product::Event>::new(&s.kafka(), s.registry.clone(), &job, options())
            .expect("consumer");
    let stats = c.stats();
    let st = stats.clone();
    let started = std::time::Instant::now();
    c.run(
        &mut Hangs,
        until(LIMIT, move || st.snapshot().dead_lettered >= 1),
    )
    .await
    .expect("run");
    let snap = stats.snapshot();
    assert_eq!(
        (snap.timed_out, snap.retries, snap.dead_lettered),
        (4, 3, 1),
        "{snap:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
