//! Avro binary primitives: zigzag varints, lengths, strings, blocks, and a bounds-checked
//! [`Reader`] whose every error carries the byte offset where the input went wrong.
//!
//! The generated encoders and decoders (one per record, enum and union, written by build.rs)
//! are straight-line calls into these functions, so a value is written with no `Value` tree,
//! no serde visitor and, into a reused buffer, no allocation.

use std::fmt;

mod utf8;
pub mod uuid_text;

/// Why bytes are not a valid Avro datum of the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ends inside a value.
    Truncated,
    /// A varint longer than 10 bytes, or an int outside i32.
    VarintOverflow,
    /// A string, bytes or block length below zero.
    NegativeLength(i64),
    /// A length beyond the bytes that remain.
    LengthBeyondInput {
        length: u64,
        remaining: usize,
    },
    InvalidUtf8,
    InvalidUuid,
    InvalidBoolean(u8),
    /// A union branch index outside the union.
    InvalidUnionIndex {
        index: i64,
        branches: usize,
    },
    /// An enum symbol index outside the enum.
    InvalidEnumIndex {
        index: i32,
        symbols: usize,
    },
    /// Bytes left after the datum.
    TrailingBytes(usize),
    /// Nesting deeper than the reader allows.
    TooDeep,
    /// A timestamp outside the range of `chrono::DateTime`.
    TimestampOutOfRange(i64),
}

/// A decoding failure at a byte offset of the input (offsets count from the start of the
/// Avro datum; the framed decoders add the 5 header bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        write!(f, "at byte {}: ", self.offset)?;
        match &self.kind {
            Truncated => f.write_str("the input ends inside a value"),
            VarintOverflow => f.write_str("varint overflow"),
            NegativeLength(n) => write!(f, "negative length {n}"),
            LengthBeyondInput { length, remaining } => {
                write!(
                    f,
                    "length {length} is beyond the {remaining} bytes that remain"
                )
            }
            InvalidUtf8 => f.write_str("string is not valid UTF-8"),
            InvalidUuid => f.write_str("uuid string is not a UUID"),
            InvalidBoolean(b) => write!(f, "boolean byte {b} is neither 0 nor 1"),
            InvalidUnionIndex { index, branches } => {
                write!(
                    f,
                    "union index {index} outside a union of {branches} branches"
                )
            }
            InvalidEnumIndex { index, symbols } => {
                write!(f, "enum index {index} outside an enum of {symbols} symbols")
            }
            TrailingBytes(n) => write!(f, "{n} bytes left after the value"),
            TooDeep => f.write_str("nesting too deep"),
            TimestampOutOfRange(v) => write!(f, "timestamp {v} is outside the representable range"),
        }
    }
}

impl std::error::Error for DecodeError {}

#[inline]
pub fn put_long(w: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        w.push((n as u8) | 0x80);
        n >>= 7;
    }
    w.push(n as u8);
}

#[inline]
pub fn put_int(w: &mut Vec<u8>, v: i32) {
    put_long(w, i64::from(v));
}

#[inline]
pub fn put_bool(w: &mut Vec<u8>, v: bool) {
    w.push(u8::from(v));
}

#[inline]
pub fn put_float(w: &mut Vec<u8>, v: f32) {
    w.extend_from_slice(&v.to_le_bytes());
}

#[inline]
pub fn put_double(w: &mut Vec<u8>, v: f64) {
    w.extend_from_slice(&v.to_le_bytes());
}

#[inline]
pub fn put_bytes(w: &mut Vec<u8>, v: &[u8]) {
    put_long(w, v.len() as i64);
    w.extend_from_slice(v);
}

#[inline]
pub fn put_str(w: &mut Vec<u8>, v: &str) {
    put_bytes(w, v.as_bytes());
}

/// A UUID as Avro writes the `uuid` logical type: its 36-character lower-case string.
#[inline(always)]
pub fn put_uuid(w: &mut Vec<u8>, v: &uuid::Uuid) {
    w.reserve(37);
    // The length, 36, as a zigzag varint: one byte.
    w.push(72);
    w.extend_from_slice(&uuid_text::format(v.as_bytes()));
}

/// A `timestamp-millis` instant (sub-millisecond precision is dropped).
#[inline]
pub fn put_timestamp_millis(w: &mut Vec<u8>, v: &chrono::DateTime<chrono::Utc>) {
    put_long(w, v.timestamp_millis());
}

