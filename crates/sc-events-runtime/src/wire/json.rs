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
//! [`binary::MAX_DEPTH`], collection sizes by the input.

use super::binary::{DecodeError, Reader};
use super::framed::{split, HEADER_LEN};
use super::Registry;
use sc_events_registry::check;
use sc_events_schema::model::{Body, Kind, Node, SchemaSet};
use serde_json::{Map, Value};
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

    /// The message as Avro JSON; errors name the schema id and, for bad bytes, the offset in
    /// the message.
    pub async fn decode(&mut self, message: &[u8]) -> Result<Value, String> {
        let (id, datum) = split(message).map_err(|e| e.to_string())?;
        let writer = self.writer(id).await?;
        let mut r = Reader::new(datum);
        let value = datum_to_json(&writer.set, writer.root().root, &mut r)
            .and_then(|v| r.finish().map(|()| v))
            .map_err(|mut e| {
                e.offset += HEADER_LEN;
                format!("schema {id}: {e}")
            })?;
        Ok(value)
    }
}

/// One datum of schema `node` (in `set`) from `r`, as Avro JSON.
pub fn datum_to_json(set: &SchemaSet, node: &Node, r: &mut Reader<'_>) -> Result<Value, DecodeError> {
    Ok(match &node.kind {
        Kind::Null => Value::Null,
        Kind::Boolean => Value::Bool(r.boolean()?),
        Kind::Int => Value::from(r.int()?),
        Kind::Long => Value::from(r.long()?),
        Kind::Float => float(f64::from(r.float()?)),
        Kind::Double => float(r.double()?),
        Kind::Bytes => Value::String(latin1(r.bytes()?)),
        Kind::String => Value::String(r.str()?.to_string()),
        Kind::Array(items) => {
            let mut out = Vec::new();
            r.blocks(|r| {
                out.push(datum_to_json(set, items, r)?);
                Ok(())
            })?;
            Value::Array(out)
        }
        Kind::Map(values) => {
            let mut out = Map::new();
            r.blocks(|r| {
                let key = r.str()?.to_string();
                let value = datum_to_json(set, values, r)?;
                out.insert(key, value);
                Ok(())
            })?;
            Value::Object(out)
        }
        Kind::Union(branches) => {
            let branch = &branches[r.union_index(branches.len())?];
            match branch.kind {
                Kind::Null => Value::Null,
                _ => {
                    let value = datum_to_json(set, branch, r)?;
                    let mut tagged = Map::new();
                    tagged.insert(branch_name(set, branch), value);
                    Value::Object(tagged)
                }
            }
        }
        Kind::Named(id) => {
            let t = &set.types[*id];
            match &t.body {
                Body::Record(fields) => {
                    r.enter()?;
                    let mut out = Map::new();
                    for f in fields {
                        let value = datum_to_json(set, &f.ty, r)?;
                        out.insert(f.name.clone(), value);
                    }
                    r.leave();
                    Value::Object(out)
                }
                Body::Enum(e) => Value::String(e.symbols[r.enum_index(e.symbols.len())?].clone()),
                &Body::Fixed { size, .. } => Value::String(latin1(r.raw(size)?)),
            }
        }
    })
}

/// The name a union branch is tagged with: the full name of a named type, else the type's
/// own name (`string`, `array`, `map`).
fn branch_name(set: &SchemaSet, node: &Node) -> String {
    match node.kind {
        Kind::Named(id) => set.types[id].name.fullname(),
        _ => node.type_name(set).to_string(),
    }
}

fn float(v: f64) -> Value {
    match serde_json::Number::from_f64(v) {
        Some(n) => Value::Number(n),
        None if v.is_nan() => Value::String("NaN".into()),
        None if v > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

/// Bytes as Avro's JSON encoding writes them: one character per byte.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::binary;
    use sc_events_schema::model::parse_files;
    use sc_events_schema::source::SourceFile;

    fn decode(schema: &str, datum: &[u8]) -> Result<Value, DecodeError> {
        let set = parse_files(vec![SourceFile::new("t.avsc", schema)]).expect("schema");
        let mut r = Reader::new(datum);
        let v = datum_to_json(&set, &set.roots[0], &mut r)?;
        r.finish()?;
        Ok(v)
    }

    #[test]
    fn unions_are_tagged_with_their_branch_and_logical_types_print_as_their_base() {
        let schema = r#"{"type": "record", "name": "E", "namespace": "n", "fields": [
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "note", "type": ["null", "string"]},
            {"name": "none", "type": ["null", "string"]},
            {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
            {"name": "raw", "type": "bytes"},
            {"name": "item", "type": ["null", {"type": "record", "name": "I", "fields": [{"name": "q", "type": "int"}]}]},
            {"name": "tags", "type": {"type": "map", "values": "double"}}
        ]}"#;
        let mut w = Vec::new();
        binary::put_str(&mut w, "6f1e0b8c-3c4d-4f8e-9a6b-0c1d2e3f4a5b");
        binary::put_long(&mut w, 1_700_000_000_123);
        binary::put_int(&mut w, 1);
        binary::put_str(&mut w, "gift");
        binary::put_int(&mut w, 0);
        binary::put_int(&mut w, 1);
        binary::put_bytes(&mut w, &[0x00, 0x41, 0xff]);
        binary::put_int(&mut w, 1);
        binary::put_int(&mut w, 7);
        binary::put_block_count(&mut w, 1);
        binary::put_str(&mut w, "w");
        binary::put_double(&mut w, 0.5);
        binary::end_blocks(&mut w);
        let v = decode(schema, &w).expect("decodes");
        assert_eq!(
            v,
            serde_json::json!({
                "id": "6f1e0b8c-3c4d-4f8e-9a6b-0c1d2e3f4a5b",
                "at": 1_700_000_000_123i64,
                "note": {"string": "gift"},
                "none": null,
                "kind": "B",
                "raw": "\u{0}A\u{ff}",
                "item": {"n.I": {"q": 7}},
                "tags": {"w": 0.5}
            })
        );
        // Field order is the schema's.
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("id"));
    }

    #[test]
    fn bad_bytes_are_errors_with_an_offset_not_panics() {
        let schema = r#"{"type": "record", "name": "E", "fields": [{"name": "u", "type": ["null", "int"]}]}"#;
        let e = decode(schema, &[0x08]).expect_err("branch 4 of 2");
        assert_eq!(e.offset, 0);
        assert!(decode(schema, &[0x02]).is_err(), "truncated");
        let recursive = r#"{"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]}"#;
        let deep = vec![0x02; 100_000];
        assert!(decode(recursive, &deep).is_err(), "nesting is bounded");
    }
}
