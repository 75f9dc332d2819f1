//! `CheckFields` for every record: `*_cents`/`*_count` fields must be >= 0, every field's
//! `"constraints"` hold ([`super::constraints`]), nested records are checked recursively
//! (errors name the path: `items[2].price_cents`).

use super::constraints;
use crate::context::{EVENT, TYPES};
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
    let t = &set.types[id];
    let mut body = String::new();
    let is_record =
        |k: &Kind| matches!(k, Kind::Named(r) if matches!(set.types[*r].body, Body::Record(_)));
    for f in set.fields(id) {
        let n = field_name(&f.name);
        constraints::checks(set, f, &n, &mut body);
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
    let name = type_name(&t.name.name);
    impl_for(
        o,
        &format!("{EVENT}::CheckFields"),
        &format!("{TYPES}::{name}"),
    );
    let _ = writeln!(
        o,
        "    #[inline(always)]\n    fn check_fields(&self) -> Result<(), {EVENT}::ValidationError> {{"
    );
    o.push_str(&body);
    let _ = writeln!(o, "        Ok(())\n    }}\n}}\n");
}
