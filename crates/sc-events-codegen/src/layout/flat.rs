//! The flat-envelope layout: each top-level record repeats the envelope's fields and
//! holds its payload in one field. Implements `DomainEvent` (event id, key, payload facts and
//! validation: event type and version agree with the payload and the schema, every field's
//! constraints hold) and a `new(envelope, payload)` constructor that fills in what the schema
//! fixes, so an event cannot be mislabelled.

use crate::context::{domain_event_head, DomainCx, EVENT, TYPES};
use crate::emit::{impl_inherent, match_method, option_str, write_match, Method};
use crate::ident::{field_name, type_name};
use sc_events_schema::model::{Field, Kind, SchemaSet};
use sc_events_schema::Catalog;
use std::fmt::Write as _;

/// `Option<Cow<str>>` of a field reached as `path` (`self.org_id`, `p.order_id`).
fn key_expr(f: &Field, path: &str) -> String {
    let cow = "std::borrow::Cow";
    let inner = f.ty.non_null();
    let optional = f.ty.nullable_inner().is_some();
    // A `uuid` string is a `Uuid` in Rust: its text is the key.
    let uuid = inner.logical_type.as_deref() == Some("uuid");
    match (&inner.kind, optional) {
        (Kind::String, false) if uuid => format!("Some({cow}::Owned({path}.to_string()))"),
        (Kind::String, true) if uuid => format!("{path}.map(|v| {cow}::Owned(v.to_string()))"),
        (Kind::String, false) => format!("Some({cow}::Borrowed({path}.as_str()))"),
        (Kind::String, true) => format!("{path}.as_deref().map({cow}::Borrowed)"),
        (Kind::Int | Kind::Long, false) => format!("Some({cow}::Owned({path}.to_string()))"),
        (Kind::Int | Kind::Long, true) => format!("{path}.map(|v| {cow}::Owned(v.to_string()))"),
        _ => "None".into(),
    }
}

fn field<'s>(set: &'s SchemaSet, record: usize, name: &str) -> Option<&'s Field> {
    set.fields(record).iter().find(|f| f.name == name)
}

