//! The embedded registry's Confluent semantics, on a real SQLite file: global ids, versions,
//! idempotent registration, references, compatibility and modes, soft and permanent delete,
//! and Confluent's error codes.
#![cfg(feature = "embedded")]

use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::{
    Compatibility, ErrorKind, Reference, RegisterOptions, Registry, RegistryMode, SchemaDef,
    Version,
};

const V1: &str =
    r#"{"type":"record","name":"A","namespace":"t","fields":[{"name":"x","type":"int"}]}"#;
const V2_OPTIONAL: &str = r#"{"type":"record","name":"A","namespace":"t","fields":[{"name":"x","type":"int"},{"name":"y","type":["null","string"],"default":null}]}"#;
const V2_REQUIRED: &str = r#"{"type":"record","name":"A","namespace":"t","fields":[{"name":"x","type":"int"},{"name":"y","type":"string"}]}"#;
const ENVELOPE: &str =
    r#"{"type":"record","name":"Env","namespace":"c","fields":[{"name":"id","type":"string"}]}"#;
const USES_ENVELOPE: &str =
    r#"{"type":"record","name":"E","namespace":"d","fields":[{"name":"envelope","type":"c.Env"}]}"#;

fn open() -> (tempfile::TempDir, EmbeddedRegistry) {
    let dir = tempfile::tempdir().unwrap();
    let r = EmbeddedRegistry::open(dir.path().join("sub/registry.db")).unwrap();
    (dir, r)
}

fn avro(s: &str) -> SchemaDef {
    SchemaDef::avro(s)
}

async fn reg(
    r: &EmbeddedRegistry,
    subject: &str,
    def: &SchemaDef,
) -> sc_events_registry::Result<i32> {
    r.register(subject, def, RegisterOptions::default()).await
}

#[tokio::test]
async fn ids_are_global_versions_per_subject_and_reregistration_is_idempotent() {
    let (_d, r) = open();
    let a = reg(&r, "a-value", &avro(V1)).await.unwrap();
    // Formatting does not make another schema.
    let pretty = V1.replace(',', ", ").replace(':', ": ");
    assert_eq!(reg(&r, "a-value", &avro(&pretty)).await.unwrap(), a);
    assert_eq!(r.versions("a-value", false).await.unwrap(), vec![1]);
    // The same schema under another subject shares the id, with its own version 1.
    assert_eq!(reg(&r, "b-value", &avro(V1)).await.unwrap(), a);
    assert_eq!(
        r.version("b-value", Version::Latest, false)
            .await
            .unwrap()
            .version,
        1
    );
    let a2 = reg(&r, "a-value", &avro(V2_OPTIONAL)).await.unwrap();
    assert!(a2 > a);
    assert_eq!(r.versions("a-value", false).await.unwrap(), vec![1, 2]);
    let got = r.lookup("a-value", &avro(V1), false, false).await.unwrap();
    assert_eq!((got.id, got.version), (a, 1));
    assert_eq!(
        r.id_versions(a).await.unwrap(),
        vec![("a-value".into(), 1), ("b-value".into(), 1)]
    );
    assert_eq!(r.subjects(false).await.unwrap(), vec!["a-value", "b-value"]);
}

#[tokio::test]
async fn normalize_ignores_member_order() {
    let (_d, r) = open();
    let id = r
        .register(
            "n",
            &avro(V1),
            RegisterOptions {
                normalize: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let reordered =
        r#"{"namespace":"t","name":"A","type":"record","fields":[{"type":"int","name":"x"}]}"#;
    let got = r.lookup("n", &avro(reordered), true, false).await.unwrap();
    assert_eq!(got.id, id);
    let e = r
        .lookup("n", &avro(reordered), false, false)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::SchemaNotFound), "{e}");
}

