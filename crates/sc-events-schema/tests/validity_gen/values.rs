//! The generator's values and variations: defaults for a type (good, near misses, anything),
//! custom attributes, logical types, recursion, redefinitions, odd schemas, duplicate keys,
//! and schemas at Jackson's limits.

use super::pools::*;
use super::schemas::{Body, Gen, T};
use super::{Rng, J};
use std::collections::BTreeSet;

impl Gen {
    pub(super) fn attr(&mut self) -> (String, J) {
        self.tag("custom_attr");
        let odd = self.odd();
        let key = if odd {
            self.rng.pick(ATTR_KEYS).to_string()
        } else {
            self.rng.pick(&ATTR_KEYS[..6]).to_string()
        };
        let v = match self.rng.below(9) {
            0 if odd => {
                self.tag("big_int_prop");
                J::n(self.rng.pick(BIG_INTS))
            }
            1 if odd => {
                self.tag("big_int_prop");
                J::Arr(vec![
                    J::n(1),
                    J::obj(vec![("n", J::n(self.rng.pick(BIG_INTS)))]),
                ])
            }
            0 | 1 => J::n(self.rng.pick(EDGE_INTS)),
            2 => J::obj(vec![
                ("a", J::Null),
                ("b", J::n("1.5")),
                ("c", J::Arr(vec![])),
            ]),
            3 => J::Null,
            4 => J::n(self.rng.pick_str(&["1", "1.0", "-0.0", "1e400", "3"])),
            5 => J::Bool(self.rng.chance(50)),
            6 => J::Raw(self.rng.pick_str(RAW_STRINGS).to_string()),
            _ => J::s(self.rng.pick(&["v", "", "é", "a.b"])),
        };
        (key, v)
    }

    pub(super) fn add_attrs(&mut self, j: &mut J, percent: u64) {
        while self.rng.chance(percent) {
            let (k, v) = self.attr();
            if let J::Obj(ms) = j {
                ms.push((k, v));
            }
        }
    }

    /// A random JSON value (no particular type).
    fn any_value(&mut self) -> J {
        match self.rng.below(9) {
            0 => J::Null,
            1 => J::Bool(true),
            2 => J::n(self.rng.pick(INTS)),
            3 => J::s(self.rng.pick(&["x", "A", "", "NaN"])),
            4 => J::Arr(vec![]),
            5 => J::obj(vec![]),
            6 => J::Arr(vec![J::Null, J::n(1)]),
            7 => J::obj(vec![("x", J::n(1))]),
            _ => J::n(self.rng.pick(FLOATS)),
        }
    }

    /// A default for a type: a value of it, or (when odd) a near miss or anything.
    pub(super) fn value(&mut self, t: &T, depth: usize) -> J {
        if depth > 4 {
            return J::Null;
        }
        let odd = self.odd();
        if odd && self.rng.chance(30) {
            return self.any_value();
        }
        match t {
            T::Null => J::Null,
            T::Bool => J::Bool(self.rng.chance(50)),
            T::Int => J::n(self.rng.pick(if odd { ODD_INTS } else { INTS })),
            T::Long => J::n(self.rng.pick(if odd { ODD_LONGS } else { LONGS })),
            T::Float | T::Double => {
                if self.rng.chance(30) {
                    super::variants::float_spelling(self)
                } else if self.rng.chance(40) {
                    self.tag("double_string");
                    J::s(self.rng.pick(if odd {
                        ODD_FLOAT_STRINGS
                    } else {
                        FLOAT_STRINGS
                    }))
                } else {
                    J::n(self.rng.pick(FLOATS))
                }
            }
            T::Bytes | T::Str => match self.rng.below(6) {
                0 => J::Raw("\\ud800".into()),
                1 => J::s("\u{ff}é"),
                2 if odd => J::n(1),
                _ => J::s("s"),
            },
            T::Arr(items) => {
                let n = self.rng.below(3);
                J::Arr((0..n).map(|_| self.value(items, depth + 1)).collect())
            }
            T::Map(values) => {
                let n = self.rng.below(3);
                let mut ms: Vec<(String, J)> = (0..n)
                    .map(|i| (format!("k{i}"), self.value(values, depth + 1)))
                    .collect();
                if odd && !ms.is_empty() {
                    // A duplicate key: Jackson keeps the last value.
                    self.tag("dup_key");
                    ms.insert(0, ("k0".into(), self.any_value()));
                }
                J::Obj(ms)
            }
            T::Union(bs) if bs.is_empty() => J::Null,
            T::Union(bs) => {
                // Java 1.12 takes a default of any branch; the first is the spec's. Unless
                // odd, not a branch still being defined.
                let usable: Vec<&T> = bs
                    .iter()
                    .filter(|b| odd || !matches!(b, T::Named(n) if self.enclosing.contains(n)))
                    .collect();
                let Some(first) = usable.first() else {
                    return J::Null;
                };
                let b = if self.rng.chance(50) {
                    (*first).clone()
                } else {
                    usable[self.rng.below(usable.len())].clone()
                };
                self.value(&b, depth + 1)
            }
            T::Named(full) => self.named_value(full, odd, depth),
            T::Any => self.any_value(),
        }
    }

