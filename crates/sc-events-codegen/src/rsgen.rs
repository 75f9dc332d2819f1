//! `types.rs`: the Rust types of every schema, made by rsgen-avro (fed the schema files in
//! [`file_order`], `date` logical types removed), checked not to name apache-avro.

use crate::context::file_order;
use crate::error::CodegenError;
use sc_events_schema::Catalog;

/// The text of `types.rs` (without the header).
pub(crate) fn generate(
    catalog: &Catalog,
    extra_derives: &[String],
) -> Result<String, CodegenError> {
    // rsgen-avro's chrono option reads `date` as a timestamp: it sees those fields as plain
    // ints (days since the epoch), which is what the generated codec writes.
    let texts: Vec<String> = file_order(catalog)
        .into_iter()
        .map(|f| without_date(&catalog.set.files[f].text))
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let schemas =
        rsgen_avro::Schema::parse_list(texts).map_err(|e| CodegenError::Rsgen(e.to_string()))?;
    // timestamp-millis fields become chrono::DateTime<Utc> (the schemas have no `date`,
    // which rsgen-avro would misread as seconds).
    let gen = rsgen_avro::Generator::builder()
        .use_chrono_dates(true)
        .extra_derives(extra_derives.to_vec())
        .build()
        .map_err(|e| CodegenError::Rsgen(e.to_string()))?;
    let mut out = Vec::new();
    gen.generate(&rsgen_avro::Source::Schemas(&schemas), &mut out)
        .map_err(|e| CodegenError::Rsgen(e.to_string()))?;
    let text = String::from_utf8(out).map_err(|e| CodegenError::Rsgen(e.to_string()))?;
    // rsgen-avro names apache-avro's re-export of `uuid::Uuid`; the generated crate depends
    // on `uuid` itself, never on apache-avro.
    let text = text.replace("apache_avro::Uuid", "uuid::Uuid");
    if let Some(at) = text.find("apache_avro::") {
        let line = text[at..].lines().next().unwrap_or_default();
        return Err(CodegenError::Rsgen(format!(
            "rsgen-avro output names apache-avro, which generated crates do not depend on: {line}"
        )));
    }
    Ok(text)
}

/// The schema text with every `"logicalType": "date"` removed (the text itself when it has
/// none, or does not parse).
fn without_date(text: &str) -> String {
    fn strip(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(m) => {
                let mut changed = false;
                if m.get("logicalType").and_then(|l| l.as_str()) == Some("date") {
                    m.remove("logicalType");
                    changed = true;
                }
                for x in m.values_mut() {
                    changed |= strip(x);
                }
                changed
            }
            serde_json::Value::Array(a) => a.iter_mut().fold(false, |c, x| strip(x) | c),
            _ => false,
        }
    }
    if !text.contains("\"date\"") {
        return text.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            if strip(&mut v) {
                v.to_string()
            } else {
                text.to_string()
            }
        }
        Err(_) => text.to_string(),
    }
}
