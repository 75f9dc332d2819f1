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
//! (SQLite serialises them; `busy_timeout` waits for the lock). Reads run on a pool of
//! read-only connections beside the writer's, so a read never waits behind a write.

mod cache;
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

/// A registry in a SQLite file. Cheap to clone; clones share the connections.
#[derive(Clone)]
pub struct EmbeddedRegistry {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
    /// Idle read-only connections (`None` for `:memory:`, whose data one connection holds).
    readers: Option<Arc<Mutex<Vec<Connection>>>>,
    /// Answers to repeated reads while the file is unchanged (`None` for `:memory:`).
    cache: Option<Arc<cache::ReadCache>>,
}

/// Idle read connections kept; more are opened when reads come at once, and closed after.
const IDLE_READERS: usize = 8;

/// How long a connection waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A read-only connection to the registry at `path` (WAL: it reads the last commit while a
/// write is under way).
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
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
            conn.busy_timeout(BUSY_TIMEOUT)?;
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
                Err(e) => return Err(open_error(&path, &e)),
            }
        };
        let in_memory = path.as_os_str() == ":memory:";
        let cache = match in_memory {
            true => None,
            false => Some(Arc::new(cache::ReadCache::new(
                open_reader(&path).map_err(|e| open_error(&path, &e))?,
            ))),
        };
        Ok(EmbeddedRegistry {
            path,
            conn: Arc::new(Mutex::new(conn)),
            readers: (!in_memory).then(|| Arc::new(Mutex::new(Vec::new()))),
            cache,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `PRAGMA quick_check` (`full`: `integrity_check`, which also compares every
    /// index with its table) over the whole file; a damaged file is an error naming the first
    /// problems SQLite found.
    pub async fn check_integrity(&self, full: bool) -> Result<()> {
        let path = self.path.clone();
        self.run(move |c| {
            let pragma = if full {
                "integrity_check"
            } else {
                "quick_check"
            };
            let found: Vec<String> = c
                .prepare(&format!("PRAGMA {pragma}(5)"))
                .and_then(|mut st| {
                    st.query_map([], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<_>>()
                })
                .map_err(|e| damaged(&path, &e.to_string()))?;
            match found.as_slice() {
                [ok] if ok == "ok" => Ok(()),
                problems => Err(damaged(&path, &problems.join("; "))),
            }
        })
        .await
    }

    /// `embedded registry PATH`, for messages.
    pub fn describe_path(&self) -> String {
        format!("embedded registry {}", self.path.display())
    }

    /// Runs the read `f` off the async threads on a read connection of the pool (the
    /// writer's own for `:memory:`).
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let Some(pool) = self.readers.clone() else {
            return self.run(f).await;
        };
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let idle = pool.lock().ok().and_then(|mut p| p.pop());
            let mut conn = match idle {
                Some(c) => c,
                None => open_reader(&path).map_err(|e| open_error(&path, &e))?,
            };
            let r = f(&mut conn);
            if let Ok(mut p) = pool.lock() {
                if p.len() < IDLE_READERS {
                    p.push(conn);
                }
            }
            r
        })
        .await
        .map_err(|e| RegistryError::store(format!("registry task failed: {e}")))?
    }

    /// [`Self::read`] through the read cache: the kept answer to `key` while the file is
    /// unchanged (asked on the calling thread: one `PRAGMA data_version`), else `f`'s, kept at
    /// the data version asked before `f` ran.
    async fn read_cached<T, F>(&self, key: cache::Key, f: F) -> Result<T>
    where
        T: cache::Cacheable + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let Some(cache) = &self.cache else {
            return self.read(f).await;
        };
        let (hit, at) = cache.get(&key);
        if let Some(hit) = hit.and_then(T::from_answer) {
            return Ok(hit);
        }
        let answer = self.read(f).await?;
        cache.put(at, key, answer.clone().into_answer());
        Ok(answer)
    }

    /// Runs `f` on the writer's connection off the async threads.
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

/// Why the registry at `path` cannot be opened, saying so when the file or its directory is
/// read-only (the registry writes its file and the `-wal`/`-shm` files beside it).
fn open_error(path: &Path, e: &rusqlite::Error) -> RegistryError {
    let read_only = matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen))
        && is_read_only(path);
    if read_only {
        return RegistryError::Config(format!(
            "cannot open the embedded registry {}: it is on a read-only file system or not writable (the registry writes the file and its -wal and -shm files beside it); mount it read-write or pass another --db",
            path.display()
        ));
    }
    RegistryError::Config(format!(
        "cannot open the embedded registry {}: {e}",
        path.display()
    ))
}

fn damaged(path: &Path, what: &str) -> RegistryError {
    RegistryError::Config(format!(
        "the embedded registry {} is damaged ({}); restore it from a backup (or the git history of the schemas) instead of serving it",
        path.display(),
        crate::error::clip(what)
    ))
}

/// Whether `path` (or, when it does not exist, its directory) cannot be written.
fn is_read_only(path: &Path) -> bool {
    use std::io::ErrorKind;
    let refused = |e: std::io::Error| {
        matches!(
            e.kind(),
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied
        )
    };
    if path.exists() {
        return std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .err()
            .is_some_and(refused);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = dir.join(format!(".registry-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(e) => refused(e),
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

    /// SQLite's data version of the file (moved by any commit, in any process).
    fn generation(&self) -> Option<u64> {
        self.cache
            .as_ref()
            .and_then(|c| c.data_version())
            .map(cache::generation)
    }

    async fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.read_cached(cache::Key::Subjects { deleted }, move |c| {
            store::subjects(c, deleted)
        })
        .await
    }

    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        let s = subject.to_string();
        let key = cache::Key::Versions {
            subject: s.clone(),
            deleted,
        };
        self.read_cached(key, move |c| store::versions(c, &s, deleted))
            .await
    }

    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered> {
        let s = subject.to_string();
        let key = cache::Key::Version {
            subject: s.clone(),
            version,
            deleted,
        };
        self.read_cached(key, move |c| store::version(c, &s, version, deleted))
            .await
    }

    async fn schema_by_id(&self, id: i32, _subject: Option<&str>) -> Result<SchemaDef> {
        self.read_cached(cache::Key::ById(id), move |c| store::schema_by_id(c, id))
            .await
    }

    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>> {
        self.read(move |c| store::id_versions(c, id)).await
    }

    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered> {
        let (s, d) = (subject.to_string(), schema.clone());
        let key = cache::Key::Lookup {
            subject: s.clone(),
            def: d.clone(),
            normalize,
            deleted,
        };
        self.read_cached(key, move |c| {
            register::lookup(c, &s, &d, normalize, deleted)
        })
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
        self.read(move |c| register::test_compatibility(c, &s, &d, version))
            .await
    }

    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>> {
        let s = subject.to_string();
        self.read(move |c| store::referenced_by(c, &s, version))
            .await
    }

    async fn compatibility(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Compatibility> {
        let s = own(subject);
        self.read(move |c| store::compatibility(c, s.as_deref(), default_to_global))
            .await
    }

    async fn set_compatibility(&self, subject: Option<&str>, level: Compatibility) -> Result<()> {
        let s = own(subject);
        self.run(move |c| settings::set_compatibility(c, s.as_deref(), level))
            .await
    }

    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>> {
        let s = own(subject);
        self.read(move |c| store::compatibility_group(c, s.as_deref()))
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
        self.read(move |c| store::mode(c, s.as_deref(), default_to_global))
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
