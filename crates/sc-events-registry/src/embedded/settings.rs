//! The embedded registry's settings, globally and per subject: compatibility level,
//! compatibility group and mode, each set or removed in one `BEGIN IMMEDIATE` transaction.

use super::store::{self, db, validate_subject};
use crate::error::{ErrorKind, RegistryError, Result};
use crate::types::{Compatibility, RegistryMode};
use rusqlite::{params, Connection, TransactionBehavior};

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
