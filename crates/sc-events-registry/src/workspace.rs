//! The workspace as registry subjects: the envelope as its own subject, and one value subject
//! per domain topic (TopicNameStrategy: `<topic>-value`) that references the envelope.
//!
//! Order matters for publishing: a subject comes after every subject it references.

use crate::types::{Reference, SchemaDef};
use sc_events_schema::source::FileId;
use sc_events_schema::Catalog;

/// Default subject of the envelope (its full record name, as Confluent's docs name references).
pub const DEFAULT_ENVELOPE_SUBJECT: &str = "sc.events.common.Envelope";

/// How the workspace's schemas are named in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub envelope_subject: String,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            envelope_subject: DEFAULT_ENVELOPE_SUBJECT.to_string(),
        }
    }
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
}

impl SubjectSchema {
    /// The schema to register, given the versions of the referenced subjects (same order as
    /// [`SubjectSchema::references`]).
    pub fn def(&self, versions: &[i32]) -> SchemaDef {
        SchemaDef::avro(self.text.clone()).with_references(
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
    }
}

/// Every subject of the workspace, referenced ones first.
pub fn subjects(catalog: &Catalog, naming: &Naming) -> Vec<SubjectSchema> {
    let set = &catalog.set;
    let envelope = &set.types[catalog.envelope];
    let envelope_name = envelope.name.fullname();
    let mut out = vec![SubjectSchema {
        subject: naming.envelope_subject.clone(),
        file: envelope.file,
        text: set.files[envelope.file].text.clone(),
        references: Vec::new(),
        topic: None,
    }];
    for d in &catalog.domains {
        let Some(topic) = catalog.topic(&d.topic) else {
            continue;
        };
        let Some(subject) = topic.value_subject() else {
            continue;
        };
        out.push(SubjectSchema {
            subject,
            file: d.file,
            text: set.files[d.file].text.clone(),
            references: vec![(envelope_name.clone(), naming.envelope_subject.clone())],
            topic: Some(d.topic.clone()),
        });
    }
    out
}
