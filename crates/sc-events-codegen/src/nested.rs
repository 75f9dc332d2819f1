//! Glue for the nested-envelope layout (the social-commerce one): `DomainEvent` and
//! `Enveloped` for each top-level record (the shared `Envelope` plus the `data` union) and
//! `Payload` for each payload record, so `Emitter` can build correctly labelled events.

/// The layout's traits and `Emitter`, written around the workspace's own envelope record.
pub(crate) const API: &str = include_str!("../templates/nested_api.rs");

use crate::glue::{domain_event_head, tier, DomainCx, E, T};
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
    let _ = writeln!(o, "impl {T}::{union} {{");
    for (method, ret, konst) in [
        ("event_type", "&'static str", "EVENT_TYPE"),
        ("privacy_tier", "crate::types::PrivacyTier", "PRIVACY_TIER"),
    ] {
        let _ = writeln!(
            o,
            "    /// The payload's `{method}` (fixed by its record type)."
        );
        let _ = writeln!(o, "    pub fn {method}(&self) -> {ret} {{");
        let _ = writeln!(o, "        use crate::Payload as _;");
        let _ = writeln!(o, "        match self {{");
        for p in payloads {
            let _ = writeln!(o, "            Self::{p}(_) => {T}::{p}::{konst},");
        }
        let _ = writeln!(o, "        }}\n    }}");
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
    let _ = writeln!(
        o,
        "    fn validate(&self) -> Result<(), {E}::ValidationError> {{ crate::Enveloped::validate_envelope(self) }}"
    );
    let _ = writeln!(o, "    fn payload(&self) -> {E}::PayloadRef<'_> {{");
    let _ = writeln!(o, "        use crate::Payload as _;");
    let _ = writeln!(o, "        match &self.data {{");
    for p in payloads {
        let _ = writeln!(
            o,
            "            {T}::{union}::{p}(p) => {E}::PayloadRef {{ event_type: {T}::{p}::EVENT_TYPE, privacy_tier: Some({T}::{p}::PRIVACY_TIER.into()), entity_key: p.entity_key(), check: p }},"
        );
    }
    let _ = writeln!(o, "        }}\n    }}\n}}\n");

    let _ = writeln!(o, "impl crate::Enveloped for {T}::{ev} {{");
    let _ = writeln!(
        o,
        "    const ENTITY_TYPE: {T}::EntityType = {T}::EntityType::{};",
        variant_name(d.entity_type.as_deref().unwrap_or_default())
    );
    let _ = writeln!(o, "    const SCHEMA_VERSION: i32 = {};", d.schema_version);
    let _ = writeln!(
        o,
        "    fn envelope(&self) -> &{T}::Envelope {{ &self.envelope }}"
    );
    let _ = writeln!(
        o,
        "    fn envelope_mut(&mut self) -> &mut {T}::Envelope {{ &mut self.envelope }}"
    );

    let _ = writeln!(o, "}}\n");

    for e in &d.events {
        let t = &set.types[e.record];
        let p = type_name(&t.name.name);
        let key_expr = key
            .as_deref()
            .and_then(|k| set.fields(e.record).iter().find(|f| f.name == k))
            .map(|f| {
                let n = field_name(&f.name);
                if f.ty.nullable_inner().is_some() {
                    format!("self.{n}.as_deref()")
                } else {
                    format!("Some(self.{n}.as_str())")
                }
            })
            .unwrap_or_else(|| "None".into());
        let _ = writeln!(o, "impl crate::Payload for {T}::{p} {{");
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
            "    const PRIVACY_TIER: {T}::PrivacyTier = {};",
            tier(e.tier_or_public().as_str())
        );
        let _ = writeln!(o, "    type Event = {T}::{ev};");
        let _ = writeln!(
            o,
            "    fn entity_key(&self) -> Option<&str> {{ {key_expr} }}"
        );
        let _ = writeln!(o, "    fn into_event(self, envelope: {T}::Envelope) -> {T}::{ev} {{ {T}::{ev} {{ envelope, data: {T}::{union}::{p}(self) }} }}");
        let _ = writeln!(o, "}}\n");
    }
}
