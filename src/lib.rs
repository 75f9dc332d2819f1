//! # sc-events
//!
//! The event contracts of the social-commerce platform as Rust types, generated at build time
//! from the canonical Avro schemas in `schemas/`.
//!
//! ```
//! use sc_events::{codec, order, Actor, Emitter};
//!
//! let emitter = Emitter::new("checkout-service");
//! let event = emitter.event(
//!     order::OrderPaymentSucceeded {
//!         order_id: "o-1".into(),
//!         transaction_id: "tx-9".into(),
//!         amount_cents: 4_999,
//!         currency: "EUR".into(),
//!     },
//!     "o-1", 3, Actor::system(),
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
//! [`order`], ...) re-exports its event, payloads and `Data` union under short names; [`event`]
//! builds and validates events; [`wire`] is the Avro codec generated for every type (owned and
//! borrowed [`views`]), Confluent's framing and the registry-aware serializer and deserializer
//! that read older writer versions into today's types; [`codec`] is the plain-datum shortcut;
//! [`TOPICS`], [`EVENTS`] and [`SCHEMAS`] are the catalog.

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

pub mod cli;
pub mod codec;
pub mod event;
pub mod kafka;
pub mod wire;

pub use event::{
    ConsumerInfo, DomainEvent, Emitter, Enveloped, Payload, RetryPolicy, Tracing, ValidationError,
};
pub use types::{Actor, ActorType, EntityType, Envelope, PrivacyTier};
// `AnyEvent` and `AnyDecoders` are generated beside the catalog tables.
