//! Variations on what was already written: named types defined again (identical, spelled
//! differently, or changed), references (back, forward, unknown) and the definitions of
//! forward-referenced names; unions (branches dropped when they clash, unless odd).

use super::pools::RAW_STRINGS;
use super::schemas::{short_of, Gen, Kind, T};
use super::J;

/// Spellings of float/double defaults and property numbers that may or may not be equal for
/// Java (`Double.parseDouble` of strings, Jackson's number classes, `-0.0` vs `0.0`, NaN).
#[rustfmt::skip]
const FLOAT_SPELLINGS: &[&[&str]] = &[
    &["1.5", "\"1.5\"", "\" 1.5 \"", "15e-1", "1.50", "\"1.5d\"", "\"0x1.8p0\"", "\"+1.5\""],
    &["0", "0.0", "\"0\"", "\"0x0p0\"", "0e5", "-0.0", "\"-0\"", "\"-0.0\""],
    &["\"NaN\"", "\"-NaN\"", "\"+NaN\"", "\" NaN\""],
    &["\"Infinity\"", "1e400", "\"1e400\"", "\"0x1p1024\"", "\"+Infinity\"", "\"1.8e308\""],
    &["3", "3.0", "\"3\"", "\"0x1.8p1\"", "\"3e0f\"", "30e-1", "\"0x3p0\""],
];

#[rustfmt::skip]
const PROP_SPELLINGS: &[&[&str]] = &[
    &["1", "1.0", "1.00", "10e-1", "\"1\""],
    &["1e400", "2e400", "-1e400"],
    &["0.0", "-0.0", "0", "-0"],
    &["9223372036854775807", "9223372036854775807.0", "9.223372036854775807E18"],
];

fn spelling(j: &J) -> Option<String> {
    match j {
        J::Num(n) => Some(n.clone()),
        J::Str(s) => Some(format!("\"{s}\"")),
        _ => None,
    }
}

fn from_spelling(s: &str) -> J {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => J::s(inner),
        None => J::n(s),
    }
}

/// A value from one of the spelling groups (for a float or double default).
pub(super) fn float_spelling(g: &mut Gen) -> J {
    let group = *g.rng.pick(FLOAT_SPELLINGS);
    from_spelling(g.rng.pick_str(group))
}

/// Another spelling of the same number, when `j` is in one of the groups.
fn respelled(g: &mut Gen, groups: &[&[&str]], j: &J) -> Option<J> {
    let s = spelling(j)?;
    let group = groups.iter().find(|grp| grp.contains(&s.as_str()))?;
    Some(from_spelling(g.rng.pick_str(group)))
}

fn is_float_type(t: Option<&J>) -> bool {
    let name = match t {
        Some(J::Obj(_)) => t.and_then(|t| t.get("type")),
        other => other,
    };
    matches!(name.and_then(J::as_str), Some("float" | "double"))
}

const SCHEMA_KEYS: [&str; 11] = [
    "type",
    "name",
    "namespace",
    "doc",
    "aliases",
    "fields",
    "items",
    "values",
    "symbols",
    "size",
    "default",
];

