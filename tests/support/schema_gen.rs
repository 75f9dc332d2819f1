//! A seeded generator of random Avro schemas and of realistic evolutions of them (added,
//! removed, renamed and retyped fields, nullability flips, enum and union changes, renamed named
//! types, fixed sizes), for the differential run against Apache Avro's own checkers.

use serde_json::{json, Map, Value};

/// xorshift64*: small, fast, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
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
}

const PRIMS: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
const SYMBOLS: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

pub struct Gen {
    pub rng: Rng,
    counter: usize,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen {
            rng: Rng::new(seed),
            counter: 0,
        }
    }

    fn name(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn primitive(&mut self) -> Value {
        let p = *self.rng.pick(&PRIMS[1..]);
        match (p, self.rng.below(10)) {
            ("long", 0) => json!({"type": "long", "logicalType": "timestamp-millis"}),
            ("string", 0) => json!({"type": "string", "logicalType": "uuid"}),
            ("int", 0) => json!({"type": "int", "logicalType": "date"}),
            _ => json!(p),
        }
    }

    /// A random schema; `depth` bounds nesting.
    pub fn schema(&mut self, depth: usize) -> Value {
        if depth == 0 {
            return self.primitive();
        }
        match self.rng.below(12) {
            0..=3 => self.primitive(),
            4 => json!({"type": "array", "items": self.schema(depth - 1)}),
            5 => json!({"type": "map", "values": self.schema(depth - 1)}),
            6 => self.union(depth),
            7 | 8 => self.record(depth),
            9 | 10 => self.enumeration(),
            _ => json!({"type": "fixed", "name": self.name("F"), "size": 2 + self.rng.below(6)}),
        }
    }

    fn union(&mut self, depth: usize) -> Value {
        let mut seen = Vec::new();
        let mut branches = Vec::new();
        if self.rng.chance(60) {
            branches.push(json!("null"));
            seen.push("null".to_string());
        }
        for _ in 0..1 + self.rng.below(3) {
            let b = if self.rng.chance(70) {
                self.primitive()
            } else {
                self.schema(depth - 1)
            };
            let key = branch_key(&b);
            if key == "union" || seen.contains(&key) {
                continue;
            }
            seen.push(key);
            branches.push(b);
        }
        Value::Array(branches)
    }

    pub fn enumeration(&mut self) -> Value {
        let n = 2 + self.rng.below(4);
        let symbols: Vec<&str> = SYMBOLS[..n].to_vec();
        let mut e = json!({"type": "enum", "name": self.name("E"), "symbols": symbols});
        if self.rng.chance(30) {
            e["default"] = json!(symbols[0]);
        }
        e
    }

    pub fn record(&mut self, depth: usize) -> Value {
        let name = self.name("R");
        let mut r = json!({"type": "record", "name": name, "fields": []});
        if self.rng.chance(30) {
            r["namespace"] = json!(format!("ns{}", self.rng.below(3)));
        }
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            let ty = if i == n - 1 && depth > 1 && self.rng.chance(10) {
                json!(["null", name.clone()]) // recursion
            } else {
                self.schema(depth.saturating_sub(1))
            };
            let f = self.field(&format!("f{i}"), ty);
            push_field(&mut r, f);
        }
        r
    }

    fn field(&mut self, name: &str, ty: Value) -> Value {
        let mut f = json!({"name": name, "type": ty});
        if self.rng.chance(40) {
            if let Some(d) = default_for(&f["type"]) {
                f["default"] = d;
            }
        }
        f
    }

    /// One random evolution step, applied in place.
    pub fn mutate(&mut self, schema: &mut Value) {
        let records = paths(schema, |v| v.get("type") == Some(&json!("record")));
        let enums = paths(schema, |v| v.get("type") == Some(&json!("enum")));
        let named = paths(schema, |v| {
            matches!(
                v.get("type").and_then(Value::as_str),
                Some("record" | "enum" | "fixed")
            )
        });
        match self.rng.below(12) {
            0..=5 if !records.is_empty() => {
                let p = self.rng.pick(&records).clone();
                let Some(rec) = schema.pointer_mut(&p) else {
                    return;
                };
                self.mutate_record(rec);
            }
            6 | 7 if !enums.is_empty() => {
                let p = self.rng.pick(&enums).clone();
                let Some(e) = schema.pointer_mut(&p) else {
                    return;
                };
                let Some(symbols) = e.get_mut("symbols").and_then(Value::as_array_mut) else {
                    return;
                };
                match self.rng.below(4) {
                    0 if symbols.len() < 6 => symbols.push(json!(SYMBOLS[symbols.len()])),
                    1 if symbols.len() > 1 => {
                        let i = self.rng.below(symbols.len());
                        symbols.remove(i);
                        if let Some(d) = e.get("default").cloned() {
                            if !e["symbols"].as_array().is_some_and(|s| s.contains(&d)) {
                                e.as_object_mut().map(|o| o.remove("default"));
                            }
                        }
                    }
                    2 => e["default"] = e["symbols"][0].clone(),
                    _ => {
                        e.as_object_mut().map(|o| o.remove("default"));
                    }
                }
            }
            8 if !named.is_empty() => {
                // Rename a named type, with or without an alias; keep references consistent.
                let p = self.rng.pick(&named).clone();
                let Some(t) = schema.pointer_mut(&p) else {
                    return;
                };
                let old = t["name"].as_str().unwrap_or("X").to_string();
                let new = format!("{old}x");
                let ns = t
                    .get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                t["name"] = json!(new);
                match self.rng.below(3) {
                    0 => t["aliases"] = json!([old.clone()]),
                    1 => t["aliases"] = json!([ns.map_or(old.clone(), |n| format!("{n}.{old}"))]),
                    _ => {}
                }
                rename_refs(schema, &old, &new);
            }
            9 if !named.is_empty() => {
                let p = self.rng.pick(&named).clone();
                let Some(t) = schema.pointer_mut(&p) else {
                    return;
                };
                if t["type"] == "fixed" {
                    t["size"] = json!(2 + self.rng.below(6));
                } else {
                    t["namespace"] = json!(format!("ns{}", self.rng.below(3)));
                }
            }
            10 => {
                // Flip the whole schema's nullability or wrap it.
                let old = schema.clone();
                *schema = match (&old, self.rng.below(3)) {
                    (Value::Array(b), _) if b.len() == 2 && b[0] == "null" => b[1].clone(),
                    (Value::Array(_), _) => self.primitive(),
                    (_, 0) => json!(["null", old]),
                    (_, 1) => json!({"type": "array", "items": old}),
                    _ => self.primitive(),
                };
            }
            _ => *schema = self.schema(2),
        }
    }

    fn mutate_record(&mut self, rec: &mut Value) {
        let Some(fields) = rec.get_mut("fields").and_then(Value::as_array_mut) else {
            return;
        };
        let n = fields.len();
        match self.rng.below(10) {
            0 | 1 => {
                let ty = if self.rng.chance(50) {
                    json!(["null", self.primitive()])
                } else {
                    self.primitive()
                };
                let mut f = json!({"name": format!("n{}", self.rng.below(1000)), "type": ty});
                if self.rng.chance(60) {
                    if let Some(d) = default_for(&f["type"]) {
                        f["default"] = d;
                    }
                }
                if !fields.iter().any(|x| x["name"] == f["name"]) {
                    fields.push(f);
                }
            }
            2 if n > 1 => {
                let i = self.rng.below(n);
                fields.remove(i);
            }
            3 => {
                let i = self.rng.below(n);
                let old = fields[i]["name"].clone();
                fields[i]["name"] = json!(format!("{}_r", old.as_str().unwrap_or("f")));
                if self.rng.chance(50) {
                    fields[i]["aliases"] = json!([old]);
                }
            }
            4 | 5 => {
                let i = self.rng.below(n);
                let promoted = match fields[i]["type"].as_str() {
                    Some("int") => *self.rng.pick(&["long", "float", "double", "string"]),
                    Some("long") => *self.rng.pick(&["int", "float", "double"]),
                    Some("float") => *self.rng.pick(&["double", "long"]),
                    Some("string") => *self.rng.pick(&["bytes", "int"]),
                    Some("bytes") => "string",
                    _ => *self.rng.pick(&PRIMS[1..]),
                };
                fields[i]["type"] = json!(promoted);
                fields[i].as_object_mut().map(|o| o.remove("default"));
            }
            6 => {
                let i = self.rng.below(n);
                let ty = fields[i]["type"].clone();
                match ty {
                    Value::Array(b) if b.len() == 2 && b[0] == "null" => {
                        fields[i]["type"] = b[1].clone();
                        fields[i].as_object_mut().map(|o| o.remove("default"));
                    }
                    Value::Array(_) => {}
                    t => {
                        fields[i]["type"] = json!(["null", t]);
                        fields[i]["default"] = Value::Null;
                    }
                }
            }
            7 => {
                let i = self.rng.below(n);
                if fields[i].get("default").is_some() {
                    fields[i].as_object_mut().map(|o| o.remove("default"));
                } else if let Some(d) = default_for(&fields[i]["type"]) {
                    fields[i]["default"] = d;
                }
            }
            8 if n > 1 => fields.swap(0, n - 1),
            _ => {
                let i = self.rng.below(n);
                if let Value::Array(b) = &mut fields[i]["type"] {
                    if b.len() > 1 && self.rng.chance(50) {
                        b.pop();
                    } else if !b.contains(&json!("string")) {
                        b.push(json!("string"));
                    }
                }
            }
        }
    }
}

