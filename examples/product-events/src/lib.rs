//! # product-events
//!
//! The product platform's events as Rust types, generated at build time from `schemas/`, which
//! `schemactl import jsonschema --domain ProductEvent` made from the draft-07 JSON Schemas in
//! `jsonschema/`: a flat camelCase envelope followed by `data`, one topic (`product-events`),
//! semver versions, and the JSON Schema constraints (`minLength`, `maximum`, `pattern`, ...)
//! checked whenever an event is built or sent. [`notifications`] is one subscriber: an
//! event-type filter, retries with backoff and jitter, then its own DLQ.
//!
//! ```
//! use product_events::{product_event as product, types::EventEnvelope};
//!
//! let seller = uuid::Uuid::new_v4();
//! let e = product::Event::new(
//!     EventEnvelope::new("catalog-service", seller),
//!     product::LowStockWarning {
//!         product_id: uuid::Uuid::new_v4(),
//!         product_name: "Desk lamp".into(),
//!         current_quantity: 3,
//!         threshold: 5,
//!         seller_id: Some(seller),
//!         category: None,
//!         severity: Some(product::LowStockWarningDataSeverity::High),
//!     },
//! )?;
//! assert_eq!((e.event_type.as_str(), e.version.as_str()), ("LowStockWarning", "2.0.0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use sc_events_runtime::{event, kafka, wire};

pub mod notifications;

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

impl types::EventEnvelope {
    /// Fresh envelope fields for an event `source` emits on behalf of `user_id`: new v4
    /// `eventId` and `correlationId`, `timestamp` = now (millisecond precision). `eventType`
    /// and `version` come from the payload and the schema in `Event::new`.
    pub fn new(source: &str, user_id: uuid::Uuid) -> Self {
        let now = chrono::Utc::now();
        types::EventEnvelope {
            event_id: uuid::Uuid::new_v4(),
            event_type: String::new(),
            version: String::new(),
            timestamp: chrono::DateTime::from_timestamp_millis(now.timestamp_millis())
                .unwrap_or(now),
            correlation_id: uuid::Uuid::new_v4(),
            source: source.into(),
            user_id,
            session_id: None,
            metadata: None,
        }
    }
}
