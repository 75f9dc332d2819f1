//! `CheckFields` for every record: `*_cents`/`*_count` fields must be >= 0, every field's
//! `"constraints"` hold ([`super::constraints`]), nested records are checked recursively
//! (errors name the path: `items[2].price_cents`).

use super::constraints;
use crate::context::{ENTITY_ID, EVENT, TYPES};
use crate::emit::{bind, format_call, impl_for};
use crate::ident::{field_name, type_name, variant_name};
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::model::{Body, Kind, SchemaSet, TypeId};
use sc_events_schema::rules::lint::is_non_negative_field;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

/// Writes the impls of every record but the nested layout's top-level ones, which their
/// `Enveloped::validate_payload` checks through the envelope; a flat layout's are checked
/// through their own fields.
pub(crate) fn generate(catalog: &Catalog, o: &mut String) {
    let set = &catalog.set;
    let roots: Vec<TypeId> = match catalog.layout.section.envelope {
        EnvelopeStyle::Nested => catalog.domains.iter().map(|d| d.record).collect(),
        EnvelopeStyle::Flat => Vec::new(),
    };
    for (id, t) in set.types.iter().enumerate() {
        if matches!(t.body, Body::Record(_)) && !roots.contains(&id) {
            record(set, id, o);
        }
    }
    if catalog.layout.section.envelope == EnvelopeStyle::Nested {
        envelope_but_entity_id(set, catalog.envelope, o);
    }
}

/// The envelope's checks without `entity_id`'s own constraints, for the payloads whose key
/// field carries the same constraints: `validate_payload` has compared the two texts first,
/// so checking the key checks the entity id (`Payload::KEY_CHECKS_ENTITY_ID`).
fn envelope_but_entity_id(set: &SchemaSet, id: TypeId, o: &mut String) {
    let name = type_name(&set.types[id].name.name);
    let _ = writeln!(o, "impl {TYPES}::{name} {{\n    /// `check_fields` but for `{ENTITY_ID}`'s constraints, which the payload's key field, equal to it, carries.\n    #[doc(hidden)]\n    #[inline(always)]\n    pub fn check_fields_but_entity_id(&self) -> Result<(), {EVENT}::ValidationError> {{\n        use {EVENT}::CheckFields as _;");
    o.push_str(&body(set, id, Some(ENTITY_ID)));
    let _ = writeln!(o, "        Ok(())\n    }}\n}}\n");
}

/// The record's `present_when` constraints (the lint has refused malformed ones): the
/// optional field is set exactly when the enum field holds one of the symbols.
fn present_when(set: &SchemaSet, id: TypeId, body: &mut String) {
    let Ok(rules) = sc_events_schema::model::record_constraints::present_when(set, id) else {
        return;
    };
    let fields = set.fields(id);
    for r in rules {
        let (f, when) = (&fields[r.field], &fields[r.when]);
        let Kind::Named(enum_id) = &when.ty.kind else {
            continue;
        };
        let enum_type = type_name(&set.types[*enum_id].name.name);
        let arms: Vec<String> = r
            .symbols
            .iter()
            .map(|s| format!("{TYPES}::{enum_type}::{}", variant_name(s)))
            .collect();
        let limit = format!("{} in {}", when.name, r.symbols.join(", "));
        let _ = writeln!(
            body,
            "        if matches!(self.{}, {}) != self.{}.is_some() {{ return Err({EVENT}::ValidationError::constraint({:?}, \"present_when\", {limit:?}, || (if self.{}.is_some() {{ \"set\" }} else {{ \"null\" }}).into())); }}",
            field_name(&when.name),
            arms.join(" | "),
            field_name(&f.name),
            f.name,
            field_name(&f.name),
        );
    }
}

/// The `CheckFields` impl of one record.
fn record(set: &SchemaSet, id: TypeId, o: &mut String) {
    let name = type_name(&set.types[id].name.name);
    impl_for(
        o,
        &format!("{EVENT}::CheckFields"),
        &format!("{TYPES}::{name}"),
    );
    let _ = writeln!(
        o,
        "    #[inline(always)]\n    fn check_fields(&self) -> Result<(), {EVENT}::ValidationError> {{"
    );
    o.push_str(&body(set, id, None));
    let _ = writeln!(o, "        Ok(())\n    }}\n}}\n");
}

/// The statements of a record's checks; `skip` names a field whose `"constraints"` are left
/// out.
fn body(set: &SchemaSet, id: TypeId, skip: Option<&str>) -> String {
    let mut body = String::new();
    let is_record =
        |k: &Kind| matches!(k, Kind::Named(r) if matches!(set.types[*r].body, Body::Record(_)));
    for f in set.fields(id) {
        let n = field_name(&f.name);
        if skip != Some(f.name.as_str()) {
            constraints::checks(set, f, &n, &mut body);
        }
        let fname = &f.name;
        let opt = f.ty.nullable_inner().is_some();
        let inner = f.ty.non_null();
        let value = format!("self.{n}");
        let borrowed = format!("&self.{n}");
        match &inner.kind {
            Kind::Int | Kind::Long if is_non_negative_field(fname) => {
                let v = if inner.kind == Kind::Int {
                    "i64::from(v)"
                } else {
                    "v"
                };
                let _ = writeln!(body, "        {} if v < 0 {{ return Err({EVENT}::ValidationError::negative({fname:?}, {v})); }} }}", bind("v", &value, opt));
            }
            k if is_record(k) => {
                let call = format!("v.check_fields().map_err(|e| e.within({fname:?}))?;");
                let _ = writeln!(body, "        {} {call} }}", bind("v", &borrowed, opt));
            }
            Kind::Array(item) if is_record(&item.kind) => {
                let within = format_call(&format!("{fname}[{{i}}]"), &[]);
                let each = format!("for (i, v) in items.iter().enumerate() {{ v.check_fields().map_err(|e| e.within(&{within}))?; }}");
                let _ = writeln!(body, "        {} {each} }}", bind("items", &borrowed, opt));
            }
            Kind::Map(item) if is_record(&item.kind) => {
                let within = format_call(&format!("{fname}[{{k:?}}]"), &[]);
                let each = format!("for (k, v) in items.iter() {{ v.check_fields().map_err(|e| e.within(&{within}))?; }}");
                let _ = writeln!(body, "        {} {each} }}", bind("items", &borrowed, opt));
            }
            _ => {}
        }
    }
    present_when(set, id, &mut body);
    body
}
