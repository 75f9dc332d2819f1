//! De-duplication by event id: the most recent `capacity` ids handled, evicted oldest first.
//! Memory stays bounded whatever arrives; a repeat older than the window is handled again
//! (at-least-once, so handlers stay idempotent).

use std::collections::{HashSet, VecDeque};
use uuid::Uuid;

pub(crate) struct Dedup {
    capacity: usize,
    order: VecDeque<Uuid>,
    seen: HashSet<Uuid>,
}

impl Dedup {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Dedup {
            capacity,
            order: VecDeque::with_capacity(capacity.min(1 << 16)),
            seen: HashSet::with_capacity(capacity.min(1 << 16)),
        }
    }

    pub(crate) fn contains(&self, id: &Uuid) -> bool {
        self.seen.contains(id)
    }

    /// Remembers `id`, forgetting the oldest when full.
    pub(crate) fn insert(&mut self, id: Uuid) {
        if !self.seen.insert(id) {
            return;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_capacity_ids_only() {
        let ids: Vec<Uuid> = (0..5u128).map(Uuid::from_u128).collect();
        let mut d = Dedup::new(3);
        for id in &ids {
            d.insert(*id);
        }
        assert!(!d.contains(&ids[0]) && !d.contains(&ids[1]));
        assert!(ids[2..].iter().all(|i| d.contains(i)));
        d.insert(ids[4]);
        assert_eq!(d.order.len(), 3);
    }
}
