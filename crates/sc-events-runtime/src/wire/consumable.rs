//! What a consumer can decode: one domain's event type (every generated top-level record), or
//! a workspace's generated `AnyEvent` for several topics. Needs no broker: the Kafka layer and
//! any other transport drive it the same way.

use crate::event::{DomainEvent, Tier, WorkspaceCatalog};
use crate::wire::{Decoded, Deserializer, ReaderOptions, Registry, WireError};
use std::future::Future;
use std::sync::Arc;

/// What a consumer can decode: one domain's event type, or a workspace's generated `AnyEvent` for several.
pub trait Consumable: Sized + Send + Sync + 'static {
    /// The workspace whose catalog names the event types.
    type Workspace: WorkspaceCatalog;
    /// The deserializers it needs (one per domain), sharing a registry and the reader's
    /// options (decryption, upcasting).
    type Decoders: Send + Sync;
    fn decoders(registry: Arc<dyn Registry>, options: &ReaderOptions) -> Self::Decoders;
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
    E: DomainEvent + crate::wire::resolve::Resolve + Send + Sync + 'static,
{
    type Workspace = E::Workspace;
    type Decoders = Deserializer<E>;

    fn decoders(registry: Arc<dyn Registry>, options: &ReaderOptions) -> Self::Decoders {
        Deserializer::with_options(registry, options.clone())
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