/// A `timestamp-micros` instant.
#[inline]
pub fn put_timestamp_micros(w: &mut Vec<u8>, v: &chrono::DateTime<chrono::Utc>) {
    put_long(w, v.timestamp_micros());
}

/// The count of a non-empty array or map block (the items follow, then [`end_blocks`]).
#[inline]
pub fn put_block_count(w: &mut Vec<u8>, n: usize) {
    if n > 0 {
        put_long(w, n as i64);
    }
}

/// Ends an array or map.
#[inline]
pub fn end_blocks(w: &mut Vec<u8>) {
    w.push(0);
}

/// An error, built off the hot path.
#[cold]
#[inline(never)]
fn cold(offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { offset, kind }
}

/// The deepest nesting of arrays, maps and records a [`Reader`] follows.
pub const MAX_DEPTH: usize = 256;

/// A cursor over an Avro datum.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            depth: 0,
        }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset: self.pos,
            kind,
        }
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(DecodeErrorKind::TrailingBytes(n))),
        }
    }

    #[inline]
    pub fn long(&mut self) -> Result<i64, DecodeError> {
        // Lengths, counts, indexes and small numbers fit one byte.
        if let Some(&b) = self.buf.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(((b >> 1) as i64) ^ -((b & 1) as i64));
            }
        }
        self.long_slow()
    }

    fn long_slow(&mut self) -> Result<i64, DecodeError> {
        let mut n: u64 = 0;
        let mut shift = 0;
        let start = self.pos;
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(cold(start, DecodeErrorKind::Truncated));
            };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(cold(start, DecodeErrorKind::VarintOverflow));
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
            shift += 7;
        }
    }

    #[inline]
    pub fn int(&mut self) -> Result<i32, DecodeError> {
        let start = self.pos;
        let v = self.long()?;
        i32::try_from(v).map_err(|_| DecodeError {
            offset: start,
            kind: DecodeErrorKind::VarintOverflow,
        })
    }

    #[inline]
    pub fn boolean(&mut self) -> Result<bool, DecodeError> {
        match self.buf.get(self.pos) {
            Some(0) => {
                self.pos += 1;
                Ok(false)
            }
            Some(1) => {
                self.pos += 1;
                Ok(true)
            }
            Some(&b) => Err(self.error(DecodeErrorKind::InvalidBoolean(b))),
            None => Err(self.error(DecodeErrorKind::Truncated)),
        }
    }

    #[inline]
    fn fixed_bytes<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self
            .buf
            .get(self.pos..self.pos + N)
            .ok_or_else(|| self.error(DecodeErrorKind::Truncated))?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        self.pos += N;
        Ok(out)
    }

    #[inline]
    pub fn float(&mut self) -> Result<f32, DecodeError> {
        Ok(f32::from_le_bytes(self.fixed_bytes::<4>()?))
    }

    #[inline]
    pub fn double(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_le_bytes(self.fixed_bytes::<8>()?))
    }

    /// `n` raw bytes (a `fixed`).
    #[inline]
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        self.fixed_bytes::<N>()
    }

    /// A length-prefixed byte run, borrowed from the input; the length is checked against
    /// what remains before anything is touched.
    #[inline]
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let len = self.long()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|n| self.pos.checked_add(n));
        match end.and_then(|end| self.buf.get(self.pos..end).map(|s| (s, end))) {
            Some((s, end)) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(self.bad_length(start, len)),
        }
    }

    #[cold]
    #[inline(never)]
    fn bad_length(&self, start: usize, len: i64) -> DecodeError {
        let kind = match len {
            ..0 => DecodeErrorKind::NegativeLength(len),
            _ => DecodeErrorKind::LengthBeyondInput {
                length: len as u64,
                remaining: self.remaining(),
            },
        };
        cold(start, kind)
    }

    /// A string borrowed from the input.
    #[inline]
    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let start = self.pos;
        let b = self.bytes()?;
        utf8::text(b).map_err(|e| DecodeError {
            offset: start + (self.pos - start - b.len()) + e.valid_up_to(),
            kind: DecodeErrorKind::InvalidUtf8,
        })
    }

    #[inline]
    pub fn string(&mut self) -> Result<String, DecodeError> {
        self.str().map(str::to_owned)
    }

    #[inline]
    pub fn uuid(&mut self) -> Result<uuid::Uuid, DecodeError> {
        let start = self.pos;
        let s = self.bytes()?;
        uuid_text::parse(s).ok_or(DecodeError {
            offset: start,
            kind: DecodeErrorKind::InvalidUuid,
        })
    }

    /// A `timestamp-millis` instant; one outside chrono's range is an error.
    #[inline]
    pub fn timestamp_millis(&mut self) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
        let start = self.pos;
        let v = self.long()?;
        chrono::DateTime::from_timestamp_millis(v).ok_or(DecodeError {
            offset: start,
            kind: DecodeErrorKind::TimestampOutOfRange(v),
        })
    }

    /// A `timestamp-micros` instant.
    #[inline]
    pub fn timestamp_micros(&mut self) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
        let start = self.pos;
        let v = self.long()?;
        chrono::DateTime::from_timestamp_micros(v).ok_or(DecodeError {
            offset: start,
            kind: DecodeErrorKind::TimestampOutOfRange(v),
        })
    }

    /// A union branch index, checked against the number of branches.
    #[inline]
    pub fn union_index(&mut self, branches: usize) -> Result<usize, DecodeError> {
        let start = self.pos;
        let i = self.long()?;
        if i < 0 || i as u64 >= branches as u64 {
            return Err(DecodeError {
                offset: start,
                kind: DecodeErrorKind::InvalidUnionIndex { index: i, branches },
            });
        }
        Ok(i as usize)
    }

    /// An enum symbol index, checked against the number of symbols.
    #[inline]
    pub fn enum_index(&mut self, symbols: usize) -> Result<usize, DecodeError> {
        let start = self.pos;
        let i = self.int()?;
        if i < 0 || i as u64 >= symbols as u64 {
            return Err(DecodeError {
                offset: start,
                kind: DecodeErrorKind::InvalidEnumIndex { index: i, symbols },
            });
        }
        Ok(i as usize)
    }

    /// Reads the blocks of an array or map, calling `item` once per item. A negative count is
    /// followed by the block's byte size (Avro's skippable blocks). Counts are not trusted for
    /// allocation: callers grow their collections item by item.
    pub fn blocks(
        &mut self,
        item: impl FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.blocks_of(item)
    }

    /// [`Reader::blocks`] for items failing with any error a [`DecodeError`] converts into.
    pub fn blocks_of<E: From<DecodeError>>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(DecodeErrorKind::TooDeep).into());
        }
        self.depth += 1;
        loop {
            let start = self.pos;
            let mut n = self.long()?;
            if n == 0 {
                break;
            }
            if n < 0 {
                n = n.checked_neg().ok_or(DecodeError {
                    offset: start,
                    kind: DecodeErrorKind::NegativeLength(n),
                })?;
                let size = self.long()?;
                if size < 0 {
                    return Err(DecodeError {
                        offset: start,
                        kind: DecodeErrorKind::NegativeLength(size),
                    }
                    .into());
                }
            }
            for _ in 0..n {
                // An item that reads bytes runs out of input after at most its length; an item
                // of no bytes (a null) may not repeat more often than the input is long, so a
                // hostile count costs no more than the input's size.
                let before = self.pos;
                item(self)?;
                if self.pos == before && n as u64 > self.buf.len() as u64 {
                    return Err(DecodeError {
                        offset: start,
                        kind: DecodeErrorKind::LengthBeyondInput {
                            length: n as u64,
                            remaining: self.remaining(),
                        },
                    }
                    .into());
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// The input's length.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// `n` raw bytes, borrowed.
    #[inline]
    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let s = self
            .buf
            .get(self.pos..self.pos.saturating_add(n))
            .ok_or_else(|| self.error(DecodeErrorKind::Truncated))?;
        self.pos += n;
        Ok(s)
    }

    /// Enters a nested record: recursive schemas cannot recurse deeper than [`MAX_DEPTH`].
    #[inline]
    pub fn enter(&mut self) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(DecodeErrorKind::TooDeep));
        }
        self.depth += 1;
        Ok(())
    }

    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips a length-prefixed value (bytes or string).
    pub fn skip_bytes(&mut self) -> Result<(), DecodeError> {
        self.bytes().map(|_| ())
    }

    /// Skips `n` raw bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        if n > self.remaining() {
            return Err(self.error(DecodeErrorKind::Truncated));
        }
        self.pos += n;
        Ok(())
    }
}

/// Decodes `T` from exactly `bytes` (no trailing bytes).
pub fn from_slice<'a, T: crate::wire::Decode<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    let mut r = Reader::new(bytes);
    let v = T::decode(&mut r)?;
    r.finish()?;
    Ok(v)
}

#[cfg(test)]
mod tests;
