//! The checker's results as Java builds them, without Java's copies: a memoized result is
//! shared ([`Rc`]) wherever Java would append a copy of it, so a named type reused along many
//! paths costs one node, not one list per path. [`Report::distinct`] reads the list Java would
//! print as its distinct incompatibilities in first-occurrence order, each with the number of
//! times Java's list holds it.

use super::Incompatibility;
use std::collections::HashMap;
use std::rc::Rc;

/// One part of a result: an incompatibility found here, or a (memoized) nested result.
enum Part {
    One(Incompatibility),
    Shared(Rc<Report>),
}

/// A result: Java's list is the concatenation of the parts, in order.
#[derive(Default)]
pub(super) struct Report {
    parts: Vec<Part>,
    /// The length of Java's list (saturating).
    total: u64,
}

impl Report {
    pub(super) fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub(super) fn push(&mut self, inc: Incompatibility) {
        self.total = self.total.saturating_add(1);
        self.parts.push(Part::One(inc));
    }

    /// Appends a nested result (nothing when it is empty).
    pub(super) fn extend(&mut self, sub: &Rc<Report>) {
        if !sub.is_empty() {
            self.total = self.total.saturating_add(sub.total);
            self.parts.push(Part::Shared(Rc::clone(sub)));
        }
    }

    /// The distinct incompatibilities of Java's list (same type, location and message), in
    /// the order Java's list first has them, each with `occurrences` set. Linear in the number
    /// of nodes and parts (the walk keeps its own stack, so depth costs no call stack).
    pub(super) fn distinct(self: &Rc<Report>) -> Vec<Incompatibility> {
        // Preorder walk, each node once: the first visit of a node is where Java's list first
        // has everything under it.
        let mut index: HashMap<*const Report, usize> = HashMap::new();
        let mut children: Vec<Vec<usize>> = Vec::new();
        let mut nodes: Vec<&Report> = Vec::new();
        let mut out: Vec<Incompatibility> = Vec::new();
        let mut seen: HashMap<(super::IncompatibilityType, String, String), usize> = HashMap::new();
        // Per node: the positions in `out` of its own incompatibilities (with repeats).
        let mut own: Vec<Vec<usize>> = Vec::new();
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let root: &Report = self;
        index.insert(root as *const Report, 0);
        nodes.push(root);
        children.push(Vec::new());
        own.push(Vec::new());
        stack.push((0, 0));
        while let Some((node, part)) = stack.pop() {
            let Some(p) = nodes[node].parts.get(part) else {
                continue;
            };
            stack.push((node, part + 1));
            match p {
                Part::One(inc) => {
                    let key = (inc.kind, inc.location.clone(), inc.message.clone());
                    let at = *seen.entry(key).or_insert_with(|| {
                        let mut first = inc.clone();
                        first.occurrences = 0;
                        out.push(first);
                        out.len() - 1
                    });
                    own[node].push(at);
                }
                Part::Shared(sub) => {
                    let ptr = Rc::as_ptr(sub);
                    let child = match index.get(&ptr) {
                        Some(&c) => c,
                        None => {
                            let c = nodes.len();
                            index.insert(ptr, c);
                            nodes.push(sub);
                            children.push(Vec::new());
                            own.push(Vec::new());
                            stack.push((c, 0));
                            c
                        }
                    };
                    children[node].push(child);
                }
            }
        }
        // How often each node occurs in Java's list: the sum over its parents. Parents come
        // before children in a topological order; the graph is acyclic (a result only holds
        // results finished before it), so Kahn's algorithm gives one.
        let mut indegree = vec![0usize; nodes.len()];
        for cs in &children {
            for &c in cs {
                indegree[c] += 1;
            }
        }
        let mut mult = vec![0u64; nodes.len()];
        mult[0] = 1;
        let mut ready: Vec<usize> = (0..nodes.len()).filter(|&n| indegree[n] == 0).collect();
        while let Some(n) = ready.pop() {
            for &at in &own[n] {
                out[at].occurrences = out[at].occurrences.saturating_add(mult[n]);
            }
            for &c in &children[n] {
                mult[c] = mult[c].saturating_add(mult[n]);
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(c);
                }
            }
        }
        out
    }

    /// Java's list itself, cut after `limit` entries (for tests against Java's output).
    pub(super) fn expanded(self: &Rc<Report>, limit: usize) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        let mut stack: Vec<(&Report, usize)> = vec![(self, 0)];
        while let Some((node, part)) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let Some(p) = node.parts.get(part) else {
                continue;
            };
            stack.push((node, part + 1));
            match p {
                Part::One(inc) => {
                    let mut one = inc.clone();
                    one.occurrences = 1;
                    out.push(one);
                }
                Part::Shared(sub) => stack.push((sub, 0)),
            }
        }
        out
    }
}