#[tokio::test]
async fn incompatible_is_refused_with_409_and_the_checkers_messages() {
    let (_d, r) = open();
    reg(&r, "a", &avro(V1)).await.unwrap();
    assert_eq!(
        r.compatibility(Some("a"), true).await.unwrap(),
        Compatibility::Backward
    );
    let e = reg(&r, "a", &avro(V2_REQUIRED)).await.unwrap_err();
    assert!(e.is(ErrorKind::Incompatible));
    let text = e.to_string();
    assert!(
        text.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{text}"
    );
    assert!(text.contains("(HTTP 409)"), "{text}");
    assert_eq!(
        r.versions("a", false).await.unwrap(),
        vec![1],
        "nothing registered"
    );
    let t = r
        .test_compatibility("a", &avro(V2_REQUIRED), None)
        .await
        .unwrap();
    assert!(!t.is_compatible && !t.messages.is_empty());
    // Per-subject NONE lets it through; the global level stays BACKWARD.
    r.set_compatibility(Some("a"), Compatibility::None)
        .await
        .unwrap();
    reg(&r, "a", &avro(V2_REQUIRED)).await.unwrap();
    assert_eq!(
        r.compatibility(None, true).await.unwrap(),
        Compatibility::Backward
    );
    let e = r.compatibility(Some("b"), false).await.unwrap_err();
    assert!(e.is(ErrorKind::SubjectCompatibilityNotConfigured));
}

#[tokio::test]
async fn invalid_schemas_are_42201_with_a_position() {
    let (_d, r) = open();
    for bad in [
        r#"{"type":"record","name":"A","fields":[{"name":"x"}]}"#,
        r#"{"type":"#,
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":"no"}]}"#,
    ] {
        let e = reg(&r, "a", &avro(bad)).await.unwrap_err();
        assert!(e.is(ErrorKind::InvalidSchema), "{bad}: {e}");
        assert!(e.to_string().contains(":1:"), "{e}");
    }
    let mut json = avro(V1);
    json.schema_type = "PROTOBUF".into();
    assert!(reg(&r, "a", &json)
        .await
        .unwrap_err()
        .is(ErrorKind::InvalidSchema));
    assert!(r.subjects(true).await.unwrap().is_empty());
}

#[tokio::test]
async fn references_resolve_and_protect_what_they_reference() {
    let (_d, r) = open();
    let env = reg(&r, "env", &avro(ENVELOPE)).await.unwrap();
    let refs = vec![Reference {
        name: "c.Env".into(),
        subject: "env".into(),
        version: 1,
    }];
    let uses = avro(USES_ENVELOPE).with_references(refs.clone());
    let id = reg(&r, "d-value", &uses).await.unwrap();
    assert_ne!(id, env);
    assert_eq!(r.schema_by_id(id, None).await.unwrap().references, refs);
    assert_eq!(
        r.referenced_by("env", Version::Number(1)).await.unwrap(),
        vec![id]
    );
    // Without the reference the name does not resolve; a missing reference is invalid.
    assert!(reg(&r, "x", &avro(USES_ENVELOPE))
        .await
        .unwrap_err()
        .is(ErrorKind::InvalidSchema));
    let dangling = avro(USES_ENVELOPE).with_references(vec![Reference {
        name: "c.Env".into(),
        subject: "env".into(),
        version: 9,
    }]);
    assert!(reg(&r, "x", &dangling)
        .await
        .unwrap_err()
        .is(ErrorKind::InvalidSchema));
    // The same text with other references is another schema.
    let e = r
        .delete_version("env", Version::Number(1), false)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::ReferenceExists), "{e}");
    let e = r.delete_subject("env", false).await.unwrap_err();
    assert!(e.is(ErrorKind::ReferenceExists), "{e}");
    // Once the referrer is gone (soft), the envelope can go.
    r.delete_subject("d-value", false).await.unwrap();
    r.delete_subject("env", false).await.unwrap();
}

