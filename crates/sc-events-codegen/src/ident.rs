//! The Rust identifiers rsgen-avro derives from Avro names, so the glue can name its types.

use heck::{ToSnakeCase, ToUpperCamelCase};

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
