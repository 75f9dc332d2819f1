//! Reader/writer schema resolution with the semantics of Java Avro 1.12's
//! `SchemaCompatibility.ReaderWriterCompatibilityChecker` (what Confluent Schema Registry runs):
//! same incompatibility types, same JSON-pointer locations, same messages, same order, same
//! memoization of (reader, writer) pairs, so recursive schemas terminate.

use super::{Incompatibility, IncompatibilityType as T};
use crate::model::{Body, Field, Kind, Node, SchemaSet};
use crate::source::{FileId, Span};
use std::collections::HashMap;

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

/// Checks whether data written with `writer` can be read with `reader`. The list is empty when
/// it can; otherwise it holds every incompatibility in Java's order.
pub fn check(reader: SchemaRef<'_>, writer: SchemaRef<'_>) -> Vec<Incompatibility> {
    let mut c = Checker {
        r: reader.set,
        w: writer.set,
        memo: HashMap::new(),
        path: Vec::new(),
    };
    c.compat(reader.root, writer.root)
}

struct Checker<'a> {
    r: &'a SchemaSet,
    w: &'a SchemaSet,
    /// `None` while the pair is being checked (recursion in progress).
    memo: HashMap<(Key, Key), Option<Vec<Incompatibility>>>,
    path: Vec<String>,
}