#[tokio::test]
async fn soft_then_permanent_delete_and_ids_are_never_reused() {
    let (_d, r) = open();
    let a = reg(&r, "a", &avro(V1)).await.unwrap();
    let b = reg(&r, "a", &avro(V2_OPTIONAL)).await.unwrap();
    let e = r
        .delete_version("a", Version::Number(1), true)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::VersionNotSoftDeleted), "{e}");
    assert_eq!(
        r.delete_version("a", Version::Number(1), false)
            .await
            .unwrap(),
        1
    );
    let e = r
        .delete_version("a", Version::Number(1), false)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::VersionSoftDeleted), "{e}");
    assert_eq!(r.versions("a", false).await.unwrap(), vec![2]);
    assert_eq!(r.versions("a", true).await.unwrap(), vec![1, 2]);
    // Soft-deleted schemas are still served by id.
    assert_eq!(r.schema_by_id(a, None).await.unwrap().schema, V1);
    let e = r.delete_subject("a", true).await.unwrap_err();
    assert!(e.is(ErrorKind::SubjectNotSoftDeleted), "{e}");
    assert_eq!(r.delete_subject("a", false).await.unwrap(), vec![2]);
    let e = r.delete_subject("a", false).await.unwrap_err();
    assert!(e.is(ErrorKind::SubjectSoftDeleted), "{e}");
    assert!(r.subjects(false).await.unwrap().is_empty());
    assert_eq!(r.subjects(true).await.unwrap(), vec!["a"]);
    assert!(r
        .versions("a", false)
        .await
        .unwrap_err()
        .is(ErrorKind::SubjectNotFound));
    assert_eq!(r.delete_subject("a", true).await.unwrap(), vec![1, 2]);
    assert!(r
        .schema_by_id(a, None)
        .await
        .unwrap_err()
        .is(ErrorKind::SchemaNotFound));
    assert!(r.subjects(true).await.unwrap().is_empty());
    let c = reg(&r, "a", &avro(V2_REQUIRED)).await.unwrap();
    assert!(c > a && c > b, "ids {a} {b} then {c}");
    assert_eq!(r.versions("a", false).await.unwrap(), vec![1]);
}

#[tokio::test]
async fn modes_readonly_and_import() {
    let (_d, r) = open();
    reg(&r, "a", &avro(V1)).await.unwrap();
    r.set_mode(Some("a"), RegistryMode::ReadOnly, false)
        .await
        .unwrap();
    let e = reg(&r, "a", &avro(V2_OPTIONAL)).await.unwrap_err();
    assert!(e.is(ErrorKind::OperationNotPermitted), "{e}");
    assert!(r
        .delete_subject("a", false)
        .await
        .unwrap_err()
        .is(ErrorKind::OperationNotPermitted));
    assert_eq!(
        r.mode(Some("a"), false).await.unwrap(),
        RegistryMode::ReadOnly
    );
    assert_eq!(
        r.delete_mode(Some("a")).await.unwrap(),
        RegistryMode::ReadOnly
    );
    assert!(r
        .mode(Some("a"), false)
        .await
        .unwrap_err()
        .is(ErrorKind::SubjectModeNotConfigured));
    // IMPORT needs an empty registry (or force) and an explicit id.
    let e = r
        .set_mode(None, RegistryMode::Import, false)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::OperationNotPermitted));
    r.set_mode(Some("imp"), RegistryMode::Import, false)
        .await
        .unwrap();
    let e = reg(&r, "imp", &avro(V2_REQUIRED)).await.unwrap_err();
    assert!(e.is(ErrorKind::OperationNotPermitted));
    let opts = RegisterOptions {
        id: Some(100),
        version: Some(7),
        ..Default::default()
    };
    assert_eq!(
        r.register("imp", &avro(V2_REQUIRED), opts).await.unwrap(),
        100
    );
    assert_eq!(r.versions("imp", false).await.unwrap(), vec![7]);
    // An id already taken by another schema cannot be overwritten.
    let clash = RegisterOptions {
        id: Some(100),
        version: Some(8),
        ..Default::default()
    };
    let e = r
        .register("imp", &avro(V2_OPTIONAL), clash)
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::OperationNotPermitted), "{e}");
    // Outside IMPORT an id is refused.
    let e = r
        .register(
            "a2",
            &avro(V1),
            RegisterOptions {
                id: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.is(ErrorKind::OperationNotPermitted));
}

#[tokio::test]
async fn registrations_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let id = {
        let r = EmbeddedRegistry::open(&path).unwrap();
        reg(&r, "a", &avro(V1)).await.unwrap()
    };
    let r = EmbeddedRegistry::open(&path).unwrap();
    assert_eq!(r.lookup("a", &avro(V1), false, false).await.unwrap().id, id);
}

#[tokio::test]
async fn hostile_subjects_are_refused_cleanly() {
    let (_d, r) = open();
    for s in ["", "a\u{1}b", "..", &"x".repeat(10_000)] {
        let e = reg(&r, s, &avro(V1)).await.unwrap_err();
        assert!(e.is(ErrorKind::InvalidSubject), "{e}");
        assert!(e.to_string().len() < 600, "error message is bounded");
    }
    for s in ["a/b", "...", "%2F", "ünï cödé"] {
        reg(&r, s, &avro(V1)).await.unwrap();
        assert_eq!(r.versions(s, false).await.unwrap(), vec![1]);
    }
}

