//! Parses `.avsc` JSON into the [`SchemaSet`] model, accepting exactly what Java Avro 1.12.1's
//! `Schema.Parser` accepts (names, namespaces, identical redefinitions, symbols, sizes, field
//! orders, defaults: see [`super::validity`] and [`super::java_defaults`]). A named type is
//! registered when complete, as Java puts it; a reference to a type not complete yet is a
//! placeholder resolved by its exact full name once every file is parsed.

use super::validity::{fullname_error, name_error, Equality, Facts};
use super::walk::visit_nodes_mut;
use super::*;
use crate::diag::{Diagnostic, Level};
use crate::json::{self, Json};
use crate::text::quoted;

/// A parse error. Boxed so that the `Result`s of the recursive descent stay small: at
/// Jackson's maximum depth (1000) their temporaries are in every frame of a debug build.
type Error = Box<Diagnostic>;

/// Marks a reference that is resolved after every file is parsed (forward references).
const PENDING: usize = usize::MAX / 2;

#[derive(Clone)]
struct Pending {
    candidates: Vec<String>,
    /// The name as the file writes it (`strng`, before the namespace is applied).
    written: String,
    /// Where an unresolved name is reported: the name itself.
    name_span: Span,
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
    let mut errors = Vec::new();
    let docs = json_docs(&files, &mut errors);
    let mut state = State::new(errors);
    state.add(files, &docs);
    state.finish()
}

/// [`parse_files`] of `common` followed by each of `rests`, with `common` parsed once: each
/// set continues from a copy of the parser's state after `common` (the sets and errors are
/// those of `parse_files(common ++ rest)`). For the versions of a registered history, which
/// share their references. The rests are parsed side by side, on every core.
pub fn parse_files_sharing(
    common: Vec<SourceFile>,
    rests: Vec<Vec<SourceFile>>,
) -> Vec<Result<SchemaSet, Vec<Diagnostic>>> {
    let mut errors = Vec::new();
    let docs = json_docs(&common, &mut errors);
    let mut base = State::new(errors);
    base.add(common, &docs);
    let rests: Vec<std::sync::Mutex<Vec<SourceFile>>> =
        rests.into_iter().map(std::sync::Mutex::new).collect();
    let take = |rest: &std::sync::Mutex<Vec<SourceFile>>| {
        std::mem::take(&mut *rest.lock().unwrap_or_else(|p| p.into_inner()))
    };
    if !base.errors.is_empty() {
        // An error in the common files: no state worth continuing from (the first error of
        // the common files may only be reported after a rest's syntax errors).
        let common = &base.set.files;
        return crate::parallel::map(&rests, |rest| {
            parse_files(common.iter().cloned().chain(take(rest)).collect())
        });
    }
    crate::parallel::map(&rests, |rest| {
        let files = take(rest);
        let mut state = base.clone();
        let docs = json_docs(&files, &mut state.errors);
        state.add(files, &docs);
        state.finish()
    })
}

/// Each file's JSON (`None`, with an error, for one that is not JSON).
fn json_docs(files: &[SourceFile], errors: &mut Vec<Diagnostic>) -> Vec<Option<JsonNode>> {
    files
        .iter()
        .map(|file| match json::parse(&file.text) {
            Ok(doc) => Some(doc),
            Err(e) => {
                errors.push(Diagnostic::at(
                    Level::Error,
                    "PARSE",
                    format!("invalid JSON: {}", e.message),
                    file,
                    Span::new(e.offset, e.offset + 1),
                ));
                None
            }
        })
        .collect()
}

/// What parsing has made of the files so far: their types, the JSON facts the validity
/// checks read, the references still unresolved and the errors.
#[derive(Clone)]
struct State<'d> {
    set: SchemaSet,
    facts: Facts<'d>,
    pending: Vec<Pending>,
    errors: Vec<Diagnostic>,
}

impl<'d> State<'d> {
    fn new(errors: Vec<Diagnostic>) -> Self {
        State {
            set: SchemaSet::default(),
            facts: Facts::default(),
            pending: Vec::new(),
            errors,
        }
    }

    /// Parses the next files (their JSON already read: `docs`, indexed like `files`).
    fn add(&mut self, files: Vec<SourceFile>, docs: &'d [Option<JsonNode>]) {
        let first = self.set.files.len();
        self.set.files.extend(files);
        for (i, doc) in docs.iter().enumerate() {
            let file = first + i;
            let Some(doc) = doc else {
                self.set.roots.push(placeholder(file));
                continue;
            };
            let mut p = Parser {
                set: &mut self.set,
                pending: std::mem::take(&mut self.pending),
                file,
                facts: &mut self.facts,
            };
            let root = p.node(doc, None);
            self.pending = p.pending;
            match root {
                Ok(root) => self.set.roots.push(root),
                Err(e) => {
                    self.errors.push(*e);
                    self.set.roots.push(placeholder(file));
                }
            }
        }
    }

    /// Resolves the references and runs the checks Java runs on a whole set.
    fn finish(self) -> Result<SchemaSet, Vec<Diagnostic>> {
        let State {
            mut set,
            facts,
            pending,
            mut errors,
        } = self;
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
            super::validity::check_copied_props(&set, &facts, &mut errors);
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }
}