    fn named_value(&mut self, full: &str, odd: bool, depth: usize) -> J {
        let body = self
            .defined
            .iter()
            .rev()
            .find(|(n, _)| n == full)
            .map(|d| d.1.clone());
        match body {
            Some(Body::Record(fields)) => {
                let mut ms = Vec::new();
                for (name, ft, has_default) in fields {
                    let omit = (has_default && self.rng.chance(40)) || (odd && self.rng.chance(20));
                    if !omit {
                        ms.push((name, self.value(&ft, depth + 1)));
                    }
                }
                if self.rng.chance(10) {
                    ms.push(("extra".into(), J::n(1)));
                }
                J::Obj(ms)
            }
            Some(Body::Enum(syms)) if !syms.is_empty() && !odd => {
                J::s(&syms[self.rng.below(syms.len())])
            }
            Some(Body::Enum(_)) => J::s("NOT_A_SYMBOL"),
            Some(Body::Fixed) => J::s("\u{0}\u{1}"),
            None if !odd => {
                // A forward reference: any object is a value of the placeholder; the real
                // type (a record with a field "v" when planned as one) is checked at
                // resolution.
                self.tag("placeholder_default");
                J::obj(vec![("v", J::n(1))])
            }
            None => {
                self.tag("placeholder_default");
                let options = [
                    J::obj(vec![]),
                    J::obj(vec![("v", J::n(1))]),
                    J::obj(vec![("next", J::Null)]),
                    J::s("A"),
                    J::Null,
                ];
                self.rng.pick(&options).clone()
            }
        }
    }

    /// A field pointing back at its record: `["null", Self]` with `null` or a bad default, and
    /// friends.
    pub(super) fn recursive_field(&mut self, me: &str) -> (J, (String, T, bool)) {
        self.tag("recursion");
        let short = me.rsplit('.').next().unwrap_or(me).to_string();
        let r = J::s(if self.rng.chance(50) { me } else { &short });
        let array = |r: J| J::obj(vec![("type", J::s("array")), ("items", r)]);
        let me_t = || T::Named(me.to_string());
        let null_first = T::Union(vec![T::Null, me_t()]);
        let null_last = T::Union(vec![me_t(), T::Null]);
        let (ty, t, default) = match (self.odd(), self.rng.below(4)) {
            (false, 0 | 1) => (J::Arr(vec![J::s("null"), r]), null_first, J::Null),
            (false, 2) => (J::Arr(vec![r, J::s("null")]), null_last, J::Null),
            (false, _) => (array(r), T::Arr(Box::new(me_t())), J::Arr(vec![])),
            (true, 0) => (J::Arr(vec![J::s("null"), r]), null_first, J::obj(vec![])),
            (true, 1) => (
                J::Arr(vec![r, J::s("null")]),
                null_last,
                J::obj(vec![("next", J::Null)]),
            ),
            (true, 2) => (
                array(r),
                T::Arr(Box::new(me_t())),
                J::Arr(vec![J::obj(vec![])]),
            ),
            (true, _) => {
                let map = J::obj(vec![("type", J::s("map")), ("values", r)]);
                let t = T::Map(Box::new(me_t()));
                (map, t, J::obj(vec![("k", J::obj(vec![]))]))
            }
        };
        let mut f = J::obj(vec![("name", J::s("next")), ("type", ty)]);
        let has = self.rng.chance(90);
        if has {
            f.set("default", default);
        }
        (f, ("next".into(), t, has))
    }

