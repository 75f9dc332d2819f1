//! Reader/writer schema resolution with the semantics of Java Avro 1.12's
//! `SchemaCompatibility.ReaderWriterCompatibilityChecker` (what Confluent Schema Registry runs):
//! same incompatibility types, same JSON-pointer locations, same messages, same order, same
//! memoization of (reader, writer) pairs, so recursive schemas terminate.
//!
//! Bounded where Java is not: a memoized result is shared, not copied ([`Report`]), and the
//! report lists each distinct incompatibility once with its number of occurrences, so named
//! types reused along many paths stay polynomial. Large reader unions are searched through an
//! index of their branches instead of Java's scan of every branch (see [`SCAN_ALL`]); enum
//! symbols are compared through hash sets.

use super::path::Path;
use super::report::Report;
use super::{Incompatibility, IncompatibilityType as T};
use crate::model::{Body, Field, Kind, Node, SchemaSet};
use crate::model::{SeededMap, SeededSet};
use crate::source::{FileId, Span};
// Keys the schema chooses (names, symbols) go in seeded maps; ids and addresses in Fx ones.
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

/// A reader union with at most this many branches is scanned branch by branch, exactly like
/// Java (which memoizes every incompatible branch it tries along the way). A larger one is
/// searched through an index: only branches that can read the writer type at all (same type or
/// a promotion, and for named types the same name or an alias) are tried, in Java's order. The
/// verdict is the same (every skipped branch is incompatible by type or name); only the memo
/// entries Java leaves for skipped branches are missing, which can move a location in a
/// schema that later reaches such a pair again.
pub const SCAN_ALL: usize = 64;

/// How many MISSING_UNION_BRANCH incompatibilities of one check get a nested cause.
const MAX_EXPLAINED: usize = 64;
/// How many nested causes one explanation lists.
const MAX_CAUSES: usize = 8;

/// A schema to check: its set (for named types) and the node to start from.
#[derive(Clone, Copy)]
pub struct SchemaRef<'a> {
    pub set: &'a SchemaSet,
    pub root: &'a Node,
}

/// Identity of a schema object as Java sees it: a named type is one object however often it is
/// referenced; every other node is its own object.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Named(usize),
    Node(usize),
}

fn key(n: &Node) -> Key {
    match n.kind {
        Kind::Named(id) => Key::Named(id),
        _ => Key::Node(n as *const Node as usize),
    }
}

/// Java's `Schema.Type`, upper-case as Java prints it.
fn java_type(set: &SchemaSet, n: &Node) -> &'static str {
    match &n.kind {
        Kind::Null => "NULL",
        Kind::Boolean => "BOOLEAN",
        Kind::Int => "INT",
        Kind::Long => "LONG",
        Kind::Float => "FLOAT",
        Kind::Double => "DOUBLE",
        Kind::Bytes => "BYTES",
        Kind::String => "STRING",
        Kind::Array(_) => "ARRAY",
        Kind::Map(_) => "MAP",
        Kind::Union(_) => "UNION",
        Kind::Named(id) => match set.types[*id].body {
            Body::Record(_) => "RECORD",
            Body::Enum(_) => "ENUM",
            Body::Fixed { .. } => "FIXED",
        },
    }
}

/// The reader types that can read a writer type other than themselves (Avro's promotions).
fn promoted_readers(writer: &str) -> &'static [&'static str] {
    match writer {
        "INT" => &["LONG", "FLOAT", "DOUBLE"],
        "LONG" => &["FLOAT", "DOUBLE"],
        "FLOAT" => &["DOUBLE"],
        "STRING" => &["BYTES"],
        "BYTES" => &["STRING"],
        _ => &[],
    }
}

/// The parts joined in one exact allocation: a message is made for every mismatching pair the
/// union scan tries, most of which nobody reads.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}

/// Checks whether data written with `writer` can be read with `reader`. The list is empty when
/// it can; otherwise it holds every distinct incompatibility of Java's list, in Java's order,
/// each once with [`Incompatibility::occurrences`] saying how often Java lists it.
pub fn check(reader: SchemaRef<'_>, writer: SchemaRef<'_>) -> Vec<Incompatibility> {
    Checker::new(reader.set, writer.set, Path::default())
        .compat(reader.root, writer.root)
        .distinct()
}

