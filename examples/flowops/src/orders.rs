//! The Order Service's producer of `order-events`: one call per lifecycle step, each event
//! labelled from its payload, keyed by the order id, validated and registry-framed.

use crate::order;
use crate::types::EventEnvelope;
use sc_events_runtime::kafka::{Delivered, EventProducer, SendError};

/// Sends the Order Service's events.
pub struct OrderService {
    producer: EventProducer,
}

impl OrderService {
    pub fn new(producer: EventProducer) -> Self {
        OrderService { producer }
    }

    /// ORDER_CREATED for `order_id` with `(sku, qty)` items.
    pub async fn created(
        &self,
        order_id: &str,
        items: &[(&str, i32)],
    ) -> Result<(order::Event, Delivered), SendError> {
        let payload = order::OrderCreated {
            order_id: order_id.into(),
            items: items
                .iter()
                .map(|(sku, qty)| order::OrderItem {
                    sku: (*sku).into(),
                    qty: *qty,
                })
                .collect(),
        };
        self.send(order::Event::new(EventEnvelope::now(), payload))
            .await
    }

    /// ORDER_CANCELLED for `order_id`.
    pub async fn cancelled(&self, order_id: &str) -> Result<(order::Event, Delivered), SendError> {
        let payload = order::OrderCancelled {
            order_id: order_id.into(),
        };
        self.send(order::Event::new(EventEnvelope::now(), payload))
            .await
    }

    async fn send(
        &self,
        event: Result<order::Event, sc_events_runtime::ValidationError>,
    ) -> Result<(order::Event, Delivered), SendError> {
        let event = event.map_err(SendError::Invalid)?;
        let d = self.producer.send(&event).await?;
        Ok((event, d))
    }
}