    pub(super) fn logical(&mut self, ns: &Option<String>) -> (J, T) {
        self.tag("logical_type");
        let lt =
            |name: &str, lt: &str| J::obj(vec![("type", J::s(name)), ("logicalType", J::s(lt))]);
        let precisions = ["4", "0", "-1", "\"4\"", "4.0", "2147483648", "40", "1"];
        match self.rng.below(12) {
            0 => {
                let mut j = lt("bytes", "decimal");
                j.set("precision", J::n(self.rng.pick(&precisions)));
                if self.rng.chance(60) {
                    j.set(
                        "scale",
                        J::n(self.rng.pick_str(&["2", "5", "-1", "\"2\"", "0", "4"])),
                    );
                }
                (j, T::Bytes)
            }
            1 => {
                let p = J::n(self.rng.pick(&precisions));
                let size = self.rng.pick_str(&["4", "1", "16"]);
                let lt = vec![("logicalType", J::s("decimal")), ("precision", p)];
                self.fixed(ns, Some(size), lt)
            }
            2 => (lt("string", "uuid"), T::Str),
            3 => {
                let size = self.rng.pick_str(&["16", "12"]);
                self.fixed(ns, Some(size), vec![("logicalType", J::s("uuid"))])
            }
            4 => (lt(self.rng.pick_str(&["int", "long"]), "date"), T::Int),
            5 => (
                lt(self.rng.pick_str(&["int", "long"]), "time-millis"),
                T::Int,
            ),
            6 => (
                lt(self.rng.pick_str(&["long", "int"]), "timestamp-millis"),
                T::Long,
            ),
            7 => (
                lt(
                    self.rng.pick_str(&["long", "string"]),
                    "local-timestamp-micros",
                ),
                T::Long,
            ),
            8 => {
                let size = self.rng.pick_str(&["12", "8"]);
                self.fixed(ns, Some(size), vec![("logicalType", J::s("duration"))])
            }
            9 => {
                let mut j = J::obj(vec![("type", J::s("array")), ("items", J::s("int"))]);
                j.set(
                    "logicalType",
                    J::s(self.rng.pick(&["decimal", "uuid", "date"])),
                );
                (j, T::Arr(Box::new(T::Int)))
            }
            10 => {
                let mut j = J::obj(vec![("type", J::s("bytes"))]);
                let lt = self.rng.pick(&[J::n(5), J::Null, J::obj(vec![])]).clone();
                j.set("logicalType", lt);
                (j, T::Bytes)
            }
            _ => {
                let base = self.rng.pick_str(&["bytes", "long"]);
                let name = *self
                    .rng
                    .pick(&["big-decimal", "timestamp-nanos", "foo", "DATE"]);
                (lt(base, name), T::Any)
            }
        }
    }

    /// Schemas Java reads differently than one might guess: type objects nested in `"type"`,
    /// missing members, non-schema JSON.
    pub(super) fn odd_schema(&mut self) -> (J, T) {
        self.tag("nested_type_object");
        let record_n = J::obj(vec![
            ("type", J::s("record")),
            ("name", J::s("N")),
            ("fields", J::Arr(vec![])),
        ]);
        let j = match self.rng.below(16) {
            0 => J::obj(vec![("type", J::obj(vec![("type", J::s("int"))]))]),
            1 => J::obj(vec![("type", J::Arr(vec![J::s("int"), J::s("null")]))]),
            2 => J::obj(vec![("type", J::Null)]),
            3 => J::obj(vec![("type", J::n(5))]),
            4 => J::obj(vec![]),
            5 => J::n(5),
            6 => J::Null,
            7 => J::obj(vec![("type", J::s("array"))]),
            8 => J::obj(vec![("type", J::s("map")), ("values", J::Null)]),
            9 => J::obj(vec![("type", J::s("record")), ("name", J::s("NoFields"))]),
            10 => J::obj(vec![("type", J::s("enum")), ("name", J::s("NoSymbols"))]),
            11 => J::obj(vec![("type", J::s("fixed")), ("name", J::s("NoSize"))]),
            12 => J::s(""),
            13 => J::obj(vec![("type", J::s("int")), ("type", J::s("string"))]),
            14 => J::obj(vec![("type", record_n)]),
            _ => J::Bool(false),
        };
        (j, T::Any)
    }
}