impl Gen {
    /// Nested named definitions of a copied definition written as references to them (Java
    /// compares the types, not their JSON).
    fn nested_to_refs(&mut self, j: &mut J, top: bool) {
        match j {
            J::Arr(items) => items.iter_mut().for_each(|i| self.nested_to_refs(i, false)),
            J::Obj(_) => {
                let named = matches!(
                    j.get("type").and_then(J::as_str),
                    Some("record" | "error" | "enum" | "fixed")
                );
                let name = j.get("name").and_then(J::as_str).map(str::to_string);
                if let (false, true, Some(name)) = (top, named, name) {
                    if self.rng.chance(50) {
                        *j = J::s(name);
                        return;
                    }
                }
                if let J::Obj(ms) = j {
                    for (k, v) in ms.iter_mut() {
                        if k != "default" {
                            self.nested_to_refs(v, false);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Float/double defaults and custom property numbers spelled differently.
    fn respell_numbers(&mut self, j: &mut J) {
        match j {
            J::Arr(items) => items.iter_mut().for_each(|i| self.respell_numbers(i)),
            J::Obj(_) => {
                let is_field = j.get("name").is_some() && j.get("type").is_some();
                if is_field && is_float_type(j.get("type")) {
                    if let Some(d) = j.get("default").cloned() {
                        if let Some(new) = respelled(self, FLOAT_SPELLINGS, &d) {
                            self.tag("float_spelling");
                            j.set("default", new);
                        }
                    }
                }
                if let J::Obj(ms) = j {
                    for (k, v) in ms.iter_mut() {
                        if SCHEMA_KEYS.contains(&k.as_str()) {
                            self.respell_numbers(v);
                        } else if matches!(v, J::Raw(r) if RAW_STRINGS.contains(&r.as_str())) {
                            self.tag("prop_spelling");
                            *v = J::Raw(self.rng.pick_str(RAW_STRINGS).to_string());
                        } else if let Some(new) = respelled(self, PROP_SPELLINGS, v) {
                            self.tag("prop_spelling");
                            *v = new;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// An earlier named definition written again: identical, changed only where Java's
    /// equality does not look (doc, aliases, field docs and aliases), or (when odd) changed.
    pub(super) fn redefinition(&mut self) -> (J, T) {
        let (j, t) = self.defs[self.rng.below(self.defs.len())].clone();
        (self.redefine(j, 40), t)
    }

    /// Records whose float/double defaults and properties are numbers of the spelling
    /// groups, defined twice: the second time respelled, with references for nested types,
    /// changed where Java does not look, or (when odd) changed.
    pub(super) fn redefinition_focus(&mut self) -> J {
        let n = 1 + self.rng.below(4);
        let mut fields = Vec::new();
        for i in 0..n {
            let ty = match self.rng.below(6) {
                0 => J::s("float"),
                1 | 2 => J::s("double"),
                3 => {
                    let (k, v) = (self.rng.pick_str(&["x", "scale"]), self.prop_number());
                    J::obj(vec![("type", J::s("double")), (k, v)])
                }
                4 => J::Arr(vec![J::s("double"), J::s("string")]),
                _ => self.enumeration(&None).0,
            };
            let mut f = J::obj(vec![("name", J::s(format!("d{i}"))), ("type", ty)]);
            if self.rng.chance(80) {
                f.set("default", float_spelling(self));
            }
            if self.rng.chance(25) {
                let v = self.prop_number();
                f.set("x-num", v);
            }
            if self.rng.chance(15) {
                f.set(
                    "order",
                    J::s(self.rng.pick_str(&["ascending", "ASCENDING", "ignore"])),
                );
            }
            fields.push(f);
        }
        let name = self.fresh("D");
        let mut def = J::obj(vec![
            ("type", J::s("record")),
            ("name", J::s(name)),
            ("fields", J::Arr(fields)),
        ]);
        if self.rng.chance(30) {
            let v = self.prop_number();
            def.set("x-num", v);
        }
        let copy = self.redefine(def.clone(), 80);
        let root = self.fresh("Root");
        let field = |n: &str, t: J| J::obj(vec![("name", J::s(n)), ("type", t)]);
        J::obj(vec![
            ("type", J::s("record")),
            ("name", J::s(root)),
            (
                "fields",
                J::Arr(vec![field("first", def), field("second", copy)]),
            ),
        ])
    }

    /// A valid record but for one name that holds a random character (mostly of the BMP):
    /// the record's name, a namespace part, a field name, an enum symbol, the last part of
    /// an alias (validated) or a field alias (not validated).
    pub(super) fn name_focus(&mut self) -> J {
        self.tag("unicode");
        self.tag("name");
        let c = self.random_char();
        let odd = match self.rng.below(3) {
            0 => format!("{c}"),
            1 => format!("{c}x"),
            _ => format!("x{c}"),
        };
        let mut record = J::obj(vec![("type", J::s("record")), ("name", J::s("R"))]);
        let mut field = J::obj(vec![("name", J::s("f")), ("type", J::s("int"))]);
        match self.rng.below(6) {
            0 => record.set("name", J::s(&odd)),
            1 => record.set("namespace", J::s(format!("a.{odd}.b"))),
            2 => field.set("name", J::s(&odd)),
            3 => {
                let symbols = J::Arr(vec![J::s("A"), J::s(&odd)]);
                let e = J::obj(vec![
                    ("type", J::s("enum")),
                    ("name", J::s("E")),
                    ("symbols", symbols),
                ]);
                field.set("type", e);
            }
            4 => record.set(
                "aliases",
                J::Arr(vec![J::s(format!("{odd}.ok")), J::s(format!("ns.{odd}"))]),
            ),
            _ => field.set("aliases", J::Arr(vec![J::s(&odd)])),
        }
        record.set("fields", J::Arr(vec![field]));
        record
    }

    fn prop_number(&mut self) -> J {
        let group = *self.rng.pick(PROP_SPELLINGS);
        from_spelling(self.rng.pick_str(group))
    }

    /// A copy of a named definition: respelled numbers (`respell` percent of the time),
    /// references for nested types, and changes that Java's equality ignores, or (when odd)
    /// does not.
    fn redefine(&mut self, mut j: J, respell: u64) -> J {
        self.tag("redefinition");
        if self.rng.chance(30) {
            self.nested_to_refs(&mut j, true);
        }
        if self.rng.chance(respell) {
            self.respell_numbers(&mut j);
        }
        if !self.odd() {
            match self.rng.below(6) {
                0 => j.set("doc", J::s("another doc")),
                1 => j.set("aliases", J::Arr(vec![J::s("Other")])),
                2 => {
                    if let Some(J::Arr(fields)) = j.get_mut("fields") {
                        if let Some(f) = fields.first_mut() {
                            f.set("doc", J::s("changed"));
                            f.set("aliases", J::Arr(vec![J::s("z")]));
                        }
                    }
                }
                3 if j.get("symbols").is_some() => {
                    // EnumSchema.equals ignores the enum default.
                    self.tag("enum_default");
                    j.set("default", J::s("A"));
                }
                _ => {}
            }
            return j;
        }
        match self.rng.below(8) {
            0 => {
                let (k, v) = self.attr();
                j.set(&k, v);
            }
            1 if j.get("type").and_then(J::as_str) == Some("record") => {
                j.set("type", J::s("error"))
            }
            2 | 3 => {
                if let Some(J::Arr(fields)) = j.get_mut("fields") {
                    if let Some(f) = fields.first_mut() {
                        match f.get("default").cloned() {
                            Some(J::Num(n)) if !n.contains(['.', 'e']) => {
                                f.set("default", J::Num(format!("{n}.0")))
                            }
                            Some(J::Str(s)) => f.set("default", J::Str(format!(" {s}"))),
                            Some(_) => f.remove("default"),
                            None => {
                                let o =
                                    self.rng.pick_str(&["ascending", "ASCENDING", "descending"]);
                                f.set("order", J::s(o));
                            }
                        }
                    }
                }
            }
            4 => {
                if let Some(J::Arr(fields)) = j.get_mut("fields") {
                    if let Some(f) = fields.first_mut() {
                        f.set("x-prop", J::n(1));
                    }
                }
            }
            5 if j.get("symbols").is_some() => {
                if let Some(J::Arr(s)) = j.get_mut("symbols") {
                    s.reverse();
                }
            }
            6 if j.get("size").is_some() => {
                j.set("size", J::n(self.rng.pick_str(&["4", "16", "5"])))
            }
            _ => j.set("logicalType", J::s("decimal")),
        }
        j
    }

    pub(super) fn reference(&mut self, ns: &Option<String>) -> (J, T) {
        let r = self.rng.below(10);
        if r < 5 && !self.defined.is_empty() {
            let (full, _) = self.defined[self.rng.below(self.defined.len())].clone();
            let name = match (self.odd(), self.rng.below(2)) {
                // ".R" is no reference to "R" (a lookup by the name as written).
                (true, _) => format!(".{full}"),
                (false, 0) => full.clone(),
                (false, _) => short_of(&full),
            };
            let j = if self.rng.chance(20) {
                J::obj(vec![("type", J::s(&name))])
            } else {
                J::s(&name)
            };
            return (j, T::Named(full));
        }
        if r < 7 && !self.enclosing.is_empty() {
            self.tag("recursion");
            let full = self.enclosing[self.rng.below(self.enclosing.len())].clone();
            return (J::s(&full), T::Named(full));
        }
        if r < 9 || !self.odd() {
            self.tag("forward_ref");
            let short = self.fresh("Fwd");
            let (written, full) = match (ns, self.rng.below(3)) {
                (_, 1) => (format!("fw.{short}"), format!("fw.{short}")),
                (Some(ns), _) => (short.clone(), format!("{ns}.{short}")),
                (None, _) => (short.clone(), short.clone()),
            };
            let kind = *self
                .rng
                .pick(&[Kind::Record, Kind::Record, Kind::Enum, Kind::Fixed]);
            self.planned.push((full.clone(), kind));
            return (J::s(&written), T::Named(full));
        }
        self.tag("name");
        let unknown = *self
            .rng
            .pick(&["Nope", "Int", "int ", "", "STRING", "a.", ".x"]);
        (J::s(unknown), T::Any)
    }

    /// Definitions of the forward-referenced names nobody defined yet, as extra fields of a
    /// root record (in the wrong namespace when odd).
    pub(super) fn define_planned(&mut self, root: &mut J) {
        let planned = std::mem::take(&mut self.planned);
        let mut extra = Vec::new();
        for (full, kind) in planned {
            let short = short_of(&full);
            let space = full.rsplit_once('.').map_or("", |(s, _)| s);
            let mut def = match (self.odd(), self.rng.below(3)) {
                (true, _) => J::obj(vec![
                    ("name", J::s(&short)),
                    ("namespace", J::s("elsewhere")),
                ]),
                // A dotted name ignores the namespace.
                (false, 0) if full.contains('.') => J::obj(vec![
                    ("name", J::s(&full)),
                    ("namespace", J::s("elsewhere")),
                ]),
                (false, _) => J::obj(vec![("name", J::s(&short)), ("namespace", J::s(space))]),
            };
            match kind {
                Kind::Record => {
                    def.set("type", J::s("record"));
                    let mut v = J::obj(vec![("name", J::s("v")), ("type", J::s("int"))]);
                    if self.rng.chance(50) {
                        v.set("default", J::n(1));
                    }
                    def.set("fields", J::Arr(vec![v]));
                }
                Kind::Enum => {
                    def.set("type", J::s("enum"));
                    def.set("symbols", J::Arr(vec![J::s("A"), J::s("B")]));
                }
                Kind::Fixed => {
                    def.set("type", J::s("fixed"));
                    def.set("size", J::n(2));
                }
            }
            extra.push(def);
        }
        let mut fields: Vec<J> = extra
            .into_iter()
            .map(|def| J::obj(vec![("name", J::s(self.fresh("fwd"))), ("type", def)]))
            .collect();
        match root {
            // A union gets one more branch, a record holding the definitions.
            J::Arr(branches) => {
                let holder = self.fresh("Defs");
                branches.push(J::obj(vec![
                    ("type", J::s("record")),
                    ("name", J::s(holder)),
                    ("fields", J::Arr(fields)),
                ]));
            }
            _ => {
                if let Some(J::Arr(root_fields)) = root.get_mut("fields") {
                    root_fields.append(&mut fields);
                }
            }
        }
    }

    pub(super) fn union(&mut self, depth: usize, ns: &Option<String>) -> (J, T) {
        self.tag("union");
        let n = if self.rng.chance(3) {
            0
        } else {
            1 + self.rng.below(4)
        };
        let mut items = Vec::new();
        let mut ts = Vec::new();
        if self.rng.chance(50) {
            items.push(J::s("null"));
            ts.push(T::Null);
        }
        for _ in 0..n {
            let saved = (self.planned.clone(), self.defined.len(), self.defs.len());
            let (j, t) = self.schema(depth.saturating_sub(1), ns);
            // Unless odd: no union in the union, no second branch of the same type.
            let key = union_key(&t);
            let clash = key
                .as_ref()
                .is_none_or(|k| ts.iter().any(|b| union_key(b).as_ref() == Some(k)));
            if clash && !self.odd() {
                // Dropped: forget what it defined and planned.
                self.planned = saved.0;
                self.defined.truncate(saved.1);
                self.defs.truncate(saved.2);
                continue;
            }
            items.push(j);
            ts.push(t);
        }
        if self.odd() && !items.is_empty() {
            let dup = items[self.rng.below(items.len())].clone();
            items.push(dup);
        }
        (J::Arr(items), T::Union(ts))
    }
}

/// What Java's `UnionSchema` tells branches apart by (`None` for a union, which may not be a
/// branch; unknown types get a key of their own).
fn union_key(t: &T) -> Option<String> {
    Some(match t {
        T::Null => "null".into(),
        T::Bool => "boolean".into(),
        T::Int => "int".into(),
        T::Long => "long".into(),
        T::Float => "float".into(),
        T::Double => "double".into(),
        T::Bytes => "bytes".into(),
        T::Str => "string".into(),
        T::Arr(_) => "array".into(),
        T::Map(_) => "map".into(),
        T::Named(full) => full.clone(),
        T::Union(_) => return None,
        T::Any => format!("any{:p}", t),
    })
}
