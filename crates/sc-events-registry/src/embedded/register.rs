//! Registration and the reads that compare a request's schema with what is registered
//! (lookup, compatibility tests). A registration is one `BEGIN IMMEDIATE` transaction, so
//! concurrent writers, in this process or others, see each other's results in order.

use super::forms::{
    effective_compatibility, forms, group_history, history, invalid, parse_def, Forms,
};
use super::store::{self, db, validate_subject};
use crate::check;
use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{
    CompatibilityResult, RegisterOptions, Registered, RegistryMode, SchemaDef, Version,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

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
    if let Some(rules) = def.rule_set.as_ref().filter(|r| !r.is_empty()) {
        let text = serde_json::to_string(rules).map_err(RegistryError::store)?;
        tx.execute(
            "INSERT INTO schema_rules (schema_id, rule_set) VALUES (?1, ?2)",
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
