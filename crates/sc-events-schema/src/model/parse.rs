//! Parses `.avsc` JSON into the [`SchemaSet`] model, accepting exactly what Java Avro 1.12.1's
//! `Schema.Parser` accepts (names, namespaces, identical redefinitions, symbols, sizes, field
//! orders, defaults: see [`super::validity`] and [`super::java_defaults`]). A named type is
//! registered when complete, as Java puts it; a reference to a type not complete yet is a
//! placeholder resolved by its exact full name once every file is parsed.

// Errors are rare and cold here (one per bad file); a boxed diagnostic would buy nothing.
#![allow(clippy::result_large_err)]

use super::validity::{fullname_error, name_error, Equality, Facts};
use super::walk::visit_nodes_mut;
use super::*;
use crate::diag::{quoted, Diagnostic, Level};
use crate::json::{self, Json};

/// Marks a reference that is resolved after every file is parsed (forward references).
const PENDING: usize = usize::MAX / 2;

struct Pending {
    candidates: Vec<String>,
    span: Span,
    file: FileId,
}

struct Parser<'s, 'd> {
    set: &'s mut SchemaSet,
    pending: Vec<Pending>,
    file: FileId,
    facts: &'s mut Facts<'d>,
}

/// The largest fixed size Java accepts (`SystemLimitException`'s array limit).
const MAX_FIXED_SIZE: i64 = i32::MAX as i64 - 8;

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
    let docs: Vec<Option<JsonNode>> = (0..set.files.len())
        .map(|file| match json::parse(&set.files[file].text) {
            Ok(doc) => Some(doc),
            Err(e) => {
                errors.push(Diagnostic::at(
                    Level::Error,
                    "PARSE",
                    format!("invalid JSON: {}", e.message),
                    &set.files[file],
                    Span::new(e.offset, e.offset + 1),
                ));
                None
            }
        })
        .collect();
    let mut facts = Facts::default();
    let mut pending = Vec::new();
    for (file, doc) in docs.iter().enumerate() {
        let Some(doc) = doc else {
            set.roots.push(placeholder(file));
            continue;
        };
        let mut p = Parser {
            set: &mut set,
            pending: std::mem::take(&mut pending),
            file,
            facts: &mut facts,
        };
        let root = p.node(doc, None);
        pending = p.pending;
        match root {
            Ok(root) => set.roots.push(root),
            Err(e) => {
                errors.push(e);
                set.roots.push(placeholder(file));
            }
        }
    }
    if errors.is_empty() {
        resolve(&mut set, &pending, &mut errors);
    }
    if errors.is_empty() {
        super::validity::check_unions(&set, &mut errors);
    }
    if errors.is_empty() {
        super::java_defaults::check_defaults(&set, &facts, &mut errors);
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

pub use super::validity::is_valid_name;

impl<'d> Parser<'_, 'd> {
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

    fn node(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Node, Diagnostic> {
        self.facts.nodes.insert((self.file, j.span.start), j);
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

    /// A reference by name, resolved like Java's `ParseContext.find`: the name in the current
    /// namespace, then as written; a type not complete yet becomes a placeholder resolved later
    /// by the first candidate only (Java's `UnresolvedSchema` keeps just that full name).
    fn reference(&mut self, name: &str, span: Span, ns: Option<&str>) -> Result<Node, Diagnostic> {
        let mut candidates = Vec::new();
        if !name.contains('.') {
            if let Some(ns) = ns.filter(|ns| !ns.is_empty()) {
                candidates.push(format!("{ns}.{name}"));
            }
        }
        candidates.push(name.to_string());
        let id = match candidates.iter().find_map(|c| self.set.by_name.get(c)) {
            Some(&id) => {
                self.facts.named_at.insert((self.file, span.start), id);
                id
            }
            None => {
                candidates.truncate(1);
                self.facts.placeholders.insert((self.file, span.start));
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
        items: &'d [JsonNode],
        span: Span,
        ns: Option<&str>,
    ) -> Result<Node, Diagnostic> {
        let mut branches: Vec<Node> = Vec::with_capacity(items.len());
        for item in items {
            let b = self.node(item, ns)?;
            if let Kind::Union(_) = b.kind {
                return Err(self.err(item.span, "unions may not immediately contain other unions"));
            }
            branches.push(b);
        }
        Ok(Node {
            kind: Kind::Union(branches),
            span,
            file: self.file,
            logical_type: None,
        })
    }

    fn object(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Node, Diagnostic> {
        let ty = j
            .get("type")
            .ok_or_else(|| self.err(j.span, "schema object has no \"type\""))?;
        let logical_type = j
            .get("logicalType")
            .and_then(|l| l.as_str())
            .map(str::to_string);
        let Some(t) = ty.as_str() else {
            // Java: getRequiredText("type") — a nested schema object or union is no type.
            return Err(self.err(
                ty.span,
                "\"type\" must be a type name (a nested schema goes directly in the field's \"type\")",
            ));
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
                self.reference(other, j.span, ns)
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

    /// Java's `Name(name, space)`: the part after the last dot is validated, the rest is the
    /// namespace (`""` is none).
    fn java_name(&self, raw: &str, space: Option<&str>, span: Span) -> Result<Name, Diagnostic> {
        let (space, short) = match raw.rsplit_once('.') {
            Some((space, short)) => (Some(space), short),
            None => (space, raw),
        };
        if let Some(e) = name_error(short) {
            return Err(self.err(span, e));
        }
        Ok(Name {
            name: short.to_string(),
            namespace: space.filter(|s| !s.is_empty()).map(str::to_string),
        })
    }

    fn named(&mut self, j: &'d JsonNode, t: &str, ns: Option<&str>) -> Result<Node, Diagnostic> {
        let name_node = j
            .get("name")
            .ok_or_else(|| self.err(j.span, format!("{t} schema has no \"name\"")))?;
        let raw = name_node
            .as_str()
            .ok_or_else(|| self.err(name_node.span, "\"name\" must be a string"))?;
        // Java's getOptionalText: a namespace that is not a string is no namespace.
        let space = match j.get("namespace").and_then(JsonNode::as_str) {
            Some(s) => Some(s),
            None => ns,
        };
        let name = self.java_name(raw, space, name_node.span)?;
        let fullname = name.fullname();
        if PRIMITIVES.contains(&fullname.as_str()) {
            return Err(self.err(
                name_node.span,
                format!("schemas may not be named after primitives: {fullname}"),
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
        self.facts.defs.insert(id, j);
        self.facts.named_at.insert((self.file, j.span.start), id);
        let body = match t {
            "enum" => self.enum_body(j)?,
            "fixed" => {
                let size = j
                    .get("size")
                    .ok_or_else(|| self.err(j.span, "fixed schema has no \"size\""))?;
                let n = match &size.value {
                    Json::Number(n) if !n.contains(['.', 'e', 'E']) => n.parse::<i32>().ok(),
                    _ => None,
                }
                .ok_or_else(|| self.err(size.span, "\"size\" must be an int"))?;
                let n = usize::try_from(n)
                    .ok()
                    .filter(|&n| n as i64 <= MAX_FIXED_SIZE)
                    .ok_or_else(|| {
                        self.err(
                            size.span,
                            format!("\"size\" must be between 0 and {MAX_FIXED_SIZE} (Java's array limit)"),
                        )
                    })?;
                Body::Fixed {
                    size: n,
                    size_span: size.span,
                }
            }
            _ => Body::Record(self.fields(j, own_ns.as_deref())?),
        };
        self.set.types[id].body = body;
        // Java's ParseContext.put, now that the type is complete.
        if let Some(e) = fullname_error(&fullname) {
            return Err(self.err(name_node.span, e));
        }
        match self.set.by_name.get(&fullname) {
            None => {
                self.set.by_name.insert(fullname, id);
                self.facts.completed.push(id);
            }
            Some(&first) => {
                let mut eq = Equality {
                    set: self.set,
                    facts: self.facts,
                    file: self.file,
                    memo: HashMap::new(),
                };
                if !eq.types(first, id) {
                    return Err(self.err(
                        name_node.span,
                        format!("can't redefine: {} (a different type of that name exists)", quoted(&fullname)),
                    )
                    .with_hint("a named type may be defined again only identically; refer to it by name"));
                }
            }
        }
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
                    .ok_or_else(|| self.err(item.span, "an alias must be a string"))?;
                self.java_name(s, ns, item.span)
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
        let mut seen: std::collections::HashSet<&str> =
            std::collections::HashSet::with_capacity(items.len());
        for item in items {
            let s = item
                .as_str()
                .ok_or_else(|| self.err(item.span, "an enum symbol must be a string"))?;
            if let Some(e) = name_error(s) {
                return Err(self.err(item.span, format!("invalid enum symbol: {e}")));
            }
            if !seen.insert(s) {
                return Err(self.err(item.span, format!("duplicate enum symbol {}", quoted(s))));
            }
            symbols.push(s.to_string());
        }
        // Java reads the default with textValue(): anything but a string is no default.
        let default = match j
            .get("default")
            .and_then(|d| d.as_str().map(|s| (s, d.span)))
        {
            None => None,
            Some((s, span)) => {
                if !seen.contains(s) {
                    return Err(self.err(
                        span,
                        format!("enum default {} is not one of the symbols", quoted(s)),
                    ));
                }
                Some((s.to_string(), span))
            }
        };
        Ok(Body::Enum(EnumBody {
            symbols,
            symbols_span: syms.span,
            default,
        }))
    }

    fn fields(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Vec<Field>, Diagnostic> {
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
            let name_node = item
                .get("name")
                .filter(|n| n.as_str().is_some())
                .ok_or_else(|| self.err(item.span, "field has no \"name\" string"))?;
            let name = name_node.as_str().unwrap_or_default();
            let ty = item.get("type").ok_or_else(|| {
                self.err(item.span, format!("field {} has no \"type\"", quoted(name)))
            })?;
            let ty = self.node(ty, ns)?;
            if let Some(o) = item.get("order") {
                let ok = o.as_str().is_some_and(|o| {
                    matches!(
                        o.to_uppercase().as_str(),
                        "ASCENDING" | "DESCENDING" | "IGNORE"
                    )
                });
                if !ok {
                    return Err(self.err(
                        o.span,
                        "\"order\" must be \"ascending\", \"descending\" or \"ignore\"",
                    ));
                }
            }
            if let Some(e) = name_error(name) {
                return Err(self.err(name_node.span, format!("invalid field name: {e}")));
            }
            if !seen.insert(name) {
                return Err(self.err(name_node.span, format!("duplicate field {}", quoted(name))));
            }
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
            self.facts.nodes.insert((self.file, item.span.start), item);
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
