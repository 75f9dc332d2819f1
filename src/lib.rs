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
//! let bytes = codec::encode(&event)?;
//! let back: order::Event = codec::decode(&bytes)?;
//! assert_eq!(back, event);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layout: [`types`] holds everything rsgen-avro generated; each domain module ([`user`],
//! [`order`], ...) re-exports its event, payloads and `Data` union under short names; [`event`]
//! builds and validates events; [`codec`] encodes them; [`TOPICS`], [`EVENTS`] and [`SCHEMAS`]
//! are the catalog.

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

pub mod cli;
pub mod codec;
pub mod event;
pub mod wire;

pub use event::{DomainEvent, Emitter, Payload, Tracing, ValidationError};
pub use types::{Actor, ActorType, EntityType, Envelope, PrivacyTier};
