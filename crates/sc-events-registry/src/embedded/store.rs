//! The embedded registry's reads: subjects, versions, schemas, references, configuration.
//! Synchronous functions over one SQLite connection; writes are in the
//! sibling modules `register`, `settings` and `delete`.

use crate::check::Resolved;
use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{Compatibility, Reference, Registered, RegistryMode, SchemaDef, Version};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashSet;

use crate::check::ReferenceBudget;
pub use crate::check::MAX_REFERENCES;
/// The longest subject name accepted.
pub const MAX_SUBJECT_LEN: usize = 1024;

pub(crate) fn db(e: rusqlite::Error) -> RegistryError {
    RegistryError::store(e)
}

/// Refuses subjects Confluent clients could not round-trip: empty, too long, control chars,
/// and `.` or `..` (URL libraries remove those path segments, so no client could address them).
pub fn validate_subject(subject: &str) -> Result<()> {
    if subject.is_empty()
        || subject.len() > MAX_SUBJECT_LEN
        || subject.chars().any(char::is_control)
        || subject == "."
        || subject == ".."
    {
        return Err(RegistryError::api(
            ErrorKind::InvalidSubject,
            format!(
                "The specified subject '{}' is not a valid. A subject is 1 to {MAX_SUBJECT_LEN} bytes without control characters, and not `.` or `..`",
                clip(subject)
            ),
        ));
    }
    Ok(())
}

/// A row of `schemas`.
pub(crate) struct SchemaRow {
    pub def: SchemaDef,
}

