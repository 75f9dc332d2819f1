//! The seeded generator of valid, invalid and odd single-file schemas for the validity
//! differential: names and namespaces (Unicode letters, combining marks, characters outside
//! the BMP, lone surrogates, digits, keywords, dots), defaults of every type, identical and
//! near-identical redefinitions, forward references, recursion with good and bad defaults,
//! fixed sizes, `order`, nested type objects, logical types with good and bad parameters,
//! aliases, docs, custom attributes (big integers included), duplicate fields, symbols and
//! keys, odd whitespace, comments, trailing text and Jackson's limits.
//!
//! Each case has an oddness (the percent chance that a decision goes the odd way); otherwise
//! choices are valid ones, so that most rejected cases are rejected for one or two reasons.

use super::pools::*;
use super::values::{duplicate_keys, limits};
use super::{emit, Layout, Rng, J};
use std::collections::BTreeSet;

/// One generated schema text and the categories it exercises.
pub struct Case {
    pub text: String,
    pub tags: BTreeSet<&'static str>,
}

/// What the generator knows of a type, to write defaults for it.
#[derive(Clone, Debug)]
pub(super) enum T {
    Null,
    Bool,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    Str,
    Arr(Box<T>),
    Map(Box<T>),
    Union(Vec<T>),
    Named(String),
    Any,
}

#[derive(Clone)]
pub(super) enum Body {
    Record(Vec<(String, T, bool)>),
    Enum(Vec<String>),
    Fixed,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Record,
    Enum,
    Fixed,
}

const PRIMS: [(&str, T); 8] = [
    ("null", T::Null),
    ("boolean", T::Bool),
    ("int", T::Int),
    ("long", T::Long),
    ("float", T::Float),
    ("double", T::Double),
    ("bytes", T::Bytes),
    ("string", T::Str),
];

/// Members of a named type's header, its full name, and its children's namespace.
type Header = (Vec<(String, J)>, Option<String>, Option<String>);

pub(super) struct Gen {
    pub rng: Rng,
    /// Percent chance of an odd choice at each decision.
    pub oddness: u64,
    pub counter: usize,
    pub tags: BTreeSet<&'static str>,
    pub defined: Vec<(String, Body)>,
    /// Forward-referenced full names not defined yet, and the kind they should get.
    pub planned: Vec<(String, Kind)>,
    pub enclosing: Vec<String>,
    /// Named definitions already written, for redefinitions.
    pub defs: Vec<(J, T)>,
    /// Schema nodes left to write (bounds the size of a case).
    pub budget: usize,
}

/// Java's full name of a named type (`None` when the name is no string) and the namespace
/// of its children.
fn full_name(name: &J, ns: Option<&J>, current: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(name) = name.as_str() else {
        return (None, current.map(str::to_string));
    };
    let (space, short) = match name.rsplit_once('.') {
        Some((space, short)) => (Some(space.to_string()), short),
        None => match ns.and_then(J::as_str) {
            Some(ns) => (Some(ns.to_string()), name),
            None => (current.map(str::to_string), name),
        },
    };
    let space = space.filter(|s| !s.is_empty());
    let full = match &space {
        Some(s) => format!("{s}.{short}"),
        None => short.to_string(),
    };
    (Some(full), space)
}

pub(super) fn short_of(full: &str) -> String {
    full.rsplit('.').next().unwrap_or(full).to_string()
}

impl Gen {
    pub fn odd(&mut self) -> bool {
        self.rng.chance(self.oddness)
    }

    pub fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    pub fn tag(&mut self, t: &'static str) {
        self.tags.insert(t);
    }

    pub fn odd_name(&mut self) -> J {
        self.tag("name");
        match self.rng.below(10) {
            0 => {
                self.tag("unicode");
                J::Raw(self.rng.pick(RAW_NAMES).to_string())
            }
            1 => self
                .rng
                .pick(&[J::n(5), J::Null, J::Arr(vec![J::s("A")]), J::Bool(true)])
                .clone(),
            2..=4 => {
                // Any character first or second: Java's Character.isLetter(OrDigit) per
                // UTF-16 unit against our tables.
                self.tag("unicode");
                let c = self.random_char();
                let name = match self.rng.below(3) {
                    0 => format!("{c}"),
                    1 => format!("{c}a"),
                    _ => format!("a{c}"),
                };
                J::s(name)
            }
            _ => {
                let n = *self.rng.pick(ODD_NAMES);
                if !n.is_ascii() {
                    self.tag("unicode");
                }
                J::s(n)
            }
        }
    }

