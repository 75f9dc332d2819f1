//! Field defaults checked the way Java Avro 1.12.1 checks them, twice:
//!
//! 1. while parsing (`new Field(...)`): a reference to a named type not complete yet (a
//!    forward reference, or one to an enclosing record) is an unresolved placeholder, a record
//!    without fields: only an object is a valid value of it;
//! 2. while resolving (`SchemaResolver.ResolvingVisitor`, run after every parse): every record
//!    is copied in a depth-first visit and its fields re-created, re-checking the defaults
//!    against the copies; a default that reaches (with an object) a record whose copy has no
//!    fields yet fails the parse (Java: "Schema fields not set yet").
//!
//! The visit is simulated with explicit stacks (no recursion on the call stack). One
//! simplification: a record already resolved is not visited again (Java re-walks it, which
//! only matters when that walk reaches a record still open in an outer visit).

use super::java_numbers::java_parses_double;
use super::validity::Facts;
use super::{Body, Field, Kind, Node, SchemaSet, TypeId};
use crate::diag::{Diagnostic, Level};
use crate::json::{Json, JsonNode};
use crate::text::quoted;
use std::collections::HashSet;

/// A default reached a record whose fields are not set (the parse fails).
struct Unset(TypeId);

#[derive(Clone, Copy, PartialEq)]
enum State {
    NotCopied,
    Open,
    Done,
}

struct Check<'a, 'd> {
    set: &'a SchemaSet,
    facts: &'a Facts<'d>,
    /// Pass 1: placeholders are empty records. Pass 2: records with open copies are unset.
    parsing: bool,
    state: &'a [State],
}

