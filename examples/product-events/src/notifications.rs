//! The notifications subscriber (job `notifications`): handed only ProductCreated,
//! ProductUpdated and LowStockWarning (its event-type filter), it renders one message per
//! event for a sender. A failing sender is retried with backoff and jitter (twice: three
//! deliveries in all), then the event goes to `notifications-dlq`.

use crate::product_event as product;
use sc_events_runtime::kafka::{Handler, HandlerError, Meta};

/// Delivers a rendered notification (email, push, ...).
pub trait Sender: Send {
    fn send(&mut self, to: uuid::Uuid, text: &str) -> Result<(), String>;
}

pub struct Notifications<S> {
    pub sender: S,
}

/// The message for an event, and whom it goes to; `None` for events nobody is told about.
pub fn render(e: &product::Event) -> Option<(uuid::Uuid, String)> {
    match &e.data {
        product::Data::ProductCreated(p) => Some((
            p.seller_id,
            format!(
                "{} is now listed at {:.2}",
                p.name,
                p.price_cents as f64 / 100.0
            ),
        )),
        product::Data::ProductUpdated(p) => {
            Some((e.user_id, format!("product {} was updated", p.product_id)))
        }
        product::Data::LowStockWarning(p) => Some((
            p.seller_id.unwrap_or(e.user_id),
            format!(
                "{} is low on stock: {} left (threshold {})",
                p.product_name, p.current_quantity, p.threshold
            ),
        )),
        product::Data::ProductDeleted(_) => None,
    }
}

impl<S: Sender> Handler<product::Event> for Notifications<S> {
    async fn handle(&mut self, e: &product::Event, _: &Meta<'_>) -> Result<(), HandlerError> {
        let Some((to, text)) = render(e) else {
            return Ok(());
        };
        self.sender.send(to, &text).map_err(HandlerError::retryable)
    }
}