    /// A character of the BMP (mostly) or beyond, never a surrogate.
    pub(super) fn random_char(&mut self) -> char {
        loop {
            let cp = if self.rng.chance(90) {
                0x80 + self.rng.below(0xFF80) as u32
            } else {
                0x10000 + self.rng.below(0x100000) as u32
            };
            if let Some(c) = char::from_u32(cp) {
                return c;
            }
        }
    }

    pub(super) fn primitive(&mut self) -> (J, T) {
        let (name, t) = PRIMS[self.rng.below(PRIMS.len())].clone();
        let j = match self.rng.below(10) {
            0..=6 => J::s(name),
            7 => J::obj(vec![("type", J::s(name))]),
            8 => {
                let mut j = J::obj(vec![("type", J::s(name))]);
                self.add_attrs(&mut j, 70);
                j
            }
            _ => {
                self.tag("logical_type");
                let lt =
                    *self
                        .rng
                        .pick(&["date", "uuid", "timestamp-millis", "decimal", "duration"]);
                J::obj(vec![("type", J::s(name)), ("logicalType", J::s(lt))])
            }
        };
        (j, t)
    }

    /// `"name"` (and maybe `"namespace"`, `"doc"`, `"aliases"`) of a new named type: fresh,
    /// planned (a forward reference made earlier), or odd.
    fn header(&mut self, kind: Kind, prefix: &str, ns: &Option<String>) -> Header {
        let mut ms = Vec::new();
        let planned = self.planned.iter().position(|p| p.1 == kind);
        if let Some(i) = planned.filter(|_| self.rng.chance(35)) {
            let (full, _) = self.planned.remove(i);
            let short = short_of(&full);
            let space = full.rsplit_once('.').map(|(s, _)| s.to_string());
            match self.rng.below(4) {
                0 => ms.push(("name".into(), J::s(&full))),
                1 => {
                    ms.push(("name".into(), J::s(&short)));
                    ms.push(("namespace".into(), J::s(space.as_deref().unwrap_or(""))));
                }
                2 if space.is_none() => ms.push(("name".into(), J::s(format!(".{short}")))),
                _ => ms.push(("name".into(), J::s(&short))),
            }
        } else if self.odd() {
            ms.push(("name".into(), self.odd_name()));
        } else {
            ms.push(("name".into(), J::s(self.fresh(prefix))));
        }
        if self.rng.chance(12) {
            self.tag("namespace");
            let ns = if self.odd() {
                match self.rng.below(6) {
                    0 => J::n(self.rng.pick_str(&["5", "1.5"])),
                    1 => J::Null,
                    _ => J::s(self.rng.pick(ODD_NAMESPACES)),
                }
            } else {
                J::s(self.rng.pick(NAMESPACES))
            };
            ms.push(("namespace".into(), ns));
        }
        let header = J::Obj(ms.clone());
        let name = header.get("name").unwrap_or(&J::Null);
        let (full, space) = full_name(name, header.get("namespace"), ns.as_deref());
        if self.rng.chance(10) {
            self.tag("doc");
            let doc = if self.odd() {
                J::n(3)
            } else {
                J::s("documentation")
            };
            ms.push(("doc".into(), doc));
        }
        if self.rng.chance(8) {
            self.tag("alias");
            let a = if self.odd() {
                match self.rng.below(4) {
                    0 => J::s("NotAnArray"),
                    1 => J::Arr(vec![J::n(1)]),
                    _ => J::Arr(vec![self.odd_name()]),
                }
            } else {
                let alias = *self
                    .rng
                    .pick(&["x.Old", "1a.Old", ".Old", "a..b.Old", "Old"]);
                J::Arr(vec![J::s("Old2"), J::s(alias)])
            };
            ms.push(("aliases".into(), a));
        }
        (ms, full, space)
    }

    fn register(&mut self, full: &Option<String>, body: Body, j: &J) {
        if let Some(full) = full {
            self.defined.push((full.clone(), body));
            self.defs.push((j.clone(), T::Named(full.clone())));
        }
    }

    pub(super) fn record(&mut self, depth: usize, ns: &Option<String>) -> (J, T) {
        let (mut ms, full, space) = self.header(Kind::Record, "R", ns);
        let ty = if self.rng.chance(5) {
            "error"
        } else {
            "record"
        };
        ms.insert(0, ("type".into(), J::s(ty)));
        if let Some(f) = &full {
            self.enclosing.push(f.clone());
        }
        let n = if self.rng.chance(10) {
            0
        } else {
            1 + self.rng.below(4)
        };
        let mut fields = Vec::new();
        let mut shapes = Vec::new();
        for _ in 0..n {
            let (fj, shape) = self.field(depth, &space, &shapes);
            fields.push(fj);
            shapes.push(shape);
        }
        if let Some(f) = full.clone().filter(|_| self.rng.chance(25)) {
            let (fj, shape) = self.recursive_field(&f);
            fields.push(fj);
            shapes.push(shape);
        }
        if full.is_some() {
            self.enclosing.pop();
        }
        if !(self.odd() && self.rng.chance(25)) {
            ms.push(("fields".into(), J::Arr(fields)));
        } else if self.rng.chance(70) {
            let bad = self.rng.pick(&[J::obj(vec![]), J::Null, J::s("f")]).clone();
            ms.push(("fields".into(), bad));
        }
        let mut j = J::Obj(ms);
        self.add_attrs(&mut j, 8);
        if self.rng.chance(3) {
            self.tag("logical_type");
            j.set("logicalType", J::s("uuid"));
        }
        self.register(&full, Body::Record(shapes), &j);
        let t = full.map_or(T::Any, T::Named);
        (j, t)
    }

