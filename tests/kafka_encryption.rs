//! RESTRICTED PII on a shared topic, against a real broker (tansu): the producer encrypts the
//! fields tagged PII (the subject's ENCRYPT rule, the embedded registry's DEK registry, the
//! local KMS), so a PUBLIC job reading the raw topic receives no cleartext PII; the catalog's
//! compliance job, which holds the key, reads it in clear; the security-audit job receives the
//! login and lock events and feeds `sc.analytics.admin.user-security`.

mod support;

use rdkafka::Message;
use sc_events::encrypt::{Kms, LocalKms};
use sc_events::event::ConsumerInfo;
use sc_events::job;
use sc_events::kafka::consumer::{ConsumerError, ConsumerOptions};
use sc_events::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events::types::{LockTriggerReason, LoginMethod};
use sc_events::wire::SerializerConfig;
use sc_events::{user, Actor, DomainEvent, Emitter};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::kafka::{oid, send_raw, until, user_contact, user_created, Stack};

const LIMIT: Duration = Duration::from_secs(60);
const SECRET: &str = "kafka-encryption-test-secret";

fn kms() -> Arc<dyn Kms> {
    Arc::new(LocalKms::from_secret(SECRET))
}

fn fast(name: &str) -> ConsumerInfo {
    let mut j = *job(name).expect("job in the catalog");
    j.retry.initial_backoff_ms = 20;
    j.retry.max_backoff_ms = 100;
    j
}

fn options(kms: Option<Arc<dyn Kms>>) -> ConsumerOptions {
    ConsumerOptions {
        commit_interval_ms: 200,
        session_timeout_ms: 6_000,
        kms,
        ..ConsumerOptions::default()
    }
}

fn login(n: i64) -> user::Event {
    Emitter::new("auth")
        .event(
            user::UserLoginSucceeded {
                user_id: oid(0x0b, n),
                login_method: LoginMethod::Password,
            },
            oid(0x0b, n),
            2,
            Actor::system(),
        )
        .expect("valid event")
}

