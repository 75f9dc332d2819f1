//! The Avro schema model: every type, field, name and default keeps the file and byte span it
//! was parsed from, so rules (lint, compat, policy) can point at the `.avsc` line.
//!
//! Named types (records, enums, fixed) live once in [`SchemaSet::types`] and are referenced by
//! [`TypeId`], so recursive and cross-file schemas are plain graphs. Parsing is in [`parse`].

mod defaults;
mod java_chars;
mod java_defaults;
mod java_numbers;
mod parse;
pub mod record_constraints;
mod validity;
mod walk;

pub use defaults::default_matches;
pub use parse::{is_valid_name, parse_files, parse_files_sharing};
pub use walk::{walk_fields, FieldVisit};

use crate::json::{JsonNode, Member};
use crate::source::{FileId, SourceFile, Span};
use std::collections::{HashMap, HashSet};

/// A hash map on names and positions the input chooses: a fast hash with a per-process random
/// seed, so crafted names cannot make it degrade (std's SipHash costs far more per key).
pub(crate) type SeededMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
/// The set of [`SeededMap`].
pub(crate) type SeededSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// Index of a named type in [`SchemaSet::types`].
pub type TypeId = usize;

/// A set of schema files parsed together: names defined in one file are visible in the others,
/// the way Confluent schema references work.
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    pub files: Vec<SourceFile>,
    /// The top-level schema of each file, indexed like `files`.
    pub roots: Vec<Node>,
    pub types: Vec<NamedType>,
    pub(crate) by_name: SeededMap<String, TypeId>,
}

impl SchemaSet {
    /// The named type with this full name.
    pub fn lookup(&self, fullname: &str) -> Option<TypeId> {
        self.by_name.get(fullname).copied()
    }

    pub fn named(&self, id: TypeId) -> &NamedType {
        &self.types[id]
    }

    /// The record fields of a named type (empty for enums and fixed).
    pub fn fields(&self, id: TypeId) -> &[Field] {
        match &self.types[id].body {
            Body::Record(fields) => fields,
            _ => &[],
        }
    }

