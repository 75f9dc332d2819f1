//! # sc-events-runtime
//!
//! What every workspace crate's generated code runs on, naming no workspace: a crate whose
//! `build.rs` calls `sc_events_codegen::Config` depends on this one (and on the codegen at
//! build time only), and its generated types implement the traits here.
//!
//! - [`workspace`]: the [`workspace::WorkspaceCatalog`] trait the generated `Workspace` unit
//!   struct implements (topics, event types, consuming jobs, embedded schemas, layout) and the
//!   checked catalog parsed from it once per process;
//! - [`event`]: [`event::DomainEvent`] (every domain's top-level record), field checks and the
//!   typed [`event::ValidationError`];
//! - [`wire`]: Avro binary through the generated codecs, Confluent's framing, the
//!   registry-aware [`wire::Serializer`] and [`wire::Deserializer`] (older writer versions
//!   resolved into today's types), and [`wire::Consumable`];
//! - [`codec`]: plain-datum encode and decode (feature `reference`: apache-avro's serde over
//!   the same schemas, for tests and benches);
//! - [`partition`]: the partition of a keyed message as the Java client (murmur2) or a
//!   platform's own formula computes it, so producers in other languages agree;
//! - `kafka` (feature `kafka`, on by default): typed producers, consuming jobs with retries,
//!   dead letters and de-duplication, and topic admin, over rdkafka.
//!
//! The registry client comes from `sc-events-registry` with only its `client` feature:
//! Confluent Schema Registry over HTTP, or any other [`wire::Registry`].

pub mod codec;
pub mod event;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod partition;
pub mod wire;
/// Field-level encryption (the wire's [`wire::encrypt`]), at the top for services.
pub use wire::encrypt;
pub mod workspace;

pub use event::{DomainEvent, ValidationError};
pub use workspace::WorkspaceCatalog;
