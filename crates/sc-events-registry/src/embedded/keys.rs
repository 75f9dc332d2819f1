//! The embedded registry's DEK registry: [`KeyRegistry`] over the `keks` and `deks` tables,
//! with Confluent's answers (the same KEK registered twice is returned, not duplicated; a
//! DEK version is written once).

use super::store::db;
use super::EmbeddedRegistry;
use crate::error::{ErrorKind, RegistryError, Result};
use crate::keys::{self, Dek, Kek, KeyRegistry, NewDek, NewKek};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn get_kek(c: &Connection, name: &str, deleted: bool) -> Result<Option<Kek>> {
    let row = c
        .query_row(
            "SELECT kms_type, kms_key_id, kms_props, doc, ts, deleted FROM keks WHERE name = ?1",
            params![name],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            },
        )
        .optional()
        .map_err(db)?;
    let Some((kms_type, kms_key_id, props, doc, ts, is_deleted)) = row else {
        return Ok(None);
    };
    if is_deleted && !deleted {
        return Ok(None);
    }
    let kms_props = serde_json::from_str(&props)
        .map_err(|e| RegistryError::store(format!("KEK {name}: bad kmsProps: {e}")))?;
    Ok(Some(Kek {
        name: name.to_string(),
        kms_type,
        kms_key_id,
        kms_props,
        doc,
        shared: false,
        ts,
        deleted: is_deleted,
    }))
}

fn register_kek(c: &mut Connection, new: &NewKek) -> Result<Kek> {
    new.validate()?;
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    if let Some(old) = get_kek(&tx, &new.name, true)? {
        if old.kms_type == new.kms_type
            && old.kms_key_id == new.kms_key_id
            && old.kms_props == new.kms_props
            && !old.deleted
        {
            return Ok(old);
        }
        return Err(RegistryError::api(
            ErrorKind::KekExists,
            format!("Key encryption key '{}' already exists", new.name),
        ));
    }
    let props = serde_json::to_string(&new.kms_props).map_err(RegistryError::store)?;
    let ts = now_ms();
    tx.execute(
        "INSERT INTO keks (name, kms_type, kms_key_id, kms_props, doc, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![new.name, new.kms_type, new.kms_key_id, props, new.doc, ts],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    get_kek(c, &new.name, false)?.ok_or_else(|| keys::kek_not_found(&new.name))
}

fn get_dek(
    c: &Connection,
    kek: &str,
    subject: &str,
    version: Option<i32>,
    algorithm: &str,
    deleted: bool,
) -> Result<Option<Dek>> {
    let sql = "SELECT version, material, ts, deleted FROM deks \
               WHERE kek_name = ?1 AND subject = ?2 AND algorithm = ?3 \
               AND (?4 IS NULL OR version = ?4) AND (?5 OR deleted = 0) \
               ORDER BY version DESC LIMIT 1";
    let row = c
        .query_row(
            sql,
            params![kek, subject, algorithm, version, deleted],
            |r| {
                Ok((
                    r.get::<_, i32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            },
        )
        .optional()
        .map_err(db)?;
    Ok(row.map(|(version, material, ts, deleted)| Dek {
        kek_name: kek.to_string(),
        subject: subject.to_string(),
        version,
        algorithm: algorithm.to_string(),
        encrypted_key_material: material,
        ts,
        deleted,
    }))
}

fn register_dek(c: &mut Connection, kek: &str, new: &NewDek) -> Result<Dek> {
    let (version, algorithm) = new.resolved()?;
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    if get_kek(&tx, kek, false)?.is_none() {
        return Err(keys::kek_not_found(kek));
    }
    if let Some(old) = get_dek(&tx, kek, &new.subject, Some(version), &algorithm, true)? {
        if Some(&old.encrypted_key_material) == new.encrypted_key_material.as_ref() {
            return Ok(old);
        }
        return Err(RegistryError::api(
            ErrorKind::DekExists,
            format!(
                "Data encryption key version {version} of KEK '{kek}' for subject '{}' already exists",
                new.subject
            ),
        ));
    }
    tx.execute(
        "INSERT INTO deks (kek_name, subject, algorithm, version, material, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![kek, new.subject, algorithm, version, new.encrypted_key_material, now_ms()],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    get_dek(c, kek, &new.subject, Some(version), &algorithm, false)?
        .ok_or_else(|| keys::dek_not_found(kek, &new.subject))
}

#[async_trait]
impl KeyRegistry for EmbeddedRegistry {
    async fn kek(&self, name: &str, deleted: bool) -> Result<Kek> {
        let name = name.to_string();
        self.run(move |c| get_kek(c, &name, deleted)?.ok_or_else(|| keys::kek_not_found(&name)))
            .await
    }

    async fn register_kek(&self, kek: &NewKek) -> Result<Kek> {
        let kek = kek.clone();
        self.run(move |c| register_kek(c, &kek)).await
    }

    async fn dek(
        &self,
        kek: &str,
        subject: &str,
        version: Option<i32>,
        algorithm: &str,
        deleted: bool,
    ) -> Result<Dek> {
        let (kek, subject) = (kek.to_string(), subject.to_string());
        let algorithm = keys::algorithm(Some(algorithm))?;
        self.run(move |c| {
            get_dek(c, &kek, &subject, version, &algorithm, deleted)?
                .ok_or_else(|| keys::dek_not_found(&kek, &subject))
        })
        .await
    }

    async fn register_dek(&self, kek: &str, dek: &NewDek) -> Result<Dek> {
        let (kek, dek) = (kek.to_string(), dek.clone());
        self.run(move |c| register_dek(c, &kek, &dek)).await
    }
}
