//! The domains of the catalog: which files are domains, each domain's envelope part (nested or
//! flat, checked against the envelope record), payloads, entity type and version, the topics
//! that carry them, and names for domains alone in a subdirectory.

use super::*;
use crate::text::Semver;

pub(super) struct Builder<'a> {
    pub(super) set: &'a SchemaSet,
    pub(super) layout: &'a Layout,
    pub(super) topics: &'a [Topic],
    pub(super) topics_file: &'a SourceFile,
    pub(super) errors: Vec<Diagnostic>,
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

    pub(super) fn build(mut self) -> (TypeId, Vec<Domain>, Vec<Diagnostic>) {
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
                let major = Semver::parse(s).ok()?.major;
                u32::try_from(major).ok().map(|m| (m, s.to_string()))
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
