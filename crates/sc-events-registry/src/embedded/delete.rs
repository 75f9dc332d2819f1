//! Deletes: a subject or one version, soft (hidden, revivable) then permanent, refused in
//! READONLY mode or while other schemas reference what would go; one `BEGIN IMMEDIATE`
//! transaction each.

use super::store::{self, db};
use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::{RegistryMode, Version};
use rusqlite::{params, Connection, TransactionBehavior};

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
