//! The UTF-8 check of every string a datum carries. Most of an event's strings are ASCII (ids,
//! codes, names, event types), and std's validator spends about a hundred instructions on a
//! short one; [`text`] recognises ASCII a word at a time and leaves every other input, and
//! every error with its position, to std. The tests check it against std for every length up
//! to 80 and every single-byte corruption.

/// Every byte of a word with its high bit set.
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// `b` as text, exactly as `std::str::from_utf8` reads it.
#[inline]
pub fn text(b: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if ascii(b) {
        // SAFETY: every byte of `b` is below 0x80, so `b` is ASCII, which is valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(b) });
    }
    std::str::from_utf8(b)
}

/// Whether every byte is below 0x80: up to 32 bytes as overlapping words, longer through std.
#[inline(always)]
fn ascii(b: &[u8]) -> bool {
    let n = b.len();
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let half = |at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u64::from(u32::from_ne_bytes(w))
    };
    match n {
        0..=3 => b.iter().fold(0, |acc, c| acc | c) < 0x80,
        4..=7 => (half(0) | half(n - 4)) & HIGH == 0,
        8..=16 => (word(0) | word(n - 8)) & HIGH == 0,
        17..=32 => (word(0) | word(8) | word(n - 16) | word(n - 8)) & HIGH == 0,
        _ => b.is_ascii(),
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    fn agrees(b: &[u8]) {
        match (text(b), std::str::from_utf8(b)) {
            (Ok(a), Ok(s)) => assert_eq!(a, s),
            (Err(a), Err(s)) => assert_eq!(a, s, "{b:?}"),
            (a, s) => panic!("{b:?}: {a:?} but std says {s:?}"),
        }
    }

    #[test]
    fn reads_every_input_as_std_does() {
        for n in 0..=80usize {
            let ascii: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            agrees(&ascii);
            for pos in 0..n {
                for b in [0x00, 0x7f, 0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff] {
                    let mut t = ascii.clone();
                    t[pos] = b;
                    agrees(&t);
                }
                // A valid two-byte character ending at every position.
                if pos + 1 < n {
                    let mut t = ascii.clone();
                    t[pos..pos + 2].copy_from_slice("é".as_bytes());
                    agrees(&t);
                }
            }
        }
    }
}
