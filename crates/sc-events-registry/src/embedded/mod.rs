//! The embedded registry: Confluent Schema Registry's semantics in one SQLite file (default
//! `.registry/registry.db`), needing no server.
//!
//! Global ids (one schema, one id, in every subject), versions per subject from 1, identical
//! re-registration returning the existing id, references stored and resolved (a referenced
//! version cannot be deleted), compatibility and mode globally and per subject (default
//! BACKWARD, READWRITE), soft then permanent delete, Confluent's error codes; an incompatible
//! schema is refused (409) with the checker's messages.
//!
//! Durability: WAL with `synchronous=FULL`, one `BEGIN IMMEDIATE` transaction per write, so a
//! registration is on disk before it is acknowledged and several processes can write at once
//! (SQLite serialises them; `busy_timeout` waits for the lock).

mod delete;
mod forms;
mod keys;
mod register;
mod settings;
mod store;

pub use store::{validate_subject, MAX_REFERENCES, MAX_SUBJECT_LEN};

use crate::error::{RegistryError, Result};
use crate::types::*;
use crate::Registry;
use async_trait::async_trait;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the embedded registry lives unless configured otherwise.
pub const DEFAULT_PATH: &str = ".registry/registry.db";

/// A registry in a SQLite file. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct EmbeddedRegistry {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl EmbeddedRegistry {
    /// Opens (creating it and its directory if needed) the registry at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                RegistryError::Config(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let open = |path: &Path| -> rusqlite::Result<Connection> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(Duration::from_secs(30))?;
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {} COMMIT;",
                include_str!("schema.sql")
            ))?;
            Ok(conn)
        };
        // Switching to WAL and creating the tables take locks that another process opening
        // the same file at the same moment may hold; SQLite then answers BUSY at once.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let conn = loop {
            match open(&path) {
                Ok(c) => break c,
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(10 + fastrand::u64(0..20)));
                }
                Err(e) => {
                    return Err(RegistryError::Config(format!(
                        "cannot open the embedded registry {}: {e}",
                        path.display()
                    )))
                }
            }
        };
        Ok(EmbeddedRegistry {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `embedded registry PATH`, for messages.
    pub fn describe_path(&self) -> String {
        format!("embedded registry {}", self.path.display())
    }

    /// Runs `f` on the connection off the async threads.
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| RegistryError::store("the registry connection was poisoned"))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| RegistryError::store(format!("registry task failed: {e}")))?
    }
}

fn own(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

#[async_trait]
impl Registry for EmbeddedRegistry {
    fn describe(&self) -> String {
        self.describe_path()
    }

    fn keys(&self) -> Option<&dyn crate::keys::KeyRegistry> {
        Some(self)
    }

    async fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.run(move |c| store::subjects(c, deleted)).await
    }

    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        let s = subject.to_string();
        self.run(move |c| store::versions(c, &s, deleted)).await
    }

    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered> {
        let s = subject.to_string();
        self.run(move |c| store::version(c, &s, version, deleted))
            .await
    }

    async fn schema_by_id(&self, id: i32, _subject: Option<&str>) -> Result<SchemaDef> {
        self.run(move |c| store::schema_by_id(c, id)).await
    }

    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>> {
        self.run(move |c| store::id_versions(c, id)).await
    }

    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered> {
        let (s, d) = (subject.to_string(), schema.clone());
        self.run(move |c| register::lookup(c, &s, &d, normalize, deleted))
            .await
    }

    async fn register(
        &self,
        subject: &str,
        schema: &SchemaDef,
        opts: RegisterOptions,
    ) -> Result<i32> {
        let (s, d) = (subject.to_string(), schema.clone());
        self.run(move |c| register::register(c, &s, &d, opts)).await
    }

    async fn test_compatibility(
        &self,
        subject: &str,
        schema: &SchemaDef,
        version: Option<Version>,
    ) -> Result<CompatibilityResult> {
        let (s, d) = (subject.to_string(), schema.clone());
        self.run(move |c| register::test_compatibility(c, &s, &d, version))
            .await
    }

    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>> {
        let s = subject.to_string();
        self.run(move |c| store::referenced_by(c, &s, version))
            .await
    }

    async fn compatibility(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Compatibility> {
        let s = own(subject);
        self.run(move |c| store::compatibility(c, s.as_deref(), default_to_global))
            .await
    }

    async fn set_compatibility(&self, subject: Option<&str>, level: Compatibility) -> Result<()> {
        let s = own(subject);
        self.run(move |c| settings::set_compatibility(c, s.as_deref(), level))
            .await
    }

    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>> {
        let s = own(subject);
        self.run(move |c| store::compatibility_group(c, s.as_deref()))
            .await
    }

    async fn set_compatibility_group(
        &self,
        subject: Option<&str>,
        property: Option<&str>,
    ) -> Result<()> {
        let (s, p) = (own(subject), own(property));
        self.run(move |c| settings::set_compatibility_group(c, s.as_deref(), p.as_deref()))
            .await
    }

    async fn delete_compatibility(&self, subject: Option<&str>) -> Result<Compatibility> {
        let s = own(subject);
        self.run(move |c| settings::delete_compatibility(c, s.as_deref()))
            .await
    }

    async fn mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<RegistryMode> {
        let s = own(subject);
        self.run(move |c| store::mode(c, s.as_deref(), default_to_global))
            .await
    }

    async fn set_mode(&self, subject: Option<&str>, mode: RegistryMode, force: bool) -> Result<()> {
        let s = own(subject);
        self.run(move |c| settings::set_mode(c, s.as_deref(), mode, force))
            .await
    }

    async fn delete_mode(&self, subject: Option<&str>) -> Result<RegistryMode> {
        let s = own(subject);
        self.run(move |c| settings::delete_mode(c, s.as_deref()))
            .await
    }

    async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let s = subject.to_string();
        self.run(move |c| delete::delete_subject(c, &s, permanent))
            .await
    }

    async fn delete_version(
        &self,
        subject: &str,
        version: Version,
        permanent: bool,
    ) -> Result<i32> {
        let s = subject.to_string();
        self.run(move |c| delete::delete_version(c, &s, version, permanent))
            .await
    }
}
