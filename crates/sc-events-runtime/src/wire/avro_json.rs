//! One Avro datum as Avro's JSON encoding, through its writer schema alone: records as objects
//! in field order, a union's non-null value tagged with its branch, enums as their symbol,
//! bytes and fixed as one character per byte. What [`super::json`] prints for a framed message
//! and what [`super::upcast`] reads an older major's data as. Bounded like every decoder here.

use super::binary::{DecodeError, Reader};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet};
use std::fmt::Write as _;

/// One datum of schema `node` (in `set`) from `r`, appended to `out` as Avro JSON text
/// (record fields in schema order).
pub fn write_datum(
    set: &SchemaSet,
    node: &Node,
    r: &mut Reader<'_>,
    out: &mut String,
) -> Result<(), DecodeError> {
    match &node.kind {
        Kind::Null => out.push_str("null"),
        Kind::Boolean => out.push_str(if r.boolean()? { "true" } else { "false" }),
        Kind::Int => {
            let _ = write!(out, "{}", r.int()?);
        }
        Kind::Long => {
            let _ = write!(out, "{}", r.long()?);
        }
        Kind::Float => float(f64::from(r.float()?), out),
        Kind::Double => float(r.double()?, out),
        Kind::Bytes => string(&latin1(r.bytes()?), out),
        Kind::String => string(r.str()?, out),
        Kind::Array(items) => {
            out.push('[');
            let mut first = true;
            r.blocks(|r| {
                if !std::mem::take(&mut first) {
                    out.push(',');
                }
                write_datum(set, items, r, out)
            })?;
            out.push(']');
        }
        Kind::Map(values) => {
            out.push('{');
            let mut first = true;
            r.blocks(|r| {
                if !std::mem::take(&mut first) {
                    out.push(',');
                }
                string(r.str()?, out);
                out.push(':');
                write_datum(set, values, r, out)
            })?;
            out.push('}');
        }
        Kind::Union(branches) => {
            let branch = &branches[r.union_index(branches.len())?];
            if branch.kind == Kind::Null {
                out.push_str("null");
            } else {
                out.push('{');
                string(&branch_name(set, branch), out);
                out.push(':');
                write_datum(set, branch, r, out)?;
                out.push('}');
            }
        }
        Kind::Named(id) => match &set.types[*id].body {
            Body::Record(fields) => {
                r.enter()?;
                out.push('{');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(&f.name, out);
                    out.push(':');
                    write_datum(set, &f.ty, r, out)?;
                }
                out.push('}');
                r.leave();
            }
            Body::Enum(e) => string(&e.symbols[r.enum_index(e.symbols.len())?], out),
            &Body::Fixed { size, .. } => string(&latin1(r.raw(size)?), out),
        },
    }
    Ok(())
}

/// The name a union branch is tagged with: the full name of a named type, else the type's
/// own name (`string`, `array`, `map`).
fn branch_name(set: &SchemaSet, node: &Node) -> String {
    match node.kind {
        Kind::Named(id) => set.types[id].name.fullname(),
        _ => node.type_name(set).to_string(),
    }
}

fn float(v: f64, out: &mut String) {
    match serde_json::Number::from_f64(v) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None if v.is_nan() => out.push_str("\"NaN\""),
        None if v > 0.0 => out.push_str("\"Infinity\""),
        None => out.push_str("\"-Infinity\""),
    }
}

/// A JSON string literal.
fn string(s: &str, out: &mut String) {
    out.push_str(&serde_json::Value::from(s).to_string());
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

    fn decode(schema: &str, datum: &[u8]) -> Result<String, DecodeError> {
        let set = parse_files(vec![SourceFile::new("t.avsc", schema)]).expect("schema");
        let mut r = Reader::new(datum);
        let mut out = String::new();
        write_datum(&set, &set.roots[0], &mut r, &mut out)?;
        r.finish()?;
        Ok(out)
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
        let text = decode(schema, &w).expect("decodes");
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
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
        assert!(text.starts_with(r#"{"id":"6f1e0b8c"#), "{text}");
        assert!(text.ends_with(r#""tags":{"w":0.5}}"#), "{text}");
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
