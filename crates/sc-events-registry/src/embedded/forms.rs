//! A request's schema in the forms the embedded registry stores and compares (canonical or
//! normalized text, fingerprints; cached), parsed with its references, and a subject's
//! registered history parsed for compatibility checks.

use super::store;
use crate::canonical;
use crate::check::{self, Parsed};
use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{Compatibility, SchemaDef};
use rusqlite::Connection;
use sc_events_schema::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A request's schema in its stored forms (JSON work only; the Avro parse is separate).
#[derive(Clone)]
pub(super) struct Forms {
    /// The text stored (canonical, or normalized when asked).
    pub(super) text: String,
    pub(super) fingerprint: String,
    pub(super) normalized: String,
}

pub(super) fn invalid(message: impl Into<String>) -> RegistryError {
    RegistryError::api(ErrorKind::InvalidSchema, message)
}

/// Forms of recently seen schema texts: a serializer looks up the same text again and again.
/// Pure functions of the request, so one cache serves every registry in the process; bounded
/// by total bytes and cleared when full.
struct FormsCache {
    entries: HashMap<(SchemaDef, bool), Forms>,
    bytes: usize,
}

const FORMS_CACHE_BYTES: usize = 16 << 20;

fn forms_cache() -> &'static Mutex<FormsCache> {
    static CACHE: OnceLock<Mutex<FormsCache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(FormsCache {
            entries: HashMap::new(),
            bytes: 0,
        })
    })
}

pub(super) fn forms(def: &SchemaDef, normalize: bool) -> Result<Forms> {
    let key = (def.clone(), normalize);
    if let Some(f) = forms_cache()
        .lock()
        .ok()
        .and_then(|c| c.entries.get(&key).cloned())
    {
        return Ok(f);
    }
    let f = compute_forms(def, normalize)?;
    if let Ok(mut c) = forms_cache().lock() {
        let size = def.schema.len() + f.text.len();
        if c.bytes + size > FORMS_CACHE_BYTES {
            c.entries.clear();
            c.bytes = 0;
        }
        if size <= FORMS_CACHE_BYTES {
            c.bytes += size;
            c.entries.insert(key, f.clone());
        }
    }
    Ok(f)
}

fn compute_forms(def: &SchemaDef, normalize: bool) -> Result<Forms> {
    if def.schema_type != "AVRO" {
        return Err(invalid(format!(
            "Invalid schema: schemaType '{}' is not supported here; this registry holds AVRO schemas",
            clip(&def.schema_type)
        )));
    }
    let node = json::parse(&def.schema).map_err(|e| {
        let at = sc_events_schema::source::SourceFile::new("schema", def.schema.as_str())
            .line_col(e.offset);
        invalid(format!(
            "Invalid schema: schema:{}:{}: invalid JSON: {}",
            at.line, at.column, e.message
        ))
    })?;
    let canonical_text = canonical::canonical(&node);
    let normalized_text = canonical::normalized(&node);
    let text = if normalize {
        normalized_text.clone()
    } else {
        canonical_text
    };
    Ok(Forms {
        fingerprint: canonical::fingerprint(&def.schema_type, &text, def),
        normalized: canonical::fingerprint(&def.schema_type, &normalized_text, def),
        text,
    })
}

/// The request's schema parsed with its references: Java Avro's validity, or 42201.
pub(super) fn parse_def(conn: &Connection, subject: &str, def: &SchemaDef) -> Result<Parsed> {
    let label = format!("subject '{}'", clip(subject));
    let resolved = store::resolve(conn, &label, def)?;
    check::parse(&resolved).map_err(|e| invalid(format!("Invalid schema: {e}")))
}

/// The live versions of a subject in `def`'s compatibility group, parsed, oldest first: with a
/// `compatibilityGroup` property set, only the versions whose metadata gives that property
/// the same value as `def`'s (Confluent's rule); otherwise every live version.
pub(super) fn group_history(
    conn: &Connection,
    subject: &str,
    def: &SchemaDef,
) -> Result<Vec<(i32, Arc<Parsed>)>> {
    let Some(property) = store::compatibility_group(conn, Some(subject))? else {
        return history(conn, subject);
    };
    let want = def.property(&property).map(str::to_string);
    let mut keep = Vec::new();
    for (v, id, deleted) in store::version_rows(conn, subject)? {
        if deleted {
            continue;
        }
        let row =
            store::schema_row(conn, id)?.ok_or_else(|| RegistryError::schema_not_found(id))?;
        if row.def.property(&property).map(str::to_string) == want {
            keep.push(v);
        }
    }
    Ok(history(conn, subject)?
        .into_iter()
        .filter(|(v, _)| keep.contains(v))
        .collect())
}

/// The live versions of a subject, parsed, oldest first.
pub(super) fn history(conn: &Connection, subject: &str) -> Result<Vec<(i32, Arc<Parsed>)>> {
    let mut out = Vec::new();
    for (v, id, deleted) in store::version_rows(conn, subject)? {
        if deleted {
            continue;
        }
        let row =
            store::schema_row(conn, id)?.ok_or_else(|| RegistryError::schema_not_found(id))?;
        let label = format!("subject '{}' version {v}", clip(subject));
        let resolved = store::resolve(conn, &label, &row.def)?;
        let parsed = crate::parsed_cache::parse(&resolved).map_err(|e| {
            RegistryError::store(format!("registered schema does not parse any more: {e}"))
        })?;
        out.push((v, parsed));
    }
    Ok(out)
}

pub(super) fn effective_compatibility(conn: &Connection, subject: &str) -> Result<Compatibility> {
    store::compatibility(conn, Some(subject), true)
}
