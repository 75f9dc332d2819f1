//! The nested-envelope layout (the social-commerce one): `DomainEvent` and `Enveloped` for
//! each top-level record (the shared `Envelope` plus the `data` union) and `Payload` for each
//! payload record, so `Emitter` can build correctly labelled events.

/// The layout's traits and `Emitter`, written around the workspace's own envelope record.
pub(crate) const API: &str = include_str!("../../templates/nested_api.rs");

use crate::codec;
use crate::context::{
    domain_event_head, tier, DomainCx, BINARY, ENTITY_ID, ENVELOPED, EVENT, PAYLOAD, TYPES, WIRE,
};
use crate::emit::{impl_for, impl_inherent, match_method, option_str, Method};
use crate::ident::{field_name, type_name, union_variant, variant_name};
use sc_events_schema::model::{Field, Kind, SchemaSet};
use sc_events_schema::Catalog;
use std::fmt::Write as _;

pub(crate) fn generate(catalog: &Catalog, cx: &DomainCx<'_>, o: &mut String) {
    let set = &catalog.set;
    let d = cx.d;
    let root = &set.types[d.record];
    let (ev, key, payloads) = (&cx.ev, &cx.key, &cx.payloads);
    let Some(union) = &cx.union else {
        return;
    };
    impl_inherent(o, &format!("{TYPES}::{union}"));
    for (method, ret, konst) in [
        ("event_type", "&'static str".to_string(), "EVENT_TYPE"),
        (
            "privacy_tier",
            format!("{TYPES}::PrivacyTier"),
            "PRIVACY_TIER",
        ),
    ] {
        match_method(
            o,
            &Method {
                doc: Some(&format!(
                    "The payload's `{method}` (fixed by its record type)."
                )),
                signature: &format!("pub fn {method}(&self) -> {ret}"),
                uses: Some(PAYLOAD),
            },
            "self",
            payloads
                .iter()
                .map(|p| (format!("Self::{p}(_)"), format!("{TYPES}::{p}::{konst}"))),
        );
    }
    let _ = writeln!(o, "}}\n");

    domain_event_head(cx, &root.name.fullname(), o);
    let _ = writeln!(
        o,
        "    fn event_id(&self) -> uuid::Uuid {{ self.envelope.event_id }}"
    );
    let _ = writeln!(
        o,
        "    fn key(&self) -> Option<std::borrow::Cow<'_, str>> {{ Some(std::borrow::Cow::Borrowed(self.envelope.entity_id.as_str())) }}"
    );
    // One arm per payload type, so each check is compiled against that type's constants.
    match_method(
        o,
        &Method {
            doc: None,
            signature: &format!(
                "#[inline]\n    fn validate(&self) -> Result<(), {EVENT}::ValidationError>"
            ),
            uses: None,
        },
        "&self.data",
        payloads.iter().map(|p| {
            (
                format!("{TYPES}::{union}::{p}(p)"),
                format!("{ENVELOPED}::validate_payload(self, p)"),
            )
        }),
    );
    match_method(
        o,
        &Method {
            doc: None,
            signature: &format!("fn payload(&self) -> {EVENT}::PayloadRef<'_>"),
            uses: Some(PAYLOAD),
        },
        "&self.data",
        payloads.iter().map(|p| {
            (
                format!("{TYPES}::{union}::{p}(p)"),
                format!("{EVENT}::PayloadRef {{ event_type: {TYPES}::{p}::EVENT_TYPE, privacy_tier: Some({TYPES}::{p}::PRIVACY_TIER.into()), entity_key: p.entity_key(), check: p }}"),
            )
        }),
    );
    let _ = writeln!(o, "}}\n");
    encode_validated(set, d.record, &cx.payload_field, union, o);

    impl_for(o, ENVELOPED, &format!("{TYPES}::{ev}"));
    let _ = writeln!(
        o,
        "    const ENTITY_TYPE: {TYPES}::EntityType = {TYPES}::EntityType::{};",
        variant_name(d.entity_type.as_deref().unwrap_or_default())
    );
    let _ = writeln!(o, "    const SCHEMA_VERSION: i32 = {};", d.schema_version);
    let _ = writeln!(
        o,
        "    fn envelope(&self) -> &{TYPES}::Envelope {{ &self.envelope }}"
    );
    let _ = writeln!(
        o,
        "    fn envelope_mut(&mut self) -> &mut {TYPES}::Envelope {{ &mut self.envelope }}"
    );
    let _ = writeln!(o, "}}\n");

    for e in &d.events {
        let t = &set.types[e.record];
        let p = type_name(&t.name.name);
        let key_field = key
            .as_deref()
            .and_then(|k| set.fields(e.record).iter().find(|f| f.name == k));
        let key_expr = key_field
            .map(|f| {
                option_str(
                    &format!("self.{}", field_name(&f.name)),
                    f.ty.nullable_inner().is_some(),
                )
            })
            .unwrap_or_else(|| "None".into());
        impl_for(o, PAYLOAD, &format!("{TYPES}::{p}"));
        let _ = writeln!(
            o,
            "    const EVENT_TYPE: &'static str = {:?};",
            e.event_type
        );
        let _ = writeln!(
            o,
            "    const RECORD: &'static str = {:?};",
            t.name.fullname()
        );
        let _ = writeln!(
            o,
            "    const PRIVACY_TIER: {TYPES}::PrivacyTier = {};",
            tier(e.tier_or_public().as_str())
        );
        let _ = writeln!(
            o,
            "    const KEY_CHECKS_ENTITY_ID: bool = {};",
            key_field.is_some_and(|f| key_checks_entity_id(catalog, f))
        );
        let _ = writeln!(o, "    type Event = {TYPES}::{ev};");
        let _ = writeln!(
            o,
            "    fn entity_key(&self) -> Option<&str> {{ {key_expr} }}"
        );
        let _ = writeln!(o, "    fn into_event(self, envelope: {TYPES}::Envelope) -> {TYPES}::{ev} {{ {TYPES}::{ev} {{ envelope, data: {TYPES}::{union}::{p}(self) }} }}");
        let _ = writeln!(o, "}}\n");
    }
}