    fn field(
        &mut self,
        depth: usize,
        ns: &Option<String>,
        seen: &[(String, T, bool)],
    ) -> (J, (String, T, bool)) {
        let name = if self.odd() {
            if !seen.is_empty() && self.rng.chance(40) {
                self.tag("dup_field");
                J::s(&seen[self.rng.below(seen.len())].0)
            } else {
                self.odd_name()
            }
        } else {
            J::s(self.fresh("f"))
        };
        let (ty, t) = self.schema(depth.saturating_sub(1), ns);
        let mut f = J::obj(vec![("name", name.clone()), ("type", ty)]);
        // A default of a record still being defined fails (Java: "Schema fields not set
        // yet"); only odd cases try one.
        let open = matches!(&t, T::Named(n) if self.enclosing.contains(n));
        let has_default = self.rng.chance(35) && (!open || self.odd());
        if has_default {
            self.tag("default");
            let d = self.value(&t, 0);
            f.set("default", d);
        }
        if self.rng.chance(10) {
            self.tag("order");
            let o = match (self.odd(), self.rng.below(3)) {
                (true, 0) => self.rng.pick(&[J::n(1), J::Null, J::Bool(true)]).clone(),
                (true, _) => J::s(self.rng.pick(ODD_ORDERS)),
                (false, _) => J::s(self.rng.pick(ORDERS)),
            };
            f.set("order", o);
        }
        if self.rng.chance(8) {
            self.tag("alias");
            let a = match (self.odd(), self.rng.below(2)) {
                (true, 0) => J::s("old"),
                (true, _) => J::Arr(vec![J::Null]),
                (false, _) => J::Arr(vec![J::s(self.rng.pick(&["old", "", "1x", "a.b", "é"]))]),
            };
            f.set("aliases", a);
        }
        if self.rng.chance(10) {
            self.tag("doc");
            f.set(
                "doc",
                if self.odd() {
                    J::obj(vec![])
                } else {
                    J::s("d")
                },
            );
        }
        self.add_attrs(&mut f, 6);
        if self.rng.chance(3) {
            self.tag("logical_type");
            f.set("logicalType", J::s("timestamp-millis"));
        }
        let shape = (name.as_str().unwrap_or("").to_string(), t, has_default);
        (f, shape)
    }

    pub(super) fn enumeration(&mut self, ns: &Option<String>) -> (J, T) {
        let (mut ms, full, _) = self.header(Kind::Enum, "E", ns);
        ms.insert(0, ("type".into(), J::s("enum")));
        let n = if self.rng.chance(5) {
            0
        } else {
            1 + self.rng.below(4)
        };
        let mut syms: Vec<String> = SYMBOLS[..n].iter().map(|s| s.to_string()).collect();
        let mut items: Vec<J> = syms.iter().map(J::s).collect();
        if self.odd() {
            match self.rng.below(4) {
                0 if !syms.is_empty() => {
                    self.tag("dup_symbol");
                    items.push(J::s(&syms[0]));
                }
                1 => items.push(self.rng.pick(&[J::n(1), J::Null]).clone()),
                _ => {
                    self.tag("bad_symbol");
                    let s = *self.rng.pick(ODD_SYMBOLS);
                    syms.push(s.to_string());
                    items.push(J::s(s));
                }
            }
        }
        let symbols = if self.odd() && self.rng.chance(20) {
            J::s("A")
        } else {
            J::Arr(items)
        };
        ms.push(("symbols".into(), symbols));
        if self.rng.chance(25) {
            self.tag("enum_default");
            let d = match (self.odd(), self.rng.below(3)) {
                (true, 0) => J::s("Z"),
                (true, 1) => J::n(5),
                (true, _) => J::Null,
                (false, _) if !syms.is_empty() => J::s(&syms[self.rng.below(syms.len())]),
                (false, _) => J::s("A"),
            };
            ms.push(("default".into(), d));
        }
        let mut j = J::Obj(ms);
        self.add_attrs(&mut j, 6);
        self.register(&full, Body::Enum(syms), &j);
        (j, full.map_or(T::Any, T::Named))
    }

