//! The deserializer's table of warm read plans, by schema id, read once per message.
//!
//! A message's lookup takes no lock and makes no atomic read-modify-write: the first
//! [`SLOTS`] ids live in an open-addressed array of write-once cells (a read is an acquire load,
//! a plain load on x86), filled in place by linear probing and never emptied. A lock around
//! a map (two atomic read-modify-writes per message, each draining the store buffer) cost
//! about 10 ns of a 120 ns borrowed decode. Ids beyond the array (a subject with more than
//! `SLOTS` versions seen by one process) go to a map behind a lock, as before.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{OnceLock, RwLock};

/// Ids held lock-free; a power of two.
pub(super) const SLOTS: usize = 64;

/// Warm plans (or anything else) by schema id; insert-only.
pub(super) struct IdTable<V> {
    slots: Box<[OnceLock<(u32, V)>]>,
    /// Used only once every slot is taken (slots are never emptied, so an id met at an empty
    /// slot is in neither).
    overflow: RwLock<HashMap<u32, V, BuildHasherDefault<IdHasher>>>,
}

impl<V> Default for IdTable<V> {
    fn default() -> Self {
        IdTable {
            slots: (0..SLOTS).map(|_| OnceLock::new()).collect(),
            overflow: RwLock::new(HashMap::default()),
        }
    }
}

/// Where an id's probe starts: one multiply (ids are small integers the registry hands out).
#[inline]
fn home(id: u32) -> usize {
    (id.wrapping_mul(0x9e37_79b9) >> (32 - SLOTS.trailing_zeros())) as usize
}

impl<V> IdTable<V> {
    /// Calls `f` with the value of `id`, if there is one.
    #[inline]
    pub(super) fn with<R>(&self, id: u32, f: impl FnOnce(Option<&V>) -> R) -> R {
        let start = home(id);
        for k in 0..SLOTS {
            match self.slots[(start + k) & (SLOTS - 1)].get() {
                Some((i, v)) if *i == id => return f(Some(v)),
                Some(_) => {}
                None => return f(None),
            }
        }
        match self.overflow.read() {
            Ok(map) => f(map.get(&id)),
            Err(_) => f(None),
        }
    }

    /// Whether `id` has a value.
    pub(super) fn contains(&self, id: u32) -> bool {
        self.with(id, |v| v.is_some())
    }

    /// Stores `v` for `id`, unless `id` already has a value (then the first one stays: two
    /// tasks warming the same id compile the same plan).
    pub(super) fn insert(&self, id: u32, v: V) {
        let start = home(id);
        let mut v = v;
        for k in 0..SLOTS {
            let slot = &self.slots[(start + k) & (SLOTS - 1)];
            match slot.set((id, v)) {
                Ok(()) => return,
                Err((_, back)) => {
                    if slot.get().is_some_and(|(i, _)| *i == id) {
                        return;
                    }
                    v = back;
                }
            }
        }
        if let Ok(mut map) = self.overflow.write() {
            map.entry(id).or_insert(v);
        }
    }
}

/// Hashes a schema id with one multiply, for the overflow map.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_id_in_the_slots_and_beyond_them() {
        let t = IdTable::default();
        // Ids that crowd the same homes and then overflow the array.
        let ids: Vec<u32> = (0..3 * SLOTS as u32).map(|i| i * 64 + 7).collect();
        for &id in &ids {
            assert!(!t.contains(id));
            t.insert(id, id * 2);
        }
        for &id in &ids {
            assert_eq!(t.with(id, |v| v.copied()), Some(id * 2), "{id}");
        }
        assert!(!t.contains(1));
        assert!(!t.contains(u32::MAX));
    }

    #[test]
    fn the_first_value_of_an_id_stays() {
        let t = IdTable::default();
        t.insert(5, "first");
        t.insert(5, "second");
        assert_eq!(t.with(5, |v| v.copied()), Some("first"));
    }

    #[test]
    fn concurrent_inserts_keep_one_value_per_id() {
        let t = std::sync::Arc::new(IdTable::default());
        let threads: Vec<_> = (0..4u32)
            .map(|n| {
                let t = t.clone();
                std::thread::spawn(move || {
                    for id in 0..200u32 {
                        t.insert(id, (id, n));
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().expect("thread");
        }
        for id in 0..200u32 {
            assert_eq!(t.with(id, |v| v.map(|v| v.0)), Some(id));
        }
        let in_slots = t.slots.iter().filter(|s| s.get().is_some()).count();
        assert_eq!(in_slots, SLOTS, "the slots fill before the overflow");
        let overflow = t.overflow.read().map(|m| m.len()).unwrap_or(0);
        assert_eq!(in_slots + overflow, 200, "no id is stored twice");
    }
}