impl<'a> Checker<'a> {
    fn location(&self) -> String {
        format!("/{}", self.path.join("/"))
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
        }
    }

    fn compat(&mut self, r: &'a Node, w: &'a Node) -> Vec<Incompatibility> {
        let pair = (key(r), key(w));
        match self.memo.get(&pair) {
            Some(None) => Vec::new(), // break the recursion: compatible unless proven otherwise
            Some(Some(done)) => done.clone(),
            None => {
                self.memo.insert(pair, None);
                let result = self.calculate(r, w);
                self.memo.insert(pair, Some(result.clone()));
                result
            }
        }
    }

    fn nested(&mut self, segment: &str, r: &'a Node, w: &'a Node) -> Vec<Incompatibility> {
        self.path.push(segment.to_string());
        let out = self.compat(r, w);
        self.path.pop();
        out
    }

    fn type_mismatch(&self, r: &Node, w: &Node) -> Vec<Incompatibility> {
        let msg = format!(
            "reader type: {} not compatible with writer type: {}",
            java_type(self.r, r),
            java_type(self.w, w)
        );
        vec![self.incompatible(T::TypeMismatch, msg, (r.file, r.span), (w.file, w.span))]
    }

    fn calculate(&mut self, r: &'a Node, w: &'a Node) -> Vec<Incompatibility> {
        let (rt, wt) = (java_type(self.r, r), java_type(self.w, w));
        if rt == wt {
            return match (&r.kind, &w.kind) {
                (Kind::Array(ri), Kind::Array(wi)) => self.nested("items", ri, wi),
                (Kind::Map(rv), Kind::Map(wv)) => self.nested("values", rv, wv),
                (Kind::Named(ri), Kind::Named(wi)) => self.named(r, w, *ri, *wi),
                (_, Kind::Union(wb)) => {
                    // Every branch of the writer union must be readable.
                    let mut out = Vec::new();
                    for (i, b) in wb.iter().enumerate() {
                        self.path.push(i.to_string());
                        if !self.compat(r, b).is_empty() {
                            let msg = format!(
                                "reader union lacking writer type: {}",
                                java_type(self.w, b)
                            );
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
                _ => Vec::new(),
            };
        }
        if let Kind::Union(wb) = &w.kind {
            // A reader compatible with every branch of a writer union is compatible.
            let mut out = Vec::new();
            for (i, b) in wb.iter().enumerate() {
                self.path.push(i.to_string());
                out.extend(self.compat(r, b));
                self.path.pop();
            }
            return out;
        }
        match (rt, wt) {
            ("LONG", "INT")
            | ("FLOAT", "INT" | "LONG")
            | ("DOUBLE", "INT" | "LONG" | "FLOAT")
            | ("BYTES", "STRING")
            | ("STRING", "BYTES") => Vec::new(),
            ("UNION", _) => {
                let Kind::Union(rb) = &r.kind else {
                    return Vec::new();
                };
                for b in rb {
                    if self.compat(b, w).is_empty() {
                        return Vec::new();
                    }
                }
                let msg = format!("reader union lacking writer type: {wt}");
                vec![self.incompatible(
                    T::MissingUnionBranch,
                    msg,
                    (r.file, r.span),
                    (w.file, w.span),
                )]
            }
            _ => self.type_mismatch(r, w),
        }
    }

    /// Java reports a writer union branch no reader branch can read without the nested cause.
    /// When the reader union has a branch of the same name, find that cause (with a fresh memo,
    /// so Java's own results are untouched) and point at it instead of the whole union.
    fn explain(&self, inc: &mut Incompatibility, r: &'a Node, b: &'a Node) {
        let (Kind::Union(rb), Kind::Named(wi)) = (&r.kind, &b.kind) else {
            return;
        };
        let wn = &self.w.types[*wi].name;
        let same = rb.iter().find(|x| match x.kind {
            Kind::Named(ri) => {
                let rn = &self.r.types[ri];
                rn.name.name == wn.name || rn.aliases.iter().any(|a| a.fullname() == wn.fullname())
            }
            _ => false,
        });
        let Some(same) = same else { return };
        let mut fresh = Checker {
            r: self.r,
            w: self.w,
            memo: HashMap::new(),
            path: self.path.clone(),
        };
        let causes = fresh.compat(same, b);
        if let Some(first) = causes.first() {
            let all: Vec<String> = causes
                .iter()
                .map(|c| format!("{} at {}: {}", c.kind, c.location, c.message))
                .collect();
            inc.cause = Some(all.join("; "));
            inc.reader_span = first.reader_span;
            inc.writer_span = first.writer_span;
        }
    }

    fn named(&mut self, r: &'a Node, w: &'a Node, ri: usize, wi: usize) -> Vec<Incompatibility> {
        let (rn, wn) = (&self.r.types[ri], &self.w.types[wi]);
        let mut out = Vec::new();
        let name_ok = rn.name.name == wn.name.name
            || rn
                .aliases
                .iter()
                .any(|a| a.fullname() == wn.name.fullname());
        if !name_ok {
            self.path.push("name".into());
            let msg = format!("expected: {}", wn.name.fullname());
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
                self.path.push("size".into());
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
                let mut missing: Vec<&String> = we
                    .symbols
                    .iter()
                    .filter(|s| !re.symbols.contains(s))
                    .collect();
                missing.sort();
                missing.dedup();
                let has_default = re
                    .default
                    .as_ref()
                    .is_some_and(|(d, _)| re.symbols.contains(d));
                if !missing.is_empty() && !has_default {
                    self.path.push("symbols".into());
                    let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                    let msg = format!("[{}]", list.join(", "));
                    out.push(self.incompatible(
                        T::MissingEnumSymbols,
                        msg,
                        (rn.file, re.symbols_span),
                        (wn.file, we.symbols_span),
                    ));
                    self.path.pop();
                }
            }
            (Body::Record(rf), Body::Record(wf)) => out.extend(self.fields(r, w, rf, wf)),
            _ => {}
        }
        out
    }

    fn fields(
        &mut self,
        _r: &'a Node,
        w: &'a Node,
        rf: &'a [Field],
        wf: &'a [Field],
    ) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        let by_name: HashMap<&str, &'a Field> = wf.iter().map(|f| (f.name.as_str(), f)).collect();
        self.path.push("fields".into());
        for (pos, f) in rf.iter().enumerate() {
            self.path.push(pos.to_string());
            match lookup_writer_field(&by_name, f) {
                Some(wfield) => out.extend(self.nested("type", &f.ty, &wfield.ty)),
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
                        out.extend(self.nested("type", &f.ty, w));
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
        out
    }
}

/// The writer field a reader field reads: same name, or one of the reader field's aliases.
fn lookup_writer_field<'a>(writer: &HashMap<&str, &'a Field>, reader: &Field) -> Option<&'a Field> {
    writer.get(reader.name.as_str()).copied().or_else(|| {
        reader
            .aliases
            .iter()
            .find_map(|a| writer.get(a.as_str()).copied())
    })
}
