//! The catalog glue: what rsgen-avro cannot know. Implements `sc_events::event::{Payload,
//! DomainEvent, CheckFields}` for the generated types, writes one module per domain with
//! short aliases, and the static topic/event/schema tables.

use crate::ident::{field_name, type_name, variant_name};
use crate::{CodegenError, HEADER};
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use sc_events_schema::rules::lint::is_non_negative_field;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

pub(crate) const T: &str = "crate::types";
pub(crate) const E: &str = "__RUNTIME__::event";

pub fn generate(catalog: &Catalog) -> Result<String, CodegenError> {
    let set = &catalog.set;
    let dir = catalog
        .dir
        .canonicalize()
        .map_err(|e| CodegenError::Io(catalog.dir.clone(), e))?;
    let mut o = String::new();
    let _ = writeln!(o, "{HEADER}\n");
    tables(catalog, &dir, &mut o);
    if catalog.layout.section.envelope == EnvelopeStyle::Nested {
        o.push_str(crate::nested::API);
        o.push('\n');
    }
    for d in &catalog.domains {
        domain(catalog, d, &dir, &mut o);
    }
    crate::any::generate(catalog, &mut o);
    // Nested layouts check the top-level record through the envelope; flat ones through its
    // own fields.
    let roots: Vec<TypeId> = match catalog.layout.section.envelope {
        EnvelopeStyle::Nested => catalog.domains.iter().map(|d| d.record).collect(),
        EnvelopeStyle::Flat => Vec::new(),
    };
    for (id, t) in set.types.iter().enumerate() {
        if matches!(t.body, Body::Record(_)) && !roots.contains(&id) {
            non_negative(set, id, &mut o);
        }
    }
    Ok(o)
}

/// The generated enum's tier (`crate::types::PrivacyTier::Public`).
pub(crate) fn tier(t: &str) -> String {
    format!("{T}::PrivacyTier::{}", variant_name(t))
}

/// The runtime's tier (`__RUNTIME__::event::Tier::Public`).
fn runtime_tier(t: sc_events_schema::PrivacyTier) -> String {
    format!("{E}::Tier::{}", variant_name(t.as_str()))
}

fn union_type(set: &SchemaSet, branches: &[Node]) -> String {
    let mut s = String::from("Union");
    for b in branches {
        if let Kind::Named(id) = b.kind {
            s.push_str(&type_name(&set.types[id].name.name));
        }
    }
    s
}

