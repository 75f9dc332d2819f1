//! JSON Schema (draft-07) to Avro: one event schema file to one `.avsc` record.
//!
//! - `object` with `properties` → a named record (nested ones named `<Parent><Property>`);
//!   a property not in `required` → `["null", T]` with `"default": null`;
//! - `string` → string, with `format: uuid` → `uuid`, `date-time` → `timestamp-millis` (other
//!   formats, `date` among them, stay strings with `"format"`); `integer` → long; `number` →
//!   double; `boolean`; `array` with `items`; a required property keeps its `default`;
//! - `enum` of several strings → an Avro enum; a single-valued `enum` or `const` → a string
//!   field with `"const"` (the event-type field's value also names the record and becomes its
//!   `"event_type"`);
//! - an `object` without `properties` → a map (when `additionalProperties` is a schema) or a
//!   string holding the JSON text (`"json": true`);
//! - validation keywords (`minLength`, `maxLength`, `pattern`, `minimum`, `maximum`,
//!   `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minItems`, `maxItems`,
//!   `uniqueItems`, other `format`s) → the field's `"constraints"` object;
//! - `description` → `doc`.
//!
//! Anything else (`oneOf`, `anyOf`, `allOf`, `not`, `$ref`, `patternProperties`, tuples,
//! conditionals, ...) is an error at its JSON pointer and `file:line:col`: nothing is dropped
//! silently.

use super::out::Out;
use crate::diag::{Diagnostic, Level};
use crate::json::{self, Json, JsonNode};
use crate::source::{SourceFile, Span};
use heck::ToUpperCamelCase as _;

/// How names are chosen.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespace of the generated records.
    pub namespace: String,
    /// The property holding the event type (a single-valued enum or const).
    pub event_type_field: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespace: "events".into(),
            event_type_field: "eventType".into(),
        }
    }
}

/// One converted schema.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The record's short name (`ProductCreated`).
    pub name: String,
    /// The event type, when the schema declares one.
    pub event_type: Option<String>,
    /// The `.avsc` text.
    pub text: String,
    /// The record as a tree (what `text` prints).
    pub record: Out,
}

const CONSTRAINTS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];
/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "examples",
    "$comment",
    "$schema",
    "$id",
    "readOnly",
    "writeOnly",
];
const STRUCTURE: &[&str] = &[
    "default",
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "format",
    "additionalProperties",
];

struct Cx<'a> {
    file: &'a SourceFile,
    errors: Vec<Diagnostic>,
    names: std::collections::HashSet<String>,
}

