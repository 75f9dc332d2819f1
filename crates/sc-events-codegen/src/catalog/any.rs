//! `AnyEvent`: one enum over every domain's event, for consumers of several topics. It
//! decodes by topic (each message through its own domain's registry-aware deserializer) and
//! answers the questions a consumer asks of any event (type, tier, id, envelope).

use crate::context::{ENVELOPED, EVENT, TYPES, WIRE, WORKSPACE};
use crate::emit::{format_call, impl_for, impl_inherent, match_method, Method};
use crate::ident::{field_name, variant_name};
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

pub fn generate(catalog: &Catalog, o: &mut String) {
    let domains: Vec<(String, String)> = catalog
        .domains
        .iter()
        .map(|d| (variant_name(&d.name), field_name(&d.name)))
        .collect();
    let _ = writeln!(
        o,
        "/// An event of any domain: what a consumer of several topics is handed."
    );
    let _ = writeln!(o, "#[derive(Debug, Clone, PartialEq, serde::Serialize)]\n#[serde(untagged)]\npub enum AnyEvent {{");
    for (v, m) in &domains {
        let _ = writeln!(o, "    {v}({m}::Event),");
    }
    let _ = writeln!(o, "}}\n");
    impl_inherent(o, "AnyEvent");
    // One method per question, each a match over the domains.
    let each = |expr: &'static str| {
        domains
            .iter()
            .map(move |(v, _)| (format!("Self::{v}(e)"), expr))
    };
    let domain_event = format!("{EVENT}::DomainEvent");
    if catalog.layout.section.envelope == EnvelopeStyle::Nested {
        let signature = format!("pub fn envelope(&self) -> &{TYPES}::Envelope");
        let m = Method {
            doc: Some("The shared envelope."),
            signature: &signature,
            uses: Some(ENVELOPED),
        };
        match_method(o, &m, "self", each("e.envelope()"));
    }
    let m = Method {
        doc: Some("The event's unique id."),
        signature: "pub fn event_id(&self) -> uuid::Uuid",
        uses: Some(&domain_event),
    };
    match_method(o, &m, "self", each("e.event_id()"));
    let signature = format!("pub fn payload(&self) -> {EVENT}::PayloadRef<'_>");
    let m = Method {
        doc: Some("The payload's event type, tier and key."),
        signature: &signature,
        uses: Some(&domain_event),
    };
    match_method(o, &m, "self", each("e.payload()"));
    let m = Method {
        doc: Some("The topic the event belongs on."),
        signature: "pub fn topic(&self) -> &'static str",
        uses: Some(&domain_event),
    };
    let topics = domains
        .iter()
        .map(|(v, m)| (format!("Self::{v}(_)"), format!("<{m}::Event>::TOPIC")));
    match_method(o, &m, "self", topics);
    let _ = writeln!(o, "}}\n");
    let _ = writeln!(
        o,
        "/// One registry-aware deserializer per domain.\npub struct AnyDecoders {{"
    );
    for (_, m) in &domains {
        let _ = writeln!(o, "    {m}: {WIRE}::Deserializer<{m}::Event>,");
    }
    let _ = writeln!(o, "}}\n");
    impl_for(o, &format!("{WIRE}::Consumable"), "AnyEvent");
    let _ = writeln!(
        o,
        "    type Workspace = {WORKSPACE};\n    type Decoders = AnyDecoders;"
    );
    let _ = writeln!(o, "    fn decoders(registry: std::sync::Arc<dyn {WIRE}::Registry>, options: &{WIRE}::ReaderOptions) -> AnyDecoders {{\n        AnyDecoders {{");
    for (_, m) in &domains {
        let _ = writeln!(
            o,
            "            {m}: {WIRE}::Deserializer::with_options(registry.clone(), options.clone()),"
        );
    }
    let _ = writeln!(o, "        }}\n    }}");
    let topics: Vec<String> = catalog
        .domains
        .iter()
        .map(|d| format!("{:?}", d.topic))
        .collect();
    let _ = writeln!(
        o,
        "    fn carries(topic: &str) -> bool {{\n        {}\n    }}",
        if topics.is_empty() {
            "let _ = topic;\n        false".to_string()
        } else {
            format!("matches!(topic, {})", topics.join(" | "))
        }
    );
    let _ = writeln!(o, "    fn decode<'a>(d: &'a AnyDecoders, topic: &'a str, message: &'a [u8]) -> impl std::future::Future<Output = Result<{WIRE}::Decoded<Self>, {WIRE}::WireError>> + Send + 'a {{\n        use {EVENT}::DomainEvent as _;\n        async move {{");
    for (v, m) in &domains {
        let _ = writeln!(o, "            if topic == <{m}::Event>::TOPIC {{\n                return d.{m}.deserialize(message).await.map(|x| x.map(Self::{v}));\n            }}");
    }
    let subject = format_call("{topic} carries no event schema", &[]);
    let _ = writeln!(o, "            Err({WIRE}::WireError::NotRegistered {{ subject: {subject} }})\n        }}\n    }}");
    let _ = writeln!(
        o,
        "    fn event_type(&self) -> &str {{\n        self.payload().event_type\n    }}"
    );
    let _ = writeln!(o, "    fn privacy_tier(&self) -> Option<{EVENT}::Tier> {{\n        self.payload().privacy_tier\n    }}");
    let _ = writeln!(
        o,
        "    fn event_id(&self) -> uuid::Uuid {{\n        AnyEvent::event_id(self)\n    }}\n}}\n"
    );
}