/// Java's list itself (repeats included), cut after `limit` entries: for comparisons with Java
/// on schemas where the list is small.
pub fn check_java_list(
    reader: SchemaRef<'_>,
    writer: SchemaRef<'_>,
    limit: usize,
) -> Vec<Incompatibility> {
    Checker::new(reader.set, writer.set, Path::default())
        .compat(reader.root, writer.root)
        .expanded(limit)
}

/// An index of a large reader union's branches: by Java type, by unqualified name and by
/// alias full name.
#[derive(Default)]
struct UnionIndex {
    by_type: HashMap<&'static str, Vec<usize>>,
    by_name: SeededMap<String, Vec<usize>>,
    by_alias: SeededMap<String, Vec<usize>>,
}

struct Checker<'a> {
    r: &'a SchemaSet,
    w: &'a SchemaSet,
    /// `None` while the pair is being checked (recursion in progress).
    memo: HashMap<(Key, Key), Option<Rc<Report>>>,
    path: Path,
    unions: HashMap<usize, UnionIndex>,
    explained: usize,
    /// A checker run by [`Checker::explain`]: nested explanations come from its own memo,
    /// not from further fresh checkers (which would cost 2^depth for nested unions).
    explaining: bool,
    /// The one empty result every compatible pair shares (most pairs are).
    empty: Rc<Report>,
}

impl<'a> Checker<'a> {
    fn new(r: &'a SchemaSet, w: &'a SchemaSet, path: Path) -> Self {
        Checker {
            r,
            w,
            memo: HashMap::default(),
            path,
            unions: HashMap::default(),
            explained: 0,
            explaining: false,
            empty: Rc::default(),
        }
    }

    fn location(&self) -> String {
        self.path.location()
    }

    fn incompatible(
        &self,
        kind: T,
        message: String,
        reader: (FileId, Span),
        writer: (FileId, Span),
    ) -> Incompatibility {
        Incompatibility {
            kind,
            location: self.location(),
            message,
            reader_span: reader,
            writer_span: writer,
            cause: None,
            root: None,
            occurrences: 1,
        }
    }

    fn compat(&mut self, r: &'a Node, w: &'a Node) -> Rc<Report> {
        let pair = (key(r), key(w));
        match self.memo.get(&pair) {
            Some(None) => Rc::clone(&self.empty), // break the recursion: compatible unless proven otherwise
            Some(Some(done)) => Rc::clone(done),
            None => {
                self.memo.insert(pair, None);
                let report = self.calculate(r, w);
                let result = if report.is_empty() {
                    Rc::clone(&self.empty)
                } else {
                    Rc::new(report)
                };
                self.memo.insert(pair, Some(Rc::clone(&result)));
                result
            }
        }
    }

    fn nested(&mut self, segment: &str, r: &'a Node, w: &'a Node) -> Rc<Report> {
        self.path.push(segment);
        let out = self.compat(r, w);
        self.path.pop();
        out
    }

    fn one(inc: Incompatibility) -> Report {
        let mut out = Report::default();
        out.push(inc);
        out
    }

    /// Kept small on purpose, like [`Self::compat`], [`Self::nested`], [`Self::named`] and
    /// [`Self::fields`]: at the maximum depth (1000) each level costs a frame of each, and a
    /// debug build keeps every temporary of a function in its frame.
    fn calculate(&mut self, r: &'a Node, w: &'a Node) -> Report {
        let (rt, wt) = (java_type(self.r, r), java_type(self.w, w));
        if rt == wt {
            return match (&r.kind, &w.kind) {
                (Kind::Array(ri), Kind::Array(wi)) => self.inner("items", ri, wi),
                (Kind::Map(rv), Kind::Map(wv)) => self.inner("values", rv, wv),
                (Kind::Named(ri), Kind::Named(wi)) => {
                    let mut out = Report::default();
                    self.named(&mut out, w, *ri, *wi);
                    out
                }
                (_, Kind::Union(wb)) => self.unions(r, wb),
                _ => Report::default(),
            };
        }
        if let Kind::Union(wb) = &w.kind {
            return self.writer_union(r, wb);
        }
        self.other(r, w, rt, wt)
    }

