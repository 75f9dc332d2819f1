//! Running a [`Program`]: the writer's bytes transcoded into the reader's layout, with
//! reusable per-thread buffers and the same bounds as the decoder (depth, block counts).

use super::{Choice, Op, Outcome, Program, RunError};
use crate::wire::binary::{self, DecodeError, Reader};
use std::cell::RefCell;

/// Transcoding buffers, reused across messages: output, reorder scratch, field ranges.
type Buffers = (Vec<u8>, Vec<u8>, Vec<(usize, usize)>);

thread_local! {
    static BUFFERS: RefCell<Buffers> = const { RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
}

/// Transcodes `datum` with the program and hands the reader-layout bytes to `f`.
pub fn with_transcoded<T>(
    p: &Program,
    datum: &[u8],
    f: impl FnOnce(&[u8]) -> T,
) -> Result<Outcome<T>, RunError> {
    BUFFERS.with(|b| {
        let mut guard = b.borrow_mut();
        let (out, scratch, ranges) = &mut *guard;
        out.clear();
        Ok(match run(p, datum, out, scratch, ranges)? {
            Some(et) => Outcome::UnknownEventType(et),
            None => Outcome::Value(f(out)),
        })
    })
}

/// Transcodes `datum` into `out` (cleared first); `Some(event_type)` for an unknown branch.
pub fn transcode_into(
    p: &Program,
    datum: &[u8],
    out: &mut Vec<u8>,
) -> Result<Option<String>, RunError> {
    out.clear();
    BUFFERS.with(|b| {
        let mut guard = b.borrow_mut();
        let (_, scratch, ranges) = &mut *guard;
        run(p, datum, out, scratch, ranges)
    })
}

fn run(
    p: &Program,
    datum: &[u8],
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<Option<String>, RunError> {
    let mut r = Reader::new(datum);
    let mut run = Run {
        p,
        scratch,
        ranges,
        depth: 0,
    };
    if let Some(et) = run.op(&p.root, &mut r, out)? {
        return Ok(Some(et));
    }
    r.finish()?;
    Ok(None)
}

struct Run<'p, 'b> {
    p: &'p Program,
    scratch: &'b mut Vec<u8>,
    ranges: &'b mut Vec<(usize, usize)>,
    depth: usize,
}

type Step = Result<Option<String>, RunError>;

impl Run<'_, '_> {
    fn op(&mut self, op: &Op, r: &mut Reader<'_>, out: &mut Vec<u8>) -> Step {
        match op {
            Op::Null => {}
            Op::Bool => binary::put_bool(out, r.boolean()?),
            Op::Int => binary::put_int(out, r.int()?),
            Op::Long => binary::put_long(out, r.long()?),
            Op::Float => binary::put_float(out, r.float()?),
            Op::Double => binary::put_double(out, r.double()?),
            Op::Bytes => binary::put_bytes(out, r.bytes()?),
            Op::Fixed(n) => out.extend_from_slice(r.raw(*n)?),
            Op::IntToLong => binary::put_long(out, i64::from(r.int()?)),
            Op::IntToFloat => binary::put_float(out, r.int()? as f32),
            Op::IntToDouble => binary::put_double(out, f64::from(r.int()?)),
            Op::LongToFloat => binary::put_float(out, r.long()? as f32),
            Op::LongToDouble => binary::put_double(out, r.long()? as f64),
            Op::FloatToDouble => binary::put_double(out, f64::from(r.float()?)),
            Op::Enum(map, symbols) => {
                let i = r.enum_index(map.len())?;
                match map[i] {
                    Some(j) => binary::put_int(out, j as i32),
                    None => {
                        return Err(RunError::Unresolvable(format!(
                            "enum symbol {} is unknown to the reader, which has no default",
                            symbols[i]
                        )))
                    }
                }
            }
            Op::Array(item) | Op::Map(item) => {
                return self.blocks(item, matches!(op, Op::Map(_)), r, out)
            }
            Op::Record(i) => return self.record(*i, r, out),
            Op::Union(choices) => {
                let i = r.union_index(choices.len())?;
                match &choices[i] {
                    Choice::Read(branch, op) => {
                        if let Some(b) = branch {
                            binary::put_long(out, i64::from(*b));
                        }
                        return self.op(op, r, out);
                    }
                    Choice::Unknown(et) => return Ok(Some(et.clone())),
                    Choice::Fail(m) => return Err(RunError::Unresolvable(m.clone())),
                }
            }
            Op::IntoUnion(b, op) => {
                binary::put_long(out, i64::from(*b));
                return self.op(op, r, out);
            }
        }
        Ok(None)
    }

    /// Writer blocks become reader blocks of the same counts, so nothing is buffered.
    fn blocks(&mut self, item: &Op, is_map: bool, r: &mut Reader<'_>, out: &mut Vec<u8>) -> Step {
        self.enter(r)?;
        loop {
            let at = r.position();
            let mut n = r.long()?;
            if n == 0 {
                break;
            }
            if n < 0 {
                n = n.checked_neg().ok_or_else(|| bad_length(at, n))?;
                if r.long()? < 0 {
                    return Err(bad_length(at, -1).into());
                }
            }
            binary::put_long(out, n);
            for _ in 0..n {
                let before = r.position();
                if is_map {
                    binary::put_bytes(out, r.bytes()?);
                }
                if let Some(et) = self.op(item, r, out)? {
                    return Ok(Some(et));
                }
                if r.position() == before && n as u64 > r.len() as u64 {
                    return Err(DecodeError {
                        offset: at,
                        kind: binary::DecodeErrorKind::LengthBeyondInput {
                            length: n as u64,
                            remaining: r.remaining(),
                        },
                    }
                    .into());
                }
            }
        }
        binary::end_blocks(out);
        self.depth -= 1;
        Ok(None)
    }

    fn enter(&mut self, r: &Reader<'_>) -> Result<(), RunError> {
        if self.depth >= binary::MAX_DEPTH {
            return Err(r.error(binary::DecodeErrorKind::TooDeep).into());
        }
        self.depth += 1;
        Ok(())
    }

    fn record(&mut self, i: usize, r: &mut Reader<'_>, out: &mut Vec<u8>) -> Step {
        self.enter(r)?;
        let step = self.fields(i, r, out);
        self.depth -= 1;
        step
    }

    fn fields(&mut self, i: usize, r: &mut Reader<'_>, out: &mut Vec<u8>) -> Step {
        let plan = &self.p.records[i];
        if plan.in_order {
            for (op, target) in &plan.writer {
                let start = out.len();
                if let Some(et) = self.op(op, r, out)? {
                    return Ok(Some(et));
                }
                if target.is_none() {
                    out.truncate(start);
                }
            }
            return Ok(None);
        }
        // Transcode in writer order, remembering where each reader field's bytes are, then
        // emit them in reader order with the defaults in between.
        let base = out.len();
        let mark = self.ranges.len();
        self.ranges
            .extend(std::iter::repeat_n((0, 0), plan.defaults.len()));
        for (op, target) in &plan.writer {
            let start = out.len();
            if let Some(et) = self.op(op, r, out)? {
                self.ranges.truncate(mark);
                return Ok(Some(et));
            }
            match target {
                Some(j) => self.ranges[mark + j] = (start - base, out.len() - base),
                None => out.truncate(start),
            }
        }
        let mut tail = std::mem::take(self.scratch);
        tail.clear();
        tail.extend_from_slice(&out[base..]);
        out.truncate(base);
        for (j, d) in plan.defaults.iter().enumerate() {
            match d {
                Some(bytes) => out.extend_from_slice(bytes),
                None => {
                    let (a, b) = self.ranges[mark + j];
                    out.extend_from_slice(&tail[a..b]);
                }
            }
        }
        self.ranges.truncate(mark);
        *self.scratch = tail;
        Ok(None)
    }
}

fn bad_length(offset: usize, n: i64) -> DecodeError {
    DecodeError {
        offset,
        kind: binary::DecodeErrorKind::NegativeLength(n),
    }
}

/// Transcodes a datum into the reader's layout (what [`with_transcoded`] hands on).
pub fn transcode(p: &Program, datum: &[u8]) -> Result<Outcome<Vec<u8>>, RunError> {
    with_transcoded(p, datum, <[u8]>::to_vec)
}
