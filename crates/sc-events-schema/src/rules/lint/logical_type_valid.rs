//! LOGICAL_TYPE_VALID: every `logicalType` sits on a base type it applies to, as Java Avro 1.12
//! decides (`LogicalTypes.fromSchemaIgnoreInvalid`): a logical type on the wrong base type, or
//! a decimal with an impossible precision or scale, is silently dropped by Java, so the
//! registry, Java readers and the generated Rust types would disagree about the field. An
//! unknown logical type is ignored everywhere: a warning, with the closest known name.

use super::*;
use crate::json::JsonNode;
use crate::model::{Body, Kind, Node};
use crate::text::closest;

pub static RULE: Rule = Rule {
    id: "LOGICAL_TYPE_VALID",
    family: Family::Lint,
    category: "TYPES",
    level: Level::Error,
    summary: "Checks that every logicalType is one Java Avro knows, on a base type it applies to.",
    why: "Java Avro drops a logical type on the wrong base type without a word, so readers see the plain base type while the generated Rust type does not.",
    hint: "put the logicalType on the base type it needs (uuid: string; date: int; timestamp-millis: long; decimal: bytes or fixed with a precision), or remove it",
};

/// Java Avro 1.12's logical types.
const KNOWN: &[&str] = &[
    "big-decimal",
    "date",
    "decimal",
    "duration",
    "local-timestamp-micros",
    "local-timestamp-millis",
    "local-timestamp-nanos",
    "time-micros",
    "time-millis",
    "timestamp-micros",
    "timestamp-millis",
    "timestamp-nanos",
    "uuid",
];

/// The base type a logical type sits on.
#[derive(Clone, Copy)]
enum Base {
    Primitive(&'static str),
    Fixed(usize),
    Other(&'static str),
}

/// `Err(what it needs)` when `logical` does not apply to `base`; `None` for an unknown name.
fn applies(logical: &str, base: Base) -> Option<Result<(), &'static str>> {
    use Base::*;
    let ok = |b: bool, needs: &'static str| Some(if b { Ok(()) } else { Err(needs) });
    match logical {
        "decimal" => ok(
            matches!(base, Primitive("bytes") | Fixed(_)),
            "bytes or fixed",
        ),
        "big-decimal" => ok(matches!(base, Primitive("bytes")), "bytes"),
        "uuid" => ok(
            matches!(base, Primitive("string") | Fixed(16)),
            "string or fixed(16)",
        ),
        "date" | "time-millis" => ok(matches!(base, Primitive("int")), "int"),
        "time-micros"
        | "timestamp-millis"
        | "timestamp-micros"
        | "timestamp-nanos"
        | "local-timestamp-millis"
        | "local-timestamp-micros"
        | "local-timestamp-nanos" => ok(matches!(base, Primitive("long")), "long"),
        "duration" => ok(matches!(base, Fixed(12)), "fixed(12)"),
        _ => None,
    }
}

fn base_name(base: Base) -> String {
    match base {
        Base::Primitive(p) | Base::Other(p) => p.to_string(),
        Base::Fixed(n) => format!("fixed({n})"),
    }
}

/// Why a decimal's precision or scale makes Java drop it, if they do (`get` reads the
/// schema object's other attributes).
fn decimal_problem<'j>(get: &dyn Fn(&str) -> Option<&'j JsonNode>, base: Base) -> Option<String> {
    let precision = match get("precision").map(|p| p.as_i64()) {
        None => return Some("a decimal needs a \"precision\"".into()),
        Some(None) => return Some("the decimal's \"precision\" is not an integer".into()),
        Some(Some(p)) => p,
    };
    if precision <= 0 {
        return Some(format!("precision {precision} is not positive"));
    }
    let scale = match get("scale").map(|s| s.as_i64()) {
        None => 0,
        Some(None) => return Some("the decimal's \"scale\" is not an integer".into()),
        Some(Some(s)) => s,
    };
    if scale < 0 || scale > precision {
        return Some(format!(
            "scale {scale} is outside 0..=precision ({precision})"
        ));
    }
    if let Base::Fixed(size) = base {
        // The most decimal digits `size` bytes of two's complement hold (Java's maxPrecision).
        let bits = (8 * size).saturating_sub(1) as f64;
        let max = (bits * std::f64::consts::LOG10_2).floor() as i64;
        if precision > max {
            return Some(format!(
                "precision {precision} does not fit a fixed({size}) (at most {max} digits)"
            ));
        }
    }
    None
}

