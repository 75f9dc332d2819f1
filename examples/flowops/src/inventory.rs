//! The Inventory Service's consumer of `order-events` (job `inventory-service`): reserves
//! stock on ORDER_CREATED and releases it on ORDER_CANCELLED. Delivery is at-least-once, so
//! the handler applies each order once (a redelivered or repeated event changes nothing) and
//! refuses an item with an unknown SKU as fatal, which sends the event to `order-events.dlq`.

use crate::order;
use sc_events_runtime::kafka::{HandlerError, Meta};
use std::collections::{HashMap, HashSet};

/// Stock per SKU, and what each open order holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Inventory {
    pub available: HashMap<String, i64>,
    pub reserved: HashMap<String, Vec<(String, i64)>>,
    cancelled: HashSet<String>,
}

/// Why an event cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("order {order}: unknown SKU {sku:?}")]
    UnknownSku { order: String, sku: String },
}

impl Inventory {
    pub fn with_stock(stock: &[(&str, i64)]) -> Self {
        Inventory {
            available: stock.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
            ..Default::default()
        }
    }

    /// Applies one event; applying it again changes nothing.
    pub fn apply(&mut self, e: &order::Event) -> Result<(), InventoryError> {
        match &e.payload {
            order::Data::OrderCreated(c) => {
                if self.reserved.contains_key(&c.order_id) || self.cancelled.contains(&c.order_id) {
                    return Ok(());
                }
                if let Some(i) = c
                    .items
                    .iter()
                    .find(|i| !self.available.contains_key(&i.sku))
                {
                    return Err(InventoryError::UnknownSku {
                        order: c.order_id.clone(),
                        sku: i.sku.clone(),
                    });
                }
                let mut held = Vec::with_capacity(c.items.len());
                for i in &c.items {
                    if let Some(n) = self.available.get_mut(&i.sku) {
                        *n -= i64::from(i.qty);
                        held.push((i.sku.clone(), i64::from(i.qty)));
                    }
                }
                self.reserved.insert(c.order_id.clone(), held);
            }
            order::Data::OrderCancelled(c) => {
                if let Some(held) = self.reserved.remove(&c.order_id) {
                    for (sku, qty) in held {
                        *self.available.entry(sku).or_default() += qty;
                    }
                }
                self.cancelled.insert(c.order_id.clone());
            }
        }
        Ok(())
    }

    /// The consumer's handler: an unknown SKU is fatal (no retry can fix it).
    pub fn handle(&mut self, e: &order::Event, _meta: &Meta<'_>) -> Result<(), HandlerError> {
        self.apply(e)
            .map_err(|err| HandlerError::Fatal(Box::new(err)))
    }
}