fn push_field(r: &mut Value, f: Value) {
    if let Some(fields) = r["fields"].as_array_mut() {
        fields.push(f);
    }
}

fn branch_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(_) => "union".into(),
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some(t @ ("record" | "enum" | "fixed")) => format!(
                "{t}:{}",
                o.get("name").and_then(Value::as_str).unwrap_or("")
            ),
            Some(t) => t.to_string(),
            None => "?".into(),
        },
        _ => "?".into(),
    }
}

/// A valid default for a type (the first branch's for a union), if one is easy to write.
pub fn default_for(ty: &Value) -> Option<Value> {
    Some(match ty {
        Value::String(s) => match s.as_str() {
            "null" => Value::Null,
            "boolean" => json!(true),
            "int" | "long" => json!(7),
            "float" | "double" => json!(1.5),
            "bytes" | "string" => json!("x"),
            _ => return None, // a reference: skip
        },
        Value::Array(b) => default_for(b.first()?)?,
        Value::Object(o) => match o.get("type")?.as_str()? {
            "array" => json!([]),
            "map" => json!({}),
            "enum" => o.get("symbols")?.get(0)?.clone(),
            "fixed" => json!("a".repeat(o.get("size")?.as_u64()? as usize)),
            "record" => {
                let mut m = Map::new();
                for f in o.get("fields")?.as_array()? {
                    let d = match f.get("default") {
                        Some(d) => d.clone(),
                        None => default_for(f.get("type")?)?,
                    };
                    m.insert(f.get("name")?.as_str()?.to_string(), d);
                }
                Value::Object(m)
            }
            p => default_for(&json!(p))?,
        },
        _ => return None,
    })
}

