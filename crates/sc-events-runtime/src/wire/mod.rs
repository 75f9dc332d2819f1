//! The wire format: Avro binary through generated, specialised codecs, framed the way
//! Confluent's serializers frame it (magic byte 0, the schema id as 4 big-endian bytes, the
//! Avro datum).
//!
//! - [`binary`]: the primitives and the bounds-checked [`binary::Reader`];
//! - [`Encode`] / [`Decode`]: implemented by build.rs for every generated record, enum and
//!   union (see `sc-events-codegen`'s `codec.rs`), so a value is written and read by straight
//!   line code, never through serde or a `Value` tree.

mod avro_json;
pub mod binary;
mod consumable;
pub mod encrypt;
pub mod framed;
pub mod json;
pub mod resolve;
pub mod upcast;

pub use binary::{DecodeError, DecodeErrorKind, Reader};
pub use consumable::Consumable;
pub use framed::{
    Decoded, Decryption, Deserializer, ReaderOptions, Serializer, SerializerConfig, WireError,
};
pub use json::JsonDecoder;
/// The registry every serializer and deserializer talks to.
pub use sc_events_registry::Registry;

/// Writes a value as an Avro datum.
pub trait Encode {
    /// Appends the value's Avro binary encoding to `w`.
    fn encode(&self, w: &mut Vec<u8>);

    /// Checks an event ([`DomainEvent::validate`](crate::event::DomainEvent::validate)) and
    /// appends its encoding. Generated code fuses the two for the nested-envelope layout: one
    /// pass over the payload union, each payload checked against its own type's constants right
    /// before it is written. On an error `w` may hold part of the encoding; the serializer cuts
    /// it off.
    #[inline]
    fn encode_validated(&self, w: &mut Vec<u8>) -> Result<(), crate::event::ValidationError>
    where
        Self: crate::event::DomainEvent,
    {
        self.validate()?;
        self.encode(w);
        Ok(())
    }
}

/// Reads a value from an Avro datum written with the same schema.
pub trait Decode<'a>: Sized {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;
}

/// A generated type with a borrowed view (the workspace's generated `views`): strings and bytes point into the
/// message instead of being copied.
pub trait HasView: Sized {
    type View<'a>: Decode<'a>;
    /// The owned value of a view.
    fn from_view(view: &Self::View<'_>) -> Self;
}
