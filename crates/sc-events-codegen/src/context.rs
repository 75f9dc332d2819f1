//! What every generator shares and none of them owns: the paths generated code names things
//! by, the order the schema files are read in, and the facts about one domain ([`DomainCx`])
//! that the layout generators build on. Imports no generator.

use crate::ident::variant_name;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

/// rsgen-avro's types (`types.rs`, included as `crate::types`).
pub(crate) const TYPES: &str = "crate::types";
/// The runtime's event model: `DomainEvent`, `CheckFields`, the catalog tables' row types.
/// Starts with [`crate::RUNTIME`], which [`crate::Config::generate`] replaces.
pub(crate) const EVENT: &str = "__RUNTIME__::event";
/// The runtime's wire layer: `Encode`, `Decode`, `HasView`, deserializers.
pub(crate) const WIRE: &str = "__RUNTIME__::wire";
/// The runtime's Avro binary primitives (`put_*`, `Reader`).
pub(crate) const BINARY: &str = "__RUNTIME__::wire::binary";
/// The generated `Workspace` struct (the catalog tables' owner).
pub(crate) const WORKSPACE: &str = "crate::Workspace";
/// The nested layout's `Payload` trait (generated from `templates/nested_api.rs`).
pub(crate) const PAYLOAD: &str = "crate::Payload";
/// The nested layout's `Enveloped` trait (generated from `templates/nested_api.rs`).
pub(crate) const ENVELOPED: &str = "crate::Enveloped";

/// The generated enum's tier (`crate::types::PrivacyTier::Public`).
pub(crate) fn tier(t: &str) -> String {
    format!("{TYPES}::PrivacyTier::{}", variant_name(t))
}

/// The runtime's tier (`__RUNTIME__::event::Tier::Public`).
pub(crate) fn runtime_tier(t: sc_events_schema::PrivacyTier) -> String {
    format!("{EVENT}::Tier::{}", variant_name(t.as_str()))
}

/// The schema files, referenced ones first: the shared files in dependency order (the
/// envelope's as early as its own references allow), then the domains in topic order
/// (apache-avro resolves names in this order). Both rsgen-avro's input and the `SCHEMAS`
/// table follow it.
pub(crate) fn file_order(catalog: &Catalog) -> Vec<usize> {
    let set = &catalog.set;
    let envelope_file = set.types[catalog.envelope].file;
    let domain_files: Vec<usize> = catalog.domains.iter().map(|d| d.file).collect();
    let mut shared: Vec<usize> = set
        .files_in_dependency_order()
        .into_iter()
        .filter(|f| !domain_files.contains(f))
        .collect();
    // The envelope first when it depends on no other shared file (the usual case).
    if set.file_deps(envelope_file).is_empty() {
        shared.retain(|f| *f != envelope_file);
        shared.insert(0, envelope_file);
    }
    shared.into_iter().chain(domain_files).collect()
}

/// What the layout-specific generators need to know about one domain.
pub(crate) struct DomainCx<'a> {
    pub d: &'a sc_events_schema::Domain,
    /// The top-level record's Rust type.
    pub ev: String,
    /// The payload field's Rust name and its union type (`None`: a single payload record).
    pub payload_field: String,
    pub union: Option<String>,
    /// The topic's key field.
    pub key: Option<String>,
    /// The payload records' Rust types, in union order.
    pub payloads: Vec<String>,
    /// The absolute path of the domain's `.avsc` (for `include_str!`).
    pub schema_path: String,
}

/// The opening of a domain's `DomainEvent` impl, the same in every layout: its workspace,
/// topic, key field, record and schema text.
pub(crate) fn domain_event_head(cx: &DomainCx<'_>, record: &str, o: &mut String) {
    let _ = writeln!(o, "impl {EVENT}::DomainEvent for {TYPES}::{} {{", cx.ev);
    let _ = writeln!(o, "    type Workspace = {WORKSPACE};");
    let _ = writeln!(o, "    const TOPIC: &'static str = {:?};", cx.d.topic);
    let _ = writeln!(
        o,
        "    const KEY_FIELD: Option<&'static str> = {:?};",
        cx.key
    );
    let _ = writeln!(o, "    const RECORD: &'static str = {record:?};");
    let _ = writeln!(
        o,
        "    const SCHEMA: &'static str = include_str!({:?});",
        cx.schema_path
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_paths_start_with_the_marker() {
        for p in [EVENT, WIRE, BINARY] {
            assert!(p.starts_with(crate::RUNTIME), "{p}");
        }
        assert!(BINARY.starts_with(WIRE));
    }
}
