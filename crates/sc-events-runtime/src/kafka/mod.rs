//! Kafka: typed producers and consumers over rdkafka, driven by the catalog.
//!
//! - [`producer::EventProducer`] sends any event to its topic, keyed by its entity id, framed
//!   by the registry-aware serializer, with `event_type`, `event_id` and `privacy_tier`
//!   headers; idempotent, `acks=all`.
//! - [`consumer::EventConsumer`] runs one consuming job of the catalog
//!   (a workspace's `CONSUMERS`): decode, filter by event type, refuse what is above the job's
//!   privacy tier, de-duplicate, call the handler with retries, dead-letter what cannot be
//!   handled ([`dlq`]), and store each offset only once its message is done (at-least-once).
//! - [`admin`] plans and applies the catalog's topics.
//!
//! A consumer of several topics is handed the workspace's generated `AnyEvent`; one of a single topic may use
//! that domain's event type directly. Both implement [`Consumable`].

pub mod admin;
pub mod consumer;
mod dedup;
pub mod dlq;
pub mod metrics;
pub mod producer;
mod stats;

pub use consumer::{EventConsumer, Handler, HandlerError, Meta, Stats};
pub use metrics::Metrics;
pub use producer::{Delivered, EventProducer, ProducerOptions, SendError};

/// What a consumer can decode (defined beside the deserializers, which need no broker).
pub use crate::wire::Consumable;
use rdkafka::ClientConfig;

/// Header names the producer sets and the consumer reads.
pub mod headers {
    /// The payload's event type (`order.created`).
    pub const EVENT_TYPE: &str = "event_type";
    /// The envelope's event id (UUID text).
    pub const EVENT_ID: &str = "event_id";
    /// The payload's privacy tier (`PUBLIC`, ...), for tools; consumers check the decoded event.
    pub const PRIVACY_TIER: &str = "privacy_tier";
}

/// Where the brokers are and any librdkafka settings to add or override.
#[derive(Debug, Clone)]
pub struct KafkaConfig {
    /// `bootstrap.servers`, e.g. `127.0.0.1:9092`.
    pub bootstrap: String,
    /// `client.id`.
    pub client_id: String,
    /// Extra librdkafka properties, applied last (security, tuning).
    pub extra: Vec<(String, String)>,
}

impl KafkaConfig {
    pub fn new(bootstrap: impl Into<String>) -> Self {
        KafkaConfig {
            bootstrap: bootstrap.into(),
            client_id: "sc-events".into(),
            extra: Vec::new(),
        }
    }

    /// Adds a librdkafka property.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// The librdkafka configuration: `base` settings, then `extra`.
    pub fn client(&self, base: &[(&str, String)]) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap);
        c.set("client.id", &self.client_id);
        for (k, v) in base {
            c.set(*k, v);
        }
        for (k, v) in &self.extra {
            c.set(k, v);
        }
        c
    }
}
