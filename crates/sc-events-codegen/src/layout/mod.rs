//! The trait impls that depend on how a workspace's top-level records are laid out:
//! [`nested`] (a shared `Envelope` record plus a `data` union) or [`flat`] (the envelope's
//! fields repeated in every top-level record, the payload in one field).

pub(crate) mod flat;
pub(crate) mod nested;

use crate::context::DomainCx;
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::Catalog;

/// Writes the domain's impls for the catalog's layout.
pub(crate) fn generate(catalog: &Catalog, cx: &DomainCx<'_>, o: &mut String) {
    match catalog.layout.section.envelope {
        EnvelopeStyle::Nested => nested::generate(catalog, cx, o),
        EnvelopeStyle::Flat => flat::generate(catalog, cx, o),
    }
}

/// The domain records whose `Encode::encode_validated` the layout fuses into one pass: the
/// nested layout's, where the payload field is a union (see `nested::encode_validated`).
pub(crate) fn fused_records(catalog: &Catalog) -> Vec<usize> {
    if catalog.layout.section.envelope != EnvelopeStyle::Nested {
        return Vec::new();
    }
    let payload = &catalog.layout.section.payload_field;
    catalog
        .domains
        .iter()
        .map(|d| d.record)
        .filter(|&r| {
            catalog.set.fields(r).iter().any(|f| {
                f.name == *payload && matches!(f.ty.kind, sc_events_schema::model::Kind::Union(_))
            })
        })
        .collect()
}
