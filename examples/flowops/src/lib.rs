//! # flowops-events
//!
//! The FlowOps order events as Rust types, generated at build time from `schemas/` (a flat
//! camelCase envelope `{eventId, eventType, timestamp, payload}` on one topic,
//! `order-events`). The runtime — the registry-aware wire format and the typed Kafka producer
//! and consumer — is sc-events'. [`orders`] is the Order Service's producer, [`inventory`]
//! the Inventory Service's consumer.
//!
//! ```
//! use flowops_events::{order, types::EventEnvelope, wire};
//!
//! let event = order::Event::new(
//!     EventEnvelope::now(),
//!     order::OrderCreated {
//!         order_id: "ORD-123".into(),
//!         items: vec![order::OrderItem { sku: "SKU-1".into(), qty: 2 }],
//!     },
//! )?;
//! assert_eq!(event.event_type, "ORDER_CREATED");
//! let mut bytes = Vec::new();
//! wire::Serializer::<order::Event>::with_id(1).serialize(&event, &mut bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use sc_events_runtime::{event, kafka, wire};

pub mod inventory;
pub mod orders;

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

impl types::EventEnvelope {
    /// A fresh envelope: a new v4 `eventId` and `timestamp` = now (millisecond precision, as
    /// `timestamp-millis` keeps it). `eventType` is filled in from the payload by
    /// `order::Event::new`.
    pub fn now() -> Self {
        let now = chrono::Utc::now();
        types::EventEnvelope {
            event_id: uuid::Uuid::new_v4(),
            event_type: String::new(),
            timestamp: chrono::DateTime::from_timestamp_millis(now.timestamp_millis())
                .unwrap_or(now),
        }
    }
}
