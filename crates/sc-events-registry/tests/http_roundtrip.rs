//! `HttpRegistry` against our own REST server over an embedded registry, in process: every
//! Confluent call round trips with the same answers and typed errors, and schema metadata and
//! compatibility groups go over the wire.
#![cfg(all(feature = "client", feature = "embedded", feature = "server"))]

mod support;

use sc_events_registry::server::ServeOptions;
use sc_events_registry::{
    Compatibility, ErrorKind, RegisterOptions, Registry, RegistryMode, SchemaDef, Version,
};
use support::real::Real;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_against_our_server() {
    let srv = Real::serve(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let s = "sc.domain.order-value";

    assert_eq!(r.subjects(false).await.unwrap(), Vec::<String>::new());
    let id1 = r
        .register(s, &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    // Identical (formatting aside) re-registration: same id, no new version.
    let pretty = "{\n  \"type\" : \"record\", \"name\": \"Order\",\n  \"namespace\":\"sc.test\",\n  \"fields\": [ {\"name\": \"id\", \"type\": \"string\"} ]\n}\n";
    assert_eq!(json(pretty), json(V1));
    let again = r
        .register(s, &SchemaDef::avro(pretty), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(again, id1);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1]);

    let id2 = r
        .register(s, &SchemaDef::avro(V2), RegisterOptions::default())
        .await
        .unwrap();
    assert_ne!(id1, id2);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.subjects(false).await.unwrap(), vec![s.to_string()]);

    let latest = r.version(s, Version::Latest, false).await.unwrap();
    assert_eq!(
        (latest.subject.as_str(), latest.version, latest.id),
        (s, 2, id2)
    );
    assert_eq!(json(&latest.schema.schema), json(V2));
    let first = r.version(s, Version::Number(1), false).await.unwrap();
    assert_eq!((first.version, first.id), (1, id1));

    let found = r
        .lookup(s, &SchemaDef::avro(V1), false, false)
        .await
        .unwrap();
    assert_eq!(
        (found.subject.as_str(), found.version, found.id),
        (s, 1, id1)
    );
    assert_eq!(
        json(&r.schema_by_id(id2, None).await.unwrap().schema),
        json(V2)
    );
    assert_eq!(r.id_versions(id1).await.unwrap(), vec![(s.to_string(), 1)]);

    // The same schema under another subject keeps its id.
    let other = "sc.domain.order-key";
    let shared = r
        .register(other, &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(shared, id1);
    assert_eq!(
        r.id_versions(id1).await.unwrap(),
        vec![(other.to_string(), 1), (s.to_string(), 1)]
    );

    // Compatibility: verbose test, then a refused registration (409).
    let verdict = r
        .test_compatibility(s, &SchemaDef::avro(BAD), None)
        .await
        .unwrap();
    assert!(!verdict.is_compatible);
    assert!(
        verdict
            .messages
            .iter()
            .any(|m| m.contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
        "{:?}",
        verdict.messages
    );
    let ok = r
        .test_compatibility(s, &SchemaDef::avro(V1), Some(Version::Latest))
        .await
        .unwrap();
    assert!(ok.is_compatible, "{:?}", ok.messages);
    let e = r
        .register(s, &SchemaDef::avro(BAD), RegisterOptions::default())
        .await
        .unwrap_err();
    let (kind, status, code) = api(&e);
    assert_eq!(kind, ErrorKind::Incompatible, "{e}");
    assert_eq!(status, 409);
    assert!(code == 409 || code == 40901, "{e}");
    assert!(
        e.to_string().contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{e}"
    );

    // Typed errors.
    let e = r.versions("no-such-subject", false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SubjectNotFound, 404, 40401), "{e}");
    let e = r
        .version("no-such-subject", Version::Latest, false)
        .await
        .unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    let e = r.version(s, Version::Number(99), false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::VersionNotFound, 404, 40402), "{e}");
    let e = r.schema_by_id(999_999, None).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SchemaNotFound, 404, 40403), "{e}");
    let e = r
        .lookup(s, &SchemaDef::avro(BAD), false, false)
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SchemaNotFound, 404, 40403), "{e}");
    let e = r
        .register(
            s,
            &SchemaDef::avro(r#"{"type":"record","name":"X"}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::InvalidSchema, 422, 42201), "{e}");
    let e = r
        .register(
            s,
            &SchemaDef::avro("not json at all"),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::InvalidSchema, 422, 42201), "{e}");

    // Compatibility levels, global and per subject.
    assert_eq!(
        r.compatibility(None, false).await.unwrap(),
        Compatibility::Backward
    );
    let e = r.compatibility(Some(s), false).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectCompatibilityNotConfigured, 404, 40408),
        "{e}"
    );
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::Backward
    );
    r.set_compatibility(Some(s), Compatibility::None)
        .await
        .unwrap();
    assert_eq!(
        r.compatibility(Some(s), false).await.unwrap(),
        Compatibility::None
    );
    // Under NONE the incompatible schema registers.
    let id3 = r
        .register(s, &SchemaDef::avro(BAD), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2, 3]);
    assert_eq!(
        r.delete_compatibility(Some(s)).await.unwrap(),
        Compatibility::None
    );
    r.set_compatibility(None, Compatibility::FullTransitive)
        .await
        .unwrap();
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::FullTransitive
    );
    assert_eq!(
        r.delete_compatibility(None).await.unwrap(),
        Compatibility::FullTransitive
    );
    assert_eq!(
        r.compatibility(None, false).await.unwrap(),
        Compatibility::Backward
    );

    // Modes.
    assert_eq!(r.mode(None, false).await.unwrap(), RegistryMode::ReadWrite);
    let e = r.mode(Some(s), false).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectModeNotConfigured, 404, 40409),
        "{e}"
    );
    r.set_mode(Some(s), RegistryMode::ReadOnly, false)
        .await
        .unwrap();
    assert_eq!(
        r.mode(Some(s), false).await.unwrap(),
        RegistryMode::ReadOnly
    );
    let e = r
        .register(
            s,
            &SchemaDef::avro(r#"{"type":"string"}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::OperationNotPermitted, 422, 42205),
        "{e}"
    );
    assert_eq!(
        r.delete_mode(Some(s)).await.unwrap(),
        RegistryMode::ReadOnly
    );
    assert_eq!(
        r.mode(Some(s), true).await.unwrap(),
        RegistryMode::ReadWrite
    );

    // Deletes: soft version, soft subject, permanent subject.
    assert_eq!(
        r.delete_version(s, Version::Number(3), false)
            .await
            .unwrap(),
        3
    );
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.versions(s, true).await.unwrap(), vec![1, 2, 3]);
    let e = r.version(s, Version::Number(3), false).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::VersionNotFound, "{e}");
    assert_eq!(
        r.version(s, Version::Number(3), true).await.unwrap().id,
        id3
    );
    let e = r.delete_subject(s, true).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectNotSoftDeleted, 404, 40405),
        "{e}"
    );
    assert_eq!(r.delete_subject(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.subjects(false).await.unwrap(), vec![other.to_string()]);
    assert_eq!(
        r.subjects(true).await.unwrap(),
        vec![other.to_string(), s.to_string()]
    );
    let e = r.delete_subject(s, false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SubjectSoftDeleted, 404, 40404), "{e}");
    assert_eq!(r.delete_subject(s, true).await.unwrap(), vec![1, 2, 3]);
    let e = r.versions(s, true).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    // id1 lives on in the other subject; id2 is gone with the subject.
    assert_eq!(
        json(&r.schema_by_id(id1, None).await.unwrap().schema),
        json(V1)
    );
    let e = r.schema_by_id(id2, None).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SchemaNotFound, "{e}");
    // Re-registering after a permanent delete starts again at version 1; the schema keeps its
    // id (one schema, one id) and a new schema never gets an id that was handed out before.
    let again = r
        .register(s, &SchemaDef::avro(V2), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(again, id2);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1]);
    let fresh = r
        .register(
            "fresh",
            &SchemaDef::avro(r#"{"type":"fixed","name":"F","size":4}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap();
    assert!(fresh > id3, "ids are never reused: {fresh} after {id3}");

    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compatibility_groups_and_schema_metadata_go_over_the_wire() {
    let srv = Real::serve(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let s = "product-events-value";
    let group = "application.major.version";
    let with_major = |text: &str, major: &str| {
        SchemaDef::avro(text)
            .with_metadata(Some(sc_events_registry::Metadata::property(group, major)))
    };
    assert_eq!(r.compatibility_group(Some(s)).await.unwrap(), None);
    r.set_compatibility_group(Some(s), Some(group))
        .await
        .unwrap();
    assert_eq!(
        r.compatibility_group(Some(s)).await.unwrap().as_deref(),
        Some(group)
    );
    // Setting the group leaves the level alone.
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::Backward
    );
    r.register(s, &with_major(V1, "1"), RegisterOptions::default())
        .await
        .unwrap();
    // A new required field breaks BACKWARD within major 1, not as the first of major 2.
    let breaking = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"total","type":"long"}]}"#;
    let e = r
        .register(s, &with_major(breaking, "1"), RegisterOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), sc_events_registry::ErrorKind::Incompatible, "{e}");
    let id = r
        .register(s, &with_major(breaking, "2"), RegisterOptions::default())
        .await
        .unwrap();
    let got = r.version(s, Version::Latest, false).await.unwrap();
    assert_eq!((got.id, got.schema.property(group)), (id, Some("2")));
    r.set_compatibility_group(Some(s), None).await.unwrap();
    assert_eq!(r.compatibility_group(Some(s)).await.unwrap(), None);
}
