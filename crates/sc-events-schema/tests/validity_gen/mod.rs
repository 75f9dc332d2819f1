//! JSON for the validity differential, built by hand rather than with `serde_json::Value`: number
//! literals exactly as written (`1.0`, `-0`, `1e400`, 30-digit integers), duplicate keys, escapes
//! a Rust string cannot hold (lone surrogates), and an emitter that writes odd whitespace and
//! comments. The schema generator is in [`schemas`].

mod pools;
pub mod schemas;
mod values;
mod variants;

/// xorshift64*: small, fast, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        r.next();
        r
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A JSON value as it will be written.
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    /// A number literal, verbatim.
    Num(String),
    Str(String),
    /// A string whose body (between the quotes) is written verbatim: `\ud800`, `\u0041`.
    Raw(String),
    Arr(Vec<J>),
    /// Members in order; a key may repeat (Jackson keeps the last).
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn s(s: impl AsRef<str>) -> J {
        J::Str(s.as_ref().to_string())
    }
    pub fn n(n: impl std::fmt::Display) -> J {
        J::Num(n.to_string())
    }
    pub fn obj(members: Vec<(&str, J)>) -> J {
        J::Obj(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
    /// Sets `key` (the last occurrence, or a new member at the end).
    pub fn set(&mut self, key: &str, v: J) {
        if let J::Obj(ms) = self {
            match ms.iter_mut().rev().find(|(k, _)| k == key) {
                Some(m) => m.1 = v,
                None => ms.push((key.to_string(), v)),
            }
        }
    }
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(ms) => ms.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut J> {
        match self {
            J::Obj(ms) => ms.iter_mut().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn remove(&mut self, key: &str) {
        if let J::Obj(ms) = self {
            ms.retain(|(k, _)| k != key);
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// How the emitter lays a document out.
#[derive(Clone, Copy, PartialEq)]
pub enum Layout {
    Compact,
    Spaced,
    /// Tabs, CRLF, `/* */` and `//` comments between tokens; some characters as `\u` escapes.
    Odd,
}

pub struct Emitter<'r> {
    pub rng: &'r mut Rng,
    pub layout: Layout,
    /// Percent chance (per token gap, odd layout) of a comment Jackson may refuse.
    pub rare: u64,
    pub out: String,
}

impl Emitter<'_> {
    fn ws(&mut self) {
        match self.layout {
            Layout::Compact => {}
            Layout::Spaced => self.out.push(' '),
            Layout::Odd => {
                const WS: [&str; 10] = [
                    "", " ", "\t", "\n", "\r\n", "  \t", "/* c */", "// c\n", "/**/", "\r",
                ];
                // Rarer: a `//` comment ended by CR, control characters inside comments.
                const RARE: [&str; 5] =
                    ["// c\r", "/* \u{1} */", "// \u{7}\n", "/* \t */", "/*/ */"];
                let w = if self.rng.chance(self.rare) {
                    *self.rng.pick(&RARE)
                } else {
                    *self.rng.pick(&WS)
                };
                self.out.push_str(w);
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                c if self.layout == Layout::Odd && self.rng.chance(10) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        self.out.push_str(&format!("\\u{u:04X}"));
                    }
                }
                '/' if self.layout == Layout::Odd && self.rng.chance(50) => {
                    self.out.push_str("\\/")
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    pub fn value(&mut self, j: &J) {
        match j {
            J::Null => self.out.push_str("null"),
            J::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            J::Num(n) => self.out.push_str(n),
            J::Str(s) => self.string(s),
            J::Raw(r) => {
                self.out.push('"');
                self.out.push_str(r);
                self.out.push('"');
            }
            J::Arr(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.ws();
                    self.value(item);
                }
                self.ws();
                self.out.push(']');
            }
            J::Obj(members) => {
                self.out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.ws();
                    self.string(k);
                    self.ws();
                    self.out.push(':');
                    self.ws();
                    self.value(v);
                }
                self.ws();
                self.out.push('}');
            }
        }
    }
}

/// Writes a document with the given layout.
pub fn emit(j: &J, rng: &mut Rng, layout: Layout) -> String {
    let rare = if rng.chance(25) { 1 } else { 0 };
    let mut e = Emitter {
        rng,
        layout,
        rare,
        out: String::new(),
    };
    e.value(j);
    e.out
}
