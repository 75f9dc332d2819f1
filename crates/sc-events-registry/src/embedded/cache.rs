//! The read cache: answers to the reads asked again and again (lookups, versions, schemas
//! by id) kept with SQLite's data version at the time they were read, and served again on
//! the calling thread, without a trip to the blocking pool, while the data version has not
//! moved. Any commit to the file, by this process's writer or by any other process, moves it
//! (`PRAGMA data_version`, asked on a connection of the cache's own that never writes), and
//! the cache starts over. Bounded in bytes; errors are never kept.

use crate::memo::Memo;
use crate::types::{Registered, SchemaDef, Version};
use rusqlite::Connection;
use std::sync::Mutex;

/// The most the cache holds (texts of the kept answers and keys), in bytes.
const CACHE_BYTES: usize = 32 << 20;

/// A read whose answer is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Lookup {
        subject: String,
        def: SchemaDef,
        normalize: bool,
        deleted: bool,
    },
    Version {
        subject: String,
        version: Version,
        deleted: bool,
    },
    ById(i32),
    Versions {
        subject: String,
        deleted: bool,
    },
    Subjects {
        deleted: bool,
    },
}

#[derive(Debug, Clone)]
pub(super) enum Answer {
    Registered(Registered),
    Schema(SchemaDef),
    Versions(Vec<i32>),
    Subjects(Vec<String>),
}

/// What the cache can keep.
pub(super) trait Cacheable: Clone {
    fn into_answer(self) -> Answer;
    fn from_answer(a: Answer) -> Option<Self>;
}

/// `Cacheable` for the type each answer variant carries.
macro_rules! cacheable {
    ($($t:ty => $variant:ident),+ $(,)?) => {$(
        impl Cacheable for $t {
            fn into_answer(self) -> Answer {
                Answer::$variant(self)
            }
            fn from_answer(a: Answer) -> Option<Self> {
                match a {
                    Answer::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    )+};
}

cacheable!(
    Registered => Registered,
    SchemaDef => Schema,
    Vec<String> => Subjects,
    Vec<i32> => Versions,
);

pub(super) struct ReadCache {
    probe: Mutex<Connection>,
    entries: Memo<Key, Answer>,
}

fn size_of(key: &Key, answer: &Answer) -> usize {
    let def = |d: &SchemaDef| d.schema.len() + 64 * (1 + d.references.len());
    let k = match key {
        Key::Lookup {
            subject, def: d, ..
        } => subject.len() + def(d),
        Key::Version { subject, .. } | Key::Versions { subject, .. } => subject.len(),
        Key::ById(_) | Key::Subjects { .. } => 0,
    };
    k + match answer {
        Answer::Registered(r) => r.subject.len() + def(&r.schema),
        Answer::Schema(d) => def(d),
        Answer::Versions(v) => 4 * v.len(),
        Answer::Subjects(v) => v.iter().map(|s| s.len() + 24).sum(),
    } + 64
}

impl ReadCache {
    /// A cache over the file `probe` is connected to.
    pub(super) fn new(probe: Connection) -> Self {
        ReadCache {
            probe: Mutex::new(probe),
            entries: Memo::new(CACHE_BYTES),
        }
    }

    /// The file's data version now (`None` if SQLite cannot say: then nothing is cached).
    pub(super) fn data_version(&self) -> Option<i64> {
        let probe = self.probe.lock().ok()?;
        probe
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .ok()
    }

    /// The kept answer to `key`, if the file has not changed since it was read, and the
    /// file's data version now (what a read made on a miss is kept at: see [`Self::put`]).
    pub(super) fn get(&self, key: &Key) -> (Option<Answer>, Option<i64>) {
        let Some(now) = self.data_version() else {
            return (None, None);
        };
        (self.entries.get(generation(now), key), Some(now))
    }

    /// Keeps `answer` to `key`, read at data version `at` (asked before the read began, so
    /// a commit during the read leaves it stale at once).
    pub(super) fn put(&self, at: Option<i64>, key: Key, answer: Answer) {
        if let Some(at) = at {
            let bytes = size_of(&key, &answer);
            self.entries.put(generation(at), key, answer, bytes);
        }
    }
}

/// A data version as a generation (SQLite counts from 1 and only up; the order is kept).
pub(super) fn generation(data_version: i64) -> u64 {
    (data_version as u64) ^ (1 << 63)
}
