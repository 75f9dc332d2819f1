//! Kafka test helpers over a real broker: a published embedded registry, the catalog's topics
//! created, typed sample events, raw produce and a raw read of a whole topic.

use super::broker::Broker;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{ClientConfig, Message};
use sc_events::kafka::admin::{Admin, TopicSpec};
use sc_events::kafka::KafkaConfig;
use sc_events::types::{OrderStatus, UserRole, UserStatus};
use sc_events::{order, user, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::Registry;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A broker with the catalog's topics and a registry holding the workspace.
pub struct Stack {
    pub broker: Broker,
    pub registry: Arc<dyn Registry>,
    pub registry_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start() -> Stack {
        let broker = Broker::start();
        let dir = tempfile::tempdir().expect("temp dir");
        let registry_path = dir.path().join("registry.db");
        let reg = EmbeddedRegistry::open(&registry_path).expect("open registry");
        super::versions::publish(&reg).await;
        let stack = Stack {
            broker,
            registry: Arc::new(reg),
            registry_path,
            _dir: dir,
        };
        let admin = Admin::new(&stack.kafka(), Duration::from_secs(30)).expect("admin client");
        let created = admin
            .create(&TopicSpec::from_workspace::<sc_events::Workspace>(1))
            .await
            .expect("create topics");
        for (name, r) in created {
            r.unwrap_or_else(|e| panic!("create {name}: {e}\n{}", stack.broker.log_tail()));
        }
        stack
    }

    pub fn kafka(&self) -> KafkaConfig {
        KafkaConfig::new(self.broker.bootstrap())
    }

    /// A plain rdkafka producer (for poison messages and the like).
    pub fn raw_producer(&self) -> FutureProducer {
        ClientConfig::new()
            .set("bootstrap.servers", self.broker.bootstrap())
            .set("linger.ms", "0")
            .create()
            .expect("raw producer")
    }

    /// Every message of `topic` now on the broker, read without a group (all partitions).
    pub fn read_all(&self, topic: &str, expect: usize, within: Duration) -> Vec<OwnedMessage> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.broker.bootstrap())
            .set("group.id", format!("reader-{}", uuid::Uuid::new_v4()))
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false")
            .create()
            .expect("reader");
        c.subscribe(&[topic]).expect("subscribe");
        let mut out = Vec::new();
        let start = Instant::now();
        while out.len() < expect && start.elapsed() < within {
            if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
                out.push(m.detach());
            }
        }
        out
    }
}

pub async fn send_raw(
    p: &FutureProducer,
    topic: &str,
    key: &str,
    value: &[u8],
    headers: &[(&str, &str)],
) {
    let mut h = OwnedHeaders::new();
    for (k, v) in headers {
        h = h.insert(Header {
            key: k,
            value: Some(*v),
        });
    }
    p.send(
        FutureRecord::to(topic).key(key).payload(value).headers(h),
        Timeout::After(Duration::from_secs(30)),
    )
    .await
    .map_err(|(e, _)| e)
    .expect("raw send");
}

pub fn header<'a>(m: &'a OwnedMessage, key: &str) -> Option<&'a [u8]> {
    use rdkafka::message::Headers;
    let h = m.headers()?;
    h.iter().find(|x| x.key == key).and_then(|x| x.value)
}

pub fn header_str<'a>(m: &'a OwnedMessage, key: &str) -> Option<&'a str> {
    header(m, key).and_then(|v| std::str::from_utf8(v).ok())
}

/// A MongoDB ObjectId (24 hex digits) for test entity `n`, its first byte `tag` telling
/// entities apart (orders 0x0a, users 0x0b, customers 0x0c).
pub fn oid(tag: u8, n: i64) -> String {
    format!("{tag:02x}{n:022x}")
}

pub fn payment(n: i64) -> order::Event {
    Emitter::new("checkout")
        .event(
            order::OrderPaymentSucceeded {
                order_id: oid(0x0a, n),
                transaction_id: format!("tx-{n}"),
                amount_cents: 1_000 + n,
                currency: "EUR".into(),
            },
            oid(0x0a, n),
            2,
            Actor::system(),
        )
        .expect("valid event")
}

pub fn created(n: i64) -> order::Event {
    Emitter::new("checkout")
        .event(
            order::OrderCreated {
                order_id: oid(0x0a, n),
                order_number: format!("N{n}"),
                customer_id: oid(0x0c, 1),
                item_count: 1,
                total_cents: 500 + n,
                currency: "EUR".into(),
                status: OrderStatus::Pending,
            },
            oid(0x0a, n),
            1,
            Actor::system(),
        )
        .expect("valid event")
}

pub fn user_created(n: i64) -> user::Event {
    Emitter::new("accounts")
        .event(
            user::UserCreated {
                user_id: oid(0x0b, n),
                role: UserRole::Consumer,
                status: UserStatus::Pending,
                display_name: Some(format!("User {n}")),
                referral_code: None,
                created_at: chrono::DateTime::from_timestamp_millis(1_700_000_000_000)
                    .expect("timestamp"),
            },
            oid(0x0b, n),
            1,
            Actor::system(),
        )
        .expect("valid event")
}

pub fn user_contact(n: i64) -> user::Event {
    Emitter::new("accounts")
        .event(
            user::UserContactRegistered {
                user_id: oid(0x0b, n),
                email: format!("u{n}@example.com"),
            },
            oid(0x0b, n),
            1,
            Actor::system(),
        )
        .expect("valid event")
}

/// Resolves once `done()` holds, polling; gives up (and fails the test) after `limit`.
pub async fn until(limit: Duration, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
