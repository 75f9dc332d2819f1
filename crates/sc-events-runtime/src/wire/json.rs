//! Any registry-framed Avro message as Avro's JSON encoding, through the registry's writer
//! schema alone (no generated types): what Confluent's `kafka-avro-console-consumer` prints.
//! Records are objects in field order; a union's non-null value is tagged with its branch
//! (`{"string": "x"}`, `{"com.acme.Item": {...}}`), null is `null`; enums are their symbol;
//! bytes and fixed are strings of one character per byte (U+0000 to U+00FF); logical types
//! print as their underlying type (a `timestamp-millis` as its long, a `uuid` as its string),
//! as Java's `JsonEncoder` writes them. A float that is not finite (which JSON cannot hold)
//! is the string `"NaN"`, `"Infinity"` or `"-Infinity"`.
//!
//! Writer schemas are fetched once per id, with their references, and a bounded number is
//! kept. Decoding is bounded like every other decoder here: nesting by
//! [`super::binary::MAX_DEPTH`], collection sizes by the input.

pub use super::avro_json::write_datum;
use super::binary::Reader;
use super::framed::{split, HEADER_LEN};
use super::Registry;
use sc_events_registry::check;
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many writer schemas are kept (a topic has few; a hostile one many).
const MAX_CACHED: usize = 1024;

/// Decodes framed messages to Avro JSON through their writer schemas.
pub struct JsonDecoder {
    registry: Arc<dyn Registry>,
    schemas: HashMap<u32, Arc<check::Parsed>>,
}

impl JsonDecoder {
    pub fn new(registry: Arc<dyn Registry>) -> Self {
        JsonDecoder {
            registry,
            schemas: HashMap::new(),
        }
    }

    async fn writer(&mut self, id: u32) -> Result<Arc<check::Parsed>, String> {
        if let Some(s) = self.schemas.get(&id) {
            return Ok(s.clone());
        }
        let label = format!("schema {id}");
        let signed = i32::try_from(id).map_err(|_| format!("{label} is out of range"))?;
        let def = self
            .registry
            .schema_by_id(signed, None)
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        if !(def.schema_type.is_empty() || def.schema_type == "AVRO") {
            return Err(format!("{label} is {}, not Avro", def.schema_type));
        }
        let resolved = check::resolve(self.registry.as_ref(), &label, &def)
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        let parsed = Arc::new(check::parse(&resolved).map_err(|e| format!("{label}: {e}"))?);
        if self.schemas.len() >= MAX_CACHED {
            self.schemas.clear();
        }
        self.schemas.insert(id, parsed.clone());
        Ok(parsed)
    }

    /// The message as Avro JSON text (one line); errors name the schema id and, for bad
    /// bytes, the offset in the message.
    pub async fn decode(&mut self, message: &[u8]) -> Result<String, String> {
        let (id, datum) = split(message).map_err(|e| e.to_string())?;
        let writer = self.writer(id).await?;
        let mut r = Reader::new(datum);
        let mut out = String::with_capacity(datum.len() * 2);
        write_datum(&writer.set, writer.root().root, &mut r, &mut out)
            .and_then(|()| r.finish())
            .map_err(|mut e| {
                e.offset += HEADER_LEN;
                format!("schema {id}: {e}")
            })?;
        Ok(out)
    }
}
