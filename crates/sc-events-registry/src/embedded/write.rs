//! The embedded registry's writes (register, configuration, deletes) and the reads that need
//! the checker (lookup, compatibility tests). Every write is one `BEGIN IMMEDIATE` transaction,
//! so concurrent writers, in this process or others, see each other's results in order.

use super::store::{self, db, validate_subject};
use crate::canonical;
use crate::check::{self, Parsed};
use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{
    Compatibility, CompatibilityResult, RegisterOptions, Registered, RegistryMode, SchemaDef,
    Version,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sc_events_schema::json;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A request's schema in its stored forms (JSON work only; the Avro parse is separate).
#[derive(Clone)]
struct Forms {
    /// The text stored (canonical, or normalized when asked).
    text: String,
    fingerprint: String,
    normalized: String,
}

fn invalid(message: impl Into<String>) -> RegistryError {
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

fn forms(def: &SchemaDef, normalize: bool) -> Result<Forms> {
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
fn parse_def(conn: &Connection, subject: &str, def: &SchemaDef) -> Result<Parsed> {
    let label = format!("subject '{}'", clip(subject));
    let resolved = store::resolve(conn, &label, def)?;
    check::parse(&resolved).map_err(|e| invalid(format!("Invalid schema: {e}")))
}

/// The live versions of a subject in `def`'s compatibility group, parsed, oldest first: with a
/// `compatibilityGroup` property set, only the versions whose metadata gives that property
/// the same value as `def`'s (Confluent's rule); otherwise every live version.
fn group_history(conn: &Connection, subject: &str, def: &SchemaDef) -> Result<Vec<(i32, Parsed)>> {
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
fn history(conn: &Connection, subject: &str) -> Result<Vec<(i32, Parsed)>> {
    let mut out = Vec::new();
    for (v, id, deleted) in store::version_rows(conn, subject)? {
        if deleted {
            continue;
        }
        let row =
            store::schema_row(conn, id)?.ok_or_else(|| RegistryError::schema_not_found(id))?;
        let label = format!("subject '{}' version {v}", clip(subject));
        let resolved = store::resolve(conn, &label, &row.def)?;
        let parsed = check::parse(&resolved).map_err(|e| {
            RegistryError::store(format!("registered schema does not parse any more: {e}"))
        })?;
        out.push((v, parsed));
    }
    Ok(out)
}

fn effective_compatibility(conn: &Connection, subject: &str) -> Result<Compatibility> {
    store::compatibility(conn, Some(subject), true)
}

pub fn lookup(
    conn: &Connection,
    subject: &str,
    def: &SchemaDef,
    normalize: bool,
    deleted: bool,
) -> Result<Registered> {
    validate_subject(subject)?;
    let rows = store::version_rows(conn, subject)?;
    if rows.is_empty() || (!deleted && rows.iter().all(|r| r.2)) {
        return Err(RegistryError::subject_not_found(subject));
    }
    let p = forms(def, normalize)?;
    let (column, key) = if normalize {
        ("normalized", &p.normalized)
    } else {
        ("fingerprint", &p.fingerprint)
    };
    let sql = format!(
        "SELECT v.version, v.schema_id FROM versions v JOIN schemas s ON s.id = v.schema_id \
         WHERE v.subject = ?1 AND s.{column} = ?2 AND (?3 OR v.deleted = 0) \
         ORDER BY v.version DESC LIMIT 1"
    );
    let found: Option<(i32, i32)> = conn
        .query_row(&sql, params![subject, key, deleted], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(db)?;
    let Some((version, _)) = found else {
        // Only a schema that is not registered needs the full parse: invalid is 42201.
        parse_def(conn, subject, def)?;
        return Err(RegistryError::api(
            ErrorKind::SchemaNotFound,
            "Schema not found",
        ));
    };
    store::version(conn, subject, Version::Number(version), true)
}

pub fn register(
    conn: &mut Connection,
    subject: &str,
    def: &SchemaDef,
    opts: RegisterOptions,
) -> Result<i32> {
    validate_subject(subject)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let mode = store::mode(&tx, Some(subject), true)?;
    if mode == RegistryMode::ReadOnly {
        return Err(RegistryError::api(
            ErrorKind::OperationNotPermitted,
            format!("Subject {} is in read-only mode", clip(subject)),
        ));
    }
    if mode != RegistryMode::Import && opts.id.is_some() {
        return Err(RegistryError::api(
            ErrorKind::OperationNotPermitted,
            format!("Subject {} is not in import mode", clip(subject)),
        ));
    }
    if mode == RegistryMode::Import && opts.id.is_none() {
        return Err(RegistryError::api(
            ErrorKind::OperationNotPermitted,
            format!("Subject {} is not in read-write mode", clip(subject)),
        ));
    }
    let p = forms(def, opts.normalize)?;
    let rows = store::version_rows(&tx, subject)?;
    let existing_id: Option<i32> = tx
        .query_row(
            "SELECT id FROM schemas WHERE fingerprint = ?1",
            params![p.fingerprint],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    if let Some(id) = existing_id {
        if rows.iter().any(|r| r.1 == id && !r.2) {
            return Ok(id);
        }
    }
    let parsed = parse_def(&tx, subject, def)?;
    if mode != RegistryMode::Import {
        let level = effective_compatibility(&tx, subject)?;
        let messages = check::compatibility(level, &parsed, &group_history(&tx, subject, def)?);
        if !messages.is_empty() {
            return Err(RegistryError::api(
                ErrorKind::Incompatible,
                format!(
                    "Schema being registered is incompatible with an earlier schema for subject \"{}\", details: [{}]",
                    clip(subject),
                    messages.join(", ")
                ),
            ));
        }
    }
    let id = match (existing_id, opts.id) {
        (Some(id), Some(wanted)) if id != wanted => {
            return Err(RegistryError::api(
                ErrorKind::OperationNotPermitted,
                format!("Schema is already registered with id {id}, not {wanted}"),
            ))
        }
        (Some(id), _) => id,
        (None, wanted) => insert_schema(&tx, def, &p, wanted)?,
    };
    let next = rows.last().map_or(1, |r| r.0 + 1);
    let version = opts.version.unwrap_or(next);
    if mode != RegistryMode::Import && version != next {
        return Err(invalid("Version is not one more than previous version"));
    }
    if rows.iter().any(|r| r.0 == version) {
        return Err(RegistryError::api(
            ErrorKind::InvalidVersion,
            format!(
                "Version {version} already exists in subject {}",
                clip(subject)
            ),
        ));
    }
    // As Confluent does: soft-deleted versions of this subject with the same schema go, unless
    // something references them.
    for r in rows.iter().filter(|r| r.1 == id && r.2) {
        if store::referrers(&tx, subject, r.0, true)?.is_empty() {
            tx.execute(
                "DELETE FROM versions WHERE subject = ?1 AND version = ?2",
                params![subject, r.0],
            )
            .map_err(db)?;
        }
    }
    tx.execute(
        "INSERT INTO versions (subject, version, schema_id) VALUES (?1, ?2, ?3)",
        params![subject, version, id],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(id)
}

fn insert_schema(tx: &Connection, def: &SchemaDef, p: &Forms, wanted: Option<i32>) -> Result<i32> {
    if let Some(w) = wanted {
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM schemas WHERE id = ?1)",
                params![w],
                |r| r.get(0),
            )
            .map_err(db)?;
        if taken || w < 1 {
            return Err(RegistryError::api(
                ErrorKind::OperationNotPermitted,
                format!("Overwrite new schema with id {w} is not permitted."),
            ));
        }
    }
    let refs = serde_json::to_string(&def.references).map_err(RegistryError::store)?;
    tx.execute(
        "INSERT INTO schemas (id, schema_type, schema, refs, fingerprint, normalized) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            wanted,
            def.schema_type,
            p.text,
            refs,
            p.fingerprint,
            p.normalized
        ],
    )
    .map_err(db)?;
    let id = i32::try_from(tx.last_insert_rowid())
        .map_err(|_| RegistryError::store("schema ids are exhausted"))?;
    if let Some(m) = def.metadata.as_ref().filter(|m| !m.properties.is_empty()) {
        let text = serde_json::to_string(m).map_err(RegistryError::store)?;
        tx.execute(
            "INSERT INTO schema_metadata (schema_id, metadata) VALUES (?1, ?2)",
            params![id, text],
        )
        .map_err(db)?;
    }
    for r in &def.references {
        tx.execute(
            "INSERT INTO schema_refs (schema_id, subject, version) VALUES (?1, ?2, ?3)",
            params![id, r.subject, r.version],
        )
        .map_err(db)?;
    }
    Ok(id)
}

pub fn test_compatibility(
    conn: &Connection,
    subject: &str,
    def: &SchemaDef,
    version: Option<Version>,
) -> Result<CompatibilityResult> {
    validate_subject(subject)?;
    let parsed = parse_def(conn, subject, def)?;
    let level = effective_compatibility(conn, subject)?;
    let against = match version {
        None => group_history(conn, subject, def)?,
        Some(Version::Latest) if store::version_rows(conn, subject)?.iter().all(|r| r.2) => {
            Vec::new()
        }
        Some(Version::Number(n)) if store::version_rows(conn, subject)?.is_empty() => {
            return Err(RegistryError::version_not_found(n));
        }
        Some(v) => {
            let (n, _, _) = store::pick(conn, subject, v, false)?;
            history(conn, subject)?
                .into_iter()
                .filter(|(k, _)| *k == n)
                .collect()
        }
    };
    let messages = check::compatibility(level, &parsed, &against);
    Ok(CompatibilityResult {
        is_compatible: messages.is_empty(),
        messages,
    })
}

/// Sets (`Some`) or removes (`None`) a row of `config` or `modes`.
fn put_setting(
    conn: &mut Connection,
    table: &str,
    subject: &str,
    value: Option<&str>,
) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let (upsert, delete) = if table == "config" {
        (
            "INSERT INTO config (subject, compatibility) VALUES (?1, ?2) \
             ON CONFLICT(subject) DO UPDATE SET compatibility = excluded.compatibility",
            "DELETE FROM config WHERE subject = ?1",
        )
    } else {
        (
            "INSERT INTO modes (subject, mode) VALUES (?1, ?2) \
             ON CONFLICT(subject) DO UPDATE SET mode = excluded.mode",
            "DELETE FROM modes WHERE subject = ?1",
        )
    };
    match value {
        Some(v) => tx.execute(upsert, params![subject, v]),
        None => tx.execute(delete, params![subject]),
    }
    .map_err(db)?;
    tx.commit().map_err(db)
}

/// Sets (`Some`) or removes (`None`) a subject's (or, without one, the global)
/// compatibility group property.
pub fn set_compatibility_group(
    conn: &mut Connection,
    subject: Option<&str>,
    property: Option<&str>,
) -> Result<()> {
    if let Some(s) = subject {
        validate_subject(s)?;
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let s = subject.unwrap_or("");
    match property {
        Some(p) => tx.execute(
            "INSERT INTO compatibility_groups (subject, property) VALUES (?1, ?2) \
             ON CONFLICT(subject) DO UPDATE SET property = excluded.property",
            params![s, p],
        ),
        None => tx.execute(
            "DELETE FROM compatibility_groups WHERE subject = ?1",
            params![s],
        ),
    }
    .map_err(db)?;
    tx.commit().map_err(db)
}

pub fn set_compatibility(
    conn: &mut Connection,
    subject: Option<&str>,
    level: Compatibility,
) -> Result<()> {
    if let Some(s) = subject {
        validate_subject(s)?;
    }
    put_setting(conn, "config", subject.unwrap_or(""), Some(level.as_str()))
}

/// Removes the subject's level (`None`: resets the global one to BACKWARD); 40401 if the
/// subject had none, as Confluent answers.
pub fn delete_compatibility(conn: &mut Connection, subject: Option<&str>) -> Result<Compatibility> {
    let old = store::compatibility(conn, subject, false)
        .map_err(|_| RegistryError::subject_not_found(subject.unwrap_or_default()))?;
    put_setting(conn, "config", subject.unwrap_or(""), None)?;
    Ok(old)
}

pub fn set_mode(
    conn: &mut Connection,
    subject: Option<&str>,
    mode: RegistryMode,
    force: bool,
) -> Result<()> {
    if let Some(s) = subject {
        validate_subject(s)?;
    }
    if mode == RegistryMode::Import && !force {
        let non_empty = match subject {
            Some(s) => !store::version_rows(conn, s)?.is_empty(),
            None => !store::subjects(conn, true)?.is_empty(),
        };
        if non_empty {
            return Err(RegistryError::api(
                ErrorKind::OperationNotPermitted,
                "Cannot import since found existing subjects; pass force=true to switch to IMPORT anyway",
            ));
        }
    }
    put_setting(conn, "modes", subject.unwrap_or(""), Some(mode.as_str()))
}

/// Removes the subject's mode (`None`: resets the global one to READWRITE); 40401 if the
/// subject had none.
pub fn delete_mode(conn: &mut Connection, subject: Option<&str>) -> Result<RegistryMode> {
    let old = store::mode(conn, subject, false)
        .map_err(|_| RegistryError::subject_not_found(subject.unwrap_or_default()))?;
    put_setting(conn, "modes", subject.unwrap_or(""), None)?;
    Ok(old)
}

fn reference_exists(subject: &str, version: i32, by: &[i32]) -> RegistryError {
    RegistryError::api(
        ErrorKind::ReferenceExists,
        format!(
            "One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={},version={version}}}: referenced by schema ids {by:?}",
            clip(subject)
        ),
    )
}

pub fn delete_subject(conn: &mut Connection, subject: &str, permanent: bool) -> Result<Vec<i32>> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    if store::mode(&tx, Some(subject), true)? == RegistryMode::ReadOnly {
        return Err(RegistryError::api(
            ErrorKind::OperationNotPermitted,
            format!("Subject {} is in read-only mode", clip(subject)),
        ));
    }
    let rows = store::version_rows(&tx, subject)?;
    if rows.is_empty() {
        return Err(RegistryError::subject_not_found(subject));
    }
    let live: Vec<i32> = rows.iter().filter(|r| !r.2).map(|r| r.0).collect();
    if !permanent && live.is_empty() {
        return Err(RegistryError::api(
            ErrorKind::SubjectSoftDeleted,
            format!(
                "Subject '{}' was soft deleted.Set permanent=true to delete permanently",
                clip(subject)
            ),
        ));
    }
    if permanent && !live.is_empty() {
        return Err(RegistryError::api(
            ErrorKind::SubjectNotSoftDeleted,
            format!(
                "Subject '{}' was not deleted first before being permanently deleted",
                clip(subject)
            ),
        ));
    }
    for r in &rows {
        let by = store::referrers(&tx, subject, r.0, permanent)?;
        if !by.is_empty() {
            return Err(reference_exists(subject, r.0, &by));
        }
    }
    if permanent {
        tx.execute("DELETE FROM versions WHERE subject = ?1", params![subject])
            .map_err(db)?;
        tx.execute("DELETE FROM config WHERE subject = ?1", params![subject])
            .map_err(db)?;
        tx.execute("DELETE FROM modes WHERE subject = ?1", params![subject])
            .map_err(db)?;
    } else {
        tx.execute(
            "UPDATE versions SET deleted = 1 WHERE subject = ?1",
            params![subject],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(if permanent {
        rows.iter().map(|r| r.0).collect()
    } else {
        live
    })
}

pub fn delete_version(
    conn: &mut Connection,
    subject: &str,
    version: Version,
    permanent: bool,
) -> Result<i32> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    if store::mode(&tx, Some(subject), true)? == RegistryMode::ReadOnly {
        return Err(RegistryError::api(
            ErrorKind::OperationNotPermitted,
            format!("Subject {} is in read-only mode", clip(subject)),
        ));
    }
    let include_deleted = permanent || matches!(version, Version::Number(_));
    let (v, _, deleted) = store::pick(&tx, subject, version, include_deleted)?;
    if !permanent && deleted {
        return Err(RegistryError::api(
            ErrorKind::VersionSoftDeleted,
            format!(
                "Subject '{}' Version {v} was soft deleted.Set permanent=true to delete permanently",
                clip(subject)
            ),
        ));
    }
    if permanent && !deleted {
        return Err(RegistryError::api(
            ErrorKind::VersionNotSoftDeleted,
            format!(
                "Subject '{}' Version {v} was not deleted first before being permanently deleted",
                clip(subject)
            ),
        ));
    }
    let by = store::referrers(&tx, subject, v, permanent)?;
    if !by.is_empty() {
        return Err(reference_exists(subject, v, &by));
    }
    if permanent {
        tx.execute(
            "DELETE FROM versions WHERE subject = ?1 AND version = ?2",
            params![subject, v],
        )
        .and_then(|_| {
            tx.execute(
                "DELETE FROM config WHERE subject = ?1 AND NOT EXISTS(SELECT 1 FROM versions WHERE subject = ?1)",
                params![subject],
            )?;
            tx.execute(
                "DELETE FROM modes WHERE subject = ?1 AND NOT EXISTS(SELECT 1 FROM versions WHERE subject = ?1)",
                params![subject],
            )
        })
    } else {
        tx.execute(
            "UPDATE versions SET deleted = 1 WHERE subject = ?1 AND version = ?2",
            params![subject, v],
        )
    }
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(v)
}
