//! The process's parsed registered schemas: a registered version is immutable (its text and
//! its references' texts never change under its id), so what [`check::parse`] made of it can
//! be kept and shared, and a long-lived process (`registry serve`, `schemactl lsp`) parses
//! each registered text once instead of once per check (the gate's, and the embedded
//! registry's on every registration). Off until [`keep`] turns it on: a one-shot run parses
//! each text once anyway, and keeping every parse alive costs it memory it would otherwise
//! reuse (and the time to fault that memory in). Keyed by the label and every text (hashed with a per-process
//! random seed), compared in full on a hit (a hash collision can never return another schema); only successful parses are kept;
//! bounded by the bytes of the texts it holds, starting over when full.

use crate::check::{self, Parsed, Resolved};
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

static KEEP: AtomicBool = AtomicBool::new(false);

/// Whether this process keeps its parses (long-lived processes turn it on at start).
pub fn keep(on: bool) {
    KEEP.store(on, Ordering::Relaxed);
    if !on {
        clear();
    }
}

/// The most text (labels, schemas and their references) the cache holds, in bytes. A parsed
/// schema takes several times its text in memory.
const CACHE_TEXT_BYTES: usize = 32 << 20;

struct Entry {
    resolved: Resolved,
    parsed: Arc<Parsed>,
}

#[derive(Default)]
struct Entries {
    /// By the hash of the resolved texts; the few entries of one hash side by side.
    map: HashMap<u64, Vec<Entry>>,
    bytes: usize,
}

struct Cache {
    hasher: RandomState,
    entries: Mutex<Entries>,
}

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Cache {
        hasher: RandomState::default(),
        entries: Mutex::new(Entries::default()),
    })
}

fn text_bytes(r: &Resolved) -> usize {
    r.label.len()
        + r.text.len()
        + r.references
            .iter()
            .map(|(l, t)| l.len() + t.len())
            .sum::<usize>()
}

fn same(a: &Resolved, b: &Resolved) -> bool {
    a.label == b.label && a.text == b.text && a.references == b.references
}

impl Cache {
    fn hash(&self, r: &Resolved) -> u64 {
        let mut h = self.hasher.build_hasher();
        r.label.hash(&mut h);
        r.text.hash(&mut h);
        r.references.hash(&mut h);
        h.finish()
    }

    fn get(&self, key: u64, r: &Resolved) -> Option<Arc<Parsed>> {
        let e = self.entries.lock().ok()?;
        e.map
            .get(&key)?
            .iter()
            .find(|x| same(&x.resolved, r))
            .map(|x| Arc::clone(&x.parsed))
    }

    fn put(&self, key: u64, r: &Resolved, parsed: &Arc<Parsed>) {
        let size = text_bytes(r) + 64;
        if size > CACHE_TEXT_BYTES / 16 {
            return;
        }
        let Ok(mut e) = self.entries.lock() else {
            return;
        };
        let slot = e.map.get(&key);
        if slot.is_some_and(|v| v.iter().any(|x| same(&x.resolved, r))) {
            return;
        }
        if e.bytes + size > CACHE_TEXT_BYTES {
            e.map.clear();
            e.bytes = 0;
        }
        e.bytes += size;
        e.map.entry(key).or_default().push(Entry {
            resolved: r.clone(),
            parsed: Arc::clone(parsed),
        });
    }
}

/// [`check::parse`] of a registered schema, shared: while [`keep`] is on, the kept result
/// when the same label and texts were parsed before in this process, else a fresh parse
/// (kept when it succeeds).
pub fn parse(r: &Resolved) -> Result<Arc<Parsed>, String> {
    if !KEEP.load(Ordering::Relaxed) {
        return check::parse(r).map(Arc::new);
    }
    let c = cache();
    let key = c.hash(r);
    if let Some(hit) = c.get(key, r) {
        return Ok(hit);
    }
    let parsed = Arc::new(check::parse(r)?);
    c.put(key, r, &parsed);
    Ok(parsed)
}

/// Forgets every kept parse (entries never go stale: only [`keep`] turning off needs it).
fn clear() {
    if let Ok(mut e) = cache().entries.lock() {
        *e = Entries::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(label: &str, text: &str) -> Resolved {
        Resolved {
            label: label.into(),
            references: Vec::new(),
            text: text.into(),
        }
    }

    #[test]
    fn the_same_texts_share_one_parse_and_other_texts_do_not() {
        keep(true);
        let a = r(
            "t1 version 1",
            r#"{"type":"record","name":"A","fields":[]}"#,
        );
        let first = parse(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &parse(&a.clone()).unwrap()));
        // Another label (the messages name it) or another text is another parse.
        let b = r("t1 version 2", &a.text);
        assert!(!Arc::ptr_eq(&first, &parse(&b).unwrap()));
        let c = r(&a.label, r#"{"type":"record","name":"B","fields":[]}"#);
        let other = parse(&c).unwrap();
        assert_eq!(other.set.types[0].name.name, "B");
    }

    #[test]
    fn a_failed_parse_is_not_kept() {
        keep(true);
        let bad = r("t2 version 1", r#"{"type":"record","name":"A"}"#);
        let e1 = parse(&bad).err().unwrap();
        assert_eq!(Some(e1), parse(&bad).err());
        let c = cache();
        assert!(c.get(c.hash(&bad), &bad).is_none());
    }
}
