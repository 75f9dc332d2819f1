//! Which fields a rule transforms, and the pass that transforms them in an Avro datum.
//!
//! A field is transformed when its `confluent:tags` meet the rule's tags (a rule without tags
//! takes every field), as Confluent's clients decide: the field's string or bytes value, also
//! inside its unions, arrays and maps; a nested record's fields carry their own tags. The
//! [`FieldProgram`] is compiled once per writer schema; [`FieldProgram::rewrite`] copies a
//! datum and replaces each transformed value, in one pass over bounded input.

use crate::wire::binary::{self, DecodeError, DecodeErrorKind, Reader};
use sc_events_schema::json::Json;
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use sc_events_schema::rules::compat::SchemaRef;
use std::collections::HashMap;

/// The property holding a field's tags.
pub use sc_events_schema::topics::CONFLUENT_TAGS as TAGS;

#[derive(Debug, Clone)]
enum Op {
    /// Bytes of this fixed width, copied (`null` 0, `float` 4, `double` 8, `fixed` n).
    Width(usize),
    /// A varint (`boolean` is one byte, read as one), copied.
    Varint,
    Bool,
    /// A string or bytes value; `Some(is_string)` when it is transformed.
    Bytes(Option<bool>),
    Enum(usize),
    Array(Box<Op>),
    Map(Box<Op>),
    Union(Vec<Op>),
    Record(usize),
}

/// The transformation pass of one writer schema.
#[derive(Debug)]
pub struct FieldProgram {
    root: Op,
    records: Vec<Vec<Op>>,
    /// The transformed fields, as `Record.field`, for messages.
    pub fields: Vec<String>,
}

/// What the rewrite hands the transformation: the value and whether it is a string.
pub type Transform<'f> = dyn FnMut(&[u8], bool) -> Result<Vec<u8>, String> + 'f;

#[derive(Debug)]
pub enum RewriteError {
    Decode(DecodeError),
    /// The transformation failed at this field value (the offset in the datum).
    Field {
        offset: usize,
        reason: String,
    },
}

impl From<DecodeError> for RewriteError {
    fn from(e: DecodeError) -> Self {
        RewriteError::Decode(e)
    }
}

/// Compiles the pass for `schema` and the rule `tags`; `None` when no field is transformed.
/// A transformed field of another type than string or bytes is refused, as Confluent's
/// clients refuse to encrypt it.
pub fn compile(schema: SchemaRef<'_>, tags: &[String]) -> Result<Option<FieldProgram>, String> {
    let mut c = Compiler {
        set: schema.set,
        tags,
        records: Vec::new(),
        memo: HashMap::new(),
        fields: Vec::new(),
    };
    let root = c.op(schema.root, None)?;
    if c.fields.is_empty() {
        return Ok(None);
    }
    Ok(Some(FieldProgram {
        root,
        records: c.records,
        fields: c.fields,
    }))
}

struct Compiler<'a> {
    set: &'a SchemaSet,
    tags: &'a [String],
    records: Vec<Vec<Op>>,
    memo: HashMap<TypeId, usize>,
    fields: Vec<String>,
}

