//! `git:REF`: the workspace's schemas as they were at a git ref, as a read-only registry (a
//! buf-style baseline). Each subject has one version, the schema at that ref.
//!
//! The files are read with `git` itself (`ls-tree`, `cat-file`), bounded in size, and loaded
//! into an in-memory [`EmbeddedRegistry`] whose mode is then READONLY, so every read behaves
//! exactly as the embedded registry's.

use crate::embedded::EmbeddedRegistry;
use crate::error::{RegistryError, Result};
use crate::subjects::{subjects, Naming};
use crate::types::*;
use crate::Registry;
use async_trait::async_trait;
use sc_events_schema::source::{SourceFile, DEFAULT_MAX_SCHEMA_BYTES};
use sc_events_schema::{Catalog, Layout};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A read-only registry of the workspace at a git ref.
pub struct GitRegistry {
    reference: String,
    inner: EmbeddedRegistry,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| RegistryError::Config(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        // What git said, or its exit status when it said nothing.
        let err = String::from_utf8_lossy(&out.stderr);
        let said = match err.trim() {
            "" => format!("git exited with {}", out.status),
            e => crate::error::clip(e),
        };
        return Err(RegistryError::Config(format!(
            "git {}: {said}",
            args.join(" ")
        )));
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| RegistryError::Config(format!("git output: {e}")))
}

impl GitRegistry {
    /// Loads the schema directory `schemas` (a path in the work tree of a git repository) as
    /// it is at `reference`.
    pub async fn open(schemas: &Path, reference: &str, naming: &Naming) -> Result<Self> {
        Self::open_layout(&Layout::for_schemas(schemas), reference, naming).await
    }

    /// Loads a workspace's schemas and topic file (as its layout places them in the work
    /// tree) as they are at `reference`.
    pub async fn open_layout(layout: &Layout, reference: &str, naming: &Naming) -> Result<Self> {
        let catalog = load(layout, reference)?;
        let inner = EmbeddedRegistry::open(":memory:")?;
        inner.set_compatibility(None, Compatibility::None).await?;
        for s in subjects(&catalog, naming) {
            let def = s.def(&vec![1; s.references.len()]);
            inner
                .register(&s.subject, &def, RegisterOptions::default())
                .await?;
        }
        inner.delete_compatibility(None).await?;
        inner.set_mode(None, RegistryMode::ReadOnly, true).await?;
        Ok(GitRegistry {
            reference: reference.to_string(),
            inner,
        })
    }
}

/// `path` (in the work tree) relative to the repository's top level, with `/` separators.
fn in_repo(top: &Path, path: &Path) -> Result<String> {
    let abs = std::fs::canonicalize(path)
        .map_err(|e| RegistryError::Config(format!("cannot resolve {}: {e}", path.display())))?;
    Ok(abs
        .strip_prefix(std::fs::canonicalize(top).unwrap_or(top.to_path_buf()))
        .map_err(|_| {
            RegistryError::Config(format!("{} is not in {}", abs.display(), top.display()))
        })?
        .to_string_lossy()
        .replace('\\', "/"))
}

