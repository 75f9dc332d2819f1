//! What the generator picks from: names, namespaces, symbols, orders, number literals, sizes.
//! The `ODD_*` pools (and the second half of some others) are for odd choices.

/// Names Java may or may not accept: Unicode letters of every category, marks, digits,
/// formatting characters, characters outside the BMP, dots, keywords, primitives.
#[rustfmt::skip]
pub const ODD_NAMES: &[&str] = &[
    "", "1a", "a-b", "a b", "a.", ".R", "a..b", "x.y.Z", "é", "名前", "a\u{301}", "\u{301}a",
    "\u{1c5}x", "ʰx", "ªx", "Ⅻ", "x٣", "٣x", "𝐀", "x𝐀", "_", "__x", "int", "null", "string",
    "record", "array", "enum", "fixed", "map", "error", "union", "true", "type", "a$b", "ﬀ",
    "Ωmega", "x\u{200b}", "x\u{30fc}", "\u{ff21}", "x\u{ff10}", "\u{2160}", "ß", "ǈ", "\u{e01}",
    "x\u{e31}", "x\u{e50}", "\u{3005}", "x\u{1e950}", "\u{10400}", "A\u{fe0f}", "x\u{0}",
    "a\u{2028}", "\u{1100}", "x\u{2d6f}", "x\u{a8fb}", " a", "a ", "ı", "ĳ", "\u{1d00}",
    "x\u{37a}", "\u{2c2f}", "x\u{8c8}", "\u{9ffd}", "x\u{1dfa}",
];

/// Escapes that denote names: lone surrogates, escaped pairs, escaped ASCII and marks.
#[rustfmt::skip]
pub const RAW_NAMES: &[&str] = &[
    "a\\ud800b", "\\udc00", "\\ud835\\udc00", "\\u0041b", "x\\u0301", "\\ud800\\u0041",
    "\\u00e9t\\u00e9",
];

#[rustfmt::skip]
pub const NAMESPACES: &[&str] = &["ns", "a.b", "com.example.v1", "n", "é.ü", "名前.x", "_._", "a.int"];

#[rustfmt::skip]
pub const ODD_NAMESPACES: &[&str] = &[
    "", "1a", "a..b", "a.", ".a", "a.1b", "a.b-c", "int", "a.b.c", "x\u{301}.y", "𝐀.b",
    "a.\u{2160}", ".", "..", "a. b", "a.b.", "ü..x",
];

#[rustfmt::skip]
pub const SYMBOLS: &[&str] = &["A", "B", "C", "D", "_E", "ä", "Ü1", "Σ", "F"];

#[rustfmt::skip]
pub const ODD_SYMBOLS: &[&str] = &[
    "", "1", "A-B", "A.B", "a b", "\u{301}", "𝐀", "x\u{200b}", "int", "null", "_", "ǅ",
];

/// `order` values Java accepts (`valueOf(toUpperCase(Locale.ENGLISH))`), tricky ones included.
#[rustfmt::skip]
pub const ORDERS: &[&str] = &[
    "ascending", "descending", "ignore", "ASCENDING", "Descending", "IGNORE", "ıgnore",
    "deſcending",
];

#[rustfmt::skip]
pub const ODD_ORDERS: &[&str] = &[
    "ignoré", "", "asc", "none", " ignore", "ascending\u{0}", "ASCENDİNG", "ascending ",
    "ａscending",
];

#[rustfmt::skip]
pub const INTS: &[&str] = &["0", "-0", "1", "-1", "2147483647", "-2147483648", "42"];

#[rustfmt::skip]
pub const ODD_INTS: &[&str] = &[
    "2147483648", "-2147483649", "1.0", "1e2", "0.5", "-0.0", "9223372036854775807",
    "9223372036854775808", "\"1\"",
];

#[rustfmt::skip]
pub const LONGS: &[&str] = &[
    "0", "7", "-1", "2147483648", "9223372036854775807", "-9223372036854775808", "-0",
];

#[rustfmt::skip]
pub const ODD_LONGS: &[&str] = &[
    "9223372036854775808", "-9223372036854775809", "1.5", "1E3",
    "123456789012345678901234567890", "\"5\"",
];

#[rustfmt::skip]
pub const FLOATS: &[&str] = &[
    "0", "1.5", "-0.0", "1e400", "1E-5", "3", "123456789012345678901234567890", "-1e-400",
    "0.1", "2.5e+3",
];

/// Strings Java's `Double.parseDouble` accepts.
#[rustfmt::skip]
pub const FLOAT_STRINGS: &[&str] = &[
    "NaN", "Infinity", "-Infinity", "+NaN", " 1.5 ", "0x1p3", "0x1.8p1", "0X1P-2", "1.5f",
    "1d", "2D", "+.5", "1.", ".5e1", "0x1p3f", "\t7\n", "1e+5", "1.5e3F", "+Infinity",
    "0x1.fffffffffffffp1023", "0x1p-1074", "4.9e-324", "1e-400", "0x.8p1",
];

#[rustfmt::skip]
pub const ODD_FLOAT_STRINGS: &[&str] = &[
    "inf", "nan", "1e", "", "1_0", "١", "0x1", "NaNd", "Infinityx", "--1", "0x.p1",
    "infinity", "0x1p", "1.5ff", "0x1g", "\u{a0}1",
];

/// Integers beyond `long` (and some at its edges), for custom properties.
#[rustfmt::skip]
pub const BIG_INTS: &[&str] = &[
    "123456789012345678901234567890", "-9223372036854775809", "9223372036854775808",
];

#[rustfmt::skip]
pub const EDGE_INTS: &[&str] = &["9223372036854775807", "-9223372036854775808", "2147483648"];

#[rustfmt::skip]
pub const ODD_SIZES: &[&str] = &[
    "0", "1", "-1", "2147483639", "2147483640", "2147483647", "3.0", "1e1", "\"4\"", "null",
    "-0", "99999999999", "4.5", "[4]", "true", "-2147483648", "2147483638",
];

#[rustfmt::skip]
pub const ATTR_KEYS: &[&str] = &[
    "x-owner", "pii", "event_type", "x", "connect.name", "java-class", "default", "order",
    "precision", "avro.java.string", "",
];

/// String bodies written verbatim: lone surrogates (distinct for Java), a surrogate before
/// another escape, a pair, and their raw equivalents.
#[rustfmt::skip]
pub const RAW_STRINGS: &[&str] = &[
    "\\ud800", "\\ud801", "\\udc00", "\\ud800\\u0041", "\\ud800A", "\\ud83d\\ude00", "😀",
    "\\u00e9", "é",
];
