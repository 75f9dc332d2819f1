//! Avro binary encoding of events against the canonical `.avsc` text (not rsgen-avro's
//! canonical form, which drops defaults, docs and logical types).
//!
//! A thin wrapper over the generated codec of [`crate::wire`] (every event is validated before
//! it is written); [`reference`] keeps apache-avro's schema-aware serde over the same schemas
//! as the reference the generated codec is tested and benchmarked against. For registry
//! framing use [`crate::wire::Serializer`] and [`crate::wire::Deserializer`].

use crate::event::{DomainEvent, ValidationError, Workspace};
use crate::wire::{Decode, Encode};
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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

/// Every embedded schema of a workspace, parsed once per workspace (references between them
/// resolved).
fn parsed<W: Workspace>() -> Result<&'static Parsed, CodecError> {
    type Cache = Mutex<HashMap<std::any::TypeId, &'static Result<Parsed, String>>>;
    let schemas = W::SCHEMAS;
    static PARSED: OnceLock<Cache> = OnceLock::new();
    let map = PARSED.get_or_init(Default::default);
    let mut guard = match map.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let entry = guard.entry(std::any::TypeId::of::<W>()).or_insert_with(|| {
        let result = (|| {
            let texts: Vec<&str> = schemas.iter().map(|s| s.text).collect();
            let parsed = Schema::parse_list(texts).map_err(|e| e.to_string())?;
            let by_record = schemas
                .iter()
                .enumerate()
                .map(|(i, s)| (s.record, i))
                .collect();
            Ok(Parsed {
                schemas: parsed,
                by_record,
            })
        })();
        // One parse per workspace, kept for the process: leaked once, on purpose.
        Box::leak(Box::new(result))
    });
    entry
        .as_ref()
        .map_err(|e| CodecError::UnknownSchema(format!("embedded schemas do not parse: {e}")))
}

fn schema_in<W: Workspace>(
    record: &str,
) -> Result<(&'static Schema, Vec<&'static Schema>), CodecError> {
    let p = parsed::<W>()?;
    let i = *p
        .by_record
        .get(record)
        .ok_or_else(|| CodecError::UnknownSchema(record.to_string()))?;
    Ok((&p.schemas[i], p.schemas.iter().collect()))
}

fn schema_of<E: DomainEvent>() -> Result<(&'static Schema, Vec<&'static Schema>), CodecError> {
    schema_in::<E::Workspace>(E::RECORD)
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
        let (schema, all) = schema_of::<E>()?;
        Ok(GenericDatumWriter::builder(schema)
            .schemata(all)?
            .human_readable(true)
            .build()?)
    }

    /// A prebuilt reader for `E`; `human_readable` for serde (`read_deser`), off for `Value`s.
    pub fn reader<E: DomainEvent>(
        human_readable: bool,
    ) -> Result<GenericDatumReader<'static>, CodecError> {
        let (schema, all) = schema_of::<E>()?;
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

/// Decodes a datum of the social-commerce schemas into apache-avro's generic [`Value`] (for
/// tools and interop checks).
pub fn decode_value(record: &str, bytes: &[u8]) -> Result<Value, CodecError> {
    decode_value_in::<crate::Workspace>(record, bytes)
}

/// Decodes a datum of workspace `W`'s schemas into apache-avro's generic [`Value`].
pub fn decode_value_in<W: Workspace>(record: &str, mut bytes: &[u8]) -> Result<Value, CodecError> {
    let (schema, all) = schema_in::<W>(record)?;
    let r = GenericDatumReader::builder(schema)
        .writer_schemata(all)?
        .build()?;
    Ok(r.read_value(&mut bytes)?)
}
