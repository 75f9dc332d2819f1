//! apache-avro's schema-aware serde over a workspace's embedded schemas: the reference the
//! generated codec is tested and benchmarked against (feature `reference`; services never
//! need it), and a decoder into apache-avro's generic [`Value`] for interop checks.

use super::CodecError;
use crate::event::{DomainEvent, WorkspaceCatalog};
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

struct Parsed {
    schemas: Vec<Schema>,
    by_record: HashMap<&'static str, usize>,
}

/// Every embedded schema of a workspace, parsed once per workspace (references between them
/// resolved).
fn parsed<W: WorkspaceCatalog>() -> Result<&'static Parsed, CodecError> {
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

fn schema_in<W: WorkspaceCatalog>(
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

/// Decodes a datum of workspace `W`'s schemas into apache-avro's generic [`Value`].
pub fn decode_value_in<W: WorkspaceCatalog>(
    record: &str,
    mut bytes: &[u8],
) -> Result<Value, CodecError> {
    let (schema, all) = schema_in::<W>(record)?;
    let r = GenericDatumReader::builder(schema)
        .writer_schemata(all)?
        .build()?;
    Ok(r.read_value(&mut bytes)?)
}
