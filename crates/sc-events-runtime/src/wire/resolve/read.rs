//! The single-pass resolving decoder: what the generated [`Resolve`] impls (one per record,
//! enum and fixed; sc-events-codegen's `resolve.rs`) call to read a writer's bytes straight
//! into the reader's Rust type, with no intermediate buffer: promotions, enum symbol maps,
//! union branch choices, writer-only fields skipped as they pass, reader defaults decoded
//! from their bytes. A record the writer wrote exactly as the reader has it is read by the
//! reader's own generated decoder. Bounds are the decoder's: depth, block counts, offsets.

use super::{Choice, Op, Program, RecordPlan, RunError};
use crate::wire::binary::{DecodeError, DecodeErrorKind, Reader};
use crate::wire::Decode;
use std::collections::HashMap;

/// An owned generated type read from the bytes of another writer version, in one pass.
pub trait Resolve: for<'a> Decode<'a> {
    /// Reads the writer's value `op` describes (`p` holds its record plans) as `Self`.
    fn resolve(r: &mut Reader<'_>, op: &Op, p: &Program) -> Result<Self, RunError>;
}

/// Reads a whole datum of the program's writer as `T`; no byte may be left over.
#[inline]
pub fn datum<T: Resolve>(p: &Program, datum: &[u8]) -> Result<T, RunError> {
    let mut r = Reader::new(datum);
    let v = T::resolve(&mut r, &p.root, p)?;
    r.finish()?;
    Ok(v)
}

/// A plan that does not fit the generated type it drives: the program was compiled for
/// another reader schema.
fn mismatch(op: &Op, want: &str) -> RunError {
    let got = format!("{op:?}");
    let got: String = got.chars().take(80).collect();
    RunError::Unresolvable(format!("the plan reads {got} where the reader has {want}"))
}

/// The op of the writer's value, past a writer union read into a reader non-union.
#[inline]
fn value<'o>(r: &mut Reader<'_>, op: &'o Op) -> Result<&'o Op, RunError> {
    match op {
        Op::Union(choices) => match &choices[r.union_index(choices.len())?] {
            Choice::Read(None, op) => Ok(op),
            Choice::Read(Some(_), op) => Err(mismatch(op, "no union")),
            Choice::Unknown(et) => Err(RunError::UnknownEventType(et.clone())),
            Choice::Fail(reason) => Err(RunError::Unresolvable(reason.clone())),
        },
        op => Ok(op),
    }
}

/// Defines a reader of one primitive: which ops it accepts and how each reads.
macro_rules! primitive {
    ($(#[$doc:meta])* $name:ident -> $t:ty, $want:literal { $($op:pat => $read:expr),+ $(,)? }) => {
        $(#[$doc])*
        #[inline]
        pub fn $name(r: &mut Reader<'_>, op: &Op) -> Result<$t, RunError> {
            Ok(match value(r, op)? {
                $($op => $read(r)?,)+
                op => return Err(mismatch(op, $want)),
            })
        }
    };
}

primitive!(null -> (), "null" { Op::Null => |_: &mut Reader<'_>| Ok::<_, DecodeError>(()) });
primitive!(boolean -> bool, "boolean" { Op::Bool => Reader::boolean });
primitive!(int -> i32, "int" { Op::Int => Reader::int });
primitive!(long -> i64, "long" {
    Op::Long => Reader::long,
    Op::IntToLong => |r: &mut Reader<'_>| r.int().map(i64::from),
});
primitive!(float -> f32, "float" {
    Op::Float => Reader::float,
    Op::IntToFloat => |r: &mut Reader<'_>| r.int().map(|v| v as f32),
    Op::LongToFloat => |r: &mut Reader<'_>| r.long().map(|v| v as f32),
});
primitive!(double -> f64, "double" {
    Op::Double => Reader::double,
    Op::IntToDouble => |r: &mut Reader<'_>| r.int().map(f64::from),
    Op::LongToDouble => |r: &mut Reader<'_>| r.long().map(|v| v as f64),
    Op::FloatToDouble => |r: &mut Reader<'_>| r.float().map(f64::from),
});
primitive!(
    /// A string (also promoted from bytes, which must then be UTF-8).
    string -> String, "string" { Op::Bytes => Reader::string });
primitive!(
    /// Bytes (also promoted from a string).
    bytes -> Vec<u8>, "bytes" { Op::Bytes => |r: &mut Reader<'_>| r.bytes().map(<[u8]>::to_vec) });
primitive!(uuid -> uuid::Uuid, "uuid" { Op::Bytes => Reader::uuid });
primitive!(
    /// A `timestamp-millis` (an int writer promotes).
    timestamp_millis -> chrono::DateTime<chrono::Utc>, "timestamp-millis" {
    Op::Long => Reader::timestamp_millis,
    Op::IntToLong => |r: &mut Reader<'_>| millis(r),
});
primitive!(timestamp_micros -> chrono::DateTime<chrono::Utc>, "timestamp-micros" {
    Op::Long => Reader::timestamp_micros,
    Op::IntToLong => |r: &mut Reader<'_>| micros(r),
});

/// An int written where the reader has a timestamp (`from`: its unit), promoted.
fn timestamp_of_int(
    r: &mut Reader<'_>,
    from: fn(i64) -> Option<chrono::DateTime<chrono::Utc>>,
) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
    let at = r.position();
    let v = i64::from(r.int()?);
    from(v).ok_or(DecodeError {
        offset: at,
        kind: DecodeErrorKind::TimestampOutOfRange(v),
    })
}

fn millis(r: &mut Reader<'_>) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
    timestamp_of_int(r, chrono::DateTime::from_timestamp_millis)
}

fn micros(r: &mut Reader<'_>) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
    timestamp_of_int(r, chrono::DateTime::from_timestamp_micros)
}

/// A fixed of `N` bytes.
#[inline]
pub fn fixed<const N: usize>(r: &mut Reader<'_>, op: &Op) -> Result<[u8; N], RunError> {
    match value(r, op)? {
        Op::Fixed(n) if *n == N => Ok(r.fixed::<N>()?),
        op => Err(mismatch(op, "fixed")),
    }
}

/// The reader's symbol index of an enum value (the writer's, mapped; the reader's default for
/// a symbol it lacks).
#[inline]
pub fn enum_index(r: &mut Reader<'_>, op: &Op) -> Result<usize, RunError> {
    match value(r, op)? {
        Op::Enum(map, symbols) => {
            let i = r.enum_index(map.len())?;
            match map[i] {
                Some(j) => Ok(j as usize),
                None => Err(RunError::Unresolvable(format!(
                    "enum symbol {} is unknown to the reader, which has no default",
                    symbols[i]
                ))),
            }
        }
        op => Err(mismatch(op, "enum")),
    }
}

/// The reader union's branch and the op of the writer's value in it.
#[inline]
pub fn branch<'o>(r: &mut Reader<'_>, op: &'o Op) -> Result<(usize, &'o Op), RunError> {
    match op {
        Op::Union(choices) => match &choices[r.union_index(choices.len())?] {
            Choice::Read(Some(b), op) => Ok((*b as usize, op)),
            Choice::Read(None, op) => Err(mismatch(op, "a union")),
            Choice::Unknown(et) => Err(RunError::UnknownEventType(et.clone())),
            Choice::Fail(reason) => Err(RunError::Unresolvable(reason.clone())),
        },
        Op::IntoUnion(b, op) => Ok((*b as usize, op)),
        op => Err(mismatch(op, "a union")),
    }
}

/// A union branch the generated union type does not have (a plan of another reader).
pub fn no_branch(b: usize) -> RunError {
    RunError::Unresolvable(format!(
        "the plan reads union branch {b}, which the reader lacks"
    ))
}

/// An enum symbol the generated enum does not have (a plan of another reader).
pub fn no_symbol(i: usize) -> RunError {
    RunError::Unresolvable(format!(
        "the plan reads enum symbol {i}, which the reader lacks"
    ))
}

/// An array, `item` reading each element (the counts are not trusted for allocation).
#[inline]
pub fn array<T>(
    r: &mut Reader<'_>,
    op: &Op,
    p: &Program,
    mut item: impl FnMut(&mut Reader<'_>, &Op, &Program) -> Result<T, RunError>,
) -> Result<Vec<T>, RunError> {
    match value(r, op)? {
        Op::Array(op) => {
            let mut out = Vec::new();
            r.blocks_of(|r| {
                out.push(item(r, op, p)?);
                Ok::<_, RunError>(())
            })?;
            Ok(out)
        }
        op => Err(mismatch(op, "an array")),
    }
}

/// A map, `item` reading each value.
#[inline]
pub fn map<T>(
    r: &mut Reader<'_>,
    op: &Op,
    p: &Program,
    mut item: impl FnMut(&mut Reader<'_>, &Op, &Program) -> Result<T, RunError>,
) -> Result<HashMap<String, T>, RunError> {
    match value(r, op)? {
        Op::Map(op) => {
            let mut out = HashMap::new();
            r.blocks_of(|r| {
                let k = r.string()?;
                out.insert(k, item(r, op, p)?);
                Ok::<_, RunError>(())
            })?;
            Ok(out)
        }
        op => Err(mismatch(op, "a map")),
    }
}

/// The plan of a record value; `None` when the writer's record is the reader's (read it with
/// the reader's own decoder).
#[inline]
pub fn record<'p>(
    r: &mut Reader<'_>,
    op: &Op,
    p: &'p Program,
) -> Result<Option<&'p RecordPlan>, RunError> {
    match value(r, op)? {
        Op::Record(i) => {
            let plan = &p.records[*i];
            Ok((!plan.same).then_some(plan))
        }
        op => Err(mismatch(op, "a record")),
    }
}

impl RecordPlan {
    /// Per writer field, in the writer's order: its op and the reader field it fills (`None`:
    /// skip it with [`skip`]).
    #[inline]
    pub fn fields(&self) -> &[(Op, Option<usize>)] {
        &self.writer
    }

    /// The writer's kept fields are the reader's, in the reader's order, and no default is
    /// needed: the record is read in the reader's order with [`next`] and [`rest`].
    #[inline]
    pub fn in_order(&self) -> bool {
        self.in_order
    }

    /// [`RecordPlan::in_order`], and every kept field written exactly as the reader has it:
    /// read with [`pass`] and the reader's own field decoders.
    #[inline]
    pub fn verbatim(&self) -> bool {
        self.verbatim
    }

    /// Reader field `j`'s default, decoded from its bytes by `dec` (the field's decoder).
    pub fn default<T>(
        &self,
        j: usize,
        dec: impl FnOnce(&mut Reader<'_>) -> Result<T, DecodeError>,
    ) -> Result<T, RunError> {
        match self.defaults.get(j) {
            Some(Some(bytes)) => Ok(dec(&mut Reader::new(bytes))?),
            _ => Err(RunError::Unresolvable(format!(
                "reader field {j} is neither written nor defaulted"
            ))),
        }
    }
}

/// The writer fields of an [`RecordPlan::in_order`] record, in the writer's order.
pub type Fields<'p> = std::slice::Iter<'p, (Op, Option<usize>)>;

/// The op of the next writer field the reader keeps, skipping the writer-only ones before it.
#[inline]
pub fn next<'p>(
    r: &mut Reader<'_>,
    fields: &mut Fields<'p>,
    p: &Program,
) -> Result<&'p Op, RunError> {
    for (op, target) in fields.by_ref() {
        if target.is_some() {
            return Ok(op);
        }
        skip(r, op, p)?;
    }
    Err(RunError::Unresolvable(
        "the plan ends before the reader's fields do".into(),
    ))
}

/// Skips the writer-only fields before the next kept one, whose bytes the reader's own
/// decoder then reads ([`RecordPlan::verbatim`]).
#[inline]
pub fn pass(r: &mut Reader<'_>, fields: &mut Fields<'_>, p: &Program) -> Result<(), RunError> {
    next(r, fields, p).map(|_| ())
}

/// Skips the writer-only fields after the last one the reader keeps.
#[inline]
pub fn rest(r: &mut Reader<'_>, fields: Fields<'_>, p: &Program) -> Result<(), RunError> {
    for (op, _) in fields {
        skip(r, op, p)?;
    }
    Ok(())
}

/// Reads past a writer value (a field the reader does not have).
pub fn skip(r: &mut Reader<'_>, op: &Op, p: &Program) -> Result<(), RunError> {
    match op {
        Op::Null => {}
        Op::Bool => {
            r.boolean()?;
        }
        Op::Int | Op::IntToLong | Op::IntToFloat | Op::IntToDouble => {
            r.int()?;
        }
        Op::Long | Op::LongToFloat | Op::LongToDouble => {
            r.long()?;
        }
        Op::Float | Op::FloatToDouble => r.skip(4)?,
        Op::Double => r.skip(8)?,
        Op::Bytes => r.skip_bytes()?,
        Op::Fixed(n) => r.skip(*n)?,
        Op::Enum(map, _) => {
            r.enum_index(map.len())?;
        }
        Op::Array(item) => r.blocks_of(|r| skip(r, item, p))?,
        Op::Map(item) => r.blocks_of(|r| {
            r.skip_bytes()?;
            skip(r, item, p)
        })?,
        Op::Record(i) => {
            r.enter()?;
            for (op, _) in &p.records[*i].writer {
                skip(r, op, p)?;
            }
            r.leave();
        }
        Op::Union(choices) => match &choices[r.union_index(choices.len())?] {
            Choice::Read(_, op) => skip(r, op, p)?,
            Choice::Unknown(et) => return Err(RunError::UnknownEventType(et.clone())),
            Choice::Fail(reason) => return Err(RunError::Unresolvable(reason.clone())),
        },
        Op::IntoUnion(_, op) => skip(r, op, p)?,
    }
    Ok(())
}