fn tables(catalog: &Catalog, dir: &std::path::Path, o: &mut String) {
    let set = &catalog.set;
    let _ = writeln!(
        o,
        "/// Every topic of the topic file, in file order (derived DLQs last)."
    );
    let _ = writeln!(o, "pub static TOPICS: &[{E}::TopicInfo] = &[");
    for t in &catalog.topics {
        let _ = writeln!(
            o,
            "    {E}::TopicInfo {{ name: {:?}, category: {:?}, partitions: {}, replication_factor: {:?}, key: {:?}, retention_ms: {}, cleanup_policy: {:?}, description: {:?}, value_schema: {:?} }},",
            t.name.get_ref(),
            t.category,
            t.partitions,
            t.replication_factor,
            t.key,
            t.retention_ms,
            t.cleanup_policy,
            t.description,
            t.value_schema.as_ref().map(|v| v.get_ref().as_str())
        );
    }
    let _ = writeln!(o, "];\n");
    let _ = writeln!(
        o,
        "/// Every event type, domain by domain, in `data` union order."
    );
    let _ = writeln!(o, "pub static EVENTS: &[{E}::EventInfo] = &[");
    for (d, e) in catalog.events() {
        let _ = writeln!(
            o,
            "    {E}::EventInfo {{ event_type: {:?}, topic: {:?}, record: {:?}, privacy_tier: {}, entity_type: {:?} }},",
            e.event_type,
            d.topic,
            set.types[e.record].name.fullname(),
            e.privacy_tier
                .map_or("None".to_string(), |t| format!("Some({})", runtime_tier(t))),
            d.entity_type.as_deref()
        );
    }
    let _ = writeln!(o, "];\n");
    let _ = writeln!(
        o,
        "/// Every consuming job of the topic file, in file order."
    );
    let _ = writeln!(o, "pub static CONSUMERS: &[{E}::ConsumerInfo] = &[");
    for c in &catalog.consumers {
        let list = |v: &mut dyn Iterator<Item = &str>| {
            v.map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
        };
        let r = &c.retry;
        let _ = writeln!(
            o,
            "    {E}::ConsumerInfo {{ name: {:?}, group_id: {:?}, description: {:?}, topics: &[{}], event_types: &[{}], max_tier: {}, dlq: {:?}, output: &[{}], retry: {E}::RetryPolicy {{ max_retries: {}, initial_backoff_ms: {}, multiplier: {:?}, max_backoff_ms: {}, jitter: {:?} }}, dedup_capacity: {:?} }},",
            c.name.get_ref(),
            c.group_id,
            c.description,
            list(&mut c.topics.iter().map(|t| t.get_ref().as_str())),
            list(&mut c.event_types.iter().map(|t| t.get_ref().as_str())),
            runtime_tier(*c.max_tier.get_ref()),
            c.dlq.get_ref(),
            list(&mut c.output.iter().map(String::as_str)),
            r.max_retries,
            r.initial_backoff_ms,
            r.multiplier,
            r.max_backoff_ms,
            r.jitter,
            c.dedup_capacity,
        );
    }
    let _ = writeln!(o, "];\n");
    let _ = writeln!(
        o,
        "/// The canonical `.avsc` text of every schema file (what is registered and read with),"
    );
    let _ = writeln!(
        o,
        "/// referenced schemas first: the envelope, then the domains in topic order."
    );
    let _ = writeln!(o, "pub static SCHEMAS: &[{E}::SchemaInfo] = &[");
    for i in file_order(catalog) {
        let name = catalog.rel_path(i);
        let record = match set.roots[i].kind {
            Kind::Named(id) => set.types[id].name.fullname(),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "    {E}::SchemaInfo {{ file: {name:?}, record: {record:?}, text: include_str!({:?}) }},",
            dir.join(&name).display().to_string()
        );
    }
    let _ = writeln!(o, "];\n");
    let topics_path = catalog
        .topics_file
        .path
        .canonicalize()
        .unwrap_or_else(|_| catalog.topics_file.path.clone());
    let topics_name = topics_path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let _ = writeln!(o, "/// The topic file: its name and text.");
    let _ = writeln!(
        o,
        "pub static TOPIC_FILE: (&str, &str) = ({topics_name:?}, include_str!({:?}));\n",
        topics_path.display().to_string()
    );
    if topics_name.ends_with(".toml") {
        let _ = writeln!(o, "/// The text of the topic file.");
        let _ = writeln!(o, "pub static TOPICS_TOML: &str = TOPIC_FILE.1;\n");
    }
    let config = catalog
        .layout
        .root
        .join(sc_events_schema::layout::CONFIG_FILE);
    let config = match config.canonicalize() {
        Ok(p) if p.is_file() => format!("include_str!({:?})", p.display().to_string()),
        _ => "\"\"".to_string(),
    };
    let _ = writeln!(o, "/// This workspace's catalog: the tables above and its layout.\n#[derive(Debug, Clone, Copy, Default)]\npub struct Workspace;\n");
    let _ = writeln!(o, "impl {E}::WorkspaceCatalog for Workspace {{\n    const SCHEMAS: &'static [{E}::SchemaInfo] = SCHEMAS;\n    const TOPICS: &'static [{E}::TopicInfo] = TOPICS;\n    const EVENTS: &'static [{E}::EventInfo] = EVENTS;\n    const CONSUMERS: &'static [{E}::ConsumerInfo] = CONSUMERS;\n    const CONFIG: &'static str = {config};\n    const TOPIC_FILE: (&'static str, &'static str) = TOPIC_FILE;\n}}\n");
}

/// The schema files, referenced ones first: the shared files in dependency order (the
/// envelope's as early as its own references allow), then the domains in topic order
/// (apache-avro resolves names in this order).
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

/// The named types the domain's payloads use, directly or nested, other than the payloads
/// themselves and the envelope's (which the crate root exports), in first-use order.
fn used_types(catalog: &Catalog, d: &sc_events_schema::Domain) -> Vec<String> {
    let set = &catalog.set;
    let envelope_file = set.types[catalog.envelope].file;
    let payloads: Vec<TypeId> = d.events.iter().map(|e| e.record).collect();
    let mut seen: Vec<TypeId> = Vec::new();
    let mut stack: Vec<&Node> = payloads
        .iter()
        .rev()
        .flat_map(|&p| set.fields(p).iter().rev().map(|f| &f.ty))
        .collect();
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::Array(i) | Kind::Map(i) => stack.push(i),
            Kind::Union(b) => stack.extend(b.iter().rev()),
            Kind::Named(id) if !seen.contains(id) => {
                seen.push(*id);
                stack.extend(set.fields(*id).iter().rev().map(|f| &f.ty));
            }
            _ => {}
        }
    }
    seen.into_iter()
        .filter(|id| !payloads.contains(id) && set.types[*id].file != envelope_file)
        .map(|id| type_name(&set.types[id].name.name))
        .collect()
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
    let _ = writeln!(o, "impl {E}::DomainEvent for {T}::{} {{", cx.ev);
    let _ = writeln!(o, "    type Workspace = crate::Workspace;");
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