pub(crate) fn schema_row(conn: &Connection, id: i32) -> Result<Option<SchemaRow>> {
    conn.query_row(
        "SELECT schema_type, schema, refs FROM schemas WHERE id = ?1",
        params![id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )
    .optional()
    .map_err(db)?
    .map(|(schema_type, schema, refs)| {
        let references: Vec<Reference> = serde_json::from_str(&refs)
            .map_err(|e| RegistryError::store(format!("schema {id}: bad references: {e}")))?;
        let metadata: Option<String> = conn
            .query_row(
                "SELECT metadata FROM schema_metadata WHERE schema_id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let metadata = metadata
            .map(|m| serde_json::from_str(&m))
            .transpose()
            .map_err(|e| RegistryError::store(format!("schema {id}: bad metadata: {e}")))?;
        let rule_set: Option<String> = conn
            .query_row(
                "SELECT rule_set FROM schema_rules WHERE schema_id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let rule_set = rule_set
            .map(|m| serde_json::from_str(&m))
            .transpose()
            .map_err(|e| RegistryError::store(format!("schema {id}: bad rule set: {e}")))?;
        Ok(SchemaRow {
            def: SchemaDef {
                schema,
                schema_type,
                references,
                metadata,
                rule_set,
            },
        })
    })
    .transpose()
}

/// A subject's compatibility group property (its own, else the global one), if any.
pub fn compatibility_group(conn: &Connection, subject: Option<&str>) -> Result<Option<String>> {
    let get = |s: &str| -> Result<Option<String>> {
        conn.query_row(
            "SELECT property FROM compatibility_groups WHERE subject = ?1",
            params![s],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)
    };
    match subject {
        Some(s) => match get(s)? {
            Some(p) => Ok(Some(p)),
            None => get(""),
        },
        None => get(""),
    }
}

/// `(version, schema id, deleted)` of every version of a subject, oldest first.
pub(crate) fn version_rows(conn: &Connection, subject: &str) -> Result<Vec<(i32, i32, bool)>> {
    let mut st = conn
        .prepare_cached(
            "SELECT version, schema_id, deleted FROM versions WHERE subject = ?1 ORDER BY version",
        )
        .map_err(db)?;
    let rows = st
        .query_map(params![subject], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(db)?;
    rows.collect::<std::result::Result<_, _>>().map_err(db)
}

/// The subject's versions (live ones unless `deleted`); 40401 when it has none.
pub fn versions(conn: &Connection, subject: &str, deleted: bool) -> Result<Vec<i32>> {
    let v: Vec<i32> = version_rows(conn, subject)?
        .into_iter()
        .filter(|(_, _, d)| deleted || !d)
        .map(|(v, _, _)| v)
        .collect();
    if v.is_empty() {
        return Err(RegistryError::subject_not_found(subject));
    }
    Ok(v)
}

pub fn subjects(conn: &Connection, deleted: bool) -> Result<Vec<String>> {
    let sql = if deleted {
        "SELECT DISTINCT subject FROM versions ORDER BY subject"
    } else {
        "SELECT DISTINCT subject FROM versions WHERE deleted = 0 ORDER BY subject"
    };
    let mut st = conn.prepare_cached(sql).map_err(db)?;
    let rows = st.query_map([], |r| r.get(0)).map_err(db)?;
    rows.collect::<std::result::Result<_, _>>().map_err(db)
}

/// Picks a version row: `latest` is the newest live one (or newest at all with `deleted`).
pub(crate) fn pick(
    conn: &Connection,
    subject: &str,
    version: Version,
    deleted: bool,
) -> Result<(i32, i32, bool)> {
    let rows = version_rows(conn, subject)?;
    if rows.is_empty() || ((!deleted || version == Version::Latest) && rows.iter().all(|r| r.2)) {
        return Err(RegistryError::subject_not_found(subject));
    }
    let found = match version {
        Version::Latest => rows.iter().rev().find(|r| !r.2),
        Version::Number(n) => rows.iter().find(|r| r.0 == n && (deleted || !r.2)),
    };
    found
        .copied()
        .ok_or_else(|| RegistryError::version_not_found(version))
}

pub fn version(
    conn: &Connection,
    subject: &str,
    version: Version,
    deleted: bool,
) -> Result<Registered> {
    let (v, id, _) = pick(conn, subject, version, deleted)?;
    let row = schema_row(conn, id)?.ok_or_else(|| RegistryError::schema_not_found(id))?;
    Ok(Registered {
        subject: subject.to_string(),
        version: v,
        id,
        schema: row.def,
    })
}

/// The schema with this id, while any version (live or soft-deleted) still uses it.
pub fn schema_by_id(conn: &Connection, id: i32) -> Result<SchemaDef> {
    let used: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM versions WHERE schema_id = ?1)",
            params![id],
            |r| r.get(0),
        )
        .map_err(db)?;
    match schema_row(conn, id)? {
        Some(row) if used => Ok(row.def),
        _ => Err(RegistryError::schema_not_found(id)),
    }
}

pub fn id_versions(conn: &Connection, id: i32) -> Result<Vec<(String, i32)>> {
    schema_by_id(conn, id)?;
    let mut st = conn
        .prepare_cached(
            "SELECT subject, version FROM versions WHERE schema_id = ?1 AND deleted = 0 ORDER BY subject, version",
        )
        .map_err(db)?;
    let rows = st
        .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<std::result::Result<_, _>>().map_err(db)
}

/// The texts a schema's references stand for, transitively, dependencies first. A reference to
/// a missing subject or version is an invalid schema (42201), as with Confluent.
pub fn resolve(conn: &Connection, label: &str, def: &SchemaDef) -> Result<Resolved> {
    ReferenceBudget::check_direct(label, &def.references)?;
    let mut budget = ReferenceBudget::default();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // (reference, its depth, its dependencies were pushed already)
    let mut stack: Vec<(Reference, usize, bool)> = def
        .references
        .iter()
        .rev()
        .map(|r| (r.clone(), 1, false))
        .collect();
    while let Some((r, depth, expanded)) = stack.pop() {
        let key = (r.subject.clone(), r.version);
        if expanded {
            let reg = version(conn, &r.subject, Version::Number(r.version), true)?;
            out.push((
                format!(
                    "{} (subject '{}' version {})",
                    r.name,
                    clip(&r.subject),
                    r.version
                ),
                reg.schema.schema,
            ));
            continue;
        }
        budget.follow(label, depth)?;
        if seen.contains(&key) {
            continue;
        }
        let target = match pick(conn, &r.subject, Version::Number(r.version), true) {
            Ok((_, id, _)) => schema_row(conn, id)?,
            Err(_) => None,
        };
        let Some(target) = target else {
            return Err(RegistryError::api(
                ErrorKind::InvalidSchema,
                format!(
                    "Invalid schema {}: reference '{}' to subject '{}' version {} is not registered",
                    clip(label),
                    clip(&r.name),
                    clip(&r.subject),
                    r.version
                ),
            ));
        };
        seen.insert(key);
        stack.push((r, depth, true));
        for dep in target.def.references.iter().rev() {
            stack.push((dep.clone(), depth + 1, false));
        }
    }
    Ok(Resolved {
        label: label.to_string(),
        references: out,
        text: def.schema.clone(),
    })
}

/// Ids of schemas that reference `subject` version `v` and are used by a live version (or,
/// with `deleted`, by any version).
pub(crate) fn referrers(
    conn: &Connection,
    subject: &str,
    v: i32,
    deleted: bool,
) -> Result<Vec<i32>> {
    let mut st = conn
        .prepare_cached(
            "SELECT DISTINCT r.schema_id FROM schema_refs r \
             WHERE r.subject = ?1 AND r.version = ?2 \
             AND EXISTS(SELECT 1 FROM versions v WHERE v.schema_id = r.schema_id AND (?3 OR v.deleted = 0)) \
             ORDER BY r.schema_id",
        )
        .map_err(db)?;
    let rows = st
        .query_map(params![subject, v, deleted], |r| r.get(0))
        .map_err(db)?;
    rows.collect::<std::result::Result<_, _>>().map_err(db)
}

pub fn referenced_by(conn: &Connection, subject: &str, version: Version) -> Result<Vec<i32>> {
    let (v, _, _) = pick(conn, subject, version, true)?;
    referrers(conn, subject, v, false)
}

fn setting(conn: &Connection, table: &str, subject: &str) -> Result<Option<String>> {
    let sql = if table == "config" {
        "SELECT compatibility FROM config WHERE subject = ?1"
    } else {
        "SELECT mode FROM modes WHERE subject = ?1"
    };
    conn.query_row(sql, params![subject], |r| r.get(0))
        .optional()
        .map_err(db)
}

fn parse_level(s: &str) -> Result<Compatibility> {
    s.parse()
        .map_err(|_| RegistryError::store(format!("stored compatibility level '{s}' is unknown")))
}

/// A subject's own level, the global one with `default_to_global` (or no subject), else 40408.
pub fn compatibility(
    conn: &Connection,
    subject: Option<&str>,
    default_to_global: bool,
) -> Result<Compatibility> {
    if let Some(s) = subject {
        if let Some(level) = setting(conn, "config", s)? {
            return parse_level(&level);
        }
        if !default_to_global {
            return Err(RegistryError::api(
                ErrorKind::SubjectCompatibilityNotConfigured,
                format!(
                    "Subject '{}' does not have subject-level compatibility configured",
                    clip(s)
                ),
            ));
        }
    }
    match setting(conn, "config", "")? {
        Some(level) => parse_level(&level),
        None => Ok(Compatibility::Backward),
    }
}

/// A subject's own mode, the global one with `default_to_global` (or no subject), else 40409.
pub fn mode(
    conn: &Connection,
    subject: Option<&str>,
    default_to_global: bool,
) -> Result<RegistryMode> {
    let parse = |m: String| {
        m.parse::<RegistryMode>()
            .map_err(|_| RegistryError::store(format!("stored mode '{m}' is unknown")))
    };
    if let Some(s) = subject {
        if let Some(m) = setting(conn, "modes", s)? {
            return parse(m);
        }
        if !default_to_global {
            return Err(RegistryError::api(
                ErrorKind::SubjectModeNotConfigured,
                format!(
                    "Subject '{}' does not have subject-level mode configured",
                    clip(s)
                ),
            ));
        }
    }
    match setting(conn, "modes", "")? {
        Some(m) => parse(m),
        None => Ok(RegistryMode::ReadWrite),
    }
}