/// What is wrong with logical type `name` on `base`: `Some((level, message))`, `None` if fine.
fn problem<'j>(
    name: &str,
    base: Base,
    get: &dyn Fn(&str) -> Option<&'j JsonNode>,
) -> Option<(Level, String)> {
    match applies(name, base) {
        None => {
            let near = closest(name, KNOWN.iter().copied())
                .map_or(String::new(), |k| format!("; did you mean `{k}`?"));
            Some((
                Level::Warning,
                format!("unknown logicalType `{name}`: Java Avro ignores it{near}"),
            ))
        }
        Some(Err(needs)) => Some((
            Level::Error,
            format!(
                "logicalType `{name}` does not apply to {}: Java Avro drops it (it needs {needs})",
                base_name(base)
            ),
        )),
        Some(Ok(())) if name == "decimal" => decimal_problem(get, base).map(|why| {
            (
                Level::Error,
                format!("logicalType `decimal`: {why}, so Java Avro drops it"),
            )
        }),
        Some(Ok(())) => None,
    }
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let mut push = |owner: usize, span, location: String, found: Option<(Level, String)>| {
        if let Some((level, message)) = found {
            let mut d = cx.finding(&RULE, owner, span, location, message);
            d.level = level;
            out.push(d);
        }
    };
    // Named types: a logical type on a fixed (decimal, uuid, duration), or one Java would
    // ignore on a record or an enum. Their attributes keep the file's spans.
    for (id, t) in set.types.iter().enumerate() {
        let Some(lt) = t.attr("logicalType") else {
            continue;
        };
        let Some(name) = lt.as_str() else {
            continue;
        };
        let base = match t.body {
            Body::Fixed { size, .. } => Base::Fixed(size),
            Body::Record(_) => Base::Other("record"),
            Body::Enum(_) => Base::Other("enum"),
        };
        let get = |k: &str| t.attr(k);
        push(id, lt.span, cx.type_location(id), problem(name, base, &get));
    }
    // Every field's type, with what it nests (array items, map values, union branches).
    crate::model::walk_fields(set, |v| {
        let mut nodes = Vec::new();
        nested(&v.field.ty, &mut nodes);
        for n in nodes {
            let Some(name) = n.logical_type.as_deref() else {
                continue;
            };
            let base = match n.kind {
                Kind::Null => Base::Primitive("null"),
                Kind::Boolean => Base::Primitive("boolean"),
                Kind::Int => Base::Primitive("int"),
                Kind::Long => Base::Primitive("long"),
                Kind::Float => Base::Primitive("float"),
                Kind::Double => Base::Primitive("double"),
                Kind::Bytes => Base::Primitive("bytes"),
                Kind::String => Base::Primitive("string"),
                Kind::Array(_) => Base::Other("array"),
                Kind::Map(_) => Base::Other("map"),
                // Named types are checked where they are defined; unions carry none.
                Kind::Union(_) | Kind::Named(_) => continue,
            };
            let location = cx.field_location(v.record, v.index);
            // A primitive's object is small: read its other attributes (and the
            // logicalType's own span) from its text. An array or map needs nothing more.
            let object = match base {
                Base::Primitive(_) => reparse(set, n.file, n.span),
                _ => None,
            };
            let span = object
                .as_ref()
                .and_then(|o| o.get("logicalType"))
                .map_or(n.span, |l| l.span);
            let get = |k: &str| object.as_ref().and_then(|o| o.get(k));
            push(v.record, span, location, problem(name, base, &get));
        }
    });
}

/// `node` and every node nested in it, without following named references.
fn nested<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    out.push(node);
    match &node.kind {
        Kind::Array(inner) | Kind::Map(inner) => nested(inner, out),
        Kind::Union(branches) => branches.iter().for_each(|b| nested(b, out)),
        _ => {}
    }
}

/// The JSON object of a primitive type at `span` of a file, with the file's spans.
fn reparse(
    set: &crate::model::SchemaSet,
    file: usize,
    span: crate::source::Span,
) -> Option<JsonNode> {
    let text = set.files.get(file)?.text.get(span.start..span.end)?;
    if !text.starts_with('{') {
        return None;
    }
    let mut node = crate::json::parse(text).ok()?;
    shift(&mut node, span.start);
    Some(node)
}

/// Moves every span of `node` by `by` bytes.
fn shift(node: &mut JsonNode, by: usize) {
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        crate::json::Json::Array(items) => items.iter_mut().for_each(|i| shift(i, by)),
        crate::json::Json::Object(members) => {
            for m in members {
                m.key_span.start += by;
                m.key_span.end += by;
                shift(&mut m.value, by);
            }
        }
        _ => {}
    }
}
