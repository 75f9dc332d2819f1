//! Walks the newest registered schema and the new one side by side and lists what changed:
//! fields matched by name (or by the new field's aliases), removed, added or renamed, enum
//! symbols removed, union branches removed. Policy rules judge the changes.

use crate::model::{Body, Field, Kind, Node, SchemaSet, TypeId};
use crate::rules::compat::SchemaRef;
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};

/// One change between the old and the new schema. `path` is the JSON pointer in the new schema.
#[derive(Debug, Clone)]
pub enum Change<'a> {
    FieldRemoved {
        old: &'a Field,
        record: TypeId,
        path: String,
    },
    FieldAdded {
        new: &'a Field,
        path: String,
    },
    /// `by_alias`: the new field lists the old name in `aliases`; otherwise the rename is
    /// inferred (same position, same type, old name gone, new name new).
    FieldRenamed {
        old: &'a Field,
        new: &'a Field,
        by_alias: bool,
        path: String,
    },
    /// The same field in both (types may differ).
    FieldKept {
        old: &'a Field,
        new: &'a Field,
        path: String,
    },
    EnumSymbolsRemoved {
        removed: Vec<String>,
        old: TypeId,
        new: TypeId,
        path: String,
    },
    UnionBranchRemoved {
        branch: String,
        union: &'a Node,
        path: String,
    },
}

impl Change<'_> {
    pub fn path(&self) -> &str {
        match self {
            Change::FieldRemoved { path, .. }
            | Change::FieldAdded { path, .. }
            | Change::FieldRenamed { path, .. }
            | Change::FieldKept { path, .. }
            | Change::EnumSymbolsRemoved { path, .. }
            | Change::UnionBranchRemoved { path, .. } => path,
        }
    }
}

/// The two schemas and their changes.
pub struct Diff<'a> {
    pub old: &'a SchemaSet,
    pub new: &'a SchemaSet,
    pub changes: Vec<Change<'a>>,
}

impl<'a> Diff<'a> {
    pub fn new(old: SchemaRef<'a>, new: SchemaRef<'a>) -> Self {
        let mut w = Walker {
            old: old.set,
            new: new.set,
            changes: Vec::new(),
            seen: HashSet::new(),
        };
        w.walk(old.root, new.root, String::new());
        Diff {
            old: old.set,
            new: new.set,
            changes: w.changes,
        }
    }

    /// Where a change is in the new schema's source.
    pub fn span(&self, c: &Change<'_>) -> (FileId, Span) {
        match c {
            Change::FieldRemoved { record, .. } => {
                let t = &self.new.types[*record];
                (t.file, t.name_span)
            }
            Change::FieldAdded { new, .. }
            | Change::FieldRenamed { new, .. }
            | Change::FieldKept { new, .. } => (new.ty.file, new.name_span),
            Change::EnumSymbolsRemoved { new, .. } => {
                let t = &self.new.types[*new];
                match &t.body {
                    Body::Enum(e) => (t.file, e.symbols_span),
                    _ => (t.file, t.name_span),
                }
            }
            Change::UnionBranchRemoved { union, .. } => (union.file, union.span),
        }
    }
}

struct Walker<'a> {
    old: &'a SchemaSet,
    new: &'a SchemaSet,
    changes: Vec<Change<'a>>,
    seen: HashSet<(TypeId, TypeId)>,
}

/// A short description of a type for matching union branches: primitive name or named type.
pub fn describe(set: &SchemaSet, n: &Node) -> String {
    match &n.kind {
        Kind::Named(id) => set.types[*id].name.name.clone(),
        Kind::Array(_) => "array".into(),
        Kind::Map(_) => "map".into(),
        _ => n.type_name(set).to_string(),
    }
}

/// Whether a new named type stands for an old one (same short name, or an alias of it).
pub fn same_named(old: &SchemaSet, o: TypeId, new: &SchemaSet, n: TypeId) -> bool {
    let (on, nn) = (&old.types[o].name, &new.types[n].name);
    on.name == nn.name
        || new.types[n]
            .aliases
            .iter()
            .any(|a| a.same_fullname(on) || a.name == on.name)
}

