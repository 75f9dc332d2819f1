//! The workspace as registry subjects: every shared schema file (the envelope, common types)
//! as its own subject, and one value subject per domain topic (TopicNameStrategy:
//! `<topic>-value`) that references the shared files it uses.
//!
//! Order matters for publishing: a subject comes after every subject it references.

use crate::contracts::{Rule, RuleSet};
use crate::types::{Reference, SchemaDef};
use sc_events_schema::json::Json;
use sc_events_schema::model::{Body, Kind, SchemaSet};
use sc_events_schema::source::FileId;
use sc_events_schema::topics::{EncryptionPolicy, CONFLUENT_TAGS as TAGS};
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
    /// The data-contract rules registered with it: the workspace's `ENCRYPT` rule where the
    /// schema (with what it references) has a field carrying one of its tags.
    pub rule_set: Option<RuleSet>,
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
            .with_rule_set(self.rule_set.clone())
    }
}

/// The compatibility group of a domain: its major, where it is versioned with semver and the
/// layout names a group property.
fn group(catalog: &Catalog, d: &sc_events_schema::Domain) -> Option<(String, String)> {
    let property = &catalog.layout.section.compatibility_group;
    (!property.is_empty() && sc_events_schema::text::Semver::parse(&d.version).is_ok())
        .then(|| (property.clone(), d.schema_version.to_string()))
}

/// Whether a record of file `f`, or of a file it references, has a field tagged with one of
/// `tags` (`confluent:tags`).
fn has_tagged_field(set: &SchemaSet, f: FileId, tags: &[String]) -> bool {
    let mut files = vec![f];
    let mut i = 0;
    while i < files.len() {
        for d in set.file_deps(files[i]) {
            if !files.contains(&d) {
                files.push(d);
            }
        }
        i += 1;
    }
    set.types
        .iter()
        .filter(|t| files.contains(&t.file))
        .filter_map(|t| match &t.body {
            Body::Record(fields) => Some(fields),
            _ => None,
        })
        .flatten()
        .filter_map(|field| field.attr(TAGS))
        .any(|v| match &v.value {
            Json::Array(items) => items
                .iter()
                .any(|t| matches!(&t.value, Json::String(s) if tags.contains(s))),
            _ => false,
        })
}

/// The `ENCRYPT` rule of a workspace's encryption policy, in Confluent's shape.
pub fn encrypt_rule_set(p: &EncryptionPolicy) -> RuleSet {
    let mut params: std::collections::BTreeMap<String, String> = [
        ("encrypt.kek.name", p.kek_name.clone()),
        ("encrypt.kms.type", p.kms_type.clone()),
        ("encrypt.kms.key.id", p.kms_key_id.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if p.dek_algorithm != "AES256_GCM" {
        params.insert("encrypt.dek.algorithm".into(), p.dek_algorithm.clone());
    }
    if let Some(d) = p.dek_expiry_days {
        params.insert("encrypt.dek.expiry.days".into(), d.to_string());
    }
    RuleSet {
        domain_rules: vec![Rule {
            name: format!("encrypt-{}", p.tags.join("-").to_ascii_lowercase()),
            doc: Some(format!(
                "Encrypts the fields tagged {} with a data key wrapped by KEK {}.",
                p.tags.join(", "),
                p.kek_name
            )),
            kind: "TRANSFORM".into(),
            mode: "WRITEREAD".into(),
            rule_type: "ENCRYPT".into(),
            tags: p.tags.clone(),
            params,
            expr: None,
            on_success: None,
            // A reader without the key gets the ciphertext; a writer without it fails.
            on_failure: Some("ERROR,NONE".into()),
            disabled: false,
        }],
        ..RuleSet::default()
    }
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
    let rules = |f: FileId| {
        catalog
            .encryption
            .as_ref()
            .filter(|p| has_tagged_field(set, f, &p.tags))
            .map(encrypt_rule_set)
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
            rule_set: rules(f),
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
            rule_set: rules(d.file),
        });
    }
    out
}