    fn inner(&mut self, segment: &str, r: &'a Node, w: &'a Node) -> Report {
        let mut out = Report::default();
        out.extend(&self.nested(segment, r, w));
        out
    }

    /// Reader and writer unions: every branch of the writer union must be readable.
    #[inline(never)]
    fn unions(&mut self, r: &'a Node, wb: &'a [Node]) -> Report {
        let mut out = Report::default();
        for (i, b) in wb.iter().enumerate() {
            self.path.push_index(i);
            if !self.compat(r, b).is_empty() {
                let msg = concat(&["reader union lacking writer type: ", java_type(self.w, b)]);
                let mut inc = self.incompatible(
                    T::MissingUnionBranch,
                    msg,
                    (r.file, r.span),
                    (b.file, b.span),
                );
                self.explain(&mut inc, r, b);
                out.push(inc);
            }
            self.path.pop();
        }
        out
    }

    /// A reader compatible with every branch of a writer union is compatible.
    #[inline(never)]
    fn writer_union(&mut self, r: &'a Node, wb: &'a [Node]) -> Report {
        let mut out = Report::default();
        for (i, b) in wb.iter().enumerate() {
            self.path.push_index(i);
            out.extend(&self.compat(r, b));
            self.path.pop();
        }
        out
    }

    /// Different types: a promotion, a reader union with a branch that reads the writer, or a
    /// mismatch.
    #[inline(never)]
    fn other(&mut self, r: &'a Node, w: &'a Node, rt: &str, wt: &str) -> Report {
        let out = Report::default();
        match (rt, wt) {
            ("LONG", "INT")
            | ("FLOAT", "INT" | "LONG")
            | ("DOUBLE", "INT" | "LONG" | "FLOAT")
            | ("BYTES", "STRING")
            | ("STRING", "BYTES") => out,
            ("UNION", _) => {
                let Kind::Union(rb) = &r.kind else {
                    return out;
                };
                let reads = if rb.len() <= SCAN_ALL {
                    rb.iter().any(|b| self.probe(b, w, wt))
                } else {
                    let tried = self.candidates(r, rb, w);
                    tried.into_iter().any(|i| self.probe(&rb[i], w, wt))
                };
                if reads {
                    return out;
                }
                let msg = concat(&["reader union lacking writer type: ", wt]);
                Self::one(self.incompatible(
                    T::MissingUnionBranch,
                    msg,
                    (r.file, r.span),
                    (w.file, w.span),
                ))
            }
            _ => {
                let msg = concat(&[
                    "reader type: ",
                    rt,
                    " not compatible with writer type: ",
                    wt,
                ]);
                Self::one(self.incompatible(
                    T::TypeMismatch,
                    msg,
                    (r.file, r.span),
                    (w.file, w.span),
                ))
            }
        }
    }

    /// Whether the reader union branch `b` reads the (non-union) writer `w`. A primitive
    /// branch is answered from the types alone, without a memo entry: such a pair is only ever
    /// reached by this scan, which reads nothing of it but the verdict, so the entry (and the
    /// message of a mismatch) Java would make there can never be observed.
    fn probe(&mut self, b: &'a Node, w: &'a Node, wt: &str) -> bool {
        match b.kind {
            Kind::Named(_) | Kind::Array(_) | Kind::Map(_) | Kind::Union(_) => {
                self.compat(b, w).is_empty()
            }
            _ => {
                let bt = java_type(self.r, b);
                bt == wt || promoted_readers(wt).contains(&bt)
            }
        }
    }

