//! Builds a realistic sample payload for any record of the catalog, as JSON in serde's shape for
//! the generated types (unions of records are `{"Variant": {...}}`, optionals are the value or
//! null), choosing values from field names: ids look like ObjectIds, money is positive cents
//! with "EUR", `*_at` are recent instants, enums take their first real symbol.

use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use serde_json::{json, Map, Value};

pub fn record(set: &SchemaSet, id: TypeId, seed: u64) -> Value {
    let mut m = Map::new();
    for (i, f) in set.fields(id).iter().enumerate() {
        m.insert(f.name.clone(), field(set, &f.name, &f.ty, seed + i as u64));
    }
    Value::Object(m)
}

fn field(set: &SchemaSet, name: &str, ty: &Node, seed: u64) -> Value {
    match &ty.kind {
        Kind::Union(_) => match ty.nullable_inner() {
            // Alternate present and absent optionals so both branches are exercised.
            Some(inner) if !seed.is_multiple_of(3) => field(set, name, inner, seed),
            Some(_) => Value::Null,
            None => panic!("non-optional union field {name} needs a sample rule"),
        },
        Kind::Null => Value::Null,
        Kind::Boolean => json!(seed.is_multiple_of(2)),
        Kind::Int | Kind::Long if ty.logical_type.as_deref() == Some("timestamp-millis") => {
            json!(1_732_000_000_000_i64 + seed as i64 * 61_000)
        }
        Kind::Int => json!(if name.contains("qty") || name.contains("count") {
            3 + seed % 7
        } else {
            seed % 50 + 1
        }),
        Kind::Long if name.ends_with("_cents") => json!(1_999 + seed * 1_000),
        Kind::Long if name == "delta" => json!(-1),
        Kind::Long => json!(40 + seed),
        Kind::Float | Kind::Double => json!(0.25),
        Kind::Bytes => json!([1, 2, 3]),
        Kind::String if ty.logical_type.as_deref() == Some("uuid") => {
            json!(format!("6f1c2b7e-0d3a-4c51-9e2f-{:012x}", seed))
        }
        Kind::String => json!(string_for(name, seed)),
        Kind::Array(items) => {
            let item_name = name.trim_end_matches('s');
            json!([
                field(set, item_name, items, seed),
                field(set, item_name, items, seed + 1)
            ])
        }
        Kind::Map(values) => {
            json!({"color": field(set, name, values, seed), "size": field(set, name, values, seed + 1)})
        }
        Kind::Named(id) => match &set.types[*id].body {
            Body::Record(_) => record(set, *id, seed * 10),
            Body::Enum(e) => json!(e
                .symbols
                .iter()
                .find(|s| *s != "UNKNOWN")
                .unwrap_or(&e.symbols[0])),
            Body::Fixed { size, .. } => json!(vec![7u8; *size]),
        },
    }
}

fn string_for(name: &str, seed: u64) -> String {
    match name {
        n if n.ends_with("_id") || n.ends_with("_ids") || n == "requires_leader" => {
            format!("64f1c2b7e0d3a4c5{:08x}", seed)
        }
        "currency" => "EUR".into(),
        "email" | "contact_email" => "ana.silva@example.com".into(),
        "contact_phone" => "+351912345678".into(),
        n if n.ends_with("_url") => format!("https://cdn.example.com/img/{seed}.jpg"),
        "carrier" => "DHL".into(),
        "order_number" => format!("SC-2026-{:06}", seed),
        "changed_field" => ["display_name", "bio", "price"][seed as usize % 3].into(),
        n => format!("sample {n} {seed}"),
    }
}
