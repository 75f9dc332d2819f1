//! Data-platform events built, checked and encoded with the generated types: `Event::new`
//! labels each event (type and semver version) from its payload and schema, the key is the
//! envelope's `org_id` (or the payload's `pipeline_id` on `etl.execution`), constraints and
//! labels are typed errors, and the generated codec writes exactly what apache-avro writes for
//! an event of every area.

use data_platform_events::event::{DomainEvent, ValidationError, WorkspaceCatalog as _};
use data_platform_events::types::{EntityKind, EntityRef, EventMetadata};
use data_platform_events::{audit, bronze, config, connector, etl, gold, rules, silver, Workspace};
use sc_events_runtime::codec;
use std::collections::HashMap;

fn meta() -> EventMetadata {
    EventMetadata::new("test-service", "test-service-1", 456)
}

fn dataset() -> EntityRef {
    EntityRef {
        kind: EntityKind::Dataset,
        id: "ds-9".into(),
        name: Some("sales".into()),
    }
}

pub fn raw(batch: &str) -> connector::DataRaw {
    connector::DataRaw {
        connector_id: "dsp-7".into(),
        connector_type: connector::ConnectorType::Api,
        pipeline_id: "pl-1".into(),
        batch_id: batch.into(),
        dataset: dataset(),
        format: connector::DataFormat::Json,
        record_count: 1200,
        byte_size: 48_000,
        storage_uri: format!("s3://raw/org-456/{batch}"),
    }
}

/// Encodes with the generated codec and with apache-avro; both must agree and read back.
fn same_bytes<E>(e: &E)
where
    E: DomainEvent
        + sc_events_runtime::wire::Encode
        + for<'a> sc_events_runtime::wire::Decode<'a>
        + PartialEq
        + std::fmt::Debug,
{
    let ours = codec::encode(e).expect("encode");
    assert_eq!(
        ours,
        codec::reference::encode(e).expect("apache-avro"),
        "{}",
        E::RECORD
    );
    let back: E = codec::decode(&ours).expect("decode");
    assert_eq!(&back, e);
}

#[test]
fn every_area_encodes_like_apache_avro() {
    same_bytes(&connector::Event::new(meta(), raw("b-1")).expect("valid"));
    same_bytes(
        &bronze::Event::new(
            meta(),
            bronze::DataCleaned {
                pipeline_id: "pl-1".into(),
                batch_id: "b-1".into(),
                dataset: dataset(),
                input_record_count: 1200,
                output_record_count: 1190,
                dropped_record_count: 10,
                storage_uri: "s3://bronze/b-1".into(),
            },
        )
        .expect("valid"),
    );
    same_bytes(
        &silver::Event::new(
            meta(),
            silver::DataProcessed {
                pipeline_id: "pl-1".into(),
                batch_id: "b-1".into(),
                dataset: dataset(),
                record_count: 1180,
                validation_failures: 10,
                duplicate_count: 0,
                storage_uri: "s3://silver/b-1".into(),
            },
        )
        .expect("valid"),
    );
    same_bytes(
        &gold::Event::new(
            meta(),
            gold::DataReady {
                pipeline_id: "pl-1".into(),
                batch_id: "b-1".into(),
                dataset: dataset(),
                table_name: "sales_daily".into(),
                partition_date: 20_000,
                record_count: 31,
                metrics: HashMap::from([("revenue".to_string(), 1234.5)]),
                storage_uri: "s3://gold/sales_daily/2024-10-04".into(),
            },
        )
        .expect("valid"),
    );
    same_bytes(
        &rules::Event::new(
            meta(),
            rules::AlertTriggered {
                alert_id: uuid::Uuid::new_v4(),
                rule: EntityRef {
                    kind: EntityKind::Rule,
                    id: "r-1".into(),
                    name: None,
                },
                dataset: dataset(),
                severity: rules::AlertSeverity::Critical,
                message: "revenue dropped 40 %".into(),
                observed_value: Some(740.0),
                threshold: Some(1000.0),
            },
        )
        .expect("valid"),
    );
    let changes = vec![config::FieldChange {
        field: "schedule".into(),
        old_value: Some("\"hourly\"".into()),
        new_value: Some("\"daily\"".into()),
    }];
    same_bytes(
        &config::Event::new(
            meta(),
            config::RuleUpdated {
                entity: EntityRef {
                    kind: EntityKind::Rule,
                    id: "r-1".into(),
                    name: None,
                },
                changed_by: "u-1".into(),
                changes,
            },
        )
        .expect("valid"),
    );
    same_bytes(
        &etl::Event::new(
            meta(),
            etl::EtlExecutionFailed {
                pipeline_id: "pl-1".into(),
                execution_id: "x-1".into(),
                stage: etl::EtlStage::Silver,
                error_code: "SCHEMA_DRIFT".into(),
                error_message: "column amount changed type".into(),
                retryable: false,
            },
        )
        .expect("valid"),
    );
    same_bytes(
        &audit::Event::new(
            meta(),
            audit::AuditEventLogged {
                actor: audit::AuditActor {
                    user_id: Some("u-1".into()),
                    service: "api".into(),
                },
                action: "pipeline.delete".into(),
                resource: EntityRef {
                    kind: EntityKind::Pipeline,
                    id: "pl-1".into(),
                    name: None,
                },
                outcome: audit::AuditOutcome::Denied,
                details: HashMap::new(),
            },
        )
        .expect("valid"),
    );
}

