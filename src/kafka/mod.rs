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
//! A consumer of several topics is handed [`crate::AnyEvent`]; one of a single topic may use
//! that domain's event type directly. Both implement [`Consumable`].

pub mod admin;
pub mod consumer;
mod dedup;
pub mod dlq;
pub mod producer;

pub use consumer::{EventConsumer, Handler, HandlerError, Meta, Stats};
pub use producer::{Delivered, EventProducer, ProducerOptions, SendError};

use crate::event::{DomainEvent, Tier, Workspace};
use crate::wire::{Decode, Decoded, Deserializer, WireError};
use rdkafka::ClientConfig;
use sc_events_registry::Registry;
use std::future::Future;
use std::sync::Arc;

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
    pub(crate) fn client(&self, base: &[(&str, String)]) -> ClientConfig {
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

/// What a consumer can decode: one domain's event type, or [`crate::AnyEvent`] for several.
pub trait Consumable: Sized + Send + Sync + 'static {
    /// The workspace whose catalog names the event types.
    type Workspace: Workspace;
    /// The deserializers it needs (one per domain), sharing a registry.
    type Decoders: Send + Sync;
    fn decoders(registry: Arc<dyn Registry>) -> Self::Decoders;
    /// Whether messages of `topic` decode to `Self`.
    fn carries(topic: &str) -> bool;
    fn decode<'a>(
        decoders: &'a Self::Decoders,
        topic: &'a str,
        message: &'a [u8],
    ) -> impl Future<Output = Result<Decoded<Self>, WireError>> + Send + 'a;
    fn event_type(&self) -> &str;
    /// `None` where the workspace has no privacy tiers.
    fn privacy_tier(&self) -> Option<Tier>;
    fn event_id(&self) -> uuid::Uuid;
}

impl<E> Consumable for E
where
    E: DomainEvent + for<'a> Decode<'a> + Send + Sync + 'static,
{
    type Workspace = E::Workspace;
    type Decoders = Deserializer<E>;

    fn decoders(registry: Arc<dyn Registry>) -> Self::Decoders {
        Deserializer::new(registry)
    }

    fn carries(topic: &str) -> bool {
        topic == E::TOPIC
    }

    fn decode<'a>(
        decoders: &'a Self::Decoders,
        _topic: &'a str,
        message: &'a [u8],
    ) -> impl Future<Output = Result<Decoded<Self>, WireError>> + Send + 'a {
        decoders.deserialize(message)
    }

    fn event_type(&self) -> &str {
        self.payload().event_type
    }

    fn privacy_tier(&self) -> Option<Tier> {
        self.payload().privacy_tier
    }

    fn event_id(&self) -> uuid::Uuid {
        DomainEvent::event_id(self)
    }
}

/// The social-commerce catalog's consuming job by name (`proj-user-cards`); another
/// workspace's: `<its Workspace as event::Workspace>::job`.
pub fn job(name: &str) -> Option<&'static crate::event::ConsumerInfo> {
    crate::Workspace::job(name)
}

/// The social-commerce catalog's entry of an event type.
pub fn event_info(event_type: &str) -> Option<&'static crate::event::EventInfo> {
    crate::Workspace::event_info(event_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_default_retry_policy_doubles_from_one_second_to_thirty_with_bounded_jitter() {
        let p = job("proj-user-cards").expect("job").retry;
        let base: Vec<u64> = (1..=7)
            .map(|a| p.base_delay(a).as_millis() as u64)
            .collect();
        assert_eq!(base, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(1600));
        assert_eq!(p.delay(2, 1.0), Duration::from_millis(2400));
        assert_eq!(p.delay(2, 0.5), Duration::from_millis(2000));
        assert_eq!(p.base_delay(u32::MAX), Duration::from_millis(30_000));
    }

    #[test]
    fn jobs_match_their_event_types_by_name_and_pattern() {
        let cards = job("proj-user-cards").expect("job");
        assert!(cards.handles("user.created") && !cards.handles("user.contact_registered"));
        let analytics = job("analytics-general").expect("job");
        assert!(analytics.handles("order.created") && analytics.handles("anything.at_all"));
        assert_eq!(analytics.dedup_capacity, Some(100_000));
        assert!(job("no-such-job").is_none());
        assert_eq!(
            event_info("user.contact_registered").map(|e| e.privacy_tier),
            Some(Some(Tier::Restricted))
        );
    }
}