impl Cx<'_> {
    fn error(&mut self, span: Span, pointer: &str, message: String) {
        let d = Diagnostic::at(Level::Error, "IMPORT", message, self.file, span).with_location(
            if pointer.is_empty() {
                "/".into()
            } else {
                pointer.to_string()
            },
        );
        self.errors.push(d);
    }

    fn name(&mut self, wanted: String, span: Span, pointer: &str) -> String {
        if !self.names.insert(wanted.clone()) {
            self.error(
                span,
                pointer,
                format!("the generated name {wanted} is taken twice in this file"),
            );
        }
        wanted
    }

    /// Keywords this importer cannot carry over: errors, never dropped.
    fn check_keywords(&mut self, node: &JsonNode, pointer: &str) {
        for m in node.as_object().unwrap_or_default() {
            let k = m.key.as_str();
            if CONSTRAINTS.contains(&k) || ANNOTATIONS.contains(&k) || STRUCTURE.contains(&k) {
                continue;
            }
            let why = match k {
                "oneOf" | "anyOf" | "allOf" | "not" => "combinators have no faithful Avro form; model the alternatives as separate events or optional fields",
                "$ref" | "definitions" | "$defs" => "references are not supported yet; inline the referenced schema",
                "patternProperties" | "propertyNames" | "dependencies" | "minProperties" | "maxProperties" => "dynamic object shapes have no Avro form",
                "if" | "then" | "else" | "contains" | "additionalItems" => "conditional and tuple validation have no Avro form",
                _ => "unknown keyword",
            };
            let span = m.key_span;
            self.error(
                span,
                &format!("{pointer}/{}", escape(k)),
                format!("`{k}` is not supported: {why}"),
            );
        }
    }

    /// Constraints, formats and consts of array items or map values have nowhere to go on a
    /// field: an error, not a silent drop.
    fn no_item_attrs(&mut self, node: &JsonNode, pointer: &str, attrs: &[(String, Out)]) {
        if let Some((key, _)) = attrs.first() {
            self.error(node.span, pointer, format!("`{key}` on array items or map values is not carried over; constrain the field itself"));
        }
    }

    /// An object schema with `properties` (its keywords already checked).
    fn record(&mut self, node: &JsonNode, name: String, pointer: &str) -> Out {
        let required: std::collections::HashSet<&str> = node
            .get("required")
            .and_then(JsonNode::as_array)
            .map(|a| a.iter().filter_map(JsonNode::as_str).collect())
            .unwrap_or_default();
        let props = node
            .get("properties")
            .and_then(JsonNode::as_object)
            .unwrap_or_default();
        let names: std::collections::HashSet<&str> = props.iter().map(|m| m.key.as_str()).collect();
        if let Some(r) = node.get("required") {
            for (i, x) in r.as_array().unwrap_or_default().iter().enumerate() {
                match x.as_str() {
                    Some(k) if names.contains(k) => {}
                    _ => self.error(
                        x.span,
                        &format!("{pointer}/required/{i}"),
                        "a required name that is not a property".into(),
                    ),
                }
            }
        }
        let mut fields = Vec::new();
        for m in props {
            let p = format!("{pointer}/properties/{}", escape(&m.key));
            if !is_avro_name(&m.key) {
                self.error(
                    m.key_span,
                    &p,
                    format!(
                        "property {:?} is not a valid Avro field name ([A-Za-z_][A-Za-z0-9_]*)",
                        m.key
                    ),
                );
                continue;
            }
            let (ty, attrs) = self.ty(&m.value, format!("{name}{}", pascal(&m.key)), &p);
            let optional = !required.contains(&m.key.as_str());
            let mut f = vec![("name".to_string(), Out::s(&m.key))];
            let default = m.value.get("default");
            if let (true, Some(d)) = (optional, default) {
                if !matches!(d.value, Json::Null) {
                    self.error(d.span, &format!("{p}/default"), "a non-null default on an optional property: Avro's optional fields default to null; make the property required to keep its default".into());
                }
            }
            if optional {
                let ty = match ty {
                    Out::Arr(mut v) if v.first() == Some(&Out::s("null")) => {
                        v.dedup();
                        Out::Arr(v)
                    }
                    t => Out::Arr(vec![Out::s("null"), t]),
                };
                f.push(("type".into(), ty));
                f.push(("default".into(), Out::Null));
            } else {
                f.push(("type".into(), ty));
                if let Some(d) = default {
                    f.push(("default".into(), to_out(d)));
                }
            }
            if let Some(d) = m.value.get("description").and_then(JsonNode::as_str) {
                f.push(("doc".into(), Out::s(d)));
            }
            // Personal data by its name (`ipAddress`, `contactEmail`): marked, so the tier
            // rules protect it (PII_UNMARKED would refuse it unmarked).
            if let Some(category) = crate::rules::lint::pii_unmarked::looks_like(&m.key) {
                f.push(("pii".into(), Out::s(category)));
            }
            f.extend(attrs);
            fields.push(Out::Obj(f));
        }
        let mut r = vec![("type", Out::s("record")), ("name", Out::s(&name))];
        if let Some(d) = node.get("description").and_then(JsonNode::as_str) {
            r.push(("doc", Out::s(d)));
        }
        r.push(("fields", Out::Arr(fields)));
        Out::obj(r)
    }

    /// The Avro type of a property schema, and the field attributes it brings.
    fn ty(&mut self, node: &JsonNode, name: String, pointer: &str) -> (Out, Vec<(String, Out)>) {
        let mut attrs = Vec::new();
        if node.as_object().is_none() {
            self.error(
                node.span,
                pointer,
                format!("a schema must be an object, found {}", node.kind()),
            );
            return (Out::s("null"), attrs);
        }
        self.check_keywords(node, pointer);
        let constraints: Vec<(String, Out)> = node
            .as_object()
            .unwrap_or_default()
            .iter()
            .filter(|m| CONSTRAINTS.contains(&m.key.as_str()))
            .map(|m| (m.key.clone(), to_out(&m.value)))
            .collect();
        if let Some(e) = node.get("enum").or_else(|| node.get("const")) {
            let values: Vec<&JsonNode> = match &e.value {
                Json::Array(v) => v.iter().collect(),
                _ => vec![e],
            };
            let strings: Option<Vec<&str>> = values.iter().map(|v| v.as_str()).collect();
            let Some(strings) = strings.filter(|s| !s.is_empty()) else {
                self.error(
                    e.span,
                    &format!("{pointer}/enum"),
                    "only non-empty enums of strings are supported".into(),
                );
                return (Out::s("string"), attrs);
            };
            if let [one] = strings.as_slice() {
                attrs.push(("const".into(), Out::s(*one)));
                return (Out::s("string"), attrs);
            }
            for (i, s) in strings.iter().enumerate() {
                if !is_avro_name(s) || strings[..i].contains(s) {
                    self.error(
                        values[i].span,
                        &format!("{pointer}/enum/{i}"),
                        format!(
                            "{s:?} cannot be an Avro enum symbol (unique, [A-Za-z_][A-Za-z0-9_]*)"
                        ),
                    );
                }
            }
            let name = self.name(name, e.span, pointer);
            let symbols = strings.iter().map(|s| Out::s(*s)).collect();
            let mut en = vec![("type", Out::s("enum")), ("name", Out::s(name))];
            if let Some(d) = node.get("description").and_then(JsonNode::as_str) {
                en.push(("doc", Out::s(d)));
            }
            en.push(("symbols", Out::Arr(symbols)));
            return (Out::obj(en), attrs);
        }
        let (kind, nullable) = match node.get("type").map(|t| &t.value) {
            Some(Json::String(s)) => (s.as_str(), false),
            Some(Json::Array(v)) => {
                let names: Vec<&str> = v.iter().filter_map(JsonNode::as_str).collect();
                match names.as_slice() {
                    [t, "null"] | ["null", t] if *t != "null" => (*t, true),
                    _ => {
                        let span = node.get("type").map_or(node.span, |t| t.span);
                        self.error(
                            span,
                            &format!("{pointer}/type"),
                            "a list of types is supported only as [T, \"null\"]".into(),
                        );
                        return (Out::s("null"), attrs);
                    }
                }
            }
            Some(_) | None if node.get("properties").is_some() => ("object", false),
            _ => {
                self.error(node.span, pointer, "the schema has no `type`".into());
                return (Out::s("null"), attrs);
            }
        };
        let format = node.get("format").and_then(JsonNode::as_str);
        let ty = match kind {
            "string" => match format {
                Some("uuid") => Out::obj(vec![
                    ("type", Out::s("string")),
                    ("logicalType", Out::s("uuid")),
                ]),
                Some("date-time") => Out::obj(vec![
                    ("type", Out::s("long")),
                    ("logicalType", Out::s("timestamp-millis")),
                ]),
                // A calendar date stays text (`"format": "date"`): the generated code has no
                // faithful type for Avro's `date` yet.
                Some(other) => {
                    attrs.push(("format".into(), Out::s(other)));
                    Out::s("string")
                }
                None => Out::s("string"),
            },
            "integer" => Out::s("long"),
            "number" => Out::s("double"),
            "boolean" => Out::s("boolean"),
            "null" => Out::s("null"),
            "object" => {
                match (node.get("properties"), node.get("additionalProperties")) {
                    (Some(_), Some(extra)) if extra.as_object().is_some() => {
                        self.error(extra.span, &format!("{pointer}/additionalProperties"), "a schema for additional properties next to `properties` has no Avro form".into());
                        Out::s("null")
                    }
                    (Some(_), _) => {
                        let name = self.name(name, node.span, pointer);
                        self.record(node, name, pointer)
                    }
                    (None, Some(v)) if v.as_object().is_some() => {
                        let at = format!("{pointer}/additionalProperties");
                        let (values, extra) = self.ty(v, format!("{name}Value"), &at);
                        self.no_item_attrs(v, &at, &extra);
                        Out::obj(vec![("type", Out::s("map")), ("values", values)])
                    }
                    _ => {
                        attrs.push(("json".into(), Out::Bool(true)));
                        Out::s("string")
                    }
                }
            }
            "array" => match node.get("items") {
                Some(items) if items.as_object().is_some() => {
                    let at = format!("{pointer}/items");
                    let (inner, extra) = self.ty(items, format!("{name}Item"), &at);
                    self.no_item_attrs(items, &at, &extra);
                    let items = inner;
                    Out::obj(vec![("type", Out::s("array")), ("items", items)])
                }
                Some(items) => {
                    self.error(
                        items.span,
                        &format!("{pointer}/items"),
                        "tuple `items` (a list) has no Avro form".into(),
                    );
                    Out::s("null")
                }
                None => {
                    self.error(node.span, pointer, "an array needs `items`".into());
                    Out::s("null")
                }
            },
            other => {
                let span = node.get("type").map_or(node.span, |t| t.span);
                self.error(
                    span,
                    &format!("{pointer}/type"),
                    format!("unknown type {other:?}"),
                );
                Out::s("null")
            }
        };
        if !constraints.is_empty() {
            attrs.push(("constraints".into(), Out::Obj(constraints)));
        }
        let ty = if nullable {
            Out::Arr(vec![Out::s("null"), ty])
        } else {
            ty
        };
        (ty, attrs)
    }
}