pub(crate) fn generate(catalog: &Catalog, cx: &DomainCx<'_>, o: &mut String) {
    let set = &catalog.set;
    let l = &catalog.layout.section;
    let d = cx.d;
    let ev = &cx.ev;
    let pf = &cx.payload_field;
    let root = &set.types[d.record];
    let events: Vec<(&String, &str, usize)> = cx
        .payloads
        .iter()
        .zip(&d.events)
        .map(|(p, e)| (p, e.event_type.as_str(), e.record))
        .collect();

    if let Some(union) = &cx.union {
        impl_inherent(o, &format!("{TYPES}::{union}"));
        match_method(
            o,
            &Method {
                doc: Some("The payload's event type (fixed by its record type)."),
                signature: "pub fn event_type(&self) -> &'static str",
                uses: None,
            },
            "self",
            events
                .iter()
                .map(|(p, et, _)| (format!("Self::{p}(_)"), format!("{et:?}"))),
        );
        let _ = writeln!(o, "}}\n");
    }

    let envelope_key = cx
        .key
        .as_deref()
        .and_then(|k| field(set, catalog.envelope, k));
    // The payload's `PayloadRef` (the payload bound to `p`).
    let payload_ref = |et: &str, record: usize| {
        let entity_key = match (&cx.key, envelope_key) {
            (Some(k), None) => match field(set, record, k) {
                Some(f)
                    if f.ty.non_null().kind == Kind::String
                        && f.ty.non_null().logical_type.is_none() =>
                {
                    option_str(
                        &format!("p.{}", field_name(&f.name)),
                        f.ty.nullable_inner().is_some(),
                    )
                }
                _ => "None".into(),
            },
            _ => "None".into(),
        };
        format!("{EVENT}::PayloadRef {{ event_type: {et:?}, privacy_tier: None, entity_key: {entity_key}, check: p }}")
    };

    domain_event_head(cx, &root.name.fullname(), o);
    let _ = writeln!(o, "    fn payload(&self) -> {EVENT}::PayloadRef<'_> {{");
    match &cx.union {
        Some(union) => write_match(
            o,
            &format!("&self.{pf}"),
            events.iter().map(|(p, et, record)| {
                (
                    format!("{TYPES}::{union}::{p}(p)"),
                    payload_ref(et, *record),
                )
            }),
        ),
        None => {
            if let Some((_, et, record)) = events.first() {
                let _ = writeln!(
                    o,
                    "        let p = &self.{pf};\n        {}",
                    payload_ref(et, *record)
                );
            }
        }
    }
    let _ = writeln!(o, "    }}");
    match field(set, catalog.envelope, &l.event_id_field) {
        Some(f) if f.ty.logical_type.as_deref() == Some("uuid") => {
            let _ = writeln!(
                o,
                "    fn event_id(&self) -> uuid::Uuid {{ self.{} }}",
                field_name(&f.name)
            );
        }
        Some(f) if f.ty.kind == Kind::String => {
            // A textual id: its name-based UUID, stable for de-duplication.
            let _ = writeln!(o, "    fn event_id(&self) -> uuid::Uuid {{ uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, self.{}.as_bytes()) }}", field_name(&f.name));
        }
        _ => {
            let _ = writeln!(
                o,
                "    fn event_id(&self) -> uuid::Uuid {{ uuid::Uuid::nil() }}"
            );
        }
    }
    let key = match (envelope_key, &cx.union) {
        (Some(f), _) => key_expr(f, &format!("self.{}", field_name(&f.name))),
        (None, Some(union)) => match &cx.key {
            Some(k) => {
                let mut arms = format!("match &self.{pf} {{ ");
                for (p, _, record) in &events {
                    let e = field(set, *record, k).map_or("None".into(), |f| {
                        key_expr(f, &format!("p.{}", field_name(&f.name)))
                    });
                    let _ = write!(arms, "{TYPES}::{union}::{p}(p) => {e}, ");
                }
                arms.push('}');
                arms
            }
            None => "None".into(),
        },
        (None, None) => match (&cx.key, events.first()) {
            (Some(k), Some((_, _, record))) => field(set, *record, k).map_or("None".into(), |f| {
                key_expr(f, &format!("self.{pf}.{}", field_name(&f.name)))
            }),
            _ => "None".into(),
        },
    };
    let _ = writeln!(
        o,
        "    fn key(&self) -> Option<std::borrow::Cow<'_, str>> {{ {key} }}"
    );
    // A numeric key field: a partitioner hashing the Java value hashes the number.
    let key_field = envelope_key.or_else(|| {
        let k = cx.key.as_deref()?;
        events
            .first()
            .and_then(|(_, _, record)| field(set, *record, k))
    });
    let key_type = match key_field.map(|f| &f.ty.non_null().kind) {
        Some(Kind::Long) => Some("Long"),
        Some(Kind::Int) => Some("Int"),
        _ => None,
    };
    if let Some(t) = key_type {
        let _ = writeln!(
            o,
            "    const KEY_TYPE: {EVENT}::KeyType = {EVENT}::KeyType::{t};"
        );
    }
    let etf = field_name(&l.event_type_field);
    let _ = writeln!(o, "    #[inline]\n    fn validate(&self) -> Result<(), {EVENT}::ValidationError> {{\n        use {EVENT}::CheckFields as _;\n        let p = self.payload();");
    let _ = writeln!(o, "        if self.{etf} != p.event_type {{\n            return Err({EVENT}::ValidationError::EventTypeMismatch {{ envelope: self.{etf}.clone(), payload: p.event_type }});\n        }}");
    let version =
        field(set, catalog.envelope, &l.version_field).filter(|_| !l.version_field.is_empty());
    let version_value = match version.map(|f| &f.ty.kind) {
        Some(Kind::String) => Some(format!("{:?}", d.version)),
        Some(Kind::Int | Kind::Long) => Some(d.schema_version.to_string()),
        _ => None,
    };
    if let (Some(f), Some(v)) = (version, &version_value) {
        let n = field_name(&f.name);
        let _ = writeln!(o, "        if self.{n} != {v} {{\n            return Err({EVENT}::ValidationError::VersionMismatch {{ envelope: self.{n}.to_string(), schema: {:?} }});\n        }}", d.version);
    }
    // A single payload record is checked as a field of the top-level record; a union's
    // branch through the payload, under the same `payload.` path.
    if cx.union.is_some() {
        let _ = writeln!(
            o,
            "        self.check_fields()?;\n        p.check.check_fields().map_err(|e| e.within({:?}))\n    }}\n}}\n",
            l.payload_field
        );
    } else {
        let _ = writeln!(o, "        self.check_fields()\n    }}\n}}\n");
    }

    // The constructor.
    let template = type_name(&set.types[catalog.envelope].name.name);
    let payload_ty = match &cx.union {
        Some(u) => format!("impl Into<{TYPES}::{u}>"),
        None => events
            .first()
            .map_or(String::new(), |(p, _, _)| format!("{TYPES}::{p}")),
    };
    let conv = if cx.union.is_some() { ".into()" } else { "" };
    let moved: Vec<String> = set
        .fields(catalog.envelope)
        .iter()
        .map(|f| {
            let n = field_name(&f.name);
            format!("{n}: envelope.{n}")
        })
        .collect();
    impl_inherent(o, &format!("{TYPES}::{ev}"));
    let _ = writeln!(o, "    /// The version of this schema (its `{}` attribute).\n    pub const VERSION: &'static str = {:?};", l.version_attribute, d.version);
    let _ = writeln!(o, "    /// The event of `payload` with the envelope fields of `envelope`; its event type{} come from the payload and this schema. Validated.", if version_value.is_some() { " and version" } else { "" });
    let _ = writeln!(o, "    pub fn new(envelope: {TYPES}::{template}, payload: {payload_ty}) -> Result<Self, {EVENT}::ValidationError> {{\n        use {EVENT}::DomainEvent as _;");
    let payload_init = if pf == "payload" && conv.is_empty() {
        "payload".to_string()
    } else {
        format!("{pf}: payload{conv}")
    };
    let _ = writeln!(
        o,
        "        let mut e = Self {{ {}, {payload_init} }};",
        moved.join(", ")
    );
    let _ = writeln!(o, "        e.{etf} = e.payload().event_type.to_string();");
    if let (Some(f), Some(v)) = (version, &version_value) {
        let n = field_name(&f.name);
        let v = if f.ty.kind == Kind::String {
            format!("{v}.to_string()")
        } else {
            v.clone()
        };
        let _ = writeln!(o, "        e.{n} = {v};");
    }
    let _ = writeln!(o, "        e.validate()?;\n        Ok(e)\n    }}\n}}\n");
}
