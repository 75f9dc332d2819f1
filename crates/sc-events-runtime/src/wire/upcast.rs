//! Upcasting across majors: data written under an older major of a semver-versioned schema,
//! which Avro's resolution cannot read into today's types (that is what made it a major), read
//! through a declared migration.
//!
//! A step from major N to N+1 is the reader schema's `"upcast"` attribute on its top-level
//! record (field mapping and defaults, as data) and/or a Rust function registered with the
//! deserializer for that step ([`Upcasters::step`]). The writer's datum is read as Avro JSON
//! (records as objects, a union's value tagged with its branch), the functions of every step
//! edit it in order, then it is written in the reader's layout: each reader field from the
//! writer's field of that name, else from the field the declared mapping names (`"from"`),
//! else the declared default, else the reader schema's default; numbers convert when the value
//! fits (a double `1999.0` into a long, not `1999.5`); an unknown enum symbol takes the reader
//! enum's default. The generated decoder then reads the result. Slower than resolution, and
//! only for an older major's backlog.
//!
//! ```json
//! "upcast": {"from": "1", "fields": {"ProductCreated.priceCents": {"from": "price"},
//!                                     "ProductCreated.currency": {"default": "USD"}}}
//! ```

use crate::wire::avro_json::write_datum;
use crate::wire::binary::{self, Reader};
use sc_events_registry::check::Parsed;
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use sc_events_schema::text::Semver;
use sc_events_schema::Catalog;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

/// A Rust migration step: edits the older major's datum (Avro JSON) in place.
pub type UpcastFn = Arc<dyn Fn(&mut Value) -> Result<(), String> + Send + Sync>;

/// The Rust steps a reader registers, by the major they read from.
#[derive(Clone, Default)]
pub struct Upcasters {
    steps: BTreeMap<u64, UpcastFn>,
}

impl fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.steps.keys().map(|m| format!("{m} → {}", m + 1)))
            .finish()
    }
}

impl Upcasters {
    /// Registers the step from major `from` to `from + 1`.
    pub fn step(
        mut self,
        from: u64,
        f: impl Fn(&mut Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.steps.insert(from, Arc::new(f));
        self
    }
}

/// A reader field's declared source in the step's data.
#[derive(Debug, Clone, Default)]
struct FieldRule {
    from: Option<String>,
    default: Option<Value>,
}

/// The reader record's `"upcast"` attribute: the step into this major.
#[derive(Debug, Clone)]
struct Declared {
    from: u64,
    /// (record name, field) → rule.
    fields: HashMap<(String, String), FieldRule>,
}

fn declared(catalog: &Catalog, root: TypeId) -> Result<Option<Declared>, String> {
    let Some(node) = catalog.set.types[root].attr("upcast") else {
        return Ok(None);
    };
    let v = node.to_value();
    let bad = |why: &str| format!("the \"upcast\" attribute {why}");
    let from = match v.get("from") {
        Some(Value::String(s)) => s.trim_end_matches(".x").parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| bad("needs \"from\": the major it reads (\"1\")"))?;
    let mut fields = HashMap::new();
    if let Some(map) = v.get("fields") {
        let Value::Object(map) = map else {
            return Err(bad("has \"fields\" that is not an object"));
        };
        for (key, rule) in map {
            let (record, field) = key
                .split_once('.')
                .ok_or_else(|| bad(&format!("names \"{key}\", not Record.field")))?;
            let from = rule.get("from").and_then(Value::as_str).map(str::to_string);
            let default = rule.get("default").cloned();
            fields.insert(
                (record.to_string(), field.to_string()),
                FieldRule { from, default },
            );
        }
    }
    Ok(Some(Declared { from, fields }))
}

/// How data of an older major becomes today's.
pub struct UpcastPlan {
    writer: Parsed,
    from: u64,
    to: u64,
    steps: Vec<UpcastFn>,
    declared: Option<Declared>,
    catalog: &'static Catalog,
    root: TypeId,
}

impl fmt::Debug for UpcastPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UpcastPlan({} → {})", self.from, self.to)
    }
}