/// Converts one draft-07 JSON Schema file.
pub fn import(file: &SourceFile, options: &Options) -> Result<Imported, Vec<Diagnostic>> {
    let root = json::parse(&file.text).map_err(|e| {
        vec![Diagnostic::at(
            Level::Error,
            "PARSE",
            format!("invalid JSON: {}", e.message),
            file,
            Span::new(e.offset, e.offset + 1),
        )]
    })?;
    let mut cx = Cx {
        file,
        errors: Vec::new(),
        names: std::collections::HashSet::new(),
    };
    if let Some(s) = root.get("$schema").and_then(JsonNode::as_str) {
        if !s.contains("draft-07") {
            let span = root.get("$schema").map_or(root.span, |n| n.span);
            cx.error(
                span,
                "/$schema",
                format!("{s:?} is not draft-07, the version this importer reads"),
            );
        }
    }
    if root.get("type").and_then(JsonNode::as_str) != Some("object")
        || root.get("properties").is_none()
    {
        cx.error(
            root.span,
            "",
            "the root must be an object schema with `properties`".into(),
        );
        return Err(cx.errors);
    }
    let event_type = root
        .get("properties")
        .and_then(|p| p.get(&options.event_type_field))
        .and_then(|f| f.get("const").or_else(|| f.get("enum")))
        .and_then(|e| match &e.value {
            Json::String(s) => Some(s.clone()),
            Json::Array(v) if v.len() == 1 => v[0].as_str().map(str::to_string),
            _ => None,
        });
    let stem = file
        .path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match &event_type {
        Some(t) if is_avro_name(&pascal(t)) => pascal(t),
        _ => pascal(&stem),
    };
    if !is_avro_name(&name) {
        cx.error(
            root.span,
            "",
            format!("cannot derive a record name from {stem:?}"),
        );
        return Err(cx.errors);
    }
    let name = cx.name(name, root.span, "");
    cx.check_keywords(&root, "");
    let record = cx.record(&root, name.clone(), "");
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let Out::Obj(mut fields) = record else {
        return Err(cx.errors);
    };
    fields.insert(2, ("namespace".into(), Out::s(&options.namespace)));
    if let Some(t) = &event_type {
        fields.insert(3, ("event_type".into(), Out::s(t)));
    }
    let record = Out::Obj(fields);
    let text = record.pretty();
    // The output must be an Avro schema Java would accept.
    let out_path = file.path.with_extension("avsc");
    crate::model::parse_files(vec![SourceFile::new(out_path, text.clone())])?;
    Ok(Imported {
        name,
        event_type,
        text,
        record,
    })
}

fn to_out(n: &JsonNode) -> Out {
    match &n.value {
        Json::Null => Out::Null,
        Json::Bool(b) => Out::Bool(*b),
        Json::Number(t) => Out::Num(t.clone()),
        Json::String(s) => Out::s(s),
        Json::Array(v) => Out::Arr(v.iter().map(to_out).collect()),
        Json::Object(m) => Out::Obj(
            m.iter()
                .map(|m| (m.key.clone(), to_out(&m.value)))
                .collect(),
        ),
    }
}

/// JSON pointer escaping of one reference token.
fn escape(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn is_avro_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// `previousState` → `PreviousState`, `product_id` → `ProductId` (heck's UpperCamelCase; an
/// acronym becomes one capital, `userID` → `UserId`, where the hand-rolled version kept `UserID`).
fn pascal(s: &str) -> String {
    s.to_upper_camel_case()
}
