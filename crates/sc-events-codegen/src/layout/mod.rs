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
