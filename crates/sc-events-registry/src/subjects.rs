//! The workspace as registry subjects: every shared schema file (the envelope, common types)
//! as its own subject, and one value subject per domain topic (TopicNameStrategy:
//! `<topic>-value`) that references the shared files it uses.
//!
//! Order matters for publishing: a subject comes after every subject it references.

use crate::types::{Reference, SchemaDef};
use sc_events_schema::model::{Kind, SchemaSet};
use sc_events_schema::source::FileId;
use sc_events_schema::Catalog;

/// How the workspace's schemas are named in the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    /// The envelope file's subject; by default, like every shared file's, its top-level
    /// record's full name (`sc.events.common.Envelope`), as Confluent's docs name references.
    pub envelope_subject: Option<String>,
}

/// One subject of the workspace.
#[derive(Debug, Clone)]
pub struct SubjectSchema {
    pub subject: String,
    /// The `.avsc` file (index into `catalog.set.files`) whose text is registered.
    pub file: FileId,
    pub text: String,
    /// `(type name, subject)` this schema references; the version is the one published.
    pub references: Vec<(String, String)>,
    /// The topic whose value this is (`None` for the envelope).
    pub topic: Option<String>,
    /// `(property, value)`: the Confluent compatibility group the schema belongs to (a semver
    /// domain: the layout's group property and its major), sent as schema metadata.
    pub group: Option<(String, String)>,
}

impl SubjectSchema {
    /// The schema to register, given the versions of the referenced subjects (same order as
    /// [`SubjectSchema::references`]).
    pub fn def(&self, versions: &[i32]) -> SchemaDef {
        SchemaDef::avro(self.text.clone())
            .with_references(
                self.references
                    .iter()
                    .zip(versions)
                    .map(|((name, subject), v)| Reference {
                        name: name.clone(),
                        subject: subject.clone(),
                        version: *v,
                    })
                    .collect(),
            )
            .with_metadata(
                self.group
                    .as_ref()
                    .map(|(k, v)| crate::types::Metadata::property(k, v)),
            )
    }
}

/// The compatibility group of a domain: its major, where it is versioned with semver and the
/// layout names a group property.
fn group(catalog: &Catalog, d: &sc_events_schema::Domain) -> Option<(String, String)> {
    let property = &catalog.layout.section.compatibility_group;
    (!property.is_empty() && sc_events_schema::text::Semver::parse(&d.version).is_ok())
        .then(|| (property.clone(), d.schema_version.to_string()))
}

/// Every subject of the workspace, referenced ones first: each shared file a domain uses
/// (directly or through another shared file) as its own subject named after its top-level
/// type (the envelope's: `naming.envelope_subject`), then one value subject per domain topic
/// referencing the shared files it uses.
pub fn subjects(catalog: &Catalog, naming: &Naming) -> Vec<SubjectSchema> {
    let set = &catalog.set;
    let envelope_file = set.types[catalog.envelope].file;
    let domain_files: Vec<FileId> = catalog.domains.iter().map(|d| d.file).collect();
    let root_name = |f: FileId| match set.roots[f].kind {
        Kind::Named(id) => set.types[id].name.fullname(),
        _ => String::new(),
    };
    let subject_of = |f: FileId| match &naming.envelope_subject {
        Some(s) if f == envelope_file => s.clone(),
        _ => root_name(f),
    };
    let references = |f: FileId| -> Vec<(String, String)> {
        set.file_deps(f)
            .into_iter()
            .map(|d| (root_name(d), subject_of(d)))
            .collect()
    };
    // Shared files in dependency order (depth first from each domain; cycles stop).
    let mut shared: Vec<FileId> = Vec::new();
    fn visit(set: &SchemaSet, f: FileId, seen: &mut Vec<FileId>, out: &mut Vec<FileId>) {
        if seen.contains(&f) {
            return;
        }
        seen.push(f);
        for d in set.file_deps(f) {
            visit(set, d, seen, out);
        }
        out.push(f);
    }
    let mut seen = domain_files.clone();
    for &d in &domain_files {
        for dep in set.file_deps(d) {
            visit(set, dep, &mut seen, &mut shared);
        }
    }
    let mut out: Vec<SubjectSchema> = shared
        .into_iter()
        .map(|f| SubjectSchema {
            subject: subject_of(f),
            file: f,
            text: set.files[f].text.clone(),
            references: references(f),
            topic: None,
            group: None,
        })
        .collect();
    for d in &catalog.domains {
        let Some(topic) = catalog.topic(&d.topic) else {
            continue;
        };
        let Some(subject) = catalog.value_subject(topic) else {
            continue;
        };
        out.push(SubjectSchema {
            subject,
            file: d.file,
            text: set.files[d.file].text.clone(),
            references: references(d.file),
            topic: Some(d.topic.clone()),
            group: group(catalog, d),
        });
    }
    out
}
