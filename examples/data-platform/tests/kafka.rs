//! The medallion pipeline's first hop against a real Kafka-protocol broker (tansu on
//! loopback): a connector's producer registers its schemas itself (`auto_register: true` in
//! topic-config.yaml) and sends raw batches keyed by `org_id`; the `bronze-processor` job
//! turns each into a cleaned batch on `bronze.data.cleaned`, which the `silver-processor`
//! job receives with the organisation and the pipeline run carried over.

#[path = "../../../tests/support/broker.rs"]
mod broker;
#[path = "../../../tests/support/workspace.rs"]
mod workspace;

use data_platform_events::event::WorkspaceCatalog as _;
use data_platform_events::processors::BronzeProcessor;
use data_platform_events::types::{EntityKind, EntityRef, EventMetadata};
use data_platform_events::{bronze, connector, Workspace};
use sc_events_runtime::kafka::{EventConsumer, EventProducer, HandlerError, Meta, ProducerOptions};
use sc_events_runtime::wire::SerializerConfig;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use workspace::{fast_job, options, until, Stack};

const LIMIT: Duration = Duration::from_secs(60);

/// A producer with default options: topic-config.yaml's `schema_registry.auto_register: true`
/// is applied by the producer itself.
fn producer(s: &Stack) -> EventProducer {
    assert!(Workspace::catalog().registry.auto_register);
    assert!(!SerializerConfig::default().auto_register);
    EventProducer::new(&s.kafka(), s.registry.clone(), ProducerOptions::default())
        .expect("producer")
}

fn raw(org_id: i64, batch: &str, records: i64) -> connector::Event {
    connector::Event::new(
        EventMetadata::new("connector-service", "connector-service-abc123", org_id)
            .correlated(uuid::Uuid::new_v4()),
        connector::DataRaw {
            connector_id: "dsp-7".into(),
            connector_type: connector::ConnectorType::Api,
            pipeline_id: format!("pl-{org_id}"),
            batch_id: batch.into(),
            dataset: EntityRef {
                kind: EntityKind::Dataset,
                id: "ds-9".into(),
                name: None,
            },
            format: connector::DataFormat::Csv,
            record_count: records,
            byte_size: records * 40,
            storage_uri: format!("s3://raw/org-{org_id}/{batch}"),
        },
    )
    .expect("valid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_batches_become_cleaned_batches_with_auto_registered_schemas() {
    let s = Stack::start::<Workspace>(false).await;
    let sent = [
        raw(456, "b-1", 1000),
        raw(456, "b-2", 500),
        raw(789, "b-3", 10),
    ];
    let p = producer(&s);
    for e in &sent {
        let d = p.send(e).await.expect("delivered");
        // Seed 002's formula: Math.abs(orgId.hashCode()) % 12, orgId a Long.
        let want =
            (sc_events_runtime::partition::java_long_hash(e.org_id).unsigned_abs() % 12) as i32;
        assert_eq!(d.partition, want, "org {}", e.org_id);
    }
    let mut subjects = s.registry.subjects(false).await.expect("subjects");
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "connector.data.raw-value",
            "dataplatform.events.common.EntityRef",
            "dataplatform.events.common.EventSource",
        ],
        "the producer registered its subject and the shared files it references"
    );

    // bronze-processor: 1 % of each batch is malformed.
    let mut bronze_job = EventConsumer::<connector::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &fast_job::<Workspace>("bronze-processor"),
        options(),
    )
    .expect("consumer");
    let bronze_stats = bronze_job.stats();
    let mut processor = BronzeProcessor::new(
        producer(&s),
        "bronze-processor-0",
        Box::new(|r: &connector::DataRaw| (r.record_count / 100) as u64),
    );
    let st = bronze_stats.clone();
    let bronze = tokio::spawn(async move {
        bronze_job
            .run(
                &mut processor,
                until(LIMIT, move || st.snapshot().handled >= 3),
            )
            .await
    });

    let got = Arc::new(Mutex::new(Vec::<bronze::Event>::new()));
    let sink = got.clone();
    let mut handler = move |e: &bronze::Event, m: &Meta<'_>| -> Result<(), HandlerError> {
        assert_eq!(
            m.key,
            Some(e.org_id.to_string().as_bytes()),
            "keyed by org_id"
        );
        sink.lock().expect("lock").push(e.clone());
        Ok(())
    };
    let mut silver_job = EventConsumer::<bronze::Event>::new(
        &s.kafka(),
        s.registry.clone(),
        &fast_job::<Workspace>("silver-processor"),
        options(),
    )
    .expect("consumer");
    let seen = got.clone();
    silver_job
        .run(
            &mut handler,
            until(LIMIT, move || seen.lock().map_or(0, |v| v.len()) >= 3),
        )
        .await
        .expect("run");
    bronze.await.expect("bronze task").expect("bronze run");

    let mut got = got.lock().expect("lock").clone();
    got.sort_by(|a, b| a.payload.batch_id.cmp(&b.payload.batch_id));
    assert_eq!(got.len(), 3, "{:?}", bronze_stats.snapshot());
    for (cleaned, raw) in got.iter().zip(&sent) {
        assert_eq!(cleaned.event_type, "bronze.data.cleaned");
        assert_eq!(cleaned.org_id, raw.org_id);
        assert_eq!(
            cleaned.correlation_id, raw.correlation_id,
            "same pipeline run"
        );
        assert_eq!(cleaned.source.service, "bronze-processor");
        let c = &cleaned.payload;
        assert_eq!(c.batch_id, raw.payload.batch_id);
        assert_eq!(c.input_record_count, raw.payload.record_count);
        assert_eq!(c.dropped_record_count, raw.payload.record_count / 100);
        assert_eq!(
            c.output_record_count + c.dropped_record_count,
            c.input_record_count
        );
    }
}
