//! The catalog: the schema directory read as one whole (the envelope, one top-level record per
//! domain whose `data` union lists that domain's event payloads, and `topics.toml`), with the
//! structural checks every later stage relies on.
//!
//! Conventions (naming, docs, PII, ...) are not checked here but by [`crate::rules::lint`].

use crate::consumers::{self, Consumer};
use crate::diag::{Diagnostic, Level};
use crate::model::{parse_files, Body, Kind, SchemaSet, TypeId};
use crate::source::{FileId, SourceFile, Span};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name of the shared envelope schema inside the schema directory.
pub const ENVELOPE_FILE: &str = "envelope.avsc";
/// File name of the topic catalog inside the schema directory.
pub const TOPICS_FILE: &str = "topics.toml";

/// The privacy tiers, from most to least open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyTier {
    Public,
    Internal,
    Restricted,
}

impl PrivacyTier {
    pub const ALL: [PrivacyTier; 3] = [Self::Public, Self::Internal, Self::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Internal => "INTERNAL",
            Self::Restricted => "RESTRICTED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One event type: a payload record in a domain's `data` union.
#[derive(Debug, Clone)]
pub struct Event {
    pub event_type: String,
    pub record: TypeId,
    pub privacy_tier: PrivacyTier,
}

/// One domain: a top-level `.avsc` file = envelope + `data` union of payloads.
#[derive(Debug, Clone)]
pub struct Domain {
    /// File stem (`user` for `user.avsc`).
    pub name: String,
    pub file: FileId,
    /// The top-level record (`sc.events.user.UserEvent`).
    pub record: TypeId,
    /// The `entity_type` attribute: a symbol of the envelope's `EntityType`.
    pub entity_type: String,
    /// The `schema_version` attribute (>= 1): the envelope's `schema_version` of its events.
    pub schema_version: u32,
    /// Name of the topic that carries this schema (from `topics.toml`).
    pub topic: String,
    pub events: Vec<Event>,
}

/// One `[[topic]]` of `topics.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: toml::Spanned<String>,
    pub category: String,
    pub partitions: u32,
    /// Partition-key field; `None` for keyless topics.
    pub key: Option<String>,
    pub retention_ms: u64,
    pub cleanup_policy: String,
    pub description: String,
    /// Full name of the top-level record the topic carries.
    pub value_schema: Option<toml::Spanned<String>>,
}

impl Topic {
    /// The Confluent subject of the topic's value schema (TopicNameStrategy), when it has one.
    pub fn value_subject(&self) -> Option<String> {
        self.value_schema
            .as_ref()
            .map(|_| format!("{}-value", self.name.get_ref()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    topic: Vec<Topic>,
    #[serde(default)]
    consumer: Vec<Consumer>,
}

/// The whole schema directory, checked for structure.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub set: SchemaSet,
    /// The envelope record.
    pub envelope: TypeId,
    pub domains: Vec<Domain>,
    pub topics: Vec<Topic>,
    /// The consuming jobs (`[[consumer]]` of `topics.toml`).
    pub consumers: Vec<Consumer>,
    pub topics_file: SourceFile,
}

impl Catalog {
    /// Reads `dir/*.avsc` and `dir/topics.toml`. Errors are diagnostics with file:line:col.
    pub fn load(dir: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        let io = |path: &Path, e: std::io::Error| {
            vec![Diagnostic::file_level(
                Level::Error,
                "IO",
                format!("cannot read {}: {e}", path.display()),
                path,
            )]
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "avsc"))
            .collect();
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            files.push(SourceFile::read(p).map_err(|e| io(p, e))?);
        }
        let topics_path = dir.join(TOPICS_FILE);
        let topics_file = SourceFile::read(&topics_path).map_err(|e| io(&topics_path, e))?;
        Self::from_files(dir, files, topics_file)
    }