/// `V` with schema metadata `application.major.version = major`.
fn major(text: &str, major: &str) -> SchemaDef {
    avro(text).with_metadata(Some(sc_events_registry::Metadata::property(
        "application.major.version",
        major,
    )))
}

#[tokio::test]
async fn a_compatibility_group_checks_each_major_only_against_its_own() {
    let (_d, r) = open();
    reg(&r, "s", &major(V1, "1")).await.unwrap();
    // Without a group, a breaking version is refused whatever its metadata says.
    let e = reg(&r, "s", &major(V2_REQUIRED, "2")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Incompatible, "{e}");
    r.set_compatibility_group(Some("s"), Some("application.major.version"))
        .await
        .unwrap();
    assert_eq!(
        r.compatibility_group(Some("s")).await.unwrap().as_deref(),
        Some("application.major.version")
    );
    // A new major starts a new group; the same break inside major 1 is still refused.
    let e = reg(&r, "s", &major(V2_REQUIRED, "1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Incompatible, "{e}");
    let id = reg(&r, "s", &major(V2_REQUIRED, "2")).await.unwrap();
    assert_eq!(r.versions("s", false).await.unwrap(), [1, 2]);
    // Metadata is part of the identity and comes back as registered.
    let got = r.schema_by_id(id, None).await.unwrap();
    assert_eq!(got.property("application.major.version"), Some("2"));
    assert_ne!(reg(&r, "s", &major(V1, "1")).await.unwrap(), id);
    let plain = reg(&r, "t", &avro(V1)).await.unwrap();
    assert_ne!(plain, reg(&r, "t2", &major(V1, "1")).await.unwrap());
    r.set_compatibility_group(Some("s"), None).await.unwrap();
    assert_eq!(r.compatibility_group(Some("s")).await.unwrap(), None);
}

/// Reads are answered from the read cache while the file is unchanged; a commit by this
/// registry or by another one on the same file (another process) is seen by the next read.
#[tokio::test]
async fn cached_reads_see_every_commit_to_the_file() {
    let (dir, a) = open();
    let b = EmbeddedRegistry::open(dir.path().join("sub/registry.db")).unwrap();
    let id1 = reg(&a, "s-value", &avro(V1)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(
            a.lookup("s-value", &avro(V1), false, false)
                .await
                .unwrap()
                .id,
            id1
        );
        assert_eq!(
            a.version("s-value", Version::Latest, false)
                .await
                .unwrap()
                .version,
            1
        );
        assert_eq!(a.versions("s-value", false).await.unwrap(), vec![1]);
    }
    assert_eq!(
        a.subjects(false).await.unwrap(),
        vec!["s-value".to_string()]
    );
    // Another registry on the file registers and deletes: `a` sees both at once.
    reg(&b, "t-value", &avro(ENVELOPE)).await.unwrap();
    assert_eq!(a.subjects(false).await.unwrap(), vec!["s-value", "t-value"]);
    let id2 = reg(&b, "s-value", &avro(V2_OPTIONAL)).await.unwrap();
    assert_eq!(
        a.version("s-value", Version::Latest, false)
            .await
            .unwrap()
            .id,
        id2
    );
    assert_eq!(a.versions("s-value", false).await.unwrap(), vec![1, 2]);
    b.delete_version("s-value", Version::Number(1), false)
        .await
        .unwrap();
    let gone = a
        .lookup("s-value", &avro(V1), false, false)
        .await
        .unwrap_err();
    assert!(gone.is(ErrorKind::SchemaNotFound), "{gone}");
    assert_eq!(a.versions("s-value", false).await.unwrap(), vec![2]);
    // And `a`'s own writes.
    a.delete_version("s-value", Version::Number(2), false)
        .await
        .unwrap();
    let gone = a
        .version("s-value", Version::Latest, false)
        .await
        .unwrap_err();
    assert!(
        gone.is(ErrorKind::SubjectNotFound) || gone.is(ErrorKind::VersionNotFound),
        "{gone}"
    );
    assert_eq!(a.schema_by_id(id2, None).await.unwrap().schema, V2_OPTIONAL);
}
