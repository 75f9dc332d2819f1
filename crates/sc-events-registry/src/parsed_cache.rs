//! The process's parsed registered schemas: a registered version is immutable (its text and
//! its references' texts never change under its id), so what [`check::parse`] made of it can
//! be kept and shared, and a long-lived process (`registry serve`, `schemactl lsp`) parses
//! each registered text once instead of once per check (the gate's, and the embedded
//! registry's on every registration). Off until [`keep`] turns it on: a one-shot run parses
//! each text once anyway, and keeping every parse alive costs it memory it would otherwise
//! reuse (and the time to fault that memory in). Keyed by the label and every text (a
//! [`Memo`]: compared in full on a hit); only successful parses are kept; bounded by the
//! bytes of the texts it holds.

use crate::check::{self, Parsed, Resolved};
use crate::memo::Memo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static KEEP: AtomicBool = AtomicBool::new(false);

/// The most text (labels, schemas and their references) the cache holds, in bytes. A parsed
/// schema takes several times its text in memory.
const CACHE_TEXT_BYTES: usize = 32 << 20;

/// Registered texts never change: every parse is made at this one generation.
const FOREVER: u64 = 0;

fn cache() -> &'static Memo<Resolved, Arc<Parsed>> {
    static CACHE: OnceLock<Memo<Resolved, Arc<Parsed>>> = OnceLock::new();
    CACHE.get_or_init(|| Memo::new(CACHE_TEXT_BYTES))
}

/// Whether this process keeps its parses (long-lived processes turn it on at start).
pub fn keep(on: bool) {
    KEEP.store(on, Ordering::Relaxed);
    if !on {
        cache().clear();
    }
}

fn text_bytes(r: &Resolved) -> usize {
    let references: usize = r.references.iter().map(|(l, t)| l.len() + t.len()).sum();
    r.label.len() + r.text.len() + references + 64
}

/// [`check::parse`] of a registered schema, shared: while [`keep`] is on, the kept result
/// when the same label and texts were parsed before in this process, else a fresh parse
/// (kept when it succeeds).
pub fn parse(r: &Resolved) -> Result<Arc<Parsed>, String> {
    if !KEEP.load(Ordering::Relaxed) {
        return check::parse(r).map(Arc::new);
    }
    let c = cache();
    if let Some(hit) = c.get(FOREVER, r) {
        return Ok(hit);
    }
    let parsed = Arc::new(check::parse(r)?);
    c.put(FOREVER, r.clone(), Arc::clone(&parsed), text_bytes(r));
    Ok(parsed)
}

/// [`parse`] of each schema, in order; what is not kept is parsed by [`check::parse_all`]
/// (the references a history shares parsed once).
pub fn parse_all(rs: &[Resolved]) -> Vec<Result<Arc<Parsed>, String>> {
    let keep = KEEP.load(Ordering::Relaxed);
    let mut out: Vec<Option<Result<Arc<Parsed>, String>>> = rs
        .iter()
        .map(|r| keep.then(|| cache().get(FOREVER, r)).flatten().map(Ok))
        .collect();
    let missing: Vec<usize> = (0..rs.len()).filter(|&i| out[i].is_none()).collect();
    let todo: Vec<&Resolved> = missing.iter().map(|&i| &rs[i]).collect();
    for (i, p) in missing.into_iter().zip(check::parse_all(&todo)) {
        let p = p.map(Arc::new);
        if let (true, Ok(parsed)) = (keep, &p) {
            cache().put(
                FOREVER,
                rs[i].clone(),
                Arc::clone(parsed),
                text_bytes(&rs[i]),
            );
        }
        out[i] = Some(p);
    }
    out.into_iter()
        .map(|p| p.unwrap_or_else(|| Err("not parsed".into())))
        .collect()
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
        assert!(cache().get(FOREVER, &bad).is_none());
    }
}