fn locked(n: i64) -> user::Event {
    Emitter::new("auth")
        .event(
            user::UserLocked {
                user_id: oid(0x0b, n),
                locked_until: chrono::DateTime::from_timestamp_millis(1_800_000_000_000)
                    .expect("timestamp"),
                trigger_reason: LockTriggerReason::TooManyFailedLogins,
                failed_attempt_count: 5,
            },
            oid(0x0b, n),
            3,
            Actor::system(),
        )
        .expect("valid event")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every byte of a message: key, value and headers.
fn bytes_of(m: &rdkafka::message::OwnedMessage) -> Vec<u8> {
    use rdkafka::message::Headers;
    let mut all = m.key().unwrap_or_default().to_vec();
    all.extend_from_slice(m.payload().unwrap_or_default());
    if let Some(h) = m.headers() {
        for i in 0..h.count() {
            all.extend_from_slice(h.get(i).value.unwrap_or_default());
        }
    }
    all
}

fn printable(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if c.is_ascii_graphic() {
                (c as char).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_pii_is_ciphertext_on_the_topic_and_only_the_compliance_job_reads_it() {
    let s = Stack::start().await;
    let options_p = ProducerOptions {
        serializer: SerializerConfig {
            kms: Some(kms()),
            ..SerializerConfig::default()
        },
        ..ProducerOptions::default()
    };
    let p = EventProducer::new(&s.kafka(), s.registry.clone(), options_p).expect("producer");
    for n in 1..=3 {
        p.send(&user_created(n)).await.expect("delivered");
        p.send(&user_contact(n)).await.expect("delivered");
    }
    p.send(&login(1)).await.expect("delivered");
    p.send(&locked(1)).await.expect("delivered");

    // What a PUBLIC job's consumer receives from the raw topic: no email, anywhere.
    let raw = s.read_all("sc.domain.user", 8, LIMIT);
    assert_eq!(raw.len(), 8);
    for m in &raw {
        let all = bytes_of(m);
        for n in 1..=3 {
            let email = format!("u{n}@example.com");
            assert!(
                !contains(&all, email.as_bytes()) && !contains(&all, b"@example.com"),
                "cleartext PII on the topic: {}",
                printable(&all)
            );
        }
    }
    let contact = raw
        .iter()
        .find(|m| support::kafka::header_str(m, "event_type") == Some("user.contact_registered"))
        .expect("a contact_registered record");
    println!(
        "user.contact_registered as the broker holds it ({} bytes): {}",
        contact.payload().map_or(0, <[u8]>::len),
        printable(contact.payload().unwrap_or_default())
    );

    // The compliance job holds the key: it reads the emails in clear.
    let emails = Arc::new(Mutex::new(Vec::new()));
    let sink = emails.clone();
    let mut compliance = EventConsumer::<user::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &fast("compliance-contacts"),
        options(Some(kms())),
    )
    .expect("compliance consumer");
    let mut handler = move |e: &user::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        if let user::Data::UserContactRegistered(c) = &e.data {
            sink.lock().expect("lock").push(c.email.clone());
        }
        Ok(())
    };
    let seen = emails.clone();
    compliance
        .run(
            &mut handler,
            until(LIMIT, move || seen.lock().map_or(0, |v| v.len()) >= 3),
        )
        .await
        .expect("run");
    let mut got = emails.lock().expect("lock").clone();
    got.sort();
    println!("the compliance job read: {got:?}");
    assert_eq!(got, ["u1@example.com", "u2@example.com", "u3@example.com"]);

    // Without the key, the job that must decrypt does not start.
    if std::env::var_os("LOCAL_SECRET").is_none() {
        let e = EventConsumer::<user::Event>::new(
            &s.kafka(),
            s.registry.clone(),
            &fast("compliance-contacts"),
            options(None),
        )
        .err()
        .expect("refused");
        assert!(
            matches!(&e, ConsumerError::Config { message, .. } if message.contains("LOCAL_SECRET")),
            "{e}"
        );
    }

    // The security-audit job gets exactly the login and lock events and feeds its topic.
    let audit_job = fast("analytics-security-audit");
    assert_eq!(audit_job.output, ["sc.analytics.admin.user-security"]);
    let mut audit = EventConsumer::<user::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &audit_job,
        options(None),
    )
    .expect("audit consumer");
    let out = s.raw_producer();
    let forwarded = Arc::new(Mutex::new(Vec::new()));
    let f = forwarded.clone();
    let mut handler = move |e: &user::Event, _: &Meta<'_>| -> Result<(), HandlerError> {
        f.lock().expect("lock").push((
            e.envelope.entity_id.clone(),
            e.payload().event_type.to_string(),
        ));
        Ok(())
    };
    let stats = audit.stats();
    let st = stats.clone();
    audit
        .run(
            &mut handler,
            until(LIMIT, move || st.snapshot().settled() >= 8),
        )
        .await
        .expect("run");
    let events = forwarded.lock().expect("lock").clone();
    assert_eq!(
        events.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        ["user.login_succeeded", "user.locked"]
    );
    for (user_id, event_type) in &events {
        let record = serde_json::json!({"user_id": user_id, "event_type": event_type});
        send_raw(
            &out,
            audit_job.output[0],
            user_id,
            record.to_string().as_bytes(),
            &[],
        )
        .await;
    }
    let fed = s.read_all("sc.analytics.admin.user-security", 2, LIMIT);
    assert_eq!(fed.len(), 2);

    // A producer without the key still writes events with no tagged value, as Confluent's
    // clients do, and refuses one with a tagged value rather than send it in clear.
    if std::env::var_os("LOCAL_SECRET").is_none() {
        let keyless =
            EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
                .expect("producer");
        keyless.send(&user_created(9)).await.expect("delivered");
        let e = keyless.send(&user_contact(9)).await.expect_err("refused");
        assert!(e.to_string().contains("no KMS holds it"), "{e}");
    }
}
