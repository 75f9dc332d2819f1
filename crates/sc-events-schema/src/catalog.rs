//! The catalog: the schema directory read as one whole (the envelope, one top-level record per
//! domain whose `data` union lists that domain's event payloads, and `topics.toml`), with the
//! structural checks every later stage relies on.
//!
//! Conventions (naming, docs, PII, ...) are not checked here but by [`crate::rules::lint`].

use crate::consumers::{self, Consumer};
use crate::diag::{Diagnostic, Level};
use crate::layout::{EnvelopeStyle, Layout};
use crate::model::{parse_files, Body, Kind, Node, SchemaSet, TypeId};
use crate::source::{FileId, SourceFile, Span};
pub use crate::topics::Topic;
use crate::topics::{self, RegistryHints, TopicsFile};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name of the topic catalog inside the schema directory (social-commerce layout).
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

/// Every `.avsc` under `dir` (subdirectories included), sorted by path.
fn avsc_files(dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| io_error(&d, e))? {
            let p = entry.map_err(|e| io_error(&d, e))?.path();
            if p.is_dir() {
                if pending.len() + out.len() > 100_000 {
                    break;
                }
                pending.push(p);
            } else if p.extension().is_some_and(|x| x == "avsc") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
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
            consumers::check(
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

struct Builder<'a> {
    set: &'a SchemaSet,
    layout: &'a Layout,
    topics: &'a [Topic],
    topics_file: &'a SourceFile,
    errors: Vec<Diagnostic>,
}

/// Whether two type nodes are the same Avro type (named types by identity).
fn same_type(a: &Node, b: &Node) -> bool {
    a.logical_type == b.logical_type
        && match (&a.kind, &b.kind) {
            (Kind::Array(x), Kind::Array(y)) | (Kind::Map(x), Kind::Map(y)) => same_type(x, y),
            (Kind::Union(x), Kind::Union(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_type(x, y))
            }
            (x, y) => x == y,
        }
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
        let l = &self.layout.section;
        let envelope = match set.lookup(&l.envelope_record) {
            Some(id) if matches!(set.types[id].body, Body::Record(_)) => id,
            _ => {
                self.errors.push(Diagnostic::file_level(
                    Level::Error,
                    "CATALOG",
                    format!(
                        "the schema directory needs the envelope record {} (the layout's envelope_record)",
                        l.envelope_record
                    ),
                    &self.layout.schemas,
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
        let carried: Vec<&str> = self
            .topics
            .iter()
            .filter_map(|t| t.value_schema.as_ref().map(|v| v.get_ref().as_str()))
            .collect();
        let mut domains = Vec::new();
        for file in 0..set.files.len() {
            let root = &set.roots[file];
            // A file is a domain when a topic carries its top-level record or the record has
            // the payload field; other files hold shared types.
            let is_domain = match root.kind {
                Kind::Named(id) if id == envelope => false,
                Kind::Named(id) => {
                    carried.contains(&set.types[id].name.fullname().as_str())
                        || set.fields(id).iter().any(|f| f.name == l.payload_field)
                }
                _ => false,
            };
            let stem = set.files[file]
                .path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            if is_domain {
                if let Some(d) = self.domain(file, stem, envelope, &entity_symbols) {
                    domains.push(d);
                }
            }
        }
        self.name_by_directory(&mut domains);
        self.check_topics(&mut domains);
        // Domains in the order of their topics in the topic file.
        let topic_index = |d: &Domain| {
            self.topics
                .iter()
                .position(|t| *t.name.get_ref() == d.topic)
        };
        domains.sort_by_key(|d| topic_index(d));
        (envelope, domains, self.errors)
    }

    /// A domain alone in its subdirectory of the schema directory is named after it
    /// (`connector/data-raw.avsc` → `connector`); others keep their file stem.
    fn name_by_directory(&self, domains: &mut [Domain]) {
        let dir_of = |d: &Domain| {
            let p = &self.set.files[d.file].path;
            p.parent()
                .filter(|parent| *parent != self.layout.schemas.as_path())
                .and_then(|parent| parent.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        };
        let dirs: Vec<Option<String>> = domains.iter().map(dir_of).collect();
        for (i, d) in domains.iter_mut().enumerate() {
            if let Some(dir) = &dirs[i] {
                if dirs.iter().filter(|x| x.as_ref() == Some(dir)).count() == 1 {
                    d.name = dir.clone();
                }
            }
        }
    }

    /// The index of the payload field of a domain record, after checking its envelope part.
    fn envelope_part(&mut self, file: FileId, record: TypeId, envelope: TypeId) -> Option<usize> {
        let set = self.set;
        let l = &self.layout.section;
        let t = &set.types[record];
        let fields = set.fields(record);
        let env = &set.types[envelope];
        match l.envelope {
            EnvelopeStyle::Nested => {
                let hint = format!(
                    "a domain record has exactly two fields: {{\"name\": \"{}\", \"type\": \"{}\"}} and {{\"name\": \"{}\", \"type\": [payload records...]}}",
                    l.envelope_field,
                    env.name.fullname(),
                    l.payload_field
                );
                let env_ok = fields.first().is_some_and(|f| {
                    f.name == l.envelope_field && f.ty.kind == Kind::Named(envelope)
                });
                if !env_ok || fields.len() != 2 || fields[1].name != l.payload_field {
                    self.error(
                        file,
                        t.name_span,
                        format!(
                            "{} must be the envelope (by reference) plus `{}`",
                            t.name.fullname(),
                            l.payload_field
                        ),
                        &hint,
                    );
                    return None;
                }
                Some(1)
            }
            EnvelopeStyle::Flat => {
                let want = set.fields(envelope);
                let hint = format!(
                    "a domain record repeats the fields of {} in order (same names and types), then `{}`",
                    env.name.fullname(),
                    l.payload_field
                );
                for (i, w) in want.iter().enumerate() {
                    match fields.get(i) {
                        Some(f) if f.name == w.name && same_type(&f.ty, &w.ty) => {}
                        Some(f) if f.name == w.name => {
                            let msg = format!(
                                "field `{}` of {} is not the envelope's type ({})",
                                f.name,
                                t.name.name,
                                w.ty.type_name(set)
                            );
                            self.error(file, f.ty.span, msg, &hint);
                            return None;
                        }
                        other => {
                            let span = other.map_or(t.name_span, |f| f.name_span);
                            let msg = format!(
                                "{} must repeat envelope field `{}` as its field {}",
                                t.name.name,
                                w.name,
                                i + 1
                            );
                            self.error(file, span, msg, &hint);
                            return None;
                        }
                    }
                }
                if fields.len() != want.len() + 1 || fields[want.len()].name != l.payload_field {
                    let span = fields.get(want.len()).map_or(t.name_span, |f| f.name_span);
                    let msg = format!(
                        "after the envelope fields, {} has exactly one more field: `{}`",
                        t.name.name, l.payload_field
                    );
                    self.error(file, span, msg, &hint);
                    return None;
                }
                Some(want.len())
            }
        }
    }

    fn domain(
        &mut self,
        file: FileId,
        name: String,
        envelope: TypeId,
        entity_symbols: &[String],
    ) -> Option<Domain> {
        let set = self.set;
        let l = &self.layout.section;
        let root = &set.roots[file];
        let record = match root.kind {
            Kind::Named(id) if matches!(set.types[id].body, Body::Record(_)) => id,
            _ => {
                self.error(
                    file,
                    root.span,
                    "a domain schema must be a record".into(),
                    "",
                );
                return None;
            }
        };
        let t = &set.types[record];
        let payload_index = self.envelope_part(file, record, envelope)?;
        let data = &set.fields(record)[payload_index];
        let single;
        let branches: &[Node] = match &data.ty.kind {
            Kind::Union(b) => b,
            Kind::Named(_) => {
                single = [data.ty.clone()];
                &single
            }
            _ => {
                self.error(
                    file,
                    data.ty.span,
                    format!("`{}` must be a union of payload records", l.payload_field),
                    "",
                );
                return None;
            }
        };
        let entity_type = if l.entity_types {
            match t.attr("entity_type").and_then(|a| a.as_str()) {
                Some(e) if entity_symbols.iter().any(|s| s == e) => Some(e.to_string()),
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
            }
        } else {
            None
        };
        let va = &l.version_attribute;
        let sv = t.attr(va);
        let parsed = sv.and_then(|v| match v.as_i64() {
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .map(|n| (n, n.to_string())),
            None => v.as_str().and_then(|s| {
                let parts: Vec<&str> = s.split('.').collect();
                let ok = parts.len() == 3
                    && parts.iter().all(|p| {
                        !p.is_empty()
                            && p.chars().all(|c| c.is_ascii_digit())
                            && (p.len() == 1 || !p.starts_with('0'))
                    });
                let major = parts.first().and_then(|m| m.parse::<u32>().ok());
                major.filter(|_| ok).map(|m| (m, s.to_string()))
            }),
        });
        let Some((schema_version, version)) = parsed else {
            let span = sv.map_or(t.name_span, |a| a.span);
            self.error(
                file,
                span,
                format!(
                    "{} needs \"{va}\": an integer >= 1 or a semver string like \"1.0.0\"",
                    t.name.fullname()
                ),
                &format!(
                    "add \"{va}\": 1 to the domain record and raise it with every published change"
                ),
            );
            return None;
        };
        let mut events = Vec::new();
        for b in branches {
            let id = match b.kind {
                Kind::Named(id) if matches!(set.types[id].body, Body::Record(_)) => id,
                _ => {
                    self.error(
                        file,
                        b.span,
                        format!("every branch of `{}` must be a payload record", l.payload_field),
                        "nullable payloads are not allowed: the payload is a non-null union of records",
                    );
                    continue;
                }
            };
            let p = &set.types[id];
            let eta = &l.event_type_attribute;
            let Some(event_type) = p.attr(eta).and_then(|a| a.as_str()) else {
                self.error(
                    file,
                    p.name_span,
                    format!("payload {} has no \"{eta}\" attribute", p.name.name),
                    &format!("add \"{eta}\": \"<its event type>\" to the payload record"),
                );
                continue;
            };
            let privacy_tier = if l.privacy_tiers {
                let tier_attr = p.attr("privacy_tier");
                let Some(tier) = tier_attr
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
                Some(tier)
            } else {
                None
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
            version,
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
        let topics_name = self
            .layout
            .topics
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        for d in domains.iter() {
            if d.topic.is_empty() {
                let t = &self.set.types[d.record];
                let msg = format!("no topic in {topics_name} carries {}", t.name.fullname());
                self.error(
                    d.file,
                    t.name_span,
                    msg,
                    "add value_schema = \"<full record name>\" to the domain's topic",
                );
            }
        }
    }
}
