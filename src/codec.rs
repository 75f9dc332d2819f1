//! Avro binary encoding of events against the canonical `.avsc` text (not rsgen-avro's
//! canonical form, which drops defaults, docs and logical types).
//!
//! A thin wrapper over the generated codec of [`crate::wire`] (every event is validated before
//! it is written); [`reference`] keeps apache-avro's schema-aware serde over the same schemas
//! as the reference the generated codec is tested and benchmarked against. For registry
//! framing use [`crate::wire::Serializer`] and [`crate::wire::Deserializer`].

use crate::event::{DomainEvent, ValidationError};
use crate::wire::{Decode, Encode};
use crate::SCHEMAS;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Why encoding or decoding failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    #[error("invalid event: {0}")]
    Invalid(#[from] ValidationError),
    #[error("no embedded schema named {0:?}")]
    UnknownSchema(String),
    #[error("avro: {0}")]
    Avro(Box<apache_avro::Error>),
    #[error("{0}")]
    Decode(#[from] crate::wire::DecodeError),
}

impl From<apache_avro::Error> for CodecError {
    fn from(e: apache_avro::Error) -> Self {
        CodecError::Avro(Box::new(e))
    }
}

struct Parsed {
    schemas: Vec<Schema>,
    by_record: HashMap<&'static str, usize>,
}

/// Every embedded schema, parsed once (references between them resolved).
fn parsed() -> Result<&'static Parsed, CodecError> {
    static PARSED: OnceLock<Result<Parsed, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let texts: Vec<&str> = SCHEMAS.iter().map(|s| s.text).collect();
            let schemas = Schema::parse_list(texts).map_err(|e| e.to_string())?;
            let by_record = SCHEMAS
                .iter()
                .enumerate()
                .map(|(i, s)| (s.record, i))
                .collect();
            Ok(Parsed { schemas, by_record })
        })
        .as_ref()
        .map_err(|e| CodecError::UnknownSchema(format!("embedded schemas do not parse: {e}")))
}

fn schema(record: &str) -> Result<(&'static Schema, Vec<&'static Schema>), CodecError> {
    let p = parsed()?;
    let i = *p
        .by_record
        .get(record)
        .ok_or_else(|| CodecError::UnknownSchema(record.to_string()))?;
    Ok((&p.schemas[i], p.schemas.iter().collect()))
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

/// apache-avro's schema-aware serde over the same schemas: the reference the generated codec
/// is tested and benchmarked against.
pub mod reference {
    use super::*;

    /// A prebuilt writer for `E` (apache-avro's `write_ser`).
    pub fn writer<E: DomainEvent>() -> Result<GenericDatumWriter<'static>, CodecError> {
        let (schema, all) = schema(E::RECORD)?;
        Ok(GenericDatumWriter::builder(schema)
            .schemata(all)?
            .human_readable(true)
            .build()?)
    }

    /// A prebuilt reader for `E`; `human_readable` for serde (`read_deser`), off for `Value`s.
    pub fn reader<E: DomainEvent>(
        human_readable: bool,
    ) -> Result<GenericDatumReader<'static>, CodecError> {
        let (schema, all) = schema(E::RECORD)?;
        Ok(GenericDatumReader::builder(schema)
            .writer_schemata(all)?
            .human_readable(human_readable)
            .build()?)
    }

    /// Encodes with apache-avro's serde.
    pub fn encode<E: DomainEvent>(event: &E) -> Result<Vec<u8>, CodecError> {
        Ok(writer::<E>()?.write_ser_to_vec(event)?)
    }

    /// Decodes with apache-avro's serde.
    pub fn decode<E: DomainEvent>(mut bytes: &[u8]) -> Result<E, CodecError> {
        Ok(reader::<E>(true)?.read_deser(&mut bytes)?)
    }
}

/// Decodes a datum into apache-avro's generic [`Value`] (for tools and interop checks).
pub fn decode_value(record: &str, mut bytes: &[u8]) -> Result<Value, CodecError> {
    let (schema, all) = schema(record)?;
    let r = GenericDatumReader::builder(schema)
        .writer_schemata(all)?
        .build()?;
    Ok(r.read_value(&mut bytes)?)
}