/// JSON pointers of every object satisfying `pred`.
fn paths(v: &Value, pred: impl Fn(&Value) -> bool + Copy) -> Vec<String> {
    fn walk(v: &Value, at: String, pred: &dyn Fn(&Value) -> bool, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if pred(v) {
                    out.push(at.clone());
                }
                for (k, x) in o {
                    walk(x, format!("{at}/{k}"), pred, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{at}/{i}"), pred, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &pred, &mut out);
    out
}

fn rename_refs(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) if s == old => *s = new.to_string(),
        Value::String(s) if s.ends_with(&format!(".{old}")) => {
            *s = format!("{}{new}", &s[..s.len() - old.len()])
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, old, new)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k != "name" && k != "aliases" && k != "default" && k != "symbols" {
                    rename_refs(x, old, new);
                }
            }
        }
        _ => {}
    }
}

/// One differential case: a random schema, evolved 1–3 times into a history, checked in a mode.
pub fn case(seed: u64) -> Value {
    let modes = sc_events_schema::rules::compat::Mode::ALL.map(|m| m.as_str());
    let mut g = Gen::new(seed);
    let mut s = if g.rng.chance(80) {
        g.record(3)
    } else {
        g.schema(3)
    };
    let mut history = vec![s.clone()];
    let versions = 1 + g.rng.below(3);
    for _ in 0..versions {
        for _ in 0..1 + g.rng.below(2) {
            g.mutate(&mut s);
        }
        history.push(s.clone());
    }
    let new = history.pop().unwrap_or(Value::Null);
    let mode = *g.rng.pick(&modes[..]);
    json!({"id": format!("gen-{seed}"), "mode": mode, "new": new, "existing": history})
}