/// The branches of a new union by what [`Walker::matches`] compares, so matching an old union
/// against it is linear: the first new branch that matches an old one is the smallest index
/// among the candidates.
struct BranchIndex {
    /// Every branch by [`describe`] (short name for named types).
    by_describe: HashMap<String, Vec<usize>>,
    /// Non-named branches by [`describe`].
    unnamed: HashMap<String, Vec<usize>>,
    /// Named branches by short name, by alias full name and by alias short name.
    by_name: HashMap<String, Vec<usize>>,
    by_alias_full: HashMap<String, Vec<usize>>,
    by_alias_short: HashMap<String, Vec<usize>>,
}

impl BranchIndex {
    fn new(set: &SchemaSet, branches: &[Node]) -> Self {
        let mut ix = BranchIndex {
            by_describe: HashMap::new(),
            unnamed: HashMap::new(),
            by_name: HashMap::new(),
            by_alias_full: HashMap::new(),
            by_alias_short: HashMap::new(),
        };
        for (i, b) in branches.iter().enumerate() {
            let d = describe(set, b);
            ix.by_describe.entry(d.clone()).or_default().push(i);
            match b.kind {
                Kind::Named(id) => {
                    let t = &set.types[id];
                    ix.by_name.entry(t.name.name.clone()).or_default().push(i);
                    for a in &t.aliases {
                        ix.by_alias_full.entry(a.fullname()).or_default().push(i);
                        ix.by_alias_short.entry(a.name.clone()).or_default().push(i);
                    }
                }
                _ => ix.unnamed.entry(d).or_default().push(i),
            }
        }
        ix
    }

    /// The first branch that matches `o` (a node of the old set), as `position(matches)` would.
    fn position(&self, old: &SchemaSet, o: &Node) -> Option<usize> {
        let first =
            |m: &HashMap<String, Vec<usize>>, k: &str| m.get(k).and_then(|v| v.first().copied());
        match o.kind {
            Kind::Named(id) => {
                let on = &old.types[id].name;
                [
                    first(&self.by_name, &on.name),
                    first(&self.by_alias_full, &on.fullname()),
                    first(&self.by_alias_short, &on.name),
                    first(&self.unnamed, &on.name),
                ]
                .into_iter()
                .flatten()
                .min()
            }
            _ => first(&self.by_describe, &describe(old, o)),
        }
    }
}

impl<'a> Walker<'a> {
    fn matches(&self, o: &Node, n: &Node) -> bool {
        match (&o.kind, &n.kind) {
            (Kind::Named(a), Kind::Named(b)) => same_named(self.old, *a, self.new, *b),
            _ => describe(self.old, o) == describe(self.new, n),
        }
    }

    /// Kept small on purpose, like [`Self::fields`]: at the maximum depth (1000) each level
    /// costs a frame of each, and a debug build keeps every temporary of a function in its
    /// frame.
    fn walk(&mut self, o: &'a Node, n: &'a Node, path: String) {
        match (&o.kind, &n.kind) {
            (Kind::Union(_), _) | (_, Kind::Union(_)) => self.walk_unions(o, n, path),
            (Kind::Array(a), Kind::Array(b)) => self.walk(a, b, path + "/items"),
            (Kind::Map(a), Kind::Map(b)) => self.walk(a, b, path + "/values"),
            (Kind::Named(a), Kind::Named(b)) => {
                if !self.seen.insert((*a, *b)) {
                    return;
                }
                match (&self.old.types[*a].body, &self.new.types[*b].body) {
                    (Body::Record(of), Body::Record(nf)) => self.fields(of, nf, *b, &path),
                    _ => self.enums(*a, *b, &path),
                }
            }
            _ => {}
        }
    }

    #[inline(never)]
    fn walk_unions(&mut self, o: &'a Node, n: &'a Node, path: String) {
        match (&o.kind, &n.kind) {
            (Kind::Union(ob), Kind::Union(nb)) => {
                let index = BranchIndex::new(self.new, nb);
                for b in ob {
                    match index.position(self.old, b) {
                        Some(i) => self.walk(b, &nb[i], format!("{path}/{i}")),
                        None => self.changes.push(Change::UnionBranchRemoved {
                            branch: describe(self.old, b),
                            union: n,
                            path: path.clone(),
                        }),
                    }
                }
            }
            (_, Kind::Union(nb)) => {
                if let Some(i) = nb.iter().position(|x| self.matches(o, x)) {
                    self.walk(o, &nb[i], format!("{path}/{i}"));
                }
            }
            (Kind::Union(ob), _) => {
                if let Some(b) = ob.iter().find(|x| self.matches(x, n)) {
                    self.walk(b, n, path);
                }
            }
            _ => {}
        }
    }

