//! The catalog: the schema directory read as one whole (the envelope, one top-level record per
//! domain whose `data` union lists that domain's event payloads, and `topics.toml`), with the
//! structural checks every later stage relies on.
//!
//! Conventions (naming, docs, PII, ...) are not checked here but by [`crate::rules::lint`].

use crate::diag::{Diagnostic, Level};
use crate::layout::{EnvelopeStyle, Layout};
use crate::model::{parse_files, Body, Kind, Node, SchemaSet, TypeId};
use crate::source::{FileId, SourceFile, Span};
use crate::topics::{self, Consumer, RegistryHints, TopicsFile};
pub use crate::topics::{PrivacyTier, Topic};
use std::path::{Path, PathBuf};

/// File name of the topic catalog inside the schema directory (social-commerce layout).
pub const TOPICS_FILE: &str = "topics.toml";

/// One event type: a payload record in a domain's payload union.
#[derive(Debug, Clone)]
pub struct Event {
    pub event_type: String,
    pub record: TypeId,
    /// `None` where the workspace has no privacy tiers.
    pub privacy_tier: Option<PrivacyTier>,
}

impl Event {
    /// The tier consumers compare with their `max_tier`: its own, or PUBLIC where the
    /// workspace has no tiers (every consumer may read every event).
    pub fn tier_or_public(&self) -> PrivacyTier {
        self.privacy_tier.unwrap_or(PrivacyTier::Public)
    }
}

/// One domain: a top-level record = envelope + a union (or single record) of payloads.
#[derive(Debug, Clone)]
pub struct Domain {
    /// File stem (`user` for `user.avsc`).
    pub name: String,
    pub file: FileId,
    /// The top-level record (`sc.events.user.UserEvent`).
    pub record: TypeId,
    /// The `entity_type` attribute (a symbol of the envelope's `EntityType`); `None` where the
    /// workspace has no entity types.
    pub entity_type: Option<String>,
    /// The version attribute as written: `"2"` or `"1.4.0"`.
    pub version: String,
    /// The integer version, or the major of a semver version.
    pub schema_version: u32,
    /// Name of the topic that carries this schema (from the topic file).
    pub topic: String,
    pub events: Vec<Event>,
}

/// The whole schema directory, checked for structure.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub layout: Layout,
    pub set: SchemaSet,
    /// The envelope record (flat layouts: the record whose fields every domain repeats).
    pub envelope: TypeId,
    pub domains: Vec<Domain>,
    pub topics: Vec<Topic>,
    /// The consuming jobs (`[[consumer]]` / `consumer_groups:` of the topic file).
    pub consumers: Vec<Consumer>,
    /// What the topic file says about the schema registry.
    pub registry: RegistryHints,
    /// Field-level encryption (the topic file's `[encryption]`), if the workspace has it.
    pub encryption: Option<crate::topics::EncryptionPolicy>,
    /// The DLQ naming pattern (`{topic}.dlq`): the layout's, else the topic file's.
    pub dlq_pattern: Option<String>,
    pub topics_file: SourceFile,
}

fn io_error(path: &Path, e: std::io::Error) -> Vec<Diagnostic> {
    vec![Diagnostic::file_level(
        Level::Error,
        "IO",
        format!("cannot read {}: {e}", path.display()),
        path,
    )]
}

/// At most this many directories are read under the schema directory.
const MAX_DIRS: usize = 10_000;

/// Every `.avsc` under `dir` (subdirectories included, symbolic links to directories not
/// followed, so a link cycle cannot loop), sorted by path.
pub fn avsc_files(dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    let mut visited = 0usize;
    while let Some(d) = pending.pop() {
        visited += 1;
        if visited > MAX_DIRS {
            return Err(vec![Diagnostic::file_level(
                Level::Error,
                "IO",
                format!("{} holds more than {MAX_DIRS} directories", dir.display()),
                dir,
            )]);
        }
        for entry in std::fs::read_dir(&d).map_err(|e| io_error(&d, e))? {
            let entry = entry.map_err(|e| io_error(&d, e))?;
            let p = entry.path();
            let kind = entry.file_type().map_err(|e| io_error(&p, e))?;
            if kind.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|x| x == "avsc") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn a_directory_link_cycle_is_not_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sub = dir.path().join("area");
        std::fs::create_dir(&sub).expect("mkdir");
        std::fs::write(sub.join("a.avsc"), "{}").expect("write");
        std::os::unix::fs::symlink(dir.path(), sub.join("loop")).expect("symlink");
        let files = super::avsc_files(dir.path()).expect("read");
        assert_eq!(files, [sub.join("a.avsc")]);
    }
}

