//! Java's `Double.parseDouble`, which Avro applies to a float or double field's default given
//! as a string: which strings it accepts ([`java_parses_double`]) and their value
//! ([`java_double`], which decides whether two such defaults are equal in a redefinition).

/// Java's `String.trim`: every char up to U+0020 goes from both ends.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn all_digits(t: &str, hex: bool) -> bool {
    t.chars().all(|c| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    })
}

/// Whether Java's `Double.parseDouble` accepts `s`.
pub(super) fn java_parses_double(s: &str) -> bool {
    let s = trim(s);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "NaN" || s == "Infinity" {
        return true;
    }
    let s = s.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(s);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let Some((mant, exp)) = h.split_once(['p', 'P']) else {
            return false;
        };
        let (a, b) = mant.split_once('.').unwrap_or((mant, ""));
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        return !(a.is_empty() && b.is_empty())
            && all_digits(a, true)
            && all_digits(b, true)
            && !exp.is_empty()
            && all_digits(exp, false);
    }
    let (mant, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (s, None),
    };
    let (a, b) = mant.split_once('.').unwrap_or((mant, ""));
    !(a.is_empty() && b.is_empty())
        && all_digits(a, false)
        && all_digits(b, false)
        && exp.is_none_or(|e| !e.is_empty() && all_digits(e, false))
}

/// Java's `Double.parseDouble` value of a string it accepts (0.0 for one it refuses).
pub(super) fn java_double(s: &str) -> f64 {
    let t = trim(s);
    let negative = t.starts_with('-');
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let magnitude = match unsigned {
        "NaN" => return f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => {
            let body = unsigned
                .strip_suffix(['f', 'F', 'd', 'D'])
                .unwrap_or(unsigned);
            match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                Some(hex) => hex_double(hex).unwrap_or(0.0),
                None => body.parse().unwrap_or(0.0),
            }
        }
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// The value of a hexadecimal float after its `0x` (`1.8p3`): the significant bits are kept
/// in a `u128` (120 bits, with a sticky bit for what is cut), converted with one rounding.
fn hex_double(hex: &str) -> Option<f64> {
    let (mant, exp) = hex.split_once(['p', 'P'])?;
    let mut exp: i64 = exp.parse::<i64>().ok().unwrap_or_else(|| {
        // An exponent too long for i64 overflows to a huge one, in its direction.
        if exp.starts_with('-') {
            i64::MIN / 4
        } else {
            i64::MAX / 4
        }
    });
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut m: u128 = 0;
    let mut kept = 0;
    let mut sticky = false;
    let digits = int
        .chars()
        .map(|c| (c, false))
        .chain(frac.chars().map(|c| (c, true)));
    for (c, fractional) in digits {
        let d = c.to_digit(16)?;
        if m == 0 && d == 0 {
            if fractional {
                exp = exp.saturating_sub(4);
            }
            continue;
        }
        if kept < 30 {
            m = (m << 4) | u128::from(d);
            kept += 1;
            if fractional {
                exp = exp.saturating_sub(4);
            }
        } else {
            sticky |= d != 0;
            if !fractional {
                exp = exp.saturating_add(4);
            }
        }
    }
    if m == 0 {
        return Some(0.0);
    }
    if sticky {
        m |= 1;
    }
    // m * 2^exp, scaled in steps that stay finite until the end.
    let mut v = m as f64;
    let mut e = exp.clamp(-4000, 4000) as i32;
    while e > 0 {
        let step = e.min(1000);
        v *= 2f64.powi(step);
        e -= step;
    }
    while e < 0 {
        let step = e.max(-1000);
        v *= 2f64.powi(step);
        e -= step;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_double_like_java() {
        for ok in [
            "1",
            " 1.5 ",
            "+.5",
            "1.",
            "1e5",
            "-1E-5d",
            "NaN",
            "-Infinity",
            "0x1p3",
            "0X1.8P-1f",
        ] {
            assert!(java_parses_double(ok), "{ok}");
        }
        for bad in ["inf", "nan", "1e", "", ".", "0x1", "NaNd", "1_0", "١"] {
            assert!(!java_parses_double(bad), "{bad}");
        }
        assert_eq!(java_double("0x1p3"), 8.0);
        assert_eq!(java_double("0x1.8p1"), 3.0);
        assert_eq!(java_double("-0x.8p-1"), -0.25);
        assert_eq!(java_double("0x1p-1074"), f64::from_bits(1));
        assert_eq!(java_double("0x1p1024"), f64::INFINITY);
        assert_eq!(java_double(" 1.5f "), 1.5);
        assert_eq!(java_double("-Infinity"), f64::NEG_INFINITY);
        assert!(java_double("+NaN").is_nan());
    }
}
