//! Parses `.avsc` JSON into the [`SchemaSet`] model, with Java Avro 1.12's validity rules
//! (valid names, no redefinition, unique symbols and fields, defaults that match their type).

// Errors are rare and cold here (one per bad file); a boxed diagnostic would buy nothing.
#![allow(clippy::result_large_err)]

use super::defaults::default_matches;
use super::walk::visit_nodes_mut;
use super::*;
use crate::diag::{Diagnostic, Level};
use crate::json::{self, Json};

/// Marks a reference that is resolved after every file is parsed (forward references).
const PENDING: usize = usize::MAX / 2;

struct Pending {
    candidates: Vec<String>,
    span: Span,
    file: FileId,
}

struct Parser<'s> {
    set: &'s mut SchemaSet,
    pending: Vec<Pending>,
    file: FileId,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Parses files as one set: named types defined in any file are visible in all of them.
/// Returns every error found (one per file at most for syntax errors).
pub fn parse_files(files: Vec<SourceFile>) -> Result<SchemaSet, Vec<Diagnostic>> {
    let mut set = SchemaSet {
        files,
        ..SchemaSet::default()
    };
    let mut errors = Vec::new();
    let mut pending = Vec::new();
    for file in 0..set.files.len() {
        let doc = match json::parse(&set.files[file].text) {
            Ok(doc) => doc,
            Err(e) => {
                errors.push(Diagnostic::at(
                    Level::Error,
                    "PARSE",
                    format!("invalid JSON: {}", e.message),
                    &set.files[file],
                    Span::new(e.offset, e.offset + 1),
                ));
                set.roots.push(placeholder(file));
                continue;
            }
        };
        let mut p = Parser {
            set: &mut set,
            pending: std::mem::take(&mut pending),
            file,
        };
        match p.node(&doc, None) {
            Ok(root) => {
                pending = p.pending;
                set.roots.push(root);
            }
            Err(e) => {
                pending = p.pending;
                errors.push(e);
                set.roots.push(placeholder(file));
            }
        }
    }
    if errors.is_empty() {
        resolve(&mut set, &pending, &mut errors);
    }
    if errors.is_empty() {
        check_defaults(&set, &mut errors);
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

fn placeholder(file: FileId) -> Node {
    Node {
        kind: Kind::Null,
        span: Span::default(),
        file,
        logical_type: None,
    }
}

fn resolve(set: &mut SchemaSet, pending: &[Pending], errors: &mut Vec<Diagnostic>) {
    let mut ids = Vec::with_capacity(pending.len());
    for p in pending {
        match p.candidates.iter().find_map(|c| set.by_name.get(c)) {
            Some(&id) => ids.push(id),
            None => {
                errors.push(
                    Diagnostic::at(
                        Level::Error,
                        "SCHEMA",
                        format!("unknown type {:?}", p.candidates[0]),
                        &set.files[p.file],
                        p.span,
                    )
                    .with_hint("define the type (or pass the schema that defines it as a reference) before using it by name"),
                );
                ids.push(0);
            }
        }
    }
    let mut fix = |n: &mut Node| {
        if let Kind::Named(id) = &mut n.kind {
            if *id >= PENDING {
                *id = ids[*id - PENDING];
            }
        }
    };
    for root in &mut set.roots {
        visit_nodes_mut(root, &mut fix);
    }
    for t in &mut set.types {
        if let Body::Record(fields) = &mut t.body {
            for f in fields {
                visit_nodes_mut(&mut f.ty, &mut fix);
            }
        }
    }
}

fn check_defaults(set: &SchemaSet, errors: &mut Vec<Diagnostic>) {
    for t in &set.types {
        if let Body::Record(fields) = &t.body {
            for f in fields {
                if let Some(d) = &f.default {
                    if let Err(why) = default_matches(set, &f.ty, d, 0) {
                        errors.push(
                            Diagnostic::at(
                                Level::Error,
                                "SCHEMA",
                                format!(
                                    "invalid default for field {:?} of {}: {why}",
                                    f.name,
                                    t.name.fullname()
                                ),
                                &set.files[t.file],
                                d.span,
                            )
                            .with_hint("the default must be a JSON value of the field's type (for a union: of one of its branches)"),
                        );
                    }
                }
            }
        }
    }
}

/// Whether `s` is a valid Avro name segment: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_valid_fullname(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_valid_name)
}

impl Parser<'_> {
    fn src(&self) -> &SourceFile {
        &self.set.files[self.file]
    }

    fn err(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(Level::Error, "SCHEMA", message, self.src(), span)
    }

    fn prim(&self, name: &str, span: Span, logical_type: Option<String>) -> Option<Node> {
        let kind = match name {
            "null" => Kind::Null,
            "boolean" => Kind::Boolean,
            "int" => Kind::Int,
            "long" => Kind::Long,
            "float" => Kind::Float,
            "double" => Kind::Double,
            "bytes" => Kind::Bytes,
            "string" => Kind::String,
            _ => return None,
        };
        Some(Node {
            kind,
            span,
            file: self.file,
            logical_type,
        })
    }

    fn node(&mut self, j: &JsonNode, ns: Option<&str>) -> Result<Node, Diagnostic> {
        match &j.value {
            Json::String(name) => {
                if let Some(n) = self.prim(name, j.span, None) {
                    return Ok(n);
                }
                self.reference(name, j.span, ns)
            }
            Json::Array(branches) => self.union(branches, j.span, ns),
            Json::Object(_) => self.object(j, ns),
            _ => Err(self.err(
                j.span,
                format!(
                    "a schema must be a string, object or array, found {}",
                    j.kind()
                ),
            )),
        }
    }

    fn reference(&mut self, name: &str, span: Span, ns: Option<&str>) -> Result<Node, Diagnostic> {
        if !is_valid_fullname(name) {
            return Err(self.err(span, format!("{name:?} is not a valid type name")));
        }
        let mut candidates = Vec::new();
        if !name.contains('.') {
            if let Some(ns) = ns.filter(|ns| !ns.is_empty()) {
                candidates.push(format!("{ns}.{name}"));
            }
        }
        candidates.push(name.to_string());
        let id = match candidates.iter().find_map(|c| self.set.by_name.get(c)) {
            Some(&id) => id,
            None => {
                self.pending.push(Pending {
                    candidates,
                    span,
                    file: self.file,
                });
                PENDING + self.pending.len() - 1
            }
        };
        Ok(Node {
            kind: Kind::Named(id),
            span,
            file: self.file,
            logical_type: None,
        })
    }

    fn union(
        &mut self,
        items: &[JsonNode],
        span: Span,
        ns: Option<&str>,
    ) -> Result<Node, Diagnostic> {
        let mut branches: Vec<Node> = Vec::with_capacity(items.len());
        let mut seen: Vec<String> = Vec::new();
        for item in items {
            let b = self.node(item, ns)?;
            let key = match &b.kind {
                Kind::Union(_) => {
                    return Err(
                        self.err(item.span, "unions may not immediately contain other unions")
                    )
                }
                Kind::Named(id) if *id >= PENDING => {
                    self.pending[*id - PENDING].candidates[0].clone()
                }
                Kind::Named(id) => self.set.types[*id].name.fullname(),
                _ => b.type_name(self.set).to_string(),
            };
            if seen.contains(&key) {
                return Err(self.err(item.span, format!("duplicate {key:?} in union")));
            }
            seen.push(key);
            branches.push(b);
        }
        Ok(Node {
            kind: Kind::Union(branches),
            span,
            file: self.file,
            logical_type: None,
        })
    }

    fn object(&mut self, j: &JsonNode, ns: Option<&str>) -> Result<Node, Diagnostic> {
        let ty = j
            .get("type")
            .ok_or_else(|| self.err(j.span, "schema object has no \"type\""))?;
        let logical_type = j
            .get("logicalType")
            .and_then(|l| l.as_str())
            .map(str::to_string);
        let Some(t) = ty.as_str() else {
            // {"type": {...}} or {"type": [...]} nests a schema.
            return self.node(ty, ns);
        };
        if let Some(n) = self.prim(t, j.span, logical_type.clone()) {
            return Ok(n);
        }
        match t {
            "array" => {
                let items = j
                    .get("items")
                    .ok_or_else(|| self.err(j.span, "array schema has no \"items\""))?;
                let items = self.node(items, ns)?;
                Ok(self.composite(Kind::Array(Box::new(items)), j.span, logical_type))
            }
            "map" => {
                let values = j
                    .get("values")
                    .ok_or_else(|| self.err(j.span, "map schema has no \"values\""))?;
                let values = self.node(values, ns)?;
                Ok(self.composite(Kind::Map(Box::new(values)), j.span, logical_type))
            }
            "record" | "error" | "enum" | "fixed" => self.named(j, t, ns),
            other => {
                // {"type": "SomeName"} references a named type.
                let mut n = self.reference(other, ty.span, ns)?;
                n.span = j.span;
                Ok(n)
            }
        }
    }

    fn composite(&self, kind: Kind, span: Span, logical_type: Option<String>) -> Node {
        Node {
            kind,
            span,
            file: self.file,
            logical_type,
        }
    }

    fn named(&mut self, j: &JsonNode, t: &str, ns: Option<&str>) -> Result<Node, Diagnostic> {
        let name_node = j
            .get("name")
            .ok_or_else(|| self.err(j.span, format!("{t} schema has no \"name\"")))?;
        let raw = name_node
            .as_str()
            .ok_or_else(|| self.err(name_node.span, "\"name\" must be a string"))?;
        if !is_valid_fullname(raw) {
            return Err(self.err(name_node.span, format!("{raw:?} is not a valid Avro name")));
        }
        let explicit_ns = match j.get("namespace") {
            Some(n) => match &n.value {
                Json::String(s) => {
                    if !s.is_empty() && !is_valid_fullname(s) {
                        return Err(self.err(n.span, format!("{s:?} is not a valid namespace")));
                    }
                    Some(s.clone())
                }
                Json::Null => None,
                _ => return Err(self.err(n.span, "\"namespace\" must be a string")),
            },
            None => None,
        };
        let name = match raw.rsplit_once('.') {
            Some((space, short)) => Name {
                name: short.to_string(),
                namespace: Some(space.to_string()),
            },
            None => Name {
                name: raw.to_string(),
                namespace: explicit_ns.or_else(|| ns.map(str::to_string)),
            },
        };
        let fullname = name.fullname();
        if PRIMITIVES.contains(&name.name.as_str())
            && name.namespace.as_deref().unwrap_or("").is_empty()
        {
            return Err(self.err(
                name_node.span,
                format!("{raw:?} is a primitive type name and cannot be redefined"),
            ));
        }
        if self.set.by_name.contains_key(&fullname) {
            return Err(self.err(
                name_node.span,
                format!("type {fullname:?} is defined twice"),
            ));
        }
        let own_ns = name.namespace.clone();
        let aliases = self.aliases(j, own_ns.as_deref())?;
        let doc = j.get("doc").and_then(|d| d.as_str()).map(str::to_string);
        let reserved: &[&str] = match t {
            "enum" => &[
                "type",
                "name",
                "namespace",
                "doc",
                "aliases",
                "symbols",
                "default",
            ],
            "fixed" => &["type", "name", "namespace", "doc", "aliases", "size"],
            _ => &["type", "name", "namespace", "doc", "aliases", "fields"],
        };
        let attrs = j
            .as_object()
            .unwrap_or(&[])
            .iter()
            .filter(|m| !reserved.contains(&m.key.as_str()))
            .cloned()
            .collect();
        let id = self.set.types.len();
        self.set.types.push(NamedType {
            name,
            aliases,
            doc,
            file: self.file,
            span: j.span,
            name_span: name_node.span,
            attrs,
            body: Body::Record(Vec::new()),
        });
        self.set.by_name.insert(fullname, id);
        let body = match t {
            "enum" => self.enum_body(j)?,
            "fixed" => {
                let size = j
                    .get("size")
                    .ok_or_else(|| self.err(j.span, "fixed schema has no \"size\""))?;
                let n = size
                    .as_i64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        self.err(size.span, "\"size\" must be a non-negative integer")
                    })?;
                Body::Fixed {
                    size: n,
                    size_span: size.span,
                }
            }
            _ => Body::Record(self.fields(j, own_ns.as_deref())?),
        };
        self.set.types[id].body = body;
        Ok(Node {
            kind: Kind::Named(id),
            span: j.span,
            file: self.file,
            logical_type: j
                .get("logicalType")
                .and_then(|l| l.as_str())
                .map(str::to_string),
        })
    }

    fn aliases(&self, j: &JsonNode, ns: Option<&str>) -> Result<Vec<Name>, Diagnostic> {
        let Some(a) = j.get("aliases") else {
            return Ok(Vec::new());
        };
        let items = a
            .as_array()
            .ok_or_else(|| self.err(a.span, "\"aliases\" must be an array of names"))?;
        items
            .iter()
            .map(|item| {
                let s = item
                    .as_str()
                    .filter(|s| is_valid_fullname(s))
                    .ok_or_else(|| self.err(item.span, "an alias must be a valid Avro name"))?;
                Ok(match s.rsplit_once('.') {
                    Some((space, short)) => Name {
                        name: short.to_string(),
                        namespace: Some(space.to_string()),
                    },
                    None => Name {
                        name: s.to_string(),
                        namespace: ns.map(str::to_string),
                    },
                })
            })
            .collect()
    }

    fn enum_body(&self, j: &JsonNode) -> Result<Body, Diagnostic> {
        let syms = j
            .get("symbols")
            .ok_or_else(|| self.err(j.span, "enum schema has no \"symbols\""))?;
        let items = syms
            .as_array()
            .ok_or_else(|| self.err(syms.span, "\"symbols\" must be an array of names"))?;
        let mut symbols: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let s = item
                .as_str()
                .filter(|s| is_valid_name(s))
                .ok_or_else(|| self.err(item.span, "an enum symbol must be a valid Avro name"))?;
            if symbols.iter().any(|x| x == s) {
                return Err(self.err(item.span, format!("duplicate enum symbol {s:?}")));
            }
            symbols.push(s.to_string());
        }
        let default = match j.get("default") {
            None => None,
            Some(d) => {
                let s = d
                    .as_str()
                    .ok_or_else(|| self.err(d.span, "an enum default must be a symbol string"))?;
                if !symbols.iter().any(|x| x == s) {
                    return Err(self.err(
                        d.span,
                        format!("enum default {s:?} is not one of the symbols"),
                    ));
                }
                Some((s.to_string(), d.span))
            }
        };
        Ok(Body::Enum(EnumBody {
            symbols,
            symbols_span: syms.span,
            default,
        }))
    }

    fn fields(&mut self, j: &JsonNode, ns: Option<&str>) -> Result<Vec<Field>, Diagnostic> {
        let fs = j
            .get("fields")
            .ok_or_else(|| self.err(j.span, "record schema has no \"fields\""))?;
        let items = fs
            .as_array()
            .ok_or_else(|| self.err(fs.span, "\"fields\" must be an array"))?;
        let mut fields: Vec<Field> = Vec::with_capacity(items.len());
        let mut seen: std::collections::HashSet<&str> =
            std::collections::HashSet::with_capacity(items.len());
        for item in items {
            if item.as_object().is_none() {
                return Err(self.err(item.span, "a field must be an object"));
            }
            let name_node = item
                .get("name")
                .ok_or_else(|| self.err(item.span, "field has no \"name\""))?;
            let name = name_node
                .as_str()
                .filter(|s| is_valid_name(s))
                .ok_or_else(|| {
                    self.err(name_node.span, "a field name must be a valid Avro name")
                })?;
            if !seen.insert(name) {
                return Err(self.err(name_node.span, format!("duplicate field {name:?}")));
            }
            let ty = item
                .get("type")
                .ok_or_else(|| self.err(item.span, format!("field {name:?} has no \"type\"")))?;
            let ty = self.node(ty, ns)?;
            let aliases = match item.get("aliases") {
                None => Vec::new(),
                Some(a) => a
                    .as_array()
                    .ok_or_else(|| self.err(a.span, "\"aliases\" must be an array of names"))?
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| self.err(x.span, "a field alias must be a string"))
                    })
                    .collect::<Result<_, _>>()?,
            };
            const RESERVED: [&str; 6] = ["name", "type", "default", "doc", "aliases", "order"];
            fields.push(Field {
                name: name.to_string(),
                name_span: name_node.span,
                span: item.span,
                aliases,
                doc: item.get("doc").and_then(|d| d.as_str()).map(str::to_string),
                ty,
                default: item.get("default").cloned(),
                attrs: item
                    .as_object()
                    .unwrap_or(&[])
                    .iter()
                    .filter(|m| !RESERVED.contains(&m.key.as_str()))
                    .cloned()
                    .collect(),
            });
        }
        Ok(fields)
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
