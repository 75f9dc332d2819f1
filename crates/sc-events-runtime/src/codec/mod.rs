//! Avro binary encoding of events against the canonical `.avsc` text (not rsgen-avro's
//! canonical form, which drops defaults, docs and logical types).
//!
//! A thin wrapper over the generated codec of [`crate::wire`] (every event is validated before
//! it is written). With the `reference` feature, [`reference`] keeps apache-avro's
//! schema-aware serde over the same schemas as the reference the generated codec is tested and
//! benchmarked against. For registry framing use [`crate::wire::Serializer`] and
//! [`crate::wire::Deserializer`].

use crate::event::{DomainEvent, ValidationError};
use crate::wire::{Decode, Encode};

#[cfg(feature = "reference")]
pub mod reference;

/// Why encoding or decoding failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    #[error("invalid event: {0}")]
    Invalid(#[from] ValidationError),
    #[error("no embedded schema named {0:?}")]
    UnknownSchema(String),
    #[cfg(feature = "reference")]
    #[error("avro: {0}")]
    Avro(Box<apache_avro::Error>),
    #[error("{0}")]
    Decode(#[from] crate::wire::DecodeError),
}

#[cfg(feature = "reference")]
impl From<apache_avro::Error> for CodecError {
    fn from(e: apache_avro::Error) -> Self {
        CodecError::Avro(Box::new(e))
    }
}

/// Validates an event and encodes it as a plain Avro datum (no framing), with the generated
/// codec.
pub fn encode<E: DomainEvent + Encode>(event: &E) -> Result<Vec<u8>, CodecError> {
    event.validate()?;
    let mut w = Vec::new();
    event.encode(&mut w);
    Ok(w)
}

/// Decodes an Avro datum written with this build's schema of `E`, with the generated codec.
pub fn decode<E: DomainEvent + for<'a> Decode<'a>>(bytes: &[u8]) -> Result<E, CodecError> {
    Ok(crate::wire::binary::from_slice(bytes)?)
}