impl Compiler<'_> {
    /// `field`: the tagged field this node is the type of, when the rule takes it.
    fn op(&mut self, node: &Node, field: Option<&str>) -> Result<Op, String> {
        let refuse = |ty: &str, f: &str| {
            Err(format!(
                "field {f} is tagged for encryption but is {ty}: only string and bytes values can be encrypted"
            ))
        };
        Ok(match &node.kind {
            Kind::Null => Op::Width(0),
            Kind::Boolean | Kind::Int | Kind::Long | Kind::Float | Kind::Double => {
                if let Some(f) = field {
                    return refuse(node.type_name(self.set), f);
                }
                match &node.kind {
                    Kind::Boolean => Op::Bool,
                    Kind::Float => Op::Width(4),
                    Kind::Double => Op::Width(8),
                    _ => Op::Varint,
                }
            }
            Kind::String => Op::Bytes(field.map(|_| true)),
            Kind::Bytes => Op::Bytes(field.map(|_| false)),
            Kind::Array(items) => Op::Array(Box::new(self.op(items, field)?)),
            Kind::Map(values) => Op::Map(Box::new(self.op(values, field)?)),
            Kind::Union(branches) => Op::Union(
                branches
                    .iter()
                    .map(|b| self.op(b, field))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Named(id) => match &self.set.types[*id].body {
                Body::Enum(e) => {
                    if let Some(f) = field {
                        return refuse("an enum", f);
                    }
                    Op::Enum(e.symbols.len())
                }
                Body::Fixed { size, .. } => {
                    if let Some(f) = field {
                        return refuse("a fixed", f);
                    }
                    Op::Width(*size)
                }
                Body::Record(_) => Op::Record(self.record(*id)?),
            },
        })
    }

    fn record(&mut self, id: TypeId) -> Result<usize, String> {
        if let Some(&i) = self.memo.get(&id) {
            return Ok(i);
        }
        let i = self.records.len();
        self.memo.insert(id, i);
        self.records.push(Vec::new());
        let t = &self.set.types[id];
        let Body::Record(fields) = &t.body else {
            return Ok(i);
        };
        let mut ops = Vec::with_capacity(fields.len());
        for f in fields {
            let tagged = f.attr(TAGS).is_some_and(|v| self.takes(v));
            let name = format!("{}.{}", t.name.fullname(), f.name);
            let op = self.op(&f.ty, tagged.then_some(name.as_str()))?;
            if tagged {
                self.fields.push(name);
            }
            ops.push(op);
        }
        self.records[i] = ops;
        Ok(i)
    }

    fn takes(&self, v: &sc_events_schema::json::JsonNode) -> bool {
        let Json::Array(items) = &v.value else {
            return false;
        };
        self.tags.is_empty()
            || items
                .iter()
                .any(|t| matches!(&t.value, Json::String(s) if self.tags.contains(s)))
    }
}

impl FieldProgram {
    /// Copies `datum` into `out`, each transformed value replaced by `f`'s result.
    pub fn rewrite(
        &self,
        datum: &[u8],
        out: &mut Vec<u8>,
        f: &mut Transform<'_>,
    ) -> Result<(), RewriteError> {
        let mut r = Reader::new(datum);
        self.run(&self.root, &mut r, out, f)?;
        r.finish()?;
        Ok(())
    }

    fn run(
        &self,
        op: &Op,
        r: &mut Reader<'_>,
        out: &mut Vec<u8>,
        f: &mut Transform<'_>,
    ) -> Result<(), RewriteError> {
        match op {
            Op::Width(n) => out.extend_from_slice(r.raw(*n)?),
            Op::Varint => binary::put_long(out, r.long()?),
            Op::Bool => binary::put_bool(out, r.boolean()?),
            Op::Enum(n) => binary::put_int(out, r.enum_index(*n)? as i32),
            Op::Bytes(None) => binary::put_bytes(out, r.bytes()?),
            Op::Bytes(Some(is_string)) => {
                let offset = r.position();
                let value = r.bytes()?;
                let new = f(value, *is_string)
                    .map_err(|reason| RewriteError::Field { offset, reason })?;
                binary::put_bytes(out, &new);
            }
            Op::Array(item) | Op::Map(item) => {
                let is_map = matches!(op, Op::Map(_));
                let mut items = Vec::new();
                let mut n = 0usize;
                let mut failed = None;
                r.blocks(|r| {
                    if is_map {
                        binary::put_bytes(&mut items, r.bytes()?);
                    }
                    n += 1;
                    match self.run(item, r, &mut items, f) {
                        Ok(()) => Ok(()),
                        Err(RewriteError::Decode(e)) => Err(e),
                        Err(other) => {
                            failed = Some(other);
                            Err(r.error(DecodeErrorKind::Truncated))
                        }
                    }
                })
                .map_err(|e| failed.take().unwrap_or(RewriteError::Decode(e)))?;
                binary::put_block_count(out, n);
                out.extend_from_slice(&items);
                binary::end_blocks(out);
            }
            Op::Union(branches) => {
                let i = r.union_index(branches.len())?;
                binary::put_long(out, i as i64);
                self.run(&branches[i], r, out, f)?;
            }
            Op::Record(i) => {
                r.enter()?;
                for field in &self.records[*i] {
                    self.run(field, r, out, f)?;
                }
                r.leave();
            }
        }
        Ok(())
    }
}
