//! # data-platform-events
//!
//! The data platform's events as Rust types, generated at build time from `schemas/<area>/`
//! and `topic-config.yaml`: a flat envelope (`event_id`, `event_type`, `event_version`,
//! `timestamp`, `source`, `correlation_id`, `org_id`) followed by `payload`, on eight topics
//! keyed by `org_id` (`etl.execution` by `pipeline_id`), with `{topic}.dlq` dead-letter queues.
//! One module per area ([`connector`], [`bronze`], [`silver`], [`gold`], [`rules`],
//! [`config`], [`etl`], [`audit`]). [`processors`] holds the bronze processor, a consumer
//! that turns raw batches into cleaned ones.
//!
//! ```
//! use data_platform_events::{connector, types::{EntityRef, EntityKind, EventMetadata}};
//!
//! let event = connector::Event::new(
//!     EventMetadata::new("connector-service", "connector-service-abc123", 456),
//!     connector::DataRaw {
//!         connector_id: "dsp-7".into(),
//!         connector_type: connector::ConnectorType::Api,
//!         pipeline_id: "pl-1".into(),
//!         batch_id: "b-1".into(),
//!         dataset: EntityRef { kind: EntityKind::Dataset, id: "ds-9".into(), name: None },
//!         format: connector::DataFormat::Json,
//!         record_count: 1200,
//!         byte_size: 48_000,
//!         storage_uri: "s3://raw/org-456/b-1".into(),
//!     },
//! )?;
//! assert_eq!((event.event_type.as_str(), event.event_version.as_str()), ("connector.data.raw", "1.0.0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use sc_events_runtime::{event, kafka, wire};

pub mod processors;

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

impl types::EventMetadata {
    /// Fresh envelope fields for an event of `org_id` produced by `service` / `instance`: a
    /// new v4 `event_id`, `timestamp` = now (millisecond precision). `event_type` and
    /// `event_version` are filled in from the payload and its schema by `Event::new`.
    pub fn new(service: &str, instance: &str, org_id: i64) -> Self {
        let now = chrono::Utc::now();
        types::EventMetadata {
            event_id: uuid::Uuid::new_v4(),
            event_type: String::new(),
            event_version: String::new(),
            timestamp: chrono::DateTime::from_timestamp_millis(now.timestamp_millis())
                .unwrap_or(now),
            source: types::EventSource {
                service: service.into(),
                instance: instance.into(),
            },
            correlation_id: None,
            org_id,
        }
    }

    /// The same, linked to `correlation_id` (one pipeline run).
    pub fn correlated(mut self, correlation_id: uuid::Uuid) -> Self {
        self.correlation_id = Some(correlation_id);
        self
    }
}
