//! FIELD_TYPE_CHANGED: a field keeps its type (promotions only where the subject allows them).

use super::diff::same_named;
use super::{finding, Change, Diff, PolicyFinding, SubjectPolicy};
use crate::diag::Level;
use crate::model::{Body, Kind, Node, SchemaSet};
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "FIELD_TYPE_CHANGED",
    family: Family::Policy,
    category: "BREAKING",
    level: Level::Error,
    summary: "Checks that no field changes type, logical type included; Avro promotions (int→long→float→double, string↔bytes) only where the subject sets allow_promotions.",
    why: "The evolution policy forbids type changes: generated code, JSON consumers and projections depend on the exact type.",
    hint: "keep the type; add a new field with the new type and a default instead",
};

fn same(os: &SchemaSet, o: &Node, ns: &SchemaSet, n: &Node) -> bool {
    match (&o.kind, &n.kind) {
        (Kind::Named(a), Kind::Named(b)) => {
            same_named(os, *a, ns, *b)
                && std::mem::discriminant(&os.types[*a].body)
                    == std::mem::discriminant(&ns.types[*b].body)
                && match (&os.types[*a].body, &ns.types[*b].body) {
                    (Body::Fixed { size: x, .. }, Body::Fixed { size: y, .. }) => x == y,
                    _ => true,
                }
        }
        (Kind::Array(a), Kind::Array(b)) | (Kind::Map(a), Kind::Map(b)) => same(os, a, ns, b),
        // Union branches are judged one by one (UNION_BRANCH_REMOVED).
        (Kind::Union(_), Kind::Union(_)) => true,
        (a, b) => {
            std::mem::discriminant(a) == std::mem::discriminant(b)
                && o.logical_type == n.logical_type
        }
    }
}

fn promotion(o: &Kind, n: &Kind) -> bool {
    matches!(
        (o, n),
        (Kind::Int, Kind::Long | Kind::Float | Kind::Double)
            | (Kind::Long, Kind::Float | Kind::Double)
            | (Kind::Float, Kind::Double)
            | (Kind::String, Kind::Bytes)
            | (Kind::Bytes, Kind::String)
    )
}

fn show(set: &SchemaSet, n: &Node) -> String {
    let base = super::diff::describe(set, n);
    match &n.logical_type {
        Some(l) => format!("{base} ({l})"),
        None => base,
    }
}

pub fn check(d: &Diff<'_>, policy: &SubjectPolicy, out: &mut Vec<PolicyFinding>) {
    for c in &d.changes {
        if let Change::FieldKept { old, new, .. } | Change::FieldRenamed { old, new, .. } = c {
            let (o, n) = (old.ty.non_null(), new.ty.non_null());
            if same(d.old, o, d.new, n)
                || (policy.allow_promotions
                    && promotion(&o.kind, &n.kind)
                    && o.logical_type == n.logical_type)
            {
                continue;
            }
            let kind = if promotion(&o.kind, &n.kind) {
                " (an Avro promotion, not allowed for this subject)"
            } else {
                ""
            };
            let msg = format!(
                "field `{}` changed type from {} to {}{kind}",
                new.name,
                show(d.old, o),
                show(d.new, n)
            );
            out.push(finding(d, &RULE, c, msg));
        }
    }
}