/// The major of a semver-versioned top-level record (its `version_attribute`).
fn major_of(set: &SchemaSet, root: &Node, attribute: &str) -> Option<u64> {
    let Kind::Named(id) = root.kind else {
        return None;
    };
    let v = set.types[id].attr(attribute)?.as_str()?;
    Semver::parse(v).ok().map(|s| s.major)
}

/// The writer's and the reader's majors, when the writer's is older (semver-versioned
/// top-level records): then [`plan`] decides how its data is read.
pub fn older_major(catalog: &Catalog, record: &str, writer: &Parsed) -> Option<(u64, u64)> {
    let attribute = &catalog.layout.section.version_attribute;
    let root = catalog.set.lookup(record)?;
    let reader_root = Node {
        kind: Kind::Named(root),
        span: Default::default(),
        file: 0,
        logical_type: None,
    };
    let from = major_of(&writer.set, writer.root().root, attribute)?;
    let to = major_of(&catalog.set, &reader_root, attribute)?;
    (from < to).then_some((from, to))
}

/// The plan reading `writer`, of major `from`, into the reader record `record` of major `to`;
/// an error when a step has neither a declaration nor a function.
pub fn plan(
    catalog: &'static Catalog,
    record: &str,
    writer: Parsed,
    (from, to): (u64, u64),
    fns: &Upcasters,
) -> Result<UpcastPlan, String> {
    let Some(root) = catalog.set.lookup(record) else {
        return Err(format!("this build has no record {record}"));
    };
    let declared = declared(catalog, root)?;
    let mut steps = Vec::new();
    for m in from..to {
        let declares = declared
            .as_ref()
            .is_some_and(|d| d.from == m && m + 1 == to);
        match fns.steps.get(&m) {
            Some(f) => steps.push(f.clone()),
            None if declares => {}
            None => {
                return Err(format!(
                    "no upcast from major {m} to {}: declare \"upcast\" on the record or register a step for it",
                    m + 1
                ))
            }
        }
    }
    Ok(UpcastPlan {
        writer,
        from,
        to,
        steps,
        declared: declared.filter(|d| d.from + 1 == to),
        catalog,
        root,
    })
}

impl UpcastPlan {
    /// Reads `datum` (the older major's) and writes it in the reader's layout into `out`.
    pub fn run(&self, datum: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        let mut r = Reader::new(datum);
        let mut text = String::with_capacity(datum.len() * 2);
        write_datum(&self.writer.set, self.writer.root().root, &mut r, &mut text)
            .and_then(|()| r.finish())
            .map_err(|e| e.to_string())?;
        let mut v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        for f in &self.steps {
            f(&mut v)?;
        }
        let node = Node {
            kind: Kind::Named(self.root),
            span: Default::default(),
            file: 0,
            logical_type: None,
        };
        self.encode(&node, &v, "", out)
    }

