//! The Kafka layer against a real Kafka-protocol broker (tansu, in-memory, on loopback): typed
//! produce → consume, a poison message dead-lettered with Spring's `kafka_dlt-*` headers, a
//! handler failing twice then succeeding, one failing past its retries, a consumer killed
//! before committing (everything redelivered) and one shut down gracefully (nothing
//! redelivered), a newer producer's unknown event type skipped, a tier-filtered job, and
//! de-duplication by event id.

mod support;

use sc_events::event::ConsumerInfo;
use sc_events::job;
use sc_events::kafka::consumer::ConsumerOptions;
use sc_events::kafka::dlq::{self, headers as dlt};
use sc_events::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events::{order, user, AnyEvent, DomainEvent};
use sc_events_runtime::partition::murmur2_partition;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::kafka::{
    created, header, header_str, oid, payment, send_raw, until, user_contact, user_created, Stack,
};

const LIMIT: Duration = Duration::from_secs(60);

fn fast(name: &str) -> ConsumerInfo {
    let mut j = *job(name).expect("job in the catalog");
    j.retry.initial_backoff_ms = 20;
    j.retry.max_backoff_ms = 100;
    j
}

fn options() -> ConsumerOptions {
    ConsumerOptions {
        commit_interval_ms: 200,
        session_timeout_ms: 6_000,
        ..ConsumerOptions::default()
    }
}

/// A consumer of `job` on the test broker, with fast commits.
fn consumer<E: sc_events::kafka::Consumable>(s: &Stack, job: &ConsumerInfo) -> EventConsumer<E> {
    EventConsumer::new(&s.kafka(), s.registry.clone(), job, options()).expect("consumer")
}

/// The producers hold the local KMS key: user.contact_registered's email is encrypted.
fn serializer_config() -> sc_events::wire::SerializerConfig {
    sc_events::wire::SerializerConfig {
        kms: Some(Arc::new(sc_events::encrypt::LocalKms::from_secret(
            "kafka-tests",
        ))),
        ..Default::default()
    }
}

