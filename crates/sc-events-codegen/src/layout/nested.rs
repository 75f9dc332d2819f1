//! The nested-envelope layout (the social-commerce one): `DomainEvent` and `Enveloped` for
//! each top-level record (the shared `Envelope` plus the `data` union) and `Payload` for each
//! payload record, so `Emitter` can build correctly labelled events.

/// The layout's traits and `Emitter`, written around the workspace's own envelope record.
pub(crate) const API: &str = include_str!("../../templates/nested_api.rs");

use crate::context::{domain_event_head, tier, DomainCx, ENVELOPED, EVENT, PAYLOAD, TYPES};
use crate::emit::{impl_for, impl_inherent, match_method, option_str, Method};
use crate::ident::{field_name, type_name, variant_name};
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
        let key_expr = key
            .as_deref()
            .and_then(|k| set.fields(e.record).iter().find(|f| f.name == k))
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
        let _ = writeln!(o, "    type Event = {TYPES}::{ev};");
        let _ = writeln!(
            o,
            "    fn entity_key(&self) -> Option<&str> {{ {key_expr} }}"
        );
        let _ = writeln!(o, "    fn into_event(self, envelope: {TYPES}::Envelope) -> {TYPES}::{ev} {{ {TYPES}::{ev} {{ envelope, data: {TYPES}::{union}::{p}(self) }} }}");
        let _ = writeln!(o, "}}\n");
    }
}