    fn encode(&self, n: &Node, v: &Value, path: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let set = &self.catalog.set;
        let bad = || {
            format!(
                "{}: {} does not fit {}",
                if path.is_empty() { "the datum" } else { path },
                kind_of(v),
                n.type_name(set)
            )
        };
        match (&n.kind, v) {
            (Kind::Null, Value::Null) => {}
            (Kind::Boolean, Value::Bool(b)) => binary::put_bool(out, *b),
            (Kind::Int, _) => {
                let i = integral(v)
                    .and_then(|i| i32::try_from(i).ok())
                    .ok_or_else(bad)?;
                binary::put_int(out, i);
            }
            (Kind::Long, _) => binary::put_long(out, integral(v).ok_or_else(bad)?),
            (Kind::Float, _) => binary::put_float(out, real(v).ok_or_else(bad)? as f32),
            (Kind::Double, _) => binary::put_double(out, real(v).ok_or_else(bad)?),
            (Kind::String, Value::String(s)) => binary::put_str(out, s),
            (Kind::Bytes, Value::String(s)) => binary::put_bytes(out, &latin1(s).ok_or_else(bad)?),
            (Kind::Array(item), Value::Array(items)) => {
                binary::put_block_count(out, items.len());
                for (i, x) in items.iter().enumerate() {
                    self.encode(item, x, &format!("{path}[{i}]"), out)?;
                }
                binary::end_blocks(out);
            }
            (Kind::Map(val), Value::Object(m)) => {
                binary::put_block_count(out, m.len());
                for (k, x) in m {
                    binary::put_str(out, k);
                    self.encode(val, x, &format!("{path}[{k:?}]"), out)?;
                }
                binary::end_blocks(out);
            }
            (Kind::Union(branches), _) => self.union(branches, v, path, out)?,
            (Kind::Named(id), _) => match (&set.types[*id].body, v) {
                (Body::Enum(e), Value::String(s)) => {
                    let i = e
                        .symbols
                        .iter()
                        .position(|x| x == s)
                        .or_else(|| {
                            let (d, _) = e.default.as_ref()?;
                            e.symbols.iter().position(|x| x == d)
                        })
                        .ok_or_else(bad)?;
                    binary::put_int(out, i as i32);
                }
                (Body::Fixed { size, .. }, Value::String(s)) => {
                    let b = latin1(s).filter(|b| b.len() == *size).ok_or_else(bad)?;
                    out.extend_from_slice(&b);
                }
                (Body::Record(fields), Value::Object(obj)) => {
                    let record = &set.types[*id].name.name;
                    for f in fields {
                        let rule = self
                            .declared
                            .as_ref()
                            .and_then(|d| d.fields.get(&(record.clone(), f.name.clone())));
                        let from = rule.and_then(|r| r.from.as_deref());
                        let schema_default = f.default.as_ref().map(|d| d.to_value());
                        let value = obj
                            .get(&f.name)
                            .or_else(|| from.and_then(|w| obj.get(w)))
                            .or_else(|| rule.and_then(|r| r.default.as_ref()))
                            .or(schema_default.as_ref());
                        let Some(value) = value else {
                            return Err(format!(
                                "{record}.{}: the older major has no such field and nothing gives it a value (declare a \"from\" or \"default\" in \"upcast\")",
                                f.name
                            ));
                        };
                        // A reader default of a union is its first branch's, untagged.
                        let fpath = format!("{record}.{}", f.name);
                        self.encode(&f.ty, value, &fpath, out)?;
                    }
                }
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        }
        Ok(())
    }

    /// A union value: `null`, a `{"branch": value}` tagged by a branch's name (full or short),
    /// or (after a step's edit, or a schema default) an untagged value the first fitting
    /// branch takes.
    fn union(
        &self,
        branches: &[Node],
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let set = &self.catalog.set;
        let names = |b: &Node| -> Vec<String> {
            match &b.kind {
                Kind::Named(id) => {
                    let t = &set.types[*id];
                    vec![t.name.fullname(), t.name.name.clone()]
                }
                _ => vec![b.type_name(set).to_string()],
            }
        };
        if v.is_null() {
            if let Some(i) = branches.iter().position(|b| matches!(b.kind, Kind::Null)) {
                binary::put_long(out, i as i64);
                return Ok(());
            }
        }
        if let Value::Object(m) = v {
            if let (1, Some((tag, inner))) = (m.len(), m.iter().next()) {
                let short = tag.rsplit('.').next().unwrap_or(tag);
                if let Some(i) = branches
                    .iter()
                    .position(|b| names(b).iter().any(|n| n == tag || n == short))
                {
                    binary::put_long(out, i as i64);
                    return self.encode(&branches[i], inner, path, out);
                }
            }
        }
        for (i, b) in branches.iter().enumerate() {
            let mut tmp = Vec::new();
            if self.encode(b, v, path, &mut tmp).is_ok() {
                binary::put_long(out, i as i64);
                out.extend_from_slice(&tmp);
                return Ok(());
            }
        }
        Err(format!(
            "{}: {} fits no branch of the reader's union",
            if path.is_empty() { "the datum" } else { path },
            kind_of(v)
        ))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON number that is a whole number (`1999` or `1999.0`).
fn integral(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        (f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64).then_some(f as i64)
    })
}

fn real(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Avro JSON's bytes: one character per byte, U+0000 to U+00FF.
fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}