fn producer(s: &Stack) -> EventProducer {
    let options = ProducerOptions {
        serializer: serializer_config(),
        ..ProducerOptions::default()
    };
    EventProducer::new(&s.kafka(), s.registry.clone(), options).expect("producer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_events_go_to_their_topic_with_key_and_headers_and_come_back_equal() {
    let s = Stack::start().await;
    let p = producer(&s);
    let sent: Vec<order::Event> = (0..10).map(payment).collect();
    for e in &sent {
        let d = p.send(e).await.expect("delivered");
        // The Java client's partitioner (murmur2), over the topic's 6 partitions.
        let want = murmur2_partition(e.envelope.entity_id.as_bytes(), 6);
        assert_eq!(Some(d.partition), want, "{}", e.envelope.entity_id);
        assert!(d.offset >= 0, "{d:?}");
    }
    let raw = s.read_all("sc.domain.order", 10, LIMIT);
    assert_eq!(raw.len(), 10);
    for m in &raw {
        let key = std::str::from_utf8(rdkafka::Message::key(m).expect("keyed")).expect("utf-8 key");
        let e = sent
            .iter()
            .find(|e| e.envelope.entity_id == key)
            .expect("key is the entity id");
        assert_eq!(header_str(m, "event_type"), Some("order.payment_succeeded"));
        assert_eq!(
            header_str(m, "event_id"),
            Some(e.envelope.event_id.to_string().as_str())
        );
        assert_eq!(header_str(m, "privacy_tier"), Some("INTERNAL"));
    }

    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    let stats = c.stats();
    let mut handler = move |e: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        sink.lock().expect("lock").push(e.clone());
        Ok(())
    };
    let seen = got.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || seen.lock().map_or(0, |v| v.len()) >= 10),
    )
    .await
    .expect("run");
    let mut got = got.lock().expect("lock").clone();
    got.sort_by_key(|e| e.envelope.entity_id.clone());
    let mut want = sent.clone();
    want.sort_by_key(|e| e.envelope.entity_id.clone());
    assert_eq!(got, want);
    assert_eq!(stats.snapshot().handled, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_message_is_dead_lettered_with_its_key_value_and_spring_headers() {
    let s = Stack::start().await;
    let raw = s.raw_producer();
    send_raw(
        &raw,
        "sc.domain.order",
        "o-poison",
        b"\x07not avro",
        &[("trace", "t-1")],
    )
    .await;
    producer(&s).send(&payment(1)).await.expect("delivered");

    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    let stats = c.stats();
    let handled = Arc::new(AtomicUsize::new(0));
    let h = handled.clone();
    let mut handler = move |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        h.fetch_add(1, Ordering::SeqCst);
        Ok(())
    };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().settled() >= 2),
    )
    .await
    .expect("run");
    assert_eq!(
        handled.load(Ordering::SeqCst),
        1,
        "the good event is still handled"
    );
    assert_eq!(stats.snapshot().dead_lettered, 1);

    let dead = s.read_all("sc.dlq.proj-order-summaries", 1, LIMIT);
    assert_eq!(dead.len(), 1);
    let m = &dead[0];
    assert_eq!(rdkafka::Message::key(m), Some(&b"o-poison"[..]));
    assert_eq!(rdkafka::Message::payload(m), Some(&b"\x07not avro"[..]));
    assert_eq!(
        header_str(m, "trace"),
        Some("t-1"),
        "original headers are kept"
    );
    assert_eq!(header_str(m, dlt::ORIGINAL_TOPIC), Some("sc.domain.order"));
    assert_eq!(
        header_str(m, dlt::ORIGINAL_CONSUMER_GROUP),
        Some("sc.proj.order-summaries")
    );
    assert_eq!(
        header_str(m, dlt::EXCEPTION_FQCN),
        Some("sc_events_runtime::wire::WireError")
    );
    let msg = header_str(m, dlt::EXCEPTION_MESSAGE).expect("message");
    assert!(msg.contains("magic byte 7"), "{msg}");
    assert_eq!(header(m, dlt::ORIGINAL_PARTITION).map(<[u8]>::len), Some(4));
    assert_eq!(
        header(m, dlt::ORIGINAL_OFFSET),
        Some(&0i64.to_be_bytes()[..])
    );
    let ts = header(m, dlt::ORIGINAL_TIMESTAMP).expect("timestamp");
    assert!(i64::from_be_bytes(ts.try_into().expect("8 bytes")) > 1_600_000_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_fails_twice_then_succeeds_is_retried_and_not_dead_lettered() {
    let s = Stack::start().await;
    producer(&s).send(&payment(1)).await.expect("delivered");
    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    let stats = c.stats();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let a = attempts.clone();
    let mut handler = move |_: &order::Event, m: &Meta<'_>| -> Result<(), HandlerError> {
        a.lock().expect("lock").push(m.attempt);
        if m.attempt < 3 {
            return Err(HandlerError::retryable("database timeout"));
        }
        Ok(())
    };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().handled >= 1),
    )
    .await
    .expect("run");
    assert_eq!(*attempts.lock().expect("lock"), vec![1, 2, 3]);
    let snap = stats.snapshot();
    assert_eq!((snap.retries, snap.dead_lettered), (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_still_failing_after_its_retries_is_dead_lettered() {
    let s = Stack::start().await;
    let sent = payment(1);
    producer(&s).send(&sent).await.expect("delivered");
    let mut j = fast("proj-order-summaries");
    j.retry.max_retries = 1;
    let mut c = consumer::<order::Event>(&s, &j);
    let stats = c.stats();
    let mut handler = |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        Err(HandlerError::retryable("still down"))
    };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().dead_lettered >= 1),
    )
    .await
    .expect("run");
    let dead = s.read_all("sc.dlq.proj-order-summaries", 1, LIMIT);
    assert_eq!(dead.len(), 1);
    assert_eq!(
        header_str(&dead[0], dlt::EXCEPTION_FQCN),
        Some("sc_events_runtime::kafka::HandlerError::Retryable")
    );
    assert_eq!(
        header_str(&dead[0], dlt::EXCEPTION_MESSAGE),
        Some("after 2 attempt(s): still down")
    );
    assert_eq!(
        header_str(&dead[0], "event_type"),
        Some("order.payment_succeeded")
    );
    // The catalog keys sc.dlq.* by event_id; the entity key is kept for replay.
    let event_id = sent.envelope.event_id.to_string();
    assert_eq!(
        rdkafka::Message::key(&dead[0]),
        Some(event_id.as_bytes()),
        "keyed by the event id"
    );
    assert_eq!(
        header_str(&dead[0], dlq::ORIGINAL_KEY),
        Some(sent.envelope.entity_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_producers_unknown_event_type_is_skipped_with_or_without_a_header() {
    let s = Stack::start().await;
    let (old_id, _) = support::versions::register_older_order(s.registry.as_ref()).await;
    let e = payment(1);
    let mut gifted = vec![0];
    gifted.extend_from_slice(&old_id.to_be_bytes());
    sc_events::wire::Encode::encode(&e.envelope, &mut gifted);
    sc_events::wire::binary::put_long(&mut gifted, 12);
    sc_events::wire::binary::put_str(&mut gifted, "o-1");
    let raw = s.raw_producer();
    send_raw(
        &raw,
        "sc.domain.order",
        "o-1",
        &gifted,
        &[("event_type", "order.gifted")],
    )
    .await;
    send_raw(&raw, "sc.domain.order", "o-1", &gifted, &[]).await;
    producer(&s).send(&payment(2)).await.expect("delivered");

    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    let stats = c.stats();
    let mut handler = |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> { Ok(()) };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().settled() >= 3),
    )
    .await
    .expect("run");
    let snap = stats.snapshot();
    assert_eq!(
        (snap.unknown_type, snap.handled, snap.dead_lettered),
        (2, 1, 0),
        "{snap:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_job_never_sees_restricted_events_and_skips_types_it_does_not_handle() {
    let s = Stack::start().await;
    let p = producer(&s);
    p.send(&user_created(1)).await.expect("delivered");
    p.send(&user_contact(1)).await.expect("delivered");
    // The same RESTRICTED event without headers: refused after decoding.
    let mut bare = Vec::new();
    sc_events::wire::Serializer::<user::Event>::new(s.registry.as_ref(), &serializer_config())
        .await
        .expect("serializer")
        .serialize(&user_contact(2), &mut bare)
        .expect("encode");
    send_raw(&s.raw_producer(), "sc.domain.user", "u-2", &bare, &[]).await;
    p.send(&user_created(3)).await.expect("delivered");

    let mut c = consumer::<user::Event>(&s, &fast("proj-user-cards"));
    let stats = c.stats();
    let types = Arc::new(Mutex::new(Vec::new()));
    let t = types.clone();
    let mut handler = move |e: &user::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        t.lock().expect("lock").push(e.payload().event_type);
        Ok(())
    };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().settled() >= 4),
    )
    .await
    .expect("run");
    assert_eq!(
        *types.lock().expect("lock"),
        vec!["user.created", "user.created"]
    );
    assert_eq!(stats.snapshot().refused_tier, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_topic_job_decodes_every_domain_and_drops_repeated_event_ids() {
    let s = Stack::start().await;
    let p = producer(&s);
    let order = created(1);
    p.send(&order).await.expect("delivered");
    p.send(&order)
        .await
        .expect("delivered (a producer retry upstream)");
    p.send(&user_created(1)).await.expect("delivered");
    p.send(&user_contact(1)).await.expect("delivered");
    let mut c = consumer::<AnyEvent>(&s, &fast("analytics-general"));
    let stats = c.stats();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let mut handler = move |e: &AnyEvent, _: &Meta<'_>| -> Result<(), HandlerError> {
        g.lock().expect("lock").push(e.payload().event_type);
        Ok(())
    };
    let st = stats.clone();
    c.run(
        &mut handler,
        until(LIMIT, move || st.snapshot().settled() >= 4),
    )
    .await
    .expect("run");
    let mut got = got.lock().expect("lock").clone();
    got.sort_unstable();
    assert_eq!(got, vec!["order.created", "user.created"]);
    let snap = stats.snapshot();
    assert_eq!((snap.duplicates, snap.refused_tier), (1, 1), "{snap:?}");
}

