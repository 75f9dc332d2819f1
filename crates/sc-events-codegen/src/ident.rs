//! The Rust names rsgen-avro derives from Avro names (types, fields, enum symbols, union
//! enums and their variants), so the generators can name rsgen-avro's types.

use heck::{ToSnakeCase, ToUpperCamelCase};
use sc_events_schema::model::{Kind, Node, SchemaSet};

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// `r#type` for keywords, the name itself otherwise.
fn sanitize(s: String) -> String {
    if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The Rust type name of a record, enum or fixed.
pub fn type_name(avro: &str) -> String {
    sanitize(avro.to_upper_camel_case())
}

/// The Rust field name of a record field.
pub fn field_name(avro: &str) -> String {
    sanitize(avro.to_snake_case())
}

/// The Rust variant of an enum symbol.
pub fn variant_name(symbol: &str) -> String {
    sanitize(symbol.to_upper_camel_case())
}

/// rsgen-avro's name of a union enum: `Union` + each named branch's type name.
pub(crate) fn union_name(set: &SchemaSet, branches: &[Node]) -> String {
    let mut s = String::from("Union");
    for n in branches {
        if let Kind::Named(id) = n.kind {
            s.push_str(&type_name(&set.types[id].name.name));
        }
    }
    s
}

/// The variant rsgen-avro gives a union branch.
pub(crate) fn union_variant(set: &SchemaSet, n: &Node) -> String {
    match &n.kind {
        Kind::Named(id) => type_name(&set.types[*id].name.name),
        Kind::Null => "Null".into(),
        Kind::Boolean => "Boolean".into(),
        Kind::Int => "Int".into(),
        Kind::Long => "Long".into(),
        Kind::Float => "Float".into(),
        Kind::Double => "Double".into(),
        Kind::Bytes => "Bytes".into(),
        Kind::String => "String".into(),
        Kind::Array(_) => "Array".into(),
        Kind::Map(_) => "Map".into(),
        Kind::Union(_) => "Union".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_rsgen() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("user_id"), "user_id");
        assert_eq!(type_name("UserCreated"), "UserCreated");
        assert_eq!(variant_name("PENDING_VERIFICATION"), "PendingVerification");
    }
}