    /// Symbols an enum lost.
    #[inline(never)]
    fn enums(&mut self, a: TypeId, b: TypeId, path: &str) {
        if let (Body::Enum(oe), Body::Enum(ne)) = (&self.old.types[a].body, &self.new.types[b].body)
        {
            let kept: HashSet<&str> = ne.symbols.iter().map(String::as_str).collect();
            let removed: Vec<String> = oe
                .symbols
                .iter()
                .filter(|s| !kept.contains(s.as_str()))
                .cloned()
                .collect();
            if !removed.is_empty() {
                self.changes.push(Change::EnumSymbolsRemoved {
                    removed,
                    old: a,
                    new: b,
                    path: format!("{path}/symbols"),
                });
            }
        }
    }

    /// Old fields matched with new ones (by name, by alias, or inferred renames); what was
    /// renamed or removed is recorded. Returns the pairs (old field, new index, by alias) and
    /// which new fields are matched.
    #[inline(never)]
    #[allow(clippy::type_complexity)]
    fn match_fields(
        &mut self,
        of: &'a [Field],
        nf: &'a [Field],
        record: TypeId,
        path: &str,
    ) -> (Vec<(&'a Field, usize, bool)>, Vec<bool>) {
        let mut used = vec![false; nf.len()];
        let mut unmatched_old = Vec::new();
        let mut pairs = Vec::new();
        let mut names: HashMap<&str, usize> = HashMap::with_capacity(nf.len());
        let mut aliases: HashMap<&str, usize> = HashMap::new();
        for (i, f) in nf.iter().enumerate() {
            names.insert(&f.name, i);
            for a in &f.aliases {
                aliases.entry(a).or_insert(i);
            }
        }
        let old_names: HashSet<&str> = of.iter().map(|f| f.name.as_str()).collect();
        for (oi, o) in of.iter().enumerate() {
            let by_name = names.get(o.name.as_str()).copied();
            let by_alias = aliases.get(o.name.as_str()).copied();
            match (by_name, by_alias) {
                (Some(i), _) if !used[i] => {
                    used[i] = true;
                    pairs.push((o, i, false));
                }
                (_, Some(i)) if !used[i] => {
                    used[i] = true;
                    pairs.push((o, i, true));
                }
                _ => unmatched_old.push((oi, o)),
            }
        }
        for (oi, o) in unmatched_old {
            // An inferred rename: the new field at the same position is new and has the same type.
            let guess = nf.get(oi).filter(|f| {
                !used[oi]
                    && !old_names.contains(f.name.as_str())
                    && describe(self.old, &o.ty) == describe(self.new, &f.ty)
            });
            match guess {
                Some(f) => {
                    used[oi] = true;
                    self.changes.push(Change::FieldRenamed {
                        old: o,
                        new: f,
                        by_alias: false,
                        path: format!("{path}/fields/{oi}"),
                    });
                }
                None => self.changes.push(Change::FieldRemoved {
                    old: o,
                    record,
                    path: if path.is_empty() {
                        "/".into()
                    } else {
                        path.to_string()
                    },
                }),
            }
        }
        (pairs, used)
    }

    fn fields(&mut self, of: &'a [Field], nf: &'a [Field], record: TypeId, path: &str) {
        let (pairs, used) = self.match_fields(of, nf, record, path);
        for (o, i, alias) in pairs {
            let p = self.pair(o, &nf[i], alias, path, i);
            self.walk(&o.ty, &nf[i].ty, p);
        }
        self.added(nf, &used, path);
    }

    /// Records a kept or alias-renamed field; returns its type's path.
    #[inline(never)]
    fn pair(&mut self, o: &'a Field, n: &'a Field, alias: bool, path: &str, i: usize) -> String {
        let p = format!("{path}/fields/{i}");
        if alias {
            self.changes.push(Change::FieldRenamed {
                old: o,
                new: n,
                by_alias: true,
                path: p.clone(),
            });
        } else {
            self.changes.push(Change::FieldKept {
                old: o,
                new: n,
                path: p.clone(),
            });
        }
        format!("{p}/type")
    }

    #[inline(never)]
    fn added(&mut self, nf: &'a [Field], used: &[bool], path: &str) {
        for (i, n) in nf.iter().enumerate() {
            if !used[i] {
                self.changes.push(Change::FieldAdded {
                    new: n,
                    path: format!("{path}/fields/{i}"),
                });
            }
        }
    }
}
