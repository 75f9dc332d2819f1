//! Reading data written with another schema version: a writer-to-reader plan compiled once per
//! writer schema id, with Java Avro's resolution rules (the ones the compatibility engine
//! checks): promotions (int → long → float → double, string ↔ bytes), reader defaults for
//! fields the writer lacks, writer-only fields skipped, fields matched by name then by the
//! reader's aliases, the reader enum's default for unknown symbols, union branches matched by
//! name (and aliases), then by promotion.
//!
//! A plan is read two ways. Owned values go through the generated [`Resolve`] impls
//! ([`read`]): one pass from the writer's bytes straight into the reader's Rust type, records
//! the writer wrote as the reader has them read by the plain decoder. Borrowed views go through
//! the transcoder ([`transcode`]): the writer's bytes rewritten into the reader's layout, which
//! the view's strings then point into. A writer `data` branch the reader lacks (a newer
//! producer's event type) stops either with [`Outcome::UnknownEventType`].

use crate::wire::binary::DecodeError;
use sc_events_registry::check::Parsed;
use sc_events_schema::json::JsonNode;
use sc_events_schema::model::{Body, Kind, NamedType, Node, SchemaSet, TypeId};
use sc_events_schema::rules::compat::SchemaRef;
use sc_events_schema::Catalog;
use std::collections::HashMap;

/// How a writer schema is read.
#[derive(Debug)]
pub enum Plan {
    /// The writer schema is the reader's: the generated decoder reads the bytes directly.
    Same,
    Resolve(Program),
}

/// A compiled writer-to-reader plan: the root's op and every record pair's plan.
#[derive(Debug)]
pub struct Program {
    root: Op,
    records: Vec<RecordPlan>,
}

impl Program {
    /// The op reading the writer's root as the reader's.
    pub fn root(&self) -> &Op {
        &self.root
    }
}

/// How one writer value is read as the reader's (what the generated [`Resolve`] impls and
/// the transcoder dispatch on).
#[derive(Debug, Clone)]
pub enum Op {
    Null,
    Bool,
    Int,
    Long,
    Float,
    Double,
    /// Bytes or string (the same encoding; also the string ↔ bytes promotion).
    Bytes,
    Fixed(usize),
    IntToLong,
    IntToFloat,
    IntToDouble,
    LongToFloat,
    LongToDouble,
    FloatToDouble,
    /// Writer symbol index → reader symbol index (`None`: unknown and no reader default).
    Enum(Vec<Option<u32>>, Vec<String>),
    Array(Box<Op>),
    Map(Box<Op>),
    Record(usize),
    /// A writer union: one choice per writer branch.
    Union(Vec<Choice>),
    /// A writer non-union read into a reader union: the reader branch, then the value.
    IntoUnion(u32, Box<Op>),
}

/// What one writer union branch becomes.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Read as this reader branch (`None`: the reader is not a union).
    Read(Option<u32>, Op),
    /// A writer record the reader does not know, carrying an `event_type`.
    Unknown(String),
    /// Cannot be read; the reason.
    Fail(String),
}

/// How a writer record is read as a reader record.
#[derive(Debug)]
pub struct RecordPlan {
    /// Per writer field: its op and the reader field it fills (`None`: skipped).
    writer: Vec<(Op, Option<usize>)>,
    /// Per reader field: `None` when the writer fills it, else the encoded default.
    defaults: Vec<Option<Vec<u8>>>,
    /// Writer fields already in reader order (skipped ones aside), no defaults: no reordering.
    in_order: bool,
    /// In order, and every kept field written as the reader has it: the kept fields are read
    /// by the reader's own decoders, only the writer-only ones go through their ops.
    verbatim: bool,
    /// The writer's record is the reader's: the reader's own decoder reads it.
    same: bool,
}

/// What a transcoded datum turned into.
#[derive(Debug, PartialEq)]
pub enum Outcome<T> {
    Value(T),
    UnknownEventType(String),
}

#[derive(Debug)]
pub enum RunError {
    Decode(DecodeError),
    Unresolvable(String),
    /// A writer record the reader does not know, with its `event_type` (the single-pass
    /// decoder stops on it; [`Outcome::UnknownEventType`] to callers).
    UnknownEventType(String),
}

