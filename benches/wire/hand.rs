//! The reference: a hand-written codec of the order event (zigzag varints into a reused
//! buffer, straight-line field code, no schema at run time), written the way one would by hand
//! for one type. The generated codec is measured against it.

use sc_events::order;
use sc_events::types::{ActorType, EntityType, OrderItemSnapshot, OrderStatus, PrivacyTier};
use sc_events::{Actor, Envelope};

#[inline]
fn long(w: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        w.push((n as u8) | 0x80);
        n >>= 7;
    }
    w.push(n as u8);
}

#[inline]
fn string(w: &mut Vec<u8>, s: &str) {
    long(w, s.len() as i64);
    w.extend_from_slice(s.as_bytes());
}

#[inline]
fn uuid(w: &mut Vec<u8>, u: &uuid::Uuid) {
    let mut b = [0u8; 36];
    string(w, u.hyphenated().encode_lower(&mut b));
}

#[inline]
fn opt_str(w: &mut Vec<u8>, s: &Option<String>) {
    match s {
        None => w.push(0),
        Some(s) => {
            w.push(2);
            string(w, s);
        }
    }
}

fn envelope(w: &mut Vec<u8>, e: &Envelope) {
    uuid(w, &e.event_id);
    string(w, &e.event_type);
    long(w, e.entity_type as i64);
    string(w, &e.entity_id);
    long(w, e.entity_version);
    long(w, e.occurred_at.timestamp_millis());
    for u in [&e.trace_id, &e.correlation_id] {
        match u {
            None => w.push(0),
            Some(u) => {
                w.push(2);
                uuid(w, u);
            }
        }
    }
    string(w, &e.producer);
    long(w, e.actor.actor_type as i64);
    opt_str(w, &e.actor.actor_id);
    long(w, i64::from(e.schema_version));
    long(w, e.privacy_tier as i64);
}

/// Encodes an order event whose payload is OrderCreated or OrderConfirmed.
pub fn encode(w: &mut Vec<u8>, e: &order::Event) {
    envelope(w, &e.envelope);
    match &e.data {
        order::Data::OrderCreated(p) => {
            w.push(0);
            string(w, &p.order_id);
            string(w, &p.order_number);
            string(w, &p.customer_id);
            long(w, i64::from(p.item_count));
            long(w, p.total_cents);
            string(w, &p.currency);
            long(w, p.status as i64);
        }
        order::Data::OrderConfirmed(p) => {
            w.push(8);
            string(w, &p.order_id);
            long(w, p.confirmed_at.timestamp_millis());
            if !p.item_snapshots.is_empty() {
                long(w, p.item_snapshots.len() as i64);
                for i in &p.item_snapshots {
                    string(w, &i.item_id);
                    string(w, &i.product_id);
                    opt_str(w, &i.variant_id);
                    string(w, &i.supplier_id);
                    string(w, &i.product_name);
                    long(w, i64::from(i.quantity));
                    long(w, i.unit_price_cents);
                    string(w, &i.currency);
                    opt_str(w, &i.promotion_id);
                }
            }
            w.push(0);
        }
        _ => unimplemented!("the reference covers the two benchmarked events"),
    }
}

/// Symbol tables of the enums (index → variant), filled once from the schema's order.
pub struct Tables {
    pub entity: Vec<EntityType>,
    pub actor: Vec<ActorType>,
    pub tier: Vec<PrivacyTier>,
    pub status: Vec<OrderStatus>,
}

struct R<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> R<'a> {
    #[inline]
    fn long(&mut self) -> Option<i64> {
        let mut n = 0u64;
        let mut s = 0;
        loop {
            let b = *self.b.get(self.p)?;
            self.p += 1;
            n |= u64::from(b & 0x7f) << s;
            if b & 0x80 == 0 {
                return Some(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
            s += 7;
            if s > 63 {
                return None;
            }
        }
    }

    #[inline]
    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.long()?).ok()?;
        let s = self.b.get(self.p..self.p.checked_add(n)?)?;
        self.p += n;
        std::str::from_utf8(s).ok()
    }

    #[inline]
    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    #[inline]
    fn uuid(&mut self) -> Option<uuid::Uuid> {
        uuid::Uuid::try_parse(self.str()?).ok()
    }

    #[inline]
    fn opt_str(&mut self) -> Option<Option<String>> {
        Some(match self.long()? {
            0 => None,
            _ => Some(self.string()?),
        })
    }

    #[inline]
    fn opt_uuid(&mut self) -> Option<Option<uuid::Uuid>> {
        Some(match self.long()? {
            0 => None,
            _ => Some(self.uuid()?),
        })
    }

    fn pick<T: Copy>(&mut self, t: &[T]) -> Option<T> {
        t.get(usize::try_from(self.long()?).ok()?).copied()
    }
}

pub fn decode(t: &Tables, b: &[u8]) -> Option<order::Event> {
    let mut r = R { b, p: 0 };
    let envelope = Envelope {
        event_id: r.uuid()?,
        event_type: r.string()?,
        entity_type: r.pick(&t.entity)?,
        entity_id: r.string()?,
        entity_version: r.long()?,
        occurred_at: chrono::DateTime::from_timestamp_millis(r.long()?)?,
        trace_id: r.opt_uuid()?,
        correlation_id: r.opt_uuid()?,
        producer: r.string()?,
        actor: Actor {
            actor_type: r.pick(&t.actor)?,
            actor_id: r.opt_str()?,
        },
        schema_version: i32::try_from(r.long()?).ok()?,
        privacy_tier: r.pick(&t.tier)?,
    };
    let data = match r.long()? {
        0 => order::Data::OrderCreated(order::OrderCreated {
            order_id: r.string()?,
            order_number: r.string()?,
            customer_id: r.string()?,
            item_count: i32::try_from(r.long()?).ok()?,
            total_cents: r.long()?,
            currency: r.string()?,
            status: r.pick(&t.status)?,
        }),
        4 => {
            let order_id = r.string()?;
            let confirmed_at = chrono::DateTime::from_timestamp_millis(r.long()?)?;
            let mut item_snapshots = Vec::new();
            loop {
                let n = r.long()?;
                if n == 0 {
                    break;
                }
                for _ in 0..n {
                    item_snapshots.push(OrderItemSnapshot {
                        item_id: r.string()?,
                        product_id: r.string()?,
                        variant_id: r.opt_str()?,
                        supplier_id: r.string()?,
                        product_name: r.string()?,
                        quantity: i32::try_from(r.long()?).ok()?,
                        unit_price_cents: r.long()?,
                        currency: r.string()?,
                        promotion_id: r.opt_str()?,
                    });
                }
            }
            order::Data::OrderConfirmed(order::OrderConfirmed {
                order_id,
                confirmed_at,
                item_snapshots,
            })
        }
        _ => return None,
    };
    (r.p == b.len()).then_some(order::Event { envelope, data })
}
