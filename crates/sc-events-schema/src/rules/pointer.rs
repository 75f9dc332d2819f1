//! JSON-pointer locations (`/fields/1/type/0/fields/3`) of named type definitions, the way Java
//! Avro names schema locations.

use crate::model::{Body, Kind, Node, SchemaSet};

/// For each named type, the pointer to its definition inside its file (`""` is the root).
pub fn definition_pointers(set: &SchemaSet) -> Vec<String> {
    let mut out = vec![String::new(); set.types.len()];
    for root in &set.roots {
        visit(set, root, String::new(), &mut out);
    }
    out
}

fn visit(set: &SchemaSet, node: &Node, path: String, out: &mut Vec<String>) {
    match &node.kind {
        Kind::Array(inner) => visit(set, inner, path + "/items", out),
        Kind::Map(inner) => visit(set, inner, path + "/values", out),
        Kind::Union(branches) => {
            for (i, b) in branches.iter().enumerate() {
                visit(set, b, format!("{path}/{i}"), out);
            }
        }
        Kind::Named(id) => {
            let t = &set.types[*id];
            // Only a definition site (not a by-name reference) has the definition's span.
            if t.span == node.span && t.file == node.file {
                if let Body::Record(fields) = &t.body {
                    for (i, f) in fields.iter().enumerate() {
                        visit(set, &f.ty, format!("{path}/fields/{i}/type"), out);
                    }
                }
                out[*id] = path;
            }
        }
        _ => {}
    }
}