/// The body of `Encode::encode_validated` for a domain's top-level record (codec.rs's impl
/// calls it), fusing validation into the encoding: the fields in schema order and, in the
/// payload union's arm for each payload type, `validate_payload` against that type's
/// constants just before its bytes are written: one dispatch on the union instead of one for
/// `validate` and another for `encode`.
fn encode_validated(set: &SchemaSet, record: usize, payload: &str, union: &str, o: &mut String) {
    impl_inherent(
        o,
        &format!("{TYPES}::{}", type_name(&set.types[record].name.name)),
    );
    let _ = writeln!(
        o,
        "    #[doc(hidden)]\n    #[inline]\n    pub fn encode_validated_fused(&self, w: &mut Vec<u8>) -> Result<(), {EVENT}::ValidationError> {{"
    );
    for f in set.fields(record) {
        let field = format!("self.{}", field_name(&f.name));
        match &f.ty.kind {
            Kind::Union(branches) if field_name(&f.name) == payload => {
                let _ = writeln!(o, "        match &{field} {{");
                for (i, br) in branches.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "            {TYPES}::{union}::{}(p) => {{ {ENVELOPED}::validate_payload(self, p)?; {BINARY}::put_long(w, {i}); {WIRE}::Encode::encode(p, w); }}",
                        union_variant(set, br)
                    );
                }
                let _ = writeln!(o, "        }}");
            }
            _ => {
                let mut stmts = String::new();
                codec::enc(set, &f.ty, &format!("&{field}"), &mut stmts, 0);
                for line in stmts.lines() {
                    let _ = writeln!(o, "        {line}");
                }
            }
        }
    }
    let _ = writeln!(o, "        Ok(())\n    }}\n}}\n");
}

/// Whether the payload's key field `key` carries exactly the envelope `entity_id`'s
/// constraints (both always present), so that, once the two texts are equal, checking one
/// checks the other.
fn key_checks_entity_id(catalog: &Catalog, key: &Field) -> bool {
    let constraints = |f: &Field| f.attr("constraints").map(|c| c.to_value());
    let entity_id = catalog
        .set
        .fields(catalog.envelope)
        .iter()
        .find(|f| f.name == ENTITY_ID);
    entity_id.is_some_and(|e| {
        e.ty.nullable_inner().is_none()
            && key.ty.nullable_inner().is_none()
            && e.ty.kind == key.ty.kind
            && constraints(e).is_some()
            && constraints(e) == constraints(key)
    })
}
