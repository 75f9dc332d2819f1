//! Reader defaults, encoded once in the reader type's binary layout.

use crate::wire::binary;
use sc_events_schema::json::{Json, JsonNode};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet};

/// Encodes a JSON default in the reader type's binary layout (a union's default is its first
/// branch's).
pub(super) fn encode_default(
    set: &SchemaSet,
    n: &Node,
    d: &JsonNode,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let bad = || format!("default {} does not fit {}", d.kind(), n.type_name(set));
    match (&n.kind, &d.value) {
        (Kind::Null, _) => {}
        (Kind::Boolean, Json::Bool(b)) => binary::put_bool(out, *b),
        (Kind::Int, _) => binary::put_int(
            out,
            d.as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(bad)?,
        ),
        (Kind::Long, _) => binary::put_long(out, d.as_i64().ok_or_else(bad)?),
        (Kind::Float, _) => binary::put_float(out, d.as_f64().ok_or_else(bad)? as f32),
        (Kind::Double, _) => binary::put_double(out, d.as_f64().ok_or_else(bad)?),
        (Kind::String, Json::String(s)) => binary::put_str(out, s),
        (Kind::Bytes, Json::String(s)) => {
            let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
            binary::put_bytes(out, &bytes);
        }
        (Kind::Array(item), Json::Array(items)) => {
            binary::put_block_count(out, items.len());
            for i in items {
                encode_default(set, item, i, out)?;
            }
            binary::end_blocks(out);
        }
        (Kind::Map(val), Json::Object(members)) => {
            binary::put_block_count(out, members.len());
            for m in members {
                binary::put_str(out, &m.key);
                encode_default(set, val, &m.value, out)?;
            }
            binary::end_blocks(out);
        }
        (Kind::Union(b), _) => {
            let first = b.first().ok_or_else(bad)?;
            binary::put_long(out, 0);
            encode_default(set, first, d, out)?;
        }
        (Kind::Named(id), _) => match (&set.types[*id].body, &d.value) {
            (Body::Enum(e), Json::String(s)) => {
                let i = e.symbols.iter().position(|x| x == s).ok_or_else(bad)?;
                binary::put_int(out, i as i32);
            }
            (Body::Fixed { .. }, Json::String(s)) => {
                out.extend(s.chars().map(|c| c as u32 as u8));
            }
            (Body::Record(fields), Json::Object(_)) => {
                for f in fields {
                    match d.get(&f.name).or(f.default.as_ref()) {
                        Some(v) => encode_default(set, &f.ty, v, out)?,
                        None => return Err(format!("default record lacks field {}", f.name)),
                    }
                }
            }
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    }
    Ok(())
}