#[test]
fn events_are_labelled_and_keyed_by_their_topic_key() {
    let e = connector::Event::new(meta(), raw("b-1")).expect("valid");
    assert_eq!(e.event_type, "connector.data.raw");
    assert_eq!(e.event_version, "1.0.0");
    assert_eq!(connector::Event::VERSION, "1.0.0");
    assert_eq!(e.key().as_deref(), Some("456"), "org_id");
    let run = etl::Event::new(
        meta(),
        etl::EtlExecutionStarted {
            pipeline_id: "pl-7".into(),
            execution_id: "x-1".into(),
            stage: etl::EtlStage::Connector,
            trigger: etl::EtlTrigger::Schedule,
        },
    )
    .expect("valid");
    assert_eq!(run.event_type, "etl.execution.started");
    assert_eq!(run.key().as_deref(), Some("pl-7"), "pipeline_id");
}

#[test]
fn constraints_versions_and_labels_are_typed_errors() {
    let mut m = meta();
    m.org_id = 0;
    let e = connector::Event::new(m, raw("b-1")).expect_err("org_id 0");
    assert!(
        matches!(&e, ValidationError::Constraint { field, rule: "minimum", .. } if field == "org_id"),
        "{e:?}"
    );
    let mut bad = raw("b-1");
    bad.record_count = -1;
    let e = connector::Event::new(meta(), bad).expect_err("negative count");
    assert!(
        matches!(&e, ValidationError::Constraint { field, .. } if field == "payload.record_count"),
        "{e:?}"
    );
    let mut e = connector::Event::new(meta(), raw("b-1")).expect("valid");
    e.event_version = "0.9.0".into();
    assert!(matches!(
        e.validate(),
        Err(ValidationError::VersionMismatch {
            schema: "1.0.0",
            ..
        })
    ));
    e.event_version = "1.0.0".into();
    e.event_type = "bronze.data.cleaned".into();
    assert!(matches!(
        e.validate(),
        Err(ValidationError::EventTypeMismatch { .. })
    ));
}

#[test]
fn the_catalog_reads_topic_config_yaml_as_it_is() {
    assert_eq!(Workspace::TOPICS.len(), 16, "8 topics and their DLQs");
    let raw = Workspace::topic("connector.data.raw").expect("topic");
    assert_eq!(
        (raw.partitions, raw.replication_factor, raw.key),
        (12, Some(3), Some("org_id"))
    );
    assert_eq!(raw.retention_ms, 7 * 86_400_000);
    assert_eq!(
        Workspace::topic("audit.events").map(|t| t.retention_ms),
        Some(90 * 86_400_000)
    );
    assert_eq!(
        Workspace::topic("etl.execution").and_then(|t| t.key),
        Some("pipeline_id")
    );
    let dlq = Workspace::topic("connector.data.raw.dlq").expect("derived DLQ");
    assert_eq!((dlq.category, dlq.retention_ms), ("dlq", 14 * 86_400_000));
    let groups: Vec<&str> = Workspace::CONSUMERS.iter().map(|c| c.group_id).collect();
    assert_eq!(
        groups,
        [
            "bronze-processor",
            "silver-processor",
            "gold-processor",
            "rule-evaluator",
            "notification-sender",
            "audit-writer"
        ]
    );
    assert_eq!(
        Workspace::job("bronze-processor").map(|j| j.dlq),
        Some("connector.data.raw.dlq")
    );
    assert_eq!(Workspace::EVENTS.len(), 12);
}
