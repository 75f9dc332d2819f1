//! The `uuid` logical type's text, both ways without a per-character branch: Avro writes a
//! UUID as its 36-character hyphenated string, and both directions are on every envelope's hot
//! path.
//!
//! [`format`] writes each byte's two digits from a 256-entry table; [`parse`] works on `u64`
//! words (SWAR: each byte of a word is one character), with no table; both in safe, portable
//! code. They agree with the `uuid` crate exactly: [`format`] writes what
//! `Uuid::hyphenated().encode_lower` writes, and [`parse`] returns what `Uuid::try_parse_ascii` returns for every input (its fast path
//! takes the well-formed hyphenated form, upper or lower case; every other input — the simple,
//! braced and URN forms, and every malformed one — goes to the `uuid` crate). The tests check
//! both against the crate, for every single-byte corruption of every position.

/// Every byte of a word set to `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = splat(0x80);
const LOW_NIBBLE: u64 = splat(0x0f);

/// Every byte's two lower-case hex digits, high nibble first.
const DIGIT_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    t
};

/// Where each of the 16 bytes' digit pair starts in the 8-4-4-4-12 text.
const PAIR_AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// The 36-character lower-case hyphenated text of a UUID's 16 bytes: one table load and one
/// two-byte store per byte, all independent (measured faster than both a SWAR formatter and
/// the `uuid` crate's `encode_lower`).
#[inline]
pub fn format(bytes: &[u8; 16]) -> [u8; 36] {
    let mut out = [b'-'; 36];
    for (b, at) in bytes.iter().zip(PAIR_AT) {
        out[at..at + 2].copy_from_slice(&DIGIT_PAIRS[usize::from(*b)]);
    }
    out
}

/// Eight hex digits (either case) into their four bytes, or `None` if any is not a hex digit.
#[inline(always)]
fn unhex8(chars: u64) -> Option<[u8; 4]> {
    // Range checks by the high bit of each byte, for bytes below 0x80 (no carry between bytes).
    let ascii = chars & HIGH == 0;
    let digit =
        chars.wrapping_add(splat(0x80 - b'0')) & !chars.wrapping_add(splat(0x80 - b'9' - 1));
    let lower = chars | splat(0x20);
    let alpha =
        lower.wrapping_add(splat(0x80 - b'a')) & !lower.wrapping_add(splat(0x80 - b'f' - 1));
    if !ascii || (digit | alpha) & HIGH != HIGH {
        return None;
    }
    // A digit's value is its low nibble; a letter's is its low nibble plus 9.
    let nibbles = (chars & LOW_NIBBLE) + ((alpha & HIGH) >> 7) * 9;
    // Byte 2j: the high nibble of output byte j; byte 2j+1: its low nibble.
    let x = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff_00ff_00ff_00ff;
    let x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
    let x = (x | (x >> 16)) & 0x0000_0000_ffff_ffff;
    Some((x as u32).to_le_bytes())
}

/// The hyphenated form's fast path: 8-4-4-4-12 hex digits of either case, or `None`.
#[inline]
fn parse_hyphenated(s: &[u8; 36]) -> Option<[u8; 16]> {
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    let word = |a: usize, b: usize| {
        let mut w = [0u8; 8];
        w[..4].copy_from_slice(&s[a..a + 4]);
        w[4..].copy_from_slice(&s[b..b + 4]);
        u64::from_le_bytes(w)
    };
    let parts = [word(0, 4), word(9, 14), word(19, 24), word(28, 32)];
    let mut out = [0u8; 16];
    for (i, part) in parts.into_iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&unhex8(part)?);
    }
    Some(out)
}

/// A UUID from its text, exactly as `uuid::Uuid::try_parse_ascii` reads it.
#[inline]
pub fn parse(s: &[u8]) -> Option<uuid::Uuid> {
    if let Ok(text) = <&[u8; 36]>::try_from(s) {
        if let Some(bytes) = parse_hyphenated(text) {
            return Some(uuid::Uuid::from_bytes(bytes));
        }
    }
    parse_other(s)
}

/// Every form but a well-formed hyphenated one, and every error: the `uuid` crate decides.
#[cold]
#[inline(never)]
fn parse_other(s: &[u8]) -> Option<uuid::Uuid> {
    uuid::Uuid::try_parse_ascii(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<uuid::Uuid> {
        let mut v = vec![
            uuid::Uuid::nil(),
            uuid::Uuid::max(),
            uuid::Uuid::from_bytes(
                *b"\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10",
            ),
        ];
        v.extend((0..200).map(|_| uuid::Uuid::new_v4()));
        v
    }

    #[test]
    fn formats_as_the_uuid_crate() {
        for u in samples() {
            let mut expected = [0u8; 36];
            u.hyphenated().encode_lower(&mut expected);
            assert_eq!(format(u.as_bytes()), expected, "{u}");
        }
    }

    #[test]
    fn parses_both_cases_and_every_other_form_as_the_uuid_crate() {
        for u in samples() {
            let lower = u.hyphenated().to_string();
            let upper = lower.to_uppercase();
            let forms = [
                lower.clone(),
                upper,
                u.simple().to_string(),
                u.braced().to_string(),
                u.urn().to_string(),
            ];
            for f in forms {
                assert_eq!(parse(f.as_bytes()), Some(u), "{f}");
            }
        }
    }

    #[test]
    fn every_single_byte_corruption_reads_as_the_uuid_crate_reads_it() {
        for u in samples().into_iter().take(8) {
            let text = u.hyphenated().to_string().into_bytes();
            for pos in 0..text.len() {
                for b in 0..=255u8 {
                    let mut t = text.clone();
                    t[pos] = b;
                    assert_eq!(
                        parse(&t),
                        uuid::Uuid::try_parse_ascii(&t).ok(),
                        "byte {b:#04x} at {pos} of {u}"
                    );
                }
            }
        }
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let text = uuid::Uuid::new_v4().hyphenated().to_string();
        for n in 0..text.len() {
            assert_eq!(parse(&text.as_bytes()[..n]), None);
        }
        assert_eq!(parse(format!("{text}0").as_bytes()), None);
    }
}
