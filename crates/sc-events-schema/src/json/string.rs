//! JSON strings as Jackson reads them: escapes, surrogate pairs, lone surrogates kept
//! distinct, lengths counted in UTF-16 units.

use super::{JsonError, Parser};

/// Where a lone surrogate (`\ud800` not followed by a low surrogate escape, or a lone
/// `\udc00`) goes: Java keeps it as one UTF-16 unit, a Rust string cannot, so each of the
/// 2,048 surrogates stands for a distinct character of plane 16 (U+10F800 + offset), which
/// keeps strings that differ only there different, and which no name accepts (Java: a
/// surrogate is no letter).
pub(super) const LONE_SURROGATES: u32 = 0x10_F800;

/// The character of a `\u` escape that is not part of a surrogate pair.
fn unit_char(unit: u32) -> char {
    let code = match unit {
        0xD800..=0xDFFF => LONE_SURROGATES + (unit - 0xD800),
        _ => unit,
    };
    char::from_u32(code).unwrap_or('\u{FFFD}')
}

/// A string's length as Jackson counts it: UTF-16 units (a lone surrogate is one).
pub(super) fn utf16_len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if u32::from(c) >= LONE_SURROGATES {
                1
            } else {
                c.len_utf16()
            }
        })
        .sum()
}

/// The length of the longest prefix of `bytes` with no `"`, no `\\` and no control
/// character: eight bytes at a time (the lowest flagged byte of a word is exact: a borrow
/// only flags bytes above a true match), then byte by byte.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let mut at = 0;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let found = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + words
        .remainder()
        .iter()
        .position(|&b| special(b))
        .unwrap_or(words.remainder().len())
}

impl Parser<'_> {
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(h)
    }

    pub(super) fn string(&mut self) -> Result<String, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            self.pos += plain_run(self.bytes.get(self.pos..).unwrap_or_default());
            let run = &self.text[run_start..self.pos];
            match self.peek() {
                None => {
                    self.pos = open;
                    return Err(self.err("unterminated string"));
                }
                // Most strings have no escape: one exact allocation.
                Some(b'"') if out.is_empty() => {
                    self.pos += 1;
                    return Ok(run.to_string());
                }
                Some(b'"') => {
                    out.push_str(run);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(run);
                    self.pos += 1;
                    let c = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
                    self.pos += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            // A pair only when a low surrogate escape follows.
                            let lo = self
                                .text
                                .get(self.pos..self.pos + 6)
                                .and_then(|t| t.strip_prefix("\\u"))
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .filter(|lo| (0xDC00..0xE000).contains(lo));
                            match (hi, lo) {
                                (0xD800..=0xDBFF, Some(lo)) => {
                                    self.pos += 6;
                                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                                }
                                _ => out.push(unit_char(hi)),
                            }
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain_run;

    #[test]
    fn a_plain_run_stops_at_the_first_quote_backslash_or_control_character() {
        // Every length and position, each stop byte, next to bytes that must not stop it
        // (0x20, 0x7f, UTF-8 continuation bytes, and a stop byte's neighbours).
        for len in 0..20 {
            for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for at in 0..=len {
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| [b' ', 0x7f, 0xc3, 0xa9, b'!', b'#', b'[', b']'][i % 8])
                        .collect();
                    if at < len {
                        bytes[at] = stop;
                    }
                    let want = bytes
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                        .unwrap_or(len);
                    assert_eq!(plain_run(&bytes), want, "{bytes:?}");
                }
            }
        }
        // A control byte above a quote in the same word: the first one counts.
        assert_eq!(plain_run(b"ab\"c\x01defgh"), 2);
        assert_eq!(plain_run(b"ab\x01c\"defgh"), 2);
    }
}