/// The type names Avro defines, for "did you mean" on an unknown type.
const TYPE_WORDS: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum",
    "array", "map", "fixed",
];

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
    // "Did you mean" for the first few unknown names only: a file of many is one mistake
    // repeated, and each suggestion compares against every name in scope.
    let mut suggestions = 0usize;
    for p in pending {
        match p.candidates.iter().find_map(|c| set.by_name.get(c)) {
            Some(&id) => ids.push(id),
            None => {
                let wanted = &p.candidates[0];
                let short = p.written.as_str();
                // As written: a full name is compared with full names, a short one with
                // Avro's type words and the short names in scope.
                let full = set.by_name.keys().map(String::as_str);
                suggestions += 1;
                let near = if suggestions > 20 {
                    None
                } else if short.contains('.') {
                    crate::text::closest(wanted, full)
                } else {
                    let shorts = set.by_name.keys().filter_map(|k| k.rsplit('.').next());
                    crate::text::closest(short, TYPE_WORDS.iter().copied().chain(shorts))
                }
                .map_or(String::new(), |n| format!("; did you mean {n:?}?"));
                errors.push(
                    Diagnostic::at(
                        Level::Error,
                        "SCHEMA",
                        format!("unknown type {wanted:?}{near}"),
                        &set.files[p.file],
                        p.name_span,
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

/// An object schema, classified ([`Parser::classify`]).
enum Object<'d> {
    Done(Node),
    /// An array's items or (`true`) a map's values, to parse.
    Inner(&'d JsonNode, bool),
    Named(&'d str),
}

/// The `logicalType` attribute of a schema object.
fn logical_type(j: &JsonNode) -> Option<String> {
    j.get("logicalType")
        .and_then(|l| l.as_str())
        .map(str::to_string)
}

impl<'d> Parser<'_, 'd> {
    fn src(&self) -> &SourceFile {
        &self.set.files[self.file]
    }

    fn err(&self, span: Span, message: impl Into<String>) -> Error {
        Box::new(Diagnostic::at(
            Level::Error,
            "SCHEMA",
            message,
            self.src(),
            span,
        ))
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

    fn node(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Node, Error> {
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
    fn reference(&mut self, name: &str, span: Span, ns: Option<&str>) -> Result<Node, Error> {
        self.reference_at(name, span, span, ns)
    }

    /// [`Self::reference`] whose unresolved name is reported at `name_span`.
    fn reference_at(
        &mut self,
        name: &str,
        span: Span,
        name_span: Span,
        ns: Option<&str>,
    ) -> Result<Node, Error> {
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
                    written: name.to_string(),
                    name_span,
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
    ) -> Result<Node, Error> {
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

    /// Kept small on purpose, like [`Self::node`] and the record path (`named`, `fields`):
    /// at Jackson's maximum depth (1000) each level costs a frame of each, and a debug build
    /// keeps every temporary of a function in its frame. The work is in [`Self::classify`].
    fn object(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Node, Error> {
        match self.classify(j, ns)? {
            Object::Done(n) => Ok(n),
            Object::Inner(inner, map) => {
                let inner = Box::new(self.node(inner, ns)?);
                Ok(self.container(j, inner, map))
            }
            Object::Named(t) => self.named(j, t, ns),
        }
    }

    /// What an object schema is: a primitive or a reference (done), an array or map (its
    /// inner schema still to parse), or a named type to define.
    #[inline(never)]
    fn classify(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Object<'d>, Error> {
        let ty = j
            .get("type")
            .ok_or_else(|| self.err(j.span, "schema object has no \"type\""))?;
        let Some(t) = ty.as_str() else {
            // Java: getRequiredText("type") — a nested schema object or union is no type.
            return Err(self.err(
                ty.span,
                "\"type\" must be a type name (a nested schema goes directly in the field's \"type\")",
            ));
        };
        if let Some(n) = self.prim(t, j.span, logical_type(j)) {
            return Ok(Object::Done(n));
        }
        match t {
            "array" => j
                .get("items")
                .map(|items| Object::Inner(items, false))
                .ok_or_else(|| self.err(j.span, "array schema has no \"items\"")),
            "map" => j
                .get("values")
                .map(|values| Object::Inner(values, true))
                .ok_or_else(|| self.err(j.span, "map schema has no \"values\"")),
            "record" | "error" | "enum" | "fixed" => Ok(Object::Named(t)),
            // {"type": "SomeName"} references a named type.
            other => self
                .reference_at(other, j.span, ty.span, ns)
                .map(Object::Done),
        }
    }

    #[inline(never)]
    fn container(&self, j: &JsonNode, inner: Box<Node>, map: bool) -> Node {
        let kind = if map {
            Kind::Map(inner)
        } else {
            Kind::Array(inner)
        };
        self.composite(kind, j.span, logical_type(j))
    }

    fn composite(&self, kind: Kind, span: Span, logical_type: Option<String>) -> Node {
        Node {
            kind,
            span,
            file: self.file,
            logical_type,
        }
    }
}

mod named;

#[cfg(test)]
mod tests;