/// The catalog of the layout's schemas and topic file at `reference`.
fn load(layout: &Layout, reference: &str) -> Result<Catalog> {
    let schemas = &layout.schemas;
    let abs = std::fs::canonicalize(schemas)
        .map_err(|e| RegistryError::Config(format!("cannot resolve {}: {e}", schemas.display())))?;
    let top = PathBuf::from(text(git(&abs, &["rev-parse", "--show-toplevel"])?)?.trim());
    let rel = in_repo(&top, schemas)?;
    let topics_rel = in_repo(&top, &layout.topics)?;
    let spec = format!("{reference}^{{commit}}");
    let commit = match git(&top, &["rev-parse", "--verify", "--end-of-options", &spec]) {
        Ok(out) => text(out)?,
        Err(RegistryError::Config(why)) => {
            return Err(RegistryError::Config(format!(
                "git:{}: no such commit, branch or tag in {} ({why})",
                crate::error::clip(reference),
                top.display()
            )))
        }
        Err(e) => return Err(e),
    };
    let commit = commit.trim();
    let tree = format!("{commit}:{rel}");
    // Every file under the schema directory, subdirectories included.
    let names = text(git(&top, &["ls-tree", "-r", "--name-only", "-z", &tree])?)?;
    let label = PathBuf::from(format!("git:{reference}"));
    let read = |object: String, path: PathBuf| -> Result<SourceFile> {
        let size: u64 = text(git(&top, &["cat-file", "-s", &object])?)?
            .trim()
            .parse()
            .map_err(|_| RegistryError::Config(format!("git cat-file -s {object}: not a size")))?;
        if size > DEFAULT_MAX_SCHEMA_BYTES {
            return Err(RegistryError::Config(format!(
                "{object}: {size} bytes, over the {DEFAULT_MAX_SCHEMA_BYTES}-byte limit for a schema file"
            )));
        }
        let bytes = git(&top, &["cat-file", "blob", &object])?;
        SourceFile::from_bytes(path, bytes).map_err(|e| RegistryError::Config(e.to_string()))
    };
    let mut files = Vec::new();
    let mut sorted: Vec<&str> = names.split('\0').filter(|n| n.ends_with(".avsc")).collect();
    sorted.sort_unstable();
    if sorted.len() > 100_000 {
        return Err(RegistryError::Config(format!(
            "{tree}: too many schema files"
        )));
    }
    for name in sorted {
        files.push(read(format!("{tree}/{name}"), label.join(&rel).join(name))?);
    }
    let topics = read(format!("{commit}:{topics_rel}"), label.join(&topics_rel))?;
    let mut at_ref = layout.clone();
    at_ref.schemas = label.join(&rel);
    at_ref.topics = label.join(&topics_rel);
    Catalog::from_files_layout(at_ref, files, topics).map_err(|diags| {
        RegistryError::Config(format!(
            "the schemas at {reference} do not load: {}",
            diags
                .iter()
                .take(3)
                .map(|d| d.one_line())
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })
}

/// Every method but the writes forwards to the in-memory registry; writes are refused.
macro_rules! read_only {
    () => {
        Err(RegistryError::api(
            crate::error::ErrorKind::OperationNotPermitted,
            "a git baseline is read-only",
        ))
    };
}

#[async_trait]
impl Registry for GitRegistry {
    fn describe(&self) -> String {
        format!("git:{}", self.reference)
    }

    async fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.inner.subjects(deleted).await
    }

    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        self.inner.versions(subject, deleted).await
    }

    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered> {
        self.inner.version(subject, version, deleted).await
    }

    async fn schema_by_id(&self, id: i32, subject: Option<&str>) -> Result<SchemaDef> {
        self.inner.schema_by_id(id, subject).await
    }

    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>> {
        self.inner.id_versions(id).await
    }

    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered> {
        self.inner.lookup(subject, schema, normalize, deleted).await
    }

    async fn register(&self, _: &str, _: &SchemaDef, _: RegisterOptions) -> Result<i32> {
        read_only!()
    }

    async fn test_compatibility(
        &self,
        subject: &str,
        schema: &SchemaDef,
        version: Option<Version>,
    ) -> Result<CompatibilityResult> {
        self.inner
            .test_compatibility(subject, schema, version)
            .await
    }

    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>> {
        self.inner.referenced_by(subject, version).await
    }

    async fn compatibility(&self, subject: Option<&str>, global: bool) -> Result<Compatibility> {
        self.inner.compatibility(subject, global).await
    }

    async fn set_compatibility(&self, _: Option<&str>, _: Compatibility) -> Result<()> {
        read_only!()
    }

    async fn delete_compatibility(&self, _: Option<&str>) -> Result<Compatibility> {
        read_only!()
    }

    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>> {
        self.inner.compatibility_group(subject).await
    }

    async fn set_compatibility_group(&self, _: Option<&str>, _: Option<&str>) -> Result<()> {
        read_only!()
    }

    async fn mode(&self, subject: Option<&str>, global: bool) -> Result<RegistryMode> {
        self.inner.mode(subject, global).await
    }

    async fn set_mode(&self, _: Option<&str>, _: RegistryMode, _: bool) -> Result<()> {
        read_only!()
    }

    async fn delete_mode(&self, _: Option<&str>) -> Result<RegistryMode> {
        read_only!()
    }

    async fn delete_subject(&self, _: &str, _: bool) -> Result<Vec<i32>> {
        read_only!()
    }

    async fn delete_version(&self, _: &str, _: Version, _: bool) -> Result<i32> {
        read_only!()
    }
}
