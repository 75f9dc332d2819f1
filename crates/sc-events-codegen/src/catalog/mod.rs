//! `catalog.rs`: what rsgen-avro cannot know about the generated types. In order: the static
//! tables and `Workspace` ([`tables`]), the nested layout's API, one module per domain with
//! its layout's trait impls ([`domains`]), `AnyEvent` ([`any`]) and `CheckFields` for every
//! record ([`check_fields`]).

mod any;
mod check_fields;
mod constraints;
mod domains;
mod tables;

use crate::context::HEADER;
use crate::error::CodegenError;
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

/// The text of `catalog.rs`.
pub fn generate(catalog: &Catalog) -> Result<String, CodegenError> {
    let dir = catalog
        .dir
        .canonicalize()
        .map_err(|e| CodegenError::Io(catalog.dir.clone(), e))?;
    let mut o = String::new();
    let _ = writeln!(o, "{HEADER}\n");
    tables::generate(catalog, &dir, &mut o);
    if catalog.layout.section.envelope == EnvelopeStyle::Nested {
        o.push_str(crate::layout::nested::API);
        o.push('\n');
    }
    for d in &catalog.domains {
        domains::generate(catalog, d, &dir, &mut o);
    }
    any::generate(catalog, &mut o);
    check_fields::generate(catalog, &mut o);
    Ok(o)
}
