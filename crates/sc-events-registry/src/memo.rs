//! The one mechanism behind the registry's caches (the embedded registry's read cache, the
//! server's answer cache, the process's parsed schemas): values kept by key while the
//! generation they were made at is current. Keys are hashed with a per-process random seed
//! and compared in full on a hit, so neither a collision nor crafted keys can return another
//! key's value or make lookups degrade; bounded in bytes (the caller says what a value
//! costs), starting over when full or when the generation moves.

use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;

struct Entries<K, V> {
    /// The generation the entries were made at (`None`: none yet).
    generation: Option<u64>,
    /// By the key's hash; the few keys of one hash side by side.
    map: HashMap<u64, Vec<(K, V)>>,
    bytes: usize,
}

impl<K, V> Entries<K, V> {
    fn restart(&mut self, generation: u64) {
        self.map.clear();
        self.bytes = 0;
        self.generation = Some(generation);
    }
}

pub(crate) struct Memo<K, V> {
    hasher: RandomState,
    max_bytes: usize,
    entries: Mutex<Entries<K, V>>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// A memo holding at most `max_bytes`; one value may take a sixteenth of it.
    pub(crate) fn new(max_bytes: usize) -> Self {
        Memo {
            hasher: RandomState::default(),
            max_bytes,
            entries: Mutex::new(Entries {
                generation: None,
                map: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    /// The value kept for `key` if it was made at generation `now` (a newer generation
    /// empties the memo: its values are stale; a caller that saw an older one, racing a
    /// change, just misses).
    pub(crate) fn get(&self, now: u64, key: &K) -> Option<V> {
        let mut e = self.entries.lock().ok()?;
        match e.generation {
            Some(g) if g == now => {}
            Some(g) if now < g => return None,
            _ => {
                e.restart(now);
                return None;
            }
        }
        let hash = self.hasher.hash_one(key);
        e.map
            .get(&hash)?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` (costing `bytes`) for `key`, made at generation `at`: asked before the
    /// work began, so a change during the work leaves it stale at once. A value of an older
    /// generation than the memo's is dropped; a newer generation empties the memo first.
    pub(crate) fn put(&self, at: u64, key: K, value: V, bytes: usize) {
        if bytes > self.max_bytes / 16 {
            return;
        }
        let Ok(mut e) = self.entries.lock() else {
            return;
        };
        match e.generation {
            Some(g) if g == at => {}
            Some(g) if at < g => return,
            _ => e.restart(at),
        }
        let hash = self.hasher.hash_one(&key);
        let bucket = e.map.entry(hash).or_default();
        if bucket.iter().any(|(k, _)| *k == key) {
            return;
        }
        bucket.push((key, value));
        e.bytes += bytes;
        if e.bytes > self.max_bytes {
            e.restart(at);
        }
    }

    /// Forgets every value.
    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            let at = e.generation.unwrap_or(0);
            e.restart(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn values_live_while_their_generation_is_current_and_within_the_bound() {
        let m: Memo<String, u32> = Memo::new(1600);
        m.put(1, "a".into(), 1, 10);
        assert_eq!(m.get(1, &"a".to_string()), Some(1));
        assert_eq!(m.get(1, &"b".to_string()), None);
        // A value made before the generation moved is stale, and never kept.
        assert_eq!(m.get(2, &"a".to_string()), None);
        m.put(1, "a".into(), 1, 10);
        assert_eq!(m.get(2, &"a".to_string()), None);
        // Too large for the bound: not kept; over the bound: the memo starts over.
        m.put(2, "big".into(), 3, 101);
        assert_eq!(m.get(2, &"big".to_string()), None);
        for i in 0..20u32 {
            m.put(2, i.to_string(), i, 100);
        }
        assert_eq!(m.get(2, &"0".to_string()), None);
        assert_eq!(m.get(2, &"19".to_string()), Some(19));
        // A caller that saw an older generation misses and wipes nothing.
        assert_eq!(m.get(1, &"19".to_string()), None);
        assert_eq!(m.get(2, &"19".to_string()), Some(19));
        m.clear();
        assert_eq!(m.get(2, &"19".to_string()), None);
    }
}
