//! A small ordered JSON tree, for the `.avsc` files importers write: keys stay in the order
//! Avro readers expect (`type`, `name`, `namespace`, `doc`, `fields`), which serde_json's
//! sorted map would lose; printed in `schemactl fmt`'s layout by [`crate::format`].

use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    /// A number's JSON text, as it appeared in the source.
    Num(String),
    Str(String),
    Arr(Vec<Out>),
    Obj(Vec<(String, Out)>),
}

impl Out {
    pub fn obj(pairs: Vec<(&str, Out)>) -> Out {
        Out::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    pub fn s(text: impl Into<String>) -> Out {
        Out::Str(text.into())
    }

    /// The text in `schemactl fmt`'s layout ([`crate::format`]), so an imported file is
    /// already formatted.
    pub fn pretty(&self) -> String {
        let mut o = String::new();
        self.write(&mut o);
        crate::format::format(&o).unwrap_or_else(|_| o + "\n")
    }

    /// Compact JSON, `": "` and `", "` as separators, keys in order.
    fn write(&self, o: &mut String) {
        match self {
            Out::Null => o.push_str("null"),
            Out::Bool(b) => o.push_str(if *b { "true" } else { "false" }),
            Out::Num(n) => o.push_str(n),
            Out::Str(s) => o.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Out::Arr(v) => {
                o.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        o.push_str(", ");
                    }
                    x.write(o);
                }
                o.push(']');
            }
            Out::Obj(m) => {
                o.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        o.push_str(", ");
                    }
                    let _ = write!(o, "{}: ", serde_json::Value::String(k.clone()));
                    x.write(o);
                }
                o.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_valid_ordered_json() {
        let v = Out::obj(vec![
            ("type", Out::s("record")),
            ("name", Out::s("A\"b")),
            (
                "fields",
                Out::Arr(vec![Out::obj(vec![
                    ("name", Out::s("x")),
                    ("type", Out::s("long")),
                ])]),
            ),
        ]);
        let text = v.pretty();
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["name"], "A\"b");
        assert!(text.find("\"type\"") < text.find("\"name\""), "{text}");
        assert!(
            text.contains("{\"name\": \"x\", \"type\": \"long\"}"),
            "{text}"
        );
    }
}
