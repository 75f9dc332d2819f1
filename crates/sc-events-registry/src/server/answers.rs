//! The answer cache: the bytes of the successful answers to the reads clients repeat (lookups
//! of a schema, a schema by id, a subject's version), kept with the registry's generation
//! ([`Registry::generation`]) at the time they were read, and sent again while it has not
//! moved. A hit reads neither the request's JSON nor the registry, and writes no JSON: a
//! serializer's lookup of its 10 KB schema costs a hash and a comparison of the request's
//! bytes. Any write to the registry moves the generation, and the cache starts over; a
//! registry without one ([`Registry::generation`] `None`) is never cached. Bounded in bytes;
//! errors are never kept.

use crate::Registry;
use axum::body::Bytes;
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;

/// The most the cache holds (request keys and answers), in bytes.
const CACHE_BYTES: usize = 32 << 20;

/// What identifies a read: its route, its path segments, its query as sent, and its body.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) route: &'static str,
    pub(super) segments: Vec<String>,
    pub(super) query: String,
    pub(super) body: Bytes,
}

impl Key {
    fn size(&self) -> usize {
        let segments: usize = self.segments.iter().map(|s| s.len() + 24).sum();
        segments + self.query.len() + self.body.len() + 64
    }
}

struct Entries {
    /// The generation the entries were read at.
    generation: u64,
    map: HashMap<u64, Vec<(Key, Bytes)>>,
    bytes: usize,
}

pub(super) struct Answers {
    hasher: RandomState,
    entries: Mutex<Entries>,
}

/// A read that may be answered from the cache: the registry's generation when it began.
pub(super) struct Read {
    generation: Option<u64>,
    hash: u64,
}

impl Answers {
    pub(super) fn new() -> Self {
        Answers {
            hasher: RandomState::default(),
            entries: Mutex::new(Entries {
                generation: 0,
                map: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    fn hash(&self, key: &Key) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The kept answer to `key` if the registry has not changed since it was read, and what
    /// [`Self::put`] needs to keep a fresh one.
    pub(super) fn get(&self, registry: &dyn Registry, key: &Key) -> (Option<Bytes>, Read) {
        let hash = self.hash(key);
        let generation = registry.generation();
        let read = Read { generation, hash };
        let (Some(now), Ok(mut e)) = (generation, self.entries.lock()) else {
            return (None, read);
        };
        if e.generation != now {
            e.map.clear();
            e.bytes = 0;
            e.generation = now;
            return (None, read);
        }
        let hit = e
            .map
            .get(&hash)
            .and_then(|v| v.iter().find(|(k, _)| k == key))
            .map(|(_, a)| a.clone());
        (hit, read)
    }

    /// Keeps `answer` to `key`, read at the generation [`Self::get`] saw before the read
    /// began (so a write during the read leaves it stale at once).
    pub(super) fn put(&self, read: Read, key: Key, answer: Bytes) {
        let (Some(at), Ok(mut e)) = (read.generation, self.entries.lock()) else {
            return;
        };
        if e.generation != at {
            return;
        }
        let size = key.size() + answer.len();
        if size > CACHE_BYTES / 16 {
            return;
        }
        let slot = e.map.entry(read.hash).or_default();
        if slot.iter().any(|(k, _)| *k == key) {
            return;
        }
        slot.push((key, answer));
        e.bytes += size;
        if e.bytes > CACHE_BYTES {
            e.map.clear();
            e.bytes = 0;
        }
    }
}
