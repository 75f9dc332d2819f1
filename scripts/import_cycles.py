#!/usr/bin/env python3
"""Usage: import_cycles.py CRATE/src. Module import graph of a Rust crate (from `crate::`/`super::`/`self::` paths, comments and
string literals stripped) and its circles. An edge A->B (A's file names an item under B) is
lifted to the two modules just below their lowest common ancestor, so siblings are compared at
every level; an edge from a module to its own ancestor or descendant (a child using
`super::`, a parent calling its children) is not a circle and is skipped. Prints the edges
and every strongly connected component with more than one module."""
import os, re, sys
from collections import defaultdict

src = sys.argv[1]
mods = {}  # module path tuple -> file
for dp, _, fs in os.walk(src):
    for f in fs:
        if not f.endswith('.rs'):
            continue
        rel = os.path.relpath(os.path.join(dp, f), src)[:-3].split(os.sep)
        if rel == ['lib']:
            rel = []
        elif rel[-1] == 'mod':
            rel = rel[:-1]
        mods[tuple(rel)] = os.path.join(dp, f)

# `#[path]`/inline `mod x;` for files not named after their module: map by declarations too.
def strip(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\])'", "''", text)
    return '\n'.join(l.split('//')[0] for l in text.split('\n'))

# Names the crate root re-exports (`pub use catalog::{Catalog, ...}`) stand for their module.
root_names = {}
for u in re.finditer(r'pub use ([a-z_]+)::\{?([^;}]*)\}?;', strip(open(mods[()]).read())):
    for item in u.group(2).split(','):
        root_names[item.strip().split(' as ')[-1].strip()] = u.group(1)

def resolve(cur, path):
    """Longest known module prefix of an absolute path."""
    if path and path[0] in root_names:
        path = [root_names[path[0]]] + path[1:]
    best = ()
    for i in range(len(path) + 1):
        if tuple(path[:i]) in mods:
            best = tuple(path[:i])
    return best

edges = defaultdict(set)
for m, f in mods.items():
    text = strip(open(f).read())
    # expand `use a::{b, c::{d}}` groups roughly: take each path prefix before `{`
    paths = []
    for u in re.finditer(r'\b((?:crate|super|self)(?:::\{?[A-Za-z_][A-Za-z0-9_]*)+)', text):
        paths.append(u.group(1).replace('{', ''))
    for u in re.finditer(r'\buse\s+((?:crate|super|self)::[^;]*);', text, flags=re.S):
        body = u.group(1)
        # items inside braces: prefix::{x, y::z}
        def walk(prefix, s):
            depth, start, items = 0, 0, []
            for i, ch in enumerate(s):
                if ch == '{': depth += 1
                elif ch == '}': depth -= 1
                elif ch == ',' and depth == 0:
                    items.append(s[start:i]); start = i + 1
            items.append(s[start:])
            for it in items:
                it = it.strip()
                if not it: continue
                if '{' in it:
                    head, rest = it.split('{', 1)
                    walk(prefix + [p for p in head.strip(':').split('::') if p], rest.rsplit('}', 1)[0])
                else:
                    paths.append('::'.join(prefix + [it.split(' as ')[0].strip()]))
        if '{' in body:
            head, rest = body.split('{', 1)
            walk([p for p in head.strip(':').split('::') if p], rest.rsplit('}', 1)[0])
    for p in paths:
        parts = [x for x in p.split('::') if x]
        base = list(m)
        if parts[0] == 'crate':
            base, parts = [], parts[1:]
        else:
            while parts and parts[0] in ('super', 'self'):
                if parts[0] == 'super':
                    # a file `x.rs` or `x/mod.rs` is module x: super is its parent
                    base = base[:-1]
                parts = parts[1:]
        target = resolve(m, base + parts)
        if target != m:
            edges[m].add(target)

def lift(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if i == len(a) or i == len(b):
        return None  # ancestor/descendant
    return a[:i + 1], b[:i + 1]

name = lambda t: 'crate::' + '::'.join(t) if t else 'crate'
lifted = defaultdict(set)
for a, bs in edges.items():
    for b in bs:
        l = lift(a, b)
        if l:
            lifted[l[0]].add(l[1])

# Tarjan
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in lifted.get(v, ()):
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
sys.setrecursionlimit(10000)
nodes = set(lifted) | {b for bs in lifted.values() for b in bs}
for v in sorted(nodes):
    if v not in index:
        strong(v)

top = sorted(t for t in nodes if len(t) == 1)
print('top-level module edges:')
for a in top:
    print(f'  {a[0]:10} -> ' + ', '.join(sorted(b[0] for b in lifted.get(a, ()) if len(b) == 1)))
print('sibling edges below the top level:')
for a in sorted(t for t in nodes if len(t) > 1):
    if lifted.get(a):
        print(f'  {name(a)} -> ' + ', '.join(sorted(name(b) for b in lifted[a])))
circles = [sorted(c) for c in sccs if len(c) > 1]
print(f'{len(circles)} circle(s)')
for c in circles:
    print('  circle: ' + ' <-> '.join(name(x) for x in c))
    for a in c:
        for b in sorted(lifted.get(a, ())):
            if b in c:
                why = sorted(name(x) + '->' + name(y) for x in edges for y in edges[x]
                             if x[:len(a)] == a and y[:len(b)] == b)
                print(f'      {name(a)} -> {name(b)}  via {", ".join(why)}')
sys.exit(1 if circles else 0)