fn domain(catalog: &Catalog, d: &sc_events_schema::Domain, dir: &std::path::Path, o: &mut String) {
    let set = &catalog.set;
    let root = &set.types[d.record];
    let ev = type_name(&root.name.name);
    let pf = &catalog.layout.section.payload_field;
    let Some(data) = set.fields(d.record).iter().find(|f| f.name == *pf) else {
        return;
    };
    let union = match &data.ty.kind {
        Kind::Union(branches) => Some(union_type(set, branches)),
        _ => None,
    };
    let key = catalog.topic(&d.topic).and_then(|t| t.key.clone());
    let file = catalog.rel_path(d.file);

    // The domain module: short names for everything a service of this domain touches.
    let payloads: Vec<String> = d
        .events
        .iter()
        .map(|e| type_name(&set.types[e.record].name.name))
        .collect();
    let _ = writeln!(
        o,
        "/// The `{}` domain: events on `{}` (schema `{file}`).",
        d.name, d.topic
    );
    let _ = writeln!(o, "pub mod {} {{", field_name(&d.name));
    let _ = writeln!(
        o,
        "    /// The top-level record: envelope plus one payload."
    );
    let _ = writeln!(o, "    pub type Event = {T}::{ev};");
    if let Some(union) = &union {
        let _ = writeln!(o, "    /// The payload union: one variant per event type.");
        let _ = writeln!(o, "    pub type Data = {T}::{union};");
    }
    let _ = writeln!(o, "    pub use {T}::{{{}}};", payloads.join(", "));
    let used = used_types(catalog, d);
    if !used.is_empty() {
        let _ = writeln!(
            o,
            "    /// Every other type the payloads use (enums, nested records)."
        );
        let _ = writeln!(o, "    pub use {T}::{{{}}};", used.join(", "));
    }
    let types: Vec<String> = d
        .events
        .iter()
        .map(|e| format!("{:?}", e.event_type))
        .collect();
    let _ = writeln!(
        o,
        "    /// Every event type of the domain, in payload union order."
    );
    let _ = writeln!(
        o,
        "    pub const EVENT_TYPES: &[&str] = &[{}];",
        types.join(", ")
    );
    let _ = writeln!(o, "}}\n");
    let cx = DomainCx {
        d,
        ev,
        payload_field: field_name(pf),
        union,
        key,
        payloads,
        schema_path: dir.join(&file).display().to_string(),
    };
    match catalog.layout.section.envelope {
        EnvelopeStyle::Nested => crate::nested::generate(catalog, &cx, o),
        EnvelopeStyle::Flat => crate::flat::generate(catalog, &cx, o),
    }
}

/// `CheckFields` for one record: `*_cents`/`*_count` fields must be >= 0, nested records
/// are checked recursively.
/// `stmt` over `items`, the field `n` or (when optional) what it holds.
fn over(n: &str, optional: bool, stmt: &str) -> String {
    if optional {
        format!("if let Some(items) = &self.{n} {{ {stmt} }}")
    } else {
        format!("{{ let items = &self.{n}; {stmt} }}")
    }
}

fn non_negative(set: &SchemaSet, id: TypeId, o: &mut String) {
    let t = &set.types[id];
    let mut body = String::new();
    for f in set.fields(id) {
        let n = field_name(&f.name);
        crate::constraints::checks(set, f, &n, &mut body);
        let fname = &f.name;
        let opt = f.ty.nullable_inner().is_some();
        let inner = f.ty.non_null();
        let is_record =
            |k: &Kind| matches!(k, Kind::Named(r) if matches!(set.types[*r].body, Body::Record(_)));
        match &inner.kind {
            Kind::Int | Kind::Long if is_non_negative_field(fname) => {
                let cond = if opt {
                    format!("if let Some(v) = self.{n} {{")
                } else {
                    format!("{{ let v = self.{n};")
                };
                let value = if inner.kind == Kind::Int {
                    "i64::from(v)"
                } else {
                    "v"
                };
                let _ = writeln!(body, "        {cond} if v < 0 {{ return Err({E}::ValidationError::Negative {{ field: {fname:?}.into(), value: {value} }}); }} }}");
            }
            k if is_record(k) => {
                let call = format!("v.check_fields().map_err(|e| e.within({fname:?}))?;");
                if opt {
                    let _ = writeln!(body, "        if let Some(v) = &self.{n} {{ {call} }}");
                } else {
                    let _ = writeln!(body, "        {{ let v = &self.{n}; {call} }}");
                }
            }
            Kind::Array(item) if is_record(&item.kind) => {
                let each = format!("for (i, v) in items.iter().enumerate() {{ v.check_fields().map_err(|e| e.within(&format!(\"{fname}[{{i}}]\")))?; }}");
                let _ = writeln!(body, "        {}", over(&n, opt, &each));
            }
            Kind::Map(item) if is_record(&item.kind) => {
                let each = format!("for (k, v) in items.iter() {{ v.check_fields().map_err(|e| e.within(&format!(\"{fname}[{{k:?}}]\")))?; }}");
                let _ = writeln!(body, "        {}", over(&n, opt, &each));
            }
            _ => {}
        }
    }
    let name = type_name(&t.name.name);
    let _ = writeln!(o, "impl {E}::CheckFields for {T}::{name} {{");
    let _ = writeln!(
        o,
        "    fn check_fields(&self) -> Result<(), {E}::ValidationError> {{"
    );
    o.push_str(&body);
    let _ = writeln!(o, "        Ok(())\n    }}\n}}\n");
}