/// An async handler (a trait impl doing I/O-like awaits), with the consumer on its own task:
/// `run` is `Send`, so services can `tokio::spawn` their jobs.
struct Projection {
    seen: Arc<Mutex<Vec<String>>>,
}

impl sc_events::kafka::Handler<order::Event> for Projection {
    async fn handle(&mut self, e: &order::Event, _: &Meta<'_>) -> Result<(), HandlerError> {
        tokio::time::sleep(Duration::from_millis(1)).await; // the database write
        self.seen
            .lock()
            .map_err(|_| HandlerError::fatal("poisoned"))?
            .push(e.envelope.entity_id.clone());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_handler_runs_on_a_spawned_task() {
    let s = Stack::start().await;
    let p = producer(&s);
    for n in 0..3 {
        p.send(&payment(n)).await.expect("delivered");
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    let mut handler = Projection { seen: seen.clone() };
    let done = seen.clone();
    let task = tokio::spawn(async move {
        c.run(
            &mut handler,
            until(LIMIT, move || done.lock().map_or(0, |v| v.len()) >= 3),
        )
        .await
    });
    let stats = task.await.expect("task").expect("run");
    assert_eq!(stats.handled, 3);
    let mut got = seen.lock().expect("lock").clone();
    got.sort();
    assert_eq!(got, [oid(0x0a, 0), oid(0x0a, 1), oid(0x0a, 2)]);
}

/// Prometheus metrics of a producer and a job, scraped as a service's `/metrics` would:
/// deliveries per topic, what became of each message, handler latency and partition lag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_shows_deliveries_outcomes_handler_latency_and_lag() {
    let s = Stack::start().await;
    let metrics = sc_events::kafka::Metrics::new();
    let p = producer(&s);
    p.register_metrics(&metrics);
    for n in 0..4 {
        p.send(&payment(n)).await.expect("delivered");
    }
    let mut c = consumer::<order::Event>(&s, &fast("proj-order-summaries"));
    c.register_metrics(&metrics);
    let stats = c.stats();
    let mut handler = |_: &order::Event, _: &Meta<'_>| -> Result<(), HandlerError> { Ok(()) };
    let (st, m) = (stats.clone(), metrics.clone());
    // librdkafka reports lags every 5 s: wait for a report after everything was handled.
    c.run(
        &mut handler,
        until(LIMIT, move || {
            st.snapshot().handled >= 4 && m.encode().contains("sc_events_consumer_lag{")
        }),
    )
    .await
    .expect("run");
    let text = metrics.encode();
    for line in [
        r#"sc_events_produced_total{topic="sc.domain.order"} 4"#,
        r#"sc_events_produce_failed_total{topic="sc.domain.order"} 0"#,
        r#"sc_events_consumed_total{job="proj-order-summaries",outcome="handled"} 4"#,
        r#"sc_events_consumed_total{job="proj-order-summaries",outcome="dead_lettered"} 0"#,
        r#"sc_events_handler_duration_seconds_count{job="proj-order-summaries"} 4"#,
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    let lags: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("sc_events_consumer_lag{"))
        .collect();
    assert!(!lags.is_empty(), "{text}");
    assert!(
        lags.iter()
            .all(|l| l.contains(r#"topic="sc.domain.order""#) && l.ends_with(" 0")),
        "everything was consumed: {lags:?}"
    );
}