impl Catalog {
    /// Reads `dir/**/*.avsc` and `dir/topics.toml` with the social-commerce layout.
    pub fn load(dir: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        Self::load_layout(Layout::for_schemas(dir))
    }

    /// Reads a workspace with its layout. Errors are diagnostics with file:line:col.
    pub fn load_layout(layout: Layout) -> Result<Catalog, Vec<Diagnostic>> {
        let paths = avsc_files(&layout.schemas)?;
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            files.push(SourceFile::read(p).map_err(|e| io_error(p, e))?);
        }
        let topics_file =
            SourceFile::read(&layout.topics).map_err(|e| io_error(&layout.topics, e))?;
        Self::from_files_layout(layout, files, topics_file)
    }

    /// Builds a catalog from already-read files (`files` are the `.avsc` files) with the
    /// social-commerce layout.
    pub fn from_files(
        dir: &Path,
        files: Vec<SourceFile>,
        topics_file: SourceFile,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        Self::from_files_layout(Layout::for_schemas(dir), files, topics_file)
    }

    /// Builds a catalog from already-read files with a layout.
    pub fn from_files_layout(
        layout: Layout,
        files: Vec<SourceFile>,
        topics_file: SourceFile,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        let (parsed, mut errors) = match topics::parse(&layout, &topics_file) {
            Ok(p) => (p, Vec::new()),
            Err(e) => (TopicsFile::default(), e),
        };
        let set = match parse_files(files) {
            Ok(set) => set,
            Err(mut e) => {
                errors.append(&mut e);
                return Err(errors);
            }
        };
        let b = Builder {
            set: &set,
            layout: &layout,
            topics: &parsed.topics,
            topics_file: &topics_file,
            errors,
        };
        let (envelope, domains, mut errors) = b.build();
        if errors.is_empty() {
            consumer_check::check(
                &layout,
                &parsed.consumers,
                &parsed.topics,
                &domains,
                &topics_file,
                &mut errors,
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let dlq_pattern = layout.section.dlq.clone().or(parsed.dlq_pattern.clone());
        Ok(Catalog {
            dir: layout.schemas.clone(),
            layout,
            set,
            envelope,
            domains,
            topics: parsed.topics,
            consumers: parsed.consumers,
            registry: parsed.registry,
            encryption: parsed.encryption,
            dlq_pattern,
            topics_file,
        })
    }

    /// Every event of every domain, with its domain.
    pub fn events(&self) -> impl Iterator<Item = (&Domain, &Event)> {
        self.domains
            .iter()
            .flat_map(|d| d.events.iter().map(move |e| (d, e)))
    }

    pub fn consumer(&self, name: &str) -> Option<&Consumer> {
        self.consumers.iter().find(|c| c.name.get_ref() == name)
    }

    /// The event type of `record` on its domain's topic, with that domain.
    pub fn event_of(&self, record: TypeId) -> Option<(&Domain, &Event)> {
        self.events().find(|(_, e)| e.record == record)
    }

    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.name.get_ref() == name)
    }

    /// The registry subject of a topic's value schema, under the layout's subject strategy.
    pub fn value_subject(&self, topic: &Topic) -> Option<String> {
        use crate::layout::SubjectStrategy as S;
        let record = topic.value_schema.as_ref()?.get_ref();
        let name = topic.name.get_ref();
        Some(match self.layout.section.subject_strategy {
            S::Topic => format!("{name}-value"),
            S::Record => record.clone(),
            S::TopicRecord => format!("{name}-{record}"),
        })
    }

    /// The DLQ of `topic` under the workspace's naming pattern, when that topic exists.
    pub fn dlq_of(&self, topic: &str) -> Option<&Topic> {
        let name = self.dlq_pattern.as_ref()?.replace("{topic}", topic);
        self.topic(&name)
    }

    /// The file name (`user.avsc`) of a file id.
    pub fn file_name(&self, file: FileId) -> String {
        self.set.files[file]
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }

    /// The file's path relative to the schema directory (`common/metadata.avsc`).
    pub fn rel_path(&self, file: FileId) -> String {
        let p = &self.set.files[file].path;
        p.strip_prefix(&self.layout.schemas)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

mod consumer_check;
mod domains;
use domains::Builder;