    /// Builds a catalog from already-read files (`files` are the `.avsc` files).
    pub fn from_files(
        dir: &Path,
        files: Vec<SourceFile>,
        topics_file: SourceFile,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let (topics, consumers) = match toml::from_str::<TopicsFile>(&topics_file.text) {
            Ok(t) => (t.topic, t.consumer),
            Err(e) => {
                let span = e
                    .span()
                    .map_or(Span::default(), |r| Span::new(r.start, r.end));
                errors.push(Diagnostic::at(
                    Level::Error,
                    "PARSE",
                    format!("invalid topic catalog: {}", e.message()),
                    &topics_file,
                    span,
                ));
                (Vec::new(), Vec::new())
            }
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
            topics: &topics,
            topics_file: &topics_file,
            errors,
        };
        let (envelope, domains, mut errors) = b.build();
        if errors.is_empty() {
            consumers::check(&consumers, &topics, &domains, &topics_file, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Catalog {
            dir: dir.to_path_buf(),
            set,
            envelope,
            domains,
            topics,
            consumers,
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

    /// The file name (`user.avsc`) of a file id.
    pub fn file_name(&self, file: FileId) -> String {
        self.set.files[file]
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }
}

struct Builder<'a> {
    set: &'a SchemaSet,
    topics: &'a [Topic],
    topics_file: &'a SourceFile,
    errors: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn error(&mut self, file: FileId, span: Span, message: String, hint: &str) {
        let d = Diagnostic::at(
            Level::Error,
            "CATALOG",
            message,
            &self.set.files[file],
            span,
        );
        self.errors.push(if hint.is_empty() {
            d
        } else {
            d.with_hint(hint)
        });
    }

    fn build(mut self) -> (TypeId, Vec<Domain>, Vec<Diagnostic>) {
        let set = self.set;
        let stem = |f: FileId| {
            set.files[f]
                .path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        };
        let envelope_file = (0..set.files.len()).find(|&f| stem(f) == "envelope");
        let envelope = match envelope_file.map(|f| &set.roots[f].kind) {
            Some(Kind::Named(id)) if matches!(set.types[*id].body, Body::Record(_)) => *id,
            _ => {
                self.errors.push(Diagnostic::file_level(
                    Level::Error,
                    "CATALOG",
                    format!(
                        "the schema directory needs {ENVELOPE_FILE} holding the envelope record"
                    ),
                    Path::new(ENVELOPE_FILE),
                ));
                return (0, Vec::new(), self.errors);
            }
        };
        let entity_symbols: Vec<String> = set
            .fields(envelope)
            .iter()
            .find(|f| f.name == "entity_type")
            .and_then(|f| match f.ty.kind {
                Kind::Named(id) => match &set.types[id].body {
                    Body::Enum(e) => Some(e.symbols.clone()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or_default();
        let mut domains = Vec::new();
        for file in 0..set.files.len() {
            if Some(file) == envelope_file {
                continue;
            }
            if let Some(d) = self.domain(file, stem(file), envelope, &entity_symbols) {
                domains.push(d);
            }
        }
        self.check_topics(&mut domains);
        // Domains in the order of their topics in topics.toml (seed 001's order).
        let topic_index = |d: &Domain| {
            self.topics
                .iter()
                .position(|t| *t.name.get_ref() == d.topic)
        };
        domains.sort_by_key(|d| topic_index(d));
        (envelope, domains, self.errors)
    }

    fn domain(
        &mut self,
        file: FileId,
        name: String,
        envelope: TypeId,
        entity_symbols: &[String],
    ) -> Option<Domain> {
        let set = self.set;
        let root = &set.roots[file];
        let Kind::Named(record) = root.kind else {
            self.error(
                file,
                root.span,
                "a domain schema must be a record".into(),
                "",
            );
            return None;
        };
        let t = &set.types[record];
        let Body::Record(fields) = &t.body else {
            self.error(
                file,
                root.span,
                "a domain schema must be a record".into(),
                "",
            );
            return None;
        };
        let hint = "a domain record has exactly two fields: {\"name\": \"envelope\", \"type\": \"sc.events.common.Envelope\"} and {\"name\": \"data\", \"type\": [payload records...]}";
        let env_ok = fields
            .first()
            .is_some_and(|f| f.name == "envelope" && f.ty.kind == Kind::Named(envelope));
        if !env_ok || fields.len() != 2 {
            self.error(
                file,
                t.name_span,
                format!(
                    "{} must be the envelope (by reference) plus `data`",
                    t.name.fullname()
                ),
                hint,
            );
            return None;
        }
        let data = &fields[1];
        let Kind::Union(branches) = &data.ty.kind else {
            self.error(
                file,
                data.ty.span,
                "`data` must be a union of payload records".into(),
                hint,
            );
            return None;
        };
        let entity_type = match t.attr("entity_type").and_then(|a| a.as_str()) {
            Some(e) if entity_symbols.iter().any(|s| s == e) => e.to_string(),
            Some(e) => {
                let span = t.attr("entity_type").map_or(t.name_span, |a| a.span);
                self.error(
                    file,
                    span,
                    format!("entity_type {e:?} is not a symbol of the envelope's EntityType"),
                    "",
                );
                return None;
            }
            None => {
                self.error(
                    file,
                    t.name_span,
                    format!("{} has no \"entity_type\" attribute", t.name.fullname()),
                    "add \"entity_type\": \"USER\" (a symbol of EntityType) to the domain record",
                );
                return None;
            }
        };
        let sv = t.attr("schema_version");
        let schema_version = match sv
            .and_then(|v| v.as_i64())
            .and_then(|v| u32::try_from(v).ok())
        {
            Some(v) if v >= 1 => v,
            _ => {
                let span = sv.map_or(t.name_span, |a| a.span);
                self.error(file, span, format!("{} needs \"schema_version\": an integer >= 1", t.name.fullname()), "add \"schema_version\": 1 to the domain record and raise it with every published change");
                return None;
            }
        };
        let mut events = Vec::new();
        for b in branches {
            let Kind::Named(id) = b.kind else {
                self.error(
                    file,
                    b.span,
                    "every branch of `data` must be a payload record".into(),
                    "nullable payloads are not allowed: `data` is a non-null union of records",
                );
                continue;
            };
            let p = &set.types[id];
            if !matches!(p.body, Body::Record(_)) {
                self.error(
                    file,
                    b.span,
                    "every branch of `data` must be a payload record".into(),
                    "",
                );
                continue;
            }
            let Some(event_type) = p.attr("event_type").and_then(|a| a.as_str()) else {
                self.error(
                    file,
                    p.name_span,
                    format!("payload {} has no \"event_type\" attribute", p.name.name),
                    "add \"event_type\": \"<domain>.<action>\" to the payload record",
                );
                continue;
            };
            let tier_attr = p.attr("privacy_tier");
            let Some(privacy_tier) = tier_attr
                .and_then(|a| a.as_str())
                .and_then(PrivacyTier::parse)
            else {
                let span = tier_attr.map_or(p.name_span, |a| a.span);
                self.error(
                    file,
                    span,
                    format!(
                        "payload {} needs \"privacy_tier\": PUBLIC, INTERNAL or RESTRICTED",
                        p.name.name
                    ),
                    "",
                );
                continue;
            };
            events.push(Event {
                event_type: event_type.to_string(),
                record: id,
                privacy_tier,
            });
        }
        Some(Domain {
            name,
            file,
            record,
            entity_type,
            schema_version,
            topic: String::new(),
            events,
        })
    }

    fn check_topics(&mut self, domains: &mut [Domain]) {
        let mut seen: Vec<&str> = Vec::new();
        for t in self.topics {
            let name = t.name.get_ref().as_str();
            let span = Span::new(t.name.span().start, t.name.span().end);
            if seen.contains(&name) {
                self.errors.push(Diagnostic::at(
                    Level::Error,
                    "CATALOG",
                    format!("topic {name:?} is listed twice"),
                    self.topics_file,
                    span,
                ));
            }
            seen.push(name);
            if t.partitions == 0 {
                self.errors.push(Diagnostic::at(
                    Level::Error,
                    "CATALOG",
                    format!("topic {name:?} needs at least one partition"),
                    self.topics_file,
                    span,
                ));
            }
            let Some(vs) = &t.value_schema else { continue };
            let vspan = Span::new(vs.span().start, vs.span().end);
            match domains
                .iter_mut()
                .find(|d| self.set.types[d.record].name.fullname() == *vs.get_ref())
            {
                Some(d) if d.topic.is_empty() => d.topic = name.to_string(),
                Some(d) => self.errors.push(Diagnostic::at(
                    Level::Error,
                    "CATALOG",
                    format!("{} is already carried by topic {:?}", vs.get_ref(), d.topic),
                    self.topics_file,
                    vspan,
                )),
                None => self.errors.push(
                    Diagnostic::at(
                        Level::Error,
                        "CATALOG",
                        format!(
                            "value_schema {:?} is not the top-level record of any domain schema",
                            vs.get_ref()
                        ),
                        self.topics_file,
                        vspan,
                    )
                    .with_hint(
                        "use the full name of a domain record, e.g. \"sc.events.user.UserEvent\"",
                    ),
                ),
            }
        }
        for d in domains.iter() {
            if d.topic.is_empty() {
                let t = &self.set.types[d.record];
                let msg = format!("no topic in {TOPICS_FILE} carries {}", t.name.fullname());
                self.error(
                    d.file,
                    t.name_span,
                    msg,
                    "add value_schema = \"<full record name>\" to the domain's [[topic]]",
                );
            }
        }
    }
}
