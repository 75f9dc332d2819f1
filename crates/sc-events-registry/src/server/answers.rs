//! The answer cache: the bytes of the successful answers to the reads clients repeat (lookups
//! of a schema, a schema by id, a subject's version), kept with the registry's generation
//! ([`Registry::generation`]) at the time they were read, and sent again while it has not
//! moved. A hit reads neither the request's JSON nor the registry, and writes no JSON: a
//! serializer's lookup of its 10 KB schema costs a hash and a comparison of the request's
//! bytes. Any write to the registry moves the generation, and the cache starts over; a
//! registry without one ([`Registry::generation`] `None`) is never cached. Bounded in bytes;
//! errors are never kept.

use crate::memo::Memo;
use crate::Registry;
use axum::body::Bytes;

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

pub(super) struct Answers(Memo<Key, Bytes>);

/// The registry's generation when a read began (`None`: it has none, nothing is kept).
pub(super) struct Read(Option<u64>);

impl Answers {
    pub(super) fn new() -> Self {
        Answers(Memo::new(CACHE_BYTES))
    }

    /// The kept answer to `key` if the registry has not changed since it was read, and what
    /// [`Self::put`] needs to keep a fresh one.
    pub(super) fn get(&self, registry: &dyn Registry, key: &Key) -> (Option<Bytes>, Read) {
        let generation = registry.generation();
        let hit = generation.and_then(|now| self.0.get(now, key));
        (hit, Read(generation))
    }

    /// Keeps `answer` to `key`, read at the generation [`Self::get`] saw before the read
    /// began (so a write during the read leaves it stale at once).
    pub(super) fn put(&self, read: Read, key: Key, answer: Bytes) {
        if let Some(at) = read.0 {
            let bytes = key.size() + answer.len();
            self.0.put(at, key, answer, bytes);
        }
    }
}