/// Duplicates some object keys: a decoy before the real member (the last one wins, nothing
/// changes) or a new value after it (it replaces the first).
pub(super) fn duplicate_keys(j: &mut J, rng: &mut Rng, tags: &mut BTreeSet<&'static str>) {
    match j {
        J::Arr(items) => items.iter_mut().for_each(|i| duplicate_keys(i, rng, tags)),
        J::Obj(ms) => {
            ms.iter_mut()
                .for_each(|(_, v)| duplicate_keys(v, rng, tags));
            if !ms.is_empty() && rng.chance(10) {
                tags.insert("dup_key");
                let i = rng.below(ms.len());
                let key = ms[i].0.clone();
                let decoys = [J::s("int"), J::n(1), J::Null, J::s("record"), J::s("X")];
                let decoy = rng.pick(&decoys).clone();
                if rng.chance(80) {
                    ms.insert(i, (key, decoy));
                } else {
                    ms.push((key, decoy));
                }
            }
        }
        _ => {}
    }
}

/// Schemas at Jackson's limits: nesting depth 1000, number length 1000, key length 50000.
pub(super) fn limits(rng: &mut Rng, tags: &mut BTreeSet<&'static str>) -> String {
    tags.insert("jackson_limit");
    let k = *rng.pick(&[997usize, 999, 1000, 1001]);
    match rng.below(6) {
        0 => {
            tags.insert("deep");
            let open = r#"{"type":"array","items":"#.repeat(k);
            format!("{open}\"int\"{}", "}".repeat(k))
        }
        1 => {
            // Depths 996, 999, 1002 (records, 3 levels each) and 997, 1001 (unions of
            // records, 4 levels each).
            tags.insert("deep");
            let union = rng.chance(50);
            let levels = if union {
                *rng.pick(&[249, 250])
            } else {
                *rng.pick(&[332, 333, 334])
            };
            let mut t = if union {
                r#"["null","int"]"#
            } else {
                "\"int\""
            }
            .to_string();
            for i in 0..levels {
                t = if union {
                    format!(
                        r#"["null",{{"type":"record","name":"U{i}","fields":[{{"name":"f","type":{t},"default":null}}]}}]"#
                    )
                } else {
                    format!(
                        r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":{t}}}]}}"#
                    )
                };
            }
            t
        }
        2 | 3 => {
            let digits = k + rng.below(3) - 1;
            let n = match rng.below(5) {
                0 => "7".repeat(digits),
                1 => format!("-{}", "7".repeat(digits)),
                2 => format!("1.{}", "5".repeat(digits.saturating_sub(1))),
                3 => format!("0.{}", "5".repeat(digits.saturating_sub(1))),
                _ => format!("-1.{}e-15", "5".repeat(digits.saturating_sub(3))),
            };
            let ty = rng.pick(&["double", "long", "float"]);
            format!(
                r#"{{"type":"record","name":"N","fields":[{{"name":"n","type":"{ty}","default":{n}}}]}}"#
            )
        }
        _ => {
            // Jackson counts UTF-16 units: a character outside the BMP is two.
            let key = if rng.chance(50) {
                "k".repeat(*rng.pick(&[49_999usize, 50_000, 50_001]))
            } else {
                "😀".repeat(*rng.pick(&[24_999usize, 25_000, 25_001]))
            };
            format!(r#"{{"type":"record","name":"K","fields":[],"{key}":1}}"#)
        }
    }
}