    pub(super) fn fixed(
        &mut self,
        ns: &Option<String>,
        size: Option<&str>,
        extra: Vec<(&str, J)>,
    ) -> (J, T) {
        let (mut ms, full, _) = self.header(Kind::Fixed, "F", ns);
        ms.insert(0, ("type".into(), J::s("fixed")));
        let size = match size {
            Some(s) => s.to_string(),
            None if self.odd() => {
                self.tag("fixed_size");
                self.rng.pick(ODD_SIZES).to_string()
            }
            None => self
                .rng
                .pick(&["4", "16", "12", "0", "2147483639"])
                .to_string(),
        };
        if !(self.odd() && self.rng.chance(10)) {
            ms.push(("size".into(), J::Num(size)));
        }
        for (k, v) in extra {
            ms.push((k.into(), v));
        }
        let mut j = J::Obj(ms);
        self.add_attrs(&mut j, 6);
        self.register(&full, Body::Fixed, &j);
        (j, full.map_or(T::Any, T::Named))
    }

    pub(super) fn schema(&mut self, depth: usize, ns: &Option<String>) -> (J, T) {
        if depth == 0 || self.budget == 0 {
            return self.primitive();
        }
        self.budget -= 1;
        match self.rng.below(100) {
            0..=21 => self.primitive(),
            22..=28 => self.logical(ns),
            29..=35 => {
                self.tag("array");
                let (items, t) = self.schema(depth - 1, ns);
                let mut j = J::obj(vec![("type", J::s("array")), ("items", items)]);
                self.add_attrs(&mut j, 8);
                (j, T::Arr(Box::new(t)))
            }
            36..=41 => {
                self.tag("map");
                let (values, t) = self.schema(depth - 1, ns);
                let mut j = J::obj(vec![("type", J::s("map")), ("values", values)]);
                self.add_attrs(&mut j, 8);
                (j, T::Map(Box::new(t)))
            }
            42..=52 => self.union(depth, ns),
            53..=67 => self.record(depth, ns),
            68..=75 => self.enumeration(ns),
            76..=79 => self.fixed(ns, None, vec![]),
            80..=89 => self.reference(ns),
            90..=95 if !self.defs.is_empty() => self.redefinition(),
            90..=95 => self.record(depth, ns),
            _ if self.odd() => self.odd_schema(),
            _ => self.primitive(),
        }
    }
}

/// The case of a seed.
pub fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let oddness = *rng.pick(&[0, 1, 2, 3, 5]);
    let mut g = Gen {
        rng,
        oddness,
        counter: 0,
        tags: BTreeSet::new(),
        defined: Vec::new(),
        planned: Vec::new(),
        enclosing: Vec::new(),
        defs: Vec::new(),
        budget: 40,
    };
    if g.rng.chance(1) {
        let mut tags = BTreeSet::new();
        let text = limits(&mut g.rng, &mut tags);
        return Case { text, tags };
    }
    let root_ns = None;
    let (mut root, _) = match g.rng.below(110) {
        105.. => (g.name_focus(), T::Any),
        100.. => (g.redefinition_focus(), T::Any),
        0..=61 => g.record(4, &root_ns),
        62..=73 => g.union(4, &root_ns),
        74..=81 => g.schema(4, &root_ns),
        82..=87 => g.enumeration(&root_ns),
        88..=90 => g.fixed(&root_ns, None, vec![]),
        91..=95 => g.logical(&root_ns),
        _ => g.odd_schema(),
    };
    if !g.planned.is_empty() {
        g.define_planned(&mut root);
    }
    let mut tags = std::mem::take(&mut g.tags);
    if g.oddness > 0 && g.rng.chance(40) {
        duplicate_keys(&mut root, &mut g.rng, &mut tags);
    }
    let layout = match g.rng.below(20) {
        0..=11 => Layout::Compact,
        12..=16 => Layout::Spaced,
        _ => {
            tags.insert("odd_ws");
            Layout::Odd
        }
    };
    let mut text = String::new();
    if g.rng.chance(4) {
        tags.insert("odd_ws");
        text.push_str(
            g.rng
                .pick_str(&["/* lead */", "// lead\n", "\n\t ", "\u{b}", "\r"]),
        );
    }
    text.push_str(&emit(&root, &mut g.rng, layout));
    if g.rng.chance(8) {
        tags.insert("trailing");
        let trailing = [
            "\n", " \t\r\n", "\u{b}", "\u{0}", "x", "// c", "/* c */", "{}", ",", "\u{a0}",
            "\u{1f}",
        ];
        text.push_str(g.rng.pick_str(&trailing));
    }
    Case { text, tags }
}