impl From<DecodeError> for RunError {
    fn from(e: DecodeError) -> Self {
        RunError::Decode(e)
    }
}

/// Compiles the plan reading `writer` into the reader record `record` (a full name) of the
/// schemas of `catalog` (a workspace's reader side).
pub fn compile(catalog: &Catalog, writer: &Parsed, record: &str) -> Result<Plan, String> {
    let rset = &catalog.set;
    let rid = rset
        .lookup(record)
        .ok_or_else(|| format!("this build has no record {record}"))?;
    let rnode = named_node(rid);
    compile_between(
        writer.root(),
        SchemaRef {
            set: rset,
            root: &rnode,
        },
    )
}

fn named_node(id: TypeId) -> Node {
    Node {
        kind: Kind::Named(id),
        span: Default::default(),
        file: 0,
        logical_type: None,
    }
}

/// Compiles the plan reading data of `writer` as `reader`.
pub fn compile_between(writer: SchemaRef<'_>, reader: SchemaRef<'_>) -> Result<Plan, String> {
    let mut c = Compiler {
        w: writer.set,
        r: reader.set,
        records: Vec::new(),
        memo: HashMap::new(),
        same: HashMap::new(),
    };
    if c.same_node(writer.root, reader.root) {
        return Ok(Plan::Same);
    }
    let root = c.op(writer.root, reader.root)?;
    Ok(Plan::Resolve(Program {
        root,
        records: c.records,
    }))
}

struct Compiler<'a> {
    w: &'a SchemaSet,
    r: &'a SchemaSet,
    records: Vec<RecordPlan>,
    memo: HashMap<(TypeId, TypeId), usize>,
    same: HashMap<(TypeId, TypeId), bool>,
}

fn unqualified(t: &NamedType) -> &str {
    &t.name.name
}