impl Check<'_, '_> {
    /// Java's `isValidDefault(schema, value)`; `converted` marks a field's own default, which
    /// Java has turned into a double when the field is a float or double.
    fn valid(&self, ty: &Node, v: &JsonNode, converted: bool) -> Result<bool, Unset> {
        Ok(match (&ty.kind, &v.value) {
            (Kind::Union(branches), _) => {
                for b in branches {
                    if self.valid(b, v, false)? {
                        return Ok(true);
                    }
                }
                false
            }
            (Kind::Null, Json::Null) | (Kind::Boolean, Json::Bool(_)) => true,
            (Kind::Int, Json::Number(n)) => {
                !n.contains(['.', 'e', 'E']) && n.parse::<i32>().is_ok()
            }
            (Kind::Long, Json::Number(n)) => {
                !n.contains(['.', 'e', 'E']) && n.parse::<i64>().is_ok()
            }
            (Kind::Float | Kind::Double, Json::Number(_)) => true,
            (Kind::Float | Kind::Double, Json::String(_)) => converted,
            (Kind::Bytes | Kind::String, Json::String(_)) => true,
            (Kind::Array(items), Json::Array(vs)) => {
                for x in vs {
                    if !self.valid(items, x, false)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Kind::Map(values), Json::Object(_)) => {
                for m in v.unique_members() {
                    if !self.valid(values, &m.value, false)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Kind::Named(id), _) => {
                if self.parsing && self.facts.placeholders.contains(&(ty.file, ty.span.start)) {
                    return Ok(matches!(v.value, Json::Object(_)));
                }
                match (&self.set.types[*id].body, &v.value) {
                    (Body::Enum(_) | Body::Fixed { .. }, Json::String(_)) => true,
                    (Body::Record(_), Json::Object(_))
                        if !self.parsing && self.state.get(*id) == Some(&State::Open) =>
                    {
                        return Err(Unset(*id));
                    }
                    (Body::Record(fields), Json::Object(_)) => {
                        for f in fields {
                            let ok = match v.get(&f.name) {
                                Some(x) => self.valid(&f.ty, x, false)?,
                                None => match &f.default {
                                    Some(d) => self.valid(&f.ty, d, true)?,
                                    None => false,
                                },
                            };
                            if !ok {
                                return Ok(false);
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        })
    }

    fn field(&self, record: TypeId, f: &Field, errors: &mut Vec<Diagnostic>) {
        let Some(d) = &f.default else { return };
        let t = &self.set.types[record];
        let why = match self.valid(&f.ty, d, true) {
            Ok(true) => return,
            Ok(false) => format!("{} is not a valid {}", d.kind(), f.ty.type_name(self.set)),
            Err(Unset(r)) => format!(
                "it reaches record {} while that record is being resolved (Java Avro: \"Schema fields not set yet\")",
                quoted(&self.set.types[r].name.fullname())
            ),
        };
        errors.push(
            Diagnostic::at(
                Level::Error,
                "SCHEMA",
                format!(
                    "invalid default for field {} of {}: {why}",
                    quoted(&f.name),
                    quoted(&t.name.fullname())
                ),
                &self.set.files[t.file],
                d.span,
            )
            .with_hint("the default must be a JSON value of the field's type (for a union: of one of its branches)"),
        );
    }
}

/// Checks every field default like Java's parse and resolution; at most one error per field.
pub(super) fn check_defaults(set: &SchemaSet, facts: &Facts<'_>, errors: &mut Vec<Diagnostic>) {
    let before = errors.len();
    // Float and double defaults given as strings go through Double.parseDouble first.
    for t in &set.types {
        for f in fields_of(set, t) {
            if let (Some(d), Kind::Float | Kind::Double) = (&f.default, &f.ty.kind) {
                if let Some(s) = d.as_str().filter(|s| !java_parses_double(s)) {
                    errors.push(Diagnostic::at(
                        Level::Error,
                        "SCHEMA",
                        format!(
                            "invalid default for field {}: {} is not a number Java can parse",
                            quoted(&f.name),
                            quoted(s)
                        ),
                        &set.files[t.file],
                        d.span,
                    ));
                }
            }
        }
    }
    if errors.len() > before {
        return;
    }
    let mut state = vec![State::NotCopied; set.types.len()];
    let pass1 = Check {
        set,
        facts,
        parsing: true,
        state: &state,
    };
    for (id, t) in set.types.iter().enumerate() {
        for f in fields_of(set, t) {
            pass1.field(id, f, errors);
        }
    }
    if errors.len() > before {
        return;
    }
    // Pass 2: the resolving visit, from every type in put order.
    for &start in &facts.completed {
        if state[start] == State::Done {
            continue;
        }
        resolve_visit(set, facts, &mut state, start, errors);
        if errors.len() > before {
            return;
        }
    }
}

fn fields_of<'a>(_set: &'a SchemaSet, t: &'a super::NamedType) -> &'a [Field] {
    match &t.body {
        Body::Record(f) => f,
        _ => &[],
    }
}

enum Step<'a> {
    Enter(&'a Node),
    EnterType(TypeId),
    After(TypeId),
    EndNested,
}

fn resolve_visit(
    set: &SchemaSet,
    facts: &Facts<'_>,
    state: &mut [State],
    start: TypeId,
    errors: &mut Vec<Diagnostic>,
) {
    let mut visited: Vec<HashSet<TypeId>> = vec![HashSet::new()];
    let mut stack: Vec<Step<'_>> = vec![Step::EnterType(start)];
    while let Some(step) = stack.pop() {
        match step {
            Step::EnterType(id) => {
                let Body::Record(fields) = &set.types[id].body else {
                    continue;
                };
                let seen = visited.last_mut().is_none_or(|v| !v.insert(id));
                if seen || state[id] == State::Done {
                    continue;
                }
                state[id] = State::Open;
                stack.push(Step::After(id));
                for f in fields.iter().rev() {
                    stack.push(Step::Enter(&f.ty));
                }
            }
            Step::Enter(n) => match &n.kind {
                Kind::Named(id)
                    if facts.placeholders.contains(&(n.file, n.span.start))
                        && state[*id] == State::NotCopied
                        && matches!(set.types[*id].body, Body::Record(_)) =>
                {
                    // computeIfAbsent: a nested visit of the target, with its own set.
                    stack.push(Step::EndNested);
                    visited.push(HashSet::new());
                    stack.push(Step::EnterType(*id));
                }
                Kind::Named(_) if facts.placeholders.contains(&(n.file, n.span.start)) => {}
                Kind::Named(id) => stack.push(Step::EnterType(*id)),
                Kind::Array(x) | Kind::Map(x) => stack.push(Step::Enter(x)),
                Kind::Union(bs) => {
                    for b in bs.iter().rev() {
                        stack.push(Step::Enter(b));
                    }
                }
                _ => {}
            },
            Step::After(id) => {
                if state[id] != State::Open {
                    continue;
                }
                let check = Check {
                    set,
                    facts,
                    parsing: false,
                    state,
                };
                let before = errors.len();
                for f in fields_of(set, &set.types[id]) {
                    check.field(id, f, errors);
                }
                if errors.len() > before {
                    return;
                }
                state[id] = State::Done;
            }
            Step::EndNested => {
                visited.pop();
            }
        }
    }
}
