//! # sc-events
//!
//! The event contracts of the social-commerce platform as Rust types, generated at build time
//! from the canonical Avro schemas in `schemas/` by `sc-events-codegen`, on the
//! `sc-events-runtime` every workspace crate shares (re-exported here as [`event`], [`wire`],
//! [`codec`], [`kafka`] and [`workspace`]).
//!
//! ```
//! use sc_events::{codec, order, Actor, Emitter};
//!
//! let emitter = Emitter::new("checkout-service");
//! let event = emitter.event(
//!     order::OrderPaymentSucceeded {
//!         order_id: "64f1c2b7e0d3a4c5deadbeef".into(),   // a MongoDB ObjectId
//!         transaction_id: "tx-9".into(),
//!         amount_cents: 4_999,
//!         currency: "EUR".into(),
//!     },
//!     "64f1c2b7e0d3a4c5deadbeef", 3, Actor::system(),
//! )?;
//! let bytes = codec::encode(&event)?;          // plain Avro datum, generated codec
//! let back: order::Event = codec::decode(&bytes)?;
//! assert_eq!(back, event);
//!
//! // Confluent framing with a schema id: wire::Serializer / wire::Deserializer (see
//! // examples/wire.rs for the registry part).
//! let ser = sc_events::wire::Serializer::<order::Event>::with_id(7);
//! let mut buf = Vec::new();
//! ser.serialize(&event, &mut buf)?;
//! assert_eq!(&buf[..5], &[0, 0, 0, 0, 7]);
//! let _status: order::OrderStatus = order::OrderStatus::Pending; // every type the domain uses
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layout: [`types`] holds everything rsgen-avro generated; each domain module ([`user`],
//! [`order`], ...) re-exports its event, payloads and `Data` union under short names;
//! [`Emitter`] builds correctly labelled events (the nested-envelope layout's API, generated
//! around this workspace's `Envelope`); [`views`] are the borrowed twins of the types;
//! [`TOPICS`], [`EVENTS`], [`CONSUMERS`] and [`SCHEMAS`] are the catalog, and [`Workspace`]
//! hands it to the runtime.

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

#[cfg(feature = "kafka")]
pub use sc_events_runtime::kafka;
pub use sc_events_runtime::{codec, encrypt, event, wire, workspace};
pub use sc_events_runtime::{DomainEvent, ValidationError, WorkspaceCatalog};
pub use types::{Actor, ActorType, EntityType, Envelope, PrivacyTier};

/// This workspace's consuming job by name (`proj-user-cards`).
pub fn job(name: &str) -> Option<&'static event::ConsumerInfo> {
    <Workspace as WorkspaceCatalog>::job(name)
}

/// This workspace's catalog entry of an event type (`user.created`).
pub fn event_info(event_type: &str) -> Option<&'static event::EventInfo> {
    <Workspace as WorkspaceCatalog>::event_info(event_type)
}

/// Who caused an event: the envelope's `actor`.
impl Actor {
    pub fn user(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::User, id)
    }
    pub fn supplier(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::Supplier, id)
    }
    pub fn admin(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::Admin, id)
    }
    pub fn system() -> Self {
        Actor {
            actor_type: ActorType::System,
            actor_id: None,
        }
    }
    pub fn scheduler() -> Self {
        Actor {
            actor_type: ActorType::Scheduler,
            actor_id: None,
        }
    }
    fn with_id(actor_type: ActorType, id: impl Into<String>) -> Self {
        Actor {
            actor_type,
            actor_id: Some(id.into()),
        }
    }
}