impl Compiler<'_> {
    /// Structurally the same schema (names, fields in order, symbols, sizes, logical types
    /// that change the Rust type).
    fn same_node(&mut self, w: &Node, r: &Node) -> bool {
        match (&w.kind, &r.kind) {
            (Kind::Array(a), Kind::Array(b)) | (Kind::Map(a), Kind::Map(b)) => self.same_node(a, b),
            (Kind::Union(a), Kind::Union(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.same_node(x, y))
            }
            (Kind::Named(a), Kind::Named(b)) => self.same_named(*a, *b),
            (Kind::String, Kind::String) => {
                (w.logical_type.as_deref() == Some("uuid"))
                    == (r.logical_type.as_deref() == Some("uuid"))
            }
            (a, b) => a == b,
        }
    }

    fn same_named(&mut self, a: TypeId, b: TypeId) -> bool {
        if let Some(&v) = self.same.get(&(a, b)) {
            return v;
        }
        self.same.insert((a, b), true);
        let (wt, rt) = (&self.w.types[a], &self.r.types[b]);
        let v = wt.name.fullname() == rt.name.fullname()
            && match (&wt.body, &rt.body) {
                (Body::Record(wf), Body::Record(rf)) => {
                    wf.len() == rf.len()
                        && wf.iter().zip(rf).all(|(x, y)| x.name == y.name)
                        && wf.iter().zip(rf).all(|(x, y)| self.same_node(&x.ty, &y.ty))
                }
                (Body::Enum(x), Body::Enum(y)) => x.symbols == y.symbols,
                (Body::Fixed { size: x, .. }, Body::Fixed { size: y, .. }) => x == y,
                _ => false,
            };
        self.same.insert((a, b), v);
        v
    }

    fn names_match(&self, w: TypeId, r: TypeId) -> bool {
        let (wt, rt) = (&self.w.types[w], &self.r.types[r]);
        unqualified(wt) == unqualified(rt)
            || rt
                .aliases
                .iter()
                .any(|a| a.fullname() == wt.name.fullname() || a.name == wt.name.name)
    }

    fn op(&mut self, w: &Node, r: &Node) -> Result<Op, String> {
        use Kind::*;
        if let Union(wb) = &w.kind {
            let mut choices = Vec::with_capacity(wb.len());
            for b in wb {
                choices.push(match &r.kind {
                    Union(rb) => match self.branch(b, rb) {
                        Some((i, op)) => Choice::Read(Some(i as u32), op),
                        None => self.missing(b, r),
                    },
                    _ => match self.op(b, r) {
                        Ok(op) => Choice::Read(None, op),
                        Err(e) => Choice::Fail(e),
                    },
                });
            }
            return Ok(Op::Union(choices));
        }
        if let Union(rb) = &r.kind {
            return match self.branch(w, rb) {
                Some((i, op)) => Ok(Op::IntoUnion(i as u32, Box::new(op))),
                None => Err(format!(
                    "the reader union has no branch for the writer's {}",
                    w.type_name(self.w)
                )),
            };
        }
        Ok(match (&w.kind, &r.kind) {
            (Null, Null) => Op::Null,
            (Boolean, Boolean) => Op::Bool,
            (Int, Int) => Op::Int,
            (Long, Long) => Op::Long,
            (Float, Float) => Op::Float,
            (Double, Double) => Op::Double,
            (String | Bytes, String | Bytes) => Op::Bytes,
            (Int, Long) => Op::IntToLong,
            (Int, Float) => Op::IntToFloat,
            (Int, Double) => Op::IntToDouble,
            (Long, Float) => Op::LongToFloat,
            (Long, Double) => Op::LongToDouble,
            (Float, Double) => Op::FloatToDouble,
            (Array(a), Array(b)) => Op::Array(Box::new(self.op(a, b)?)),
            (Map(a), Map(b)) => Op::Map(Box::new(self.op(a, b)?)),
            (Named(a), Named(b)) => self.named(*a, *b)?,
            _ => {
                return Err(format!(
                    "reader type {} is not compatible with writer type {}",
                    r.type_name(self.r),
                    w.type_name(self.w)
                ))
            }
        })
    }

    /// A writer union branch the reader union lacks.
    fn missing(&self, b: &Node, r: &Node) -> Choice {
        if let Kind::Named(id) = b.kind {
            let t = &self.w.types[id];
            if let Some(et) = t.attr("event_type").and_then(JsonNode::as_str) {
                return Choice::Unknown(et.to_string());
            }
            return Choice::Fail(format!(
                "the reader union {} has no branch for the writer's {}",
                r.type_name(self.r),
                t.name.fullname()
            ));
        }
        Choice::Fail(format!(
            "the reader union has no branch for the writer's {}",
            b.type_name(self.w)
        ))
    }

    /// Java's best branch: the same type (named: the same name or an alias), else the first
    /// the writer's type promotes to.
    fn branch(&mut self, w: &Node, rb: &[Node]) -> Option<(usize, Op)> {
        let exact = rb.iter().position(|r| match (&w.kind, &r.kind) {
            (Kind::Named(a), Kind::Named(b)) => {
                self.w.types[*a].body.kind_name() == self.r.types[*b].body.kind_name()
                    && self.names_match(*a, *b)
            }
            (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
            (a, b) => a == b,
        });
        let candidates: Vec<usize> = match exact {
            Some(i) => vec![i],
            None => (0..rb.len()).collect(),
        };
        candidates
            .into_iter()
            .find_map(|i| self.op(w, &rb[i]).ok().map(|op| (i, op)))
    }

    fn named(&mut self, w: TypeId, r: TypeId) -> Result<Op, String> {
        let (wt, rt) = (&self.w.types[w], &self.r.types[r]);
        if wt.body.kind_name() != rt.body.kind_name() || !self.names_match(w, r) {
            return Err(format!(
                "expected {} {}, found {} {}",
                rt.body.kind_name(),
                rt.name.fullname(),
                wt.body.kind_name(),
                wt.name.fullname()
            ));
        }
        match (&wt.body, &rt.body) {
            (Body::Fixed { size: a, .. }, Body::Fixed { size: b, .. }) if a == b => {
                Ok(Op::Fixed(*a))
            }
            (Body::Fixed { size: a, .. }, Body::Fixed { size: b, .. }) => Err(format!(
                "expected fixed size {b}, found {a} in {}",
                wt.name.fullname()
            )),
            (Body::Enum(we), Body::Enum(re)) => {
                let default = re
                    .default
                    .as_ref()
                    .and_then(|(d, _)| re.symbols.iter().position(|s| s == d));
                let map = we
                    .symbols
                    .iter()
                    .map(|s| {
                        re.symbols
                            .iter()
                            .position(|x| x == s)
                            .or(default)
                            .map(|i| i as u32)
                    })
                    .collect();
                Ok(Op::Enum(map, we.symbols.clone()))
            }
            (Body::Record(_), Body::Record(_)) => self.record(w, r).map(Op::Record),
            _ => Err("named type kinds differ".into()),
        }
    }

    fn record(&mut self, w: TypeId, r: TypeId) -> Result<usize, String> {
        if let Some(&i) = self.memo.get(&(w, r)) {
            return Ok(i);
        }
        let index = self.records.len();
        self.memo.insert((w, r), index);
        self.records.push(RecordPlan {
            writer: Vec::new(),
            defaults: Vec::new(),
            in_order: false,
            verbatim: false,
            same: false,
        });
        let (wset, rset) = (self.w, self.r);
        let wf = wset.fields(w);
        let rf = rset.fields(r);
        let mut writer = Vec::with_capacity(wf.len());
        let mut filled = vec![false; rf.len()];
        let mut kept_same = true;
        for f in wf {
            let target = rf
                .iter()
                .position(|x| x.name == f.name)
                .or_else(|| rf.iter().position(|x| x.aliases.contains(&f.name)));
            match target {
                Some(j) => {
                    let op = self.op(&f.ty, &rf[j].ty).map_err(|e| {
                        format!("field {} of {}: {e}", f.name, rset.types[r].name.fullname())
                    })?;
                    filled[j] = true;
                    kept_same &= self.same_node(&f.ty, &rf[j].ty);
                    writer.push((op, Some(j)));
                }
                None => writer.push((self.identity(&f.ty)?, None)),
            }
        }
        let mut defaults = Vec::with_capacity(rf.len());
        for (j, f) in rf.iter().enumerate() {
            if filled[j] {
                defaults.push(None);
                continue;
            }
            let Some(d) = &f.default else {
                return Err(format!(
                    "field {} of {} is not in the writer schema and has no default",
                    f.name,
                    rset.types[r].name.fullname()
                ));
            };
            let mut bytes = Vec::new();
            encode_default(rset, &f.ty, d, &mut bytes).map_err(|e| {
                format!(
                    "default of {}.{}: {e}",
                    rset.types[r].name.fullname(),
                    f.name
                )
            })?;
            defaults.push(Some(bytes));
        }
        // The writer's kept fields fill the reader's in order, and no default is needed: the
        // fields stream through (skipped ones are dropped as they pass).
        let kept: Vec<usize> = writer.iter().filter_map(|(_, t)| *t).collect();
        let in_order = kept.len() == rf.len() && kept.iter().enumerate().all(|(i, t)| *t == i);
        let same = self.same_named(w, r);
        self.records[index] = RecordPlan {
            writer,
            defaults,
            in_order,
            verbatim: in_order && kept_same,
            same,
        };
        Ok(index)
    }

    /// The op that reads a writer type as itself (for skipping writer-only fields).
    fn identity(&mut self, n: &Node) -> Result<Op, String> {
        let (w, r) = (self.w, self.r);
        // Compile against the writer's own schema.
        let saved = std::mem::replace(&mut self.r, w);
        let saved_memo = std::mem::take(&mut self.memo);
        let saved_same = std::mem::take(&mut self.same);
        let out = self.op(n, n);
        self.memo = saved_memo;
        self.same = saved_same;
        self.r = saved;
        debug_assert!(std::ptr::eq(self.r, r));
        out
    }
}

mod default;
pub mod read;
mod transcode;

use default::encode_default;
pub use read::Resolve;
pub use transcode::{transcode, transcode_into, with_transcoded};

#[cfg(test)]
mod tests;