    /// The file a root or type came from.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The files whose named types the types defined in `file` use directly (not through
    /// another file), in file order.
    pub fn file_deps(&self, file: FileId) -> Vec<FileId> {
        fn walk(set: &SchemaSet, n: &Node, file: FileId, out: &mut Vec<FileId>) {
            match &n.kind {
                Kind::Array(x) | Kind::Map(x) => walk(set, x, file, out),
                Kind::Union(b) => b.iter().for_each(|x| walk(set, x, file, out)),
                Kind::Named(id) if set.types[*id].file != file => out.push(set.types[*id].file),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for (id, t) in self.types.iter().enumerate() {
            if t.file == file {
                for f in self.fields(id) {
                    walk(self, &f.ty, file, &mut out);
                }
            }
        }
        if let Some(root) = self.roots.get(file) {
            walk(self, root, file, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every file, each after the files it uses (depth first in file order; a cycle, which
    /// Avro cannot express across files, stops the descent).
    pub fn files_in_dependency_order(&self) -> Vec<FileId> {
        fn visit(set: &SchemaSet, f: FileId, seen: &mut Vec<bool>, out: &mut Vec<FileId>) {
            if seen[f] {
                return;
            }
            seen[f] = true;
            for d in set.file_deps(f) {
                visit(set, d, seen, out);
            }
            out.push(f);
        }
        let mut seen = vec![false; self.files.len()];
        let mut out = Vec::with_capacity(self.files.len());
        for f in 0..self.files.len() {
            visit(self, f, &mut seen, &mut out);
        }
        out
    }
}

/// One occurrence of a type in a schema: a primitive, a composite or a reference to a named type.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Span of the JSON value that denotes this type (a name string, an object or a union array).
    pub span: Span,
    pub file: FileId,
    /// The `logicalType` attribute, when present (resolution ignores it, lint does not).
    pub logical_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(Box<Node>),
    Map(Box<Node>),
    Union(Vec<Node>),
    Named(TypeId),
}

impl Node {
    /// The Avro type name of this node (`"int"`, `"record"`, `"union"`, ...).
    pub fn type_name<'a>(&self, set: &'a SchemaSet) -> &'a str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Bytes => "bytes",
            Kind::String => "string",
            Kind::Array(_) => "array",
            Kind::Map(_) => "map",
            Kind::Union(_) => "union",
            Kind::Named(id) => set.types[*id].body.kind_name(),
        }
    }

    /// For `["null", T]` (in either order) the non-null branch.
    pub fn nullable_inner(&self) -> Option<&Node> {
        match &self.kind {
            Kind::Union(branches) if branches.len() == 2 => {
                match (&branches[0].kind, &branches[1].kind) {
                    (Kind::Null, _) => Some(&branches[1]),
                    (_, Kind::Null) => Some(&branches[0]),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// This node, or the non-null branch of an optional.
    pub fn non_null(&self) -> &Node {
        self.nullable_inner().unwrap_or(self)
    }
}

/// A full Avro name: `namespace.name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub name: String,
    pub namespace: Option<String>,
}

impl Name {
    pub fn fullname(&self) -> String {
        match &self.namespace {
            Some(ns) if !ns.is_empty() => format!("{ns}.{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether the two full names are equal, without building either (an empty namespace
    /// is none, as in [`Name::fullname`]).
    pub fn same_fullname(&self, other: &Name) -> bool {
        match (namespace_of(self), namespace_of(other)) {
            (None, None) => self.name == other.name,
            (Some(a), Some(b)) if a.len() == b.len() => a == b && self.name == other.name,
            // Namespaces of different lengths ("a.b" + "c" is "a" + "b.c"), or one empty:
            // compare the joined texts piecewise.
            (a, b) => {
                let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
                let left = a.len() + usize::from(!a.is_empty()) + self.name.len();
                let right = b.len() + usize::from(!b.is_empty()) + other.name.len();
                left == right && joined(a, &self.name).eq(joined(b, &other.name))
            }
        }
    }
}

/// A name's namespace, none when empty.
fn namespace_of(n: &Name) -> Option<&str> {
    n.namespace.as_deref().filter(|s| !s.is_empty())
}

/// The bytes of `namespace.name` (`name` alone when the namespace is empty).
fn joined<'s>(namespace: &'s str, name: &'s str) -> impl Iterator<Item = u8> + 's {
    let dot: &[u8] = if namespace.is_empty() { b"" } else { b"." };
    namespace
        .bytes()
        .chain(dot.iter().copied())
        .chain(name.bytes())
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    pub name: Name,
    pub aliases: Vec<Name>,
    pub doc: Option<String>,
    pub file: FileId,
    /// Span of the whole definition object.
    pub span: Span,
    /// Span of the `"name"` value.
    pub name_span: Span,
    /// Attributes Avro does not define (`event_type`, `privacy_tier`, ...), in source order.
    pub attrs: Vec<Member>,
    pub body: Body,
}

impl NamedType {
    /// A custom attribute's value.
    pub fn attr(&self, key: &str) -> Option<&JsonNode> {
        self.attrs
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Record(Vec<Field>),
    Enum(EnumBody),
    Fixed { size: usize, size_span: Span },
}

impl Body {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Body::Record(_) => "record",
            Body::Enum(_) => "enum",
            Body::Fixed { .. } => "fixed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumBody {
    pub symbols: Vec<String>,
    /// Span of the `"symbols"` array.
    pub symbols_span: Span,
    /// The enum-level default symbol and its span.
    pub default: Option<(String, Span)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub name_span: Span,
    /// Span of the whole field object.
    pub span: Span,
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub ty: Node,
    pub default: Option<JsonNode>,
    /// Attributes Avro does not define (`pii`, ...).
    pub attrs: Vec<Member>,
}

impl Field {
    pub fn attr(&self, key: &str) -> Option<&JsonNode> {
        self.attrs
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn full_names_compare_as_their_joined_texts() {
        let n = |ns: Option<&str>, name: &str| Name {
            name: name.into(),
            namespace: ns.map(str::to_string),
        };
        let names = [
            n(None, "c"),
            n(Some(""), "c"),
            n(Some("a"), "c"),
            n(Some("a.b"), "c"),
            n(Some("a"), "b.c"),
            n(None, "a.b.c"),
            n(Some("a.b"), "d"),
            n(Some("ab"), "c"),
            n(Some("a"), "bc"),
        ];
        for x in &names {
            for y in &names {
                assert_eq!(
                    x.same_fullname(y),
                    x.fullname() == y.fullname(),
                    "{x:?} {y:?}"
                );
            }
        }
    }
}