    /// The branches of a large reader union that may read `w` (a non-union), in order.
    fn candidates(&mut self, r: &Node, rb: &'a [Node], w: &Node) -> Vec<usize> {
        let (rset, wset) = (self.r, self.w);
        let index = self
            .unions
            .entry(r as *const Node as usize)
            .or_insert_with(|| {
                let mut ix = UnionIndex::default();
                for (i, b) in rb.iter().enumerate() {
                    ix.by_type.entry(java_type(rset, b)).or_default().push(i);
                    if let Kind::Named(id) = b.kind {
                        let t = &rset.types[id];
                        ix.by_name.entry(t.name.name.clone()).or_default().push(i);
                        for a in &t.aliases {
                            ix.by_alias.entry(a.fullname()).or_default().push(i);
                        }
                    }
                }
                ix
            });
        let wt = java_type(wset, w);
        let mut out: Vec<usize> = match w.kind {
            Kind::Named(wi) => {
                let wn = &wset.types[wi].name;
                let named = index.by_name.get(&wn.name).into_iter().flatten();
                let aliased = index.by_alias.get(&wn.fullname()).into_iter().flatten();
                named
                    .chain(aliased)
                    .copied()
                    .filter(|&i| java_type(rset, &rb[i]) == wt)
                    .collect()
            }
            _ => std::iter::once(wt)
                .chain(promoted_readers(wt).iter().copied())
                .flat_map(|t| index.by_type.get(t).into_iter().flatten().copied())
                .collect(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Java reports a writer union branch no reader branch can read without the nested cause.
    /// When the reader union has a branch of the same name, find that cause (with a fresh memo,
    /// so Java's own results are untouched) and point at it instead of the whole union.
    fn explain(&mut self, inc: &mut Incompatibility, r: &'a Node, b: &'a Node) {
        let (Kind::Union(rb), Kind::Named(wi)) = (&r.kind, &b.kind) else {
            return;
        };
        if self.explained >= MAX_EXPLAINED {
            return;
        }
        self.explained += 1;
        let wn = &self.w.types[*wi].name;
        let same = rb.iter().find(|x| match x.kind {
            Kind::Named(ri) => {
                let rn = &self.r.types[ri];
                rn.name.name == wn.name || rn.aliases.iter().any(|a| a.same_fullname(wn))
            }
            _ => false,
        });
        let Some(same) = same else { return };
        let causes = if self.explaining {
            // Already a fresh memo, and the pair was just tried by the union scan.
            self.compat(same, b).distinct()
        } else {
            let mut fresh = Checker::new(self.r, self.w, self.path.clone());
            fresh.explaining = true;
            fresh.compat(same, b).distinct()
        };
        if let Some(first) = causes.first() {
            let mut all: Vec<String> = causes
                .iter()
                .take(MAX_CAUSES)
                .map(|c| format!("{} at {}: {}", c.kind, c.location, c.message))
                .collect();
            if causes.len() > MAX_CAUSES {
                all.push(format!("and {} more", causes.len() - MAX_CAUSES));
            }
            inc.cause = Some(crate::text::cap(
                all.join("; "),
                crate::diag::MAX_MESSAGE_CHARS,
            ));
            // The deepest cause is the one to fix (a record in a union in a union ...).
            inc.root = Some(first.root.clone().unwrap_or_else(|| super::RootCause {
                kind: first.kind,
                location: first.location.clone(),
                message: first.message.clone(),
            }));
            inc.reader_span = first.reader_span;
            inc.writer_span = first.writer_span;
        }
    }

    fn named(&mut self, out: &mut Report, w: &'a Node, ri: usize, wi: usize) {
        self.name_and_size_or_symbols(out, ri, wi);
        if let (Body::Record(rf), Body::Record(wf)) =
            (&self.r.types[ri].body, &self.w.types[wi].body)
        {
            self.fields(out, w, rf, wf);
        }
    }

    /// A named type's name, and a fixed type's size or an enum's symbols.
    #[inline(never)]
    fn name_and_size_or_symbols(&mut self, out: &mut Report, ri: usize, wi: usize) {
        let (rn, wn) = (&self.r.types[ri], &self.w.types[wi]);
        let name_ok =
            rn.name.name == wn.name.name || rn.aliases.iter().any(|a| a.same_fullname(&wn.name));
        if !name_ok {
            self.path.push("name");
            let msg = match wn.name.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => concat(&["expected: ", ns, ".", &wn.name.name]),
                _ => concat(&["expected: ", &wn.name.name]),
            };
            out.push(self.incompatible(
                T::NameMismatch,
                msg,
                (rn.file, rn.name_span),
                (wn.file, wn.name_span),
            ));
            self.path.pop();
        }
        match (&rn.body, &wn.body) {
            (
                Body::Fixed {
                    size: rs,
                    size_span,
                },
                Body::Fixed {
                    size: ws,
                    size_span: wspan,
                },
            ) if rs != ws => {
                self.path.push("size");
                let msg = format!("expected: {ws}, found: {rs}");
                out.push(self.incompatible(
                    T::FixedSizeMismatch,
                    msg,
                    (rn.file, *size_span),
                    (wn.file, *wspan),
                ));
                self.path.pop();
            }
            (Body::Enum(re), Body::Enum(we)) => {
                let reader: SeededSet<&str> = re.symbols.iter().map(String::as_str).collect();
                let mut missing: Vec<&str> = we
                    .symbols
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !reader.contains(s))
                    .collect();
                missing.sort_unstable();
                missing.dedup();
                let has_default = re
                    .default
                    .as_ref()
                    .is_some_and(|(d, _)| reader.contains(d.as_str()));
                if !missing.is_empty() && !has_default {
                    self.path.push("symbols");
                    let msg = format!("[{}]", missing.join(", "));
                    out.push(self.incompatible(
                        T::MissingEnumSymbols,
                        msg,
                        (rn.file, re.symbols_span),
                        (wn.file, we.symbols_span),
                    ));
                    self.path.pop();
                }
            }
            _ => {}
        }
    }

    fn fields(&mut self, out: &mut Report, w: &'a Node, rf: &'a [Field], wf: &'a [Field]) {
        let by_name = WriterFields::new(wf);
        self.path.push("fields");
        for (pos, f) in rf.iter().enumerate() {
            self.path.push_index(pos);
            match by_name.lookup(f) {
                Some(wfield) => out.extend(&self.nested("type", &f.ty, &wfield.ty)),
                None if f.default.is_some() => {}
                None => {
                    let enum_default = match f.ty.kind {
                        Kind::Named(id) => {
                            matches!(&self.r.types[id].body, Body::Enum(e) if e.default.is_some())
                        }
                        _ => false,
                    };
                    if enum_default {
                        // Java compares the enum with the writer record itself here.
                        out.extend(&self.nested("type", &f.ty, w));
                    } else {
                        let msg = f.name.clone();
                        out.push(self.incompatible(
                            T::ReaderFieldMissingDefaultValue,
                            msg,
                            (f.ty.file, f.name_span),
                            (w.file, w.span),
                        ));
                    }
                }
            }
            self.path.pop();
        }
        self.path.pop();
    }
}

/// A writer record's fields by name: scanned when few (most records), hashed when many.
enum WriterFields<'a> {
    Few(&'a [Field]),
    Many(SeededMap<&'a str, &'a Field>),
}

/// The most fields a writer record may have for its fields to be scanned, not hashed.
const SCAN_FIELDS: usize = 16;

impl<'a> WriterFields<'a> {
    fn new(fields: &'a [Field]) -> Self {
        if fields.len() <= SCAN_FIELDS {
            return WriterFields::Few(fields);
        }
        // Java's map keeps the first field of a repeated name (a parsed schema has none).
        let mut map = SeededMap::default();
        for f in fields {
            map.entry(f.name.as_str()).or_insert(f);
        }
        WriterFields::Many(map)
    }

    fn get(&self, name: &str) -> Option<&'a Field> {
        match self {
            WriterFields::Few(fields) => fields.iter().find(|f| f.name == name),
            WriterFields::Many(map) => map.get(name).copied(),
        }
    }

    /// The writer field a reader field reads: same name, or one of the reader field's aliases.
    fn lookup(&self, reader: &Field) -> Option<&'a Field> {
        self.get(&reader.name)
            .or_else(|| reader.aliases.iter().find_map(|a| self.get(a)))
    }
}
